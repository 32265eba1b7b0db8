"""A command line answered before is answered again before typer loads, and never stale."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SMALL_PLAN, cli_env
from minsheng import launch
from minsheng.cli import answers
from minsheng.core import cache as cache_module

# Each test launches a real process to see what it imports: in the slow run.
pytestmark = pytest.mark.slow

# Runs minsheng's entry point as the installed script does, then says on stderr's last line
# whether typer was imported: the full path imports it, an answer kept does not.
PROBE = """
import sys
sys.argv = ["minsheng", *sys.argv[1:]]
from minsheng.launch import main
try:
    main()
finally:
    sys.stdout.flush()
    print("typer" in sys.modules, file=sys.stderr)
"""


def probe(*args: str, cache: Path, cwd: Path = ROOT, **env: str) -> tuple[str, bool, int]:
    """stdout, whether typer was imported, and the exit code."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env=cli_env(MINSHENG_CACHE_DIR=str(cache), **env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    loaded = done.stderr.strip().splitlines()[-1] == "True"
    return done.stdout, loaded, done.returncode


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder with the small test plan, apart from real_data's."""
    folder = tmp_path / "small" / "data"
    (folder / "progress").mkdir(parents=True)
    shutil.copy(SMALL_PLAN, folder / "tasks_2024.yaml")
    return folder


def test_the_second_time_is_answered_without_typer(real_data: Path, cache: Path) -> None:
    asked = ("list", "--format", "json", "--unit", "民政", "--data-dir", str(real_data))
    first, loaded_first, code_first = probe(*asked, cache=cache)
    second, loaded_second, code_second = probe(*asked, cache=cache)
    assert code_first == code_second == 0
    assert loaded_first and not loaded_second
    assert second == first
    assert [item["id"] for item in json.loads(second)]  # the unit leads items


def test_show_is_kept_too(real_data: Path, cache: Path) -> None:
    asked = ("show", "10", "--format", "json", "--data-dir", str(real_data))
    first, _, _ = probe(*asked, cache=cache)
    second, loaded, _ = probe(*asked, cache=cache)
    assert not loaded and second == first and json.loads(second)["id"] == 10


def test_a_changed_plan_is_read_again(real_data: Path, cache: Path) -> None:
    asked = ("show", "1", "--format", "json", "--data-dir", str(real_data))
    before, _, _ = probe(*asked, cache=cache)
    plan = real_data / "tasks_2024.yaml"
    title = json.loads(before)["title"]
    plan.write_text(plan.read_text(encoding="utf-8").replace(title, title + "(修订)", 1), "utf-8")
    after, loaded, _ = probe(*asked, cache=cache)
    assert loaded  # a new plan: the full path, which keeps the new answer
    assert json.loads(after)["title"] == title + "(修订)"
    again, loaded_again, _ = probe(*asked, cache=cache)
    assert not loaded_again and again == after


def test_the_plan_is_found_again_from_where_the_command_runs(
    real_data: Path, small_data: Path, cache: Path
) -> None:
    """The same command line in two folders: each answer is its own folder's plan's."""
    asked = ("list", "--format", "json")
    in_real, _, _ = probe(*asked, cache=cache, cwd=real_data.parent)
    probe(*asked, cache=cache, cwd=small_data.parent)
    in_small, loaded, _ = probe(*asked, cache=cache, cwd=small_data.parent)
    assert not loaded
    assert len(json.loads(in_small)) != len(json.loads(in_real))
    assert in_small != in_real
    again, _, _ = probe(*asked, cache=cache, cwd=real_data.parent)
    assert again == in_real


def test_a_later_year_added_is_the_one_answered(real_data: Path, cache: Path) -> None:
    asked = ("list", "--format", "json", "--data-dir", str(real_data))
    before, _, _ = probe(*asked, cache=cache)
    probe(*asked, cache=cache)
    later = SMALL_PLAN.read_text(encoding="utf-8").replace("2024", "2025")  # a 2025 plan
    (real_data / "tasks_2025.yaml").write_text(later, encoding="utf-8")
    after, loaded, _ = probe(*asked, cache=cache)
    assert loaded
    assert len(json.loads(after)) != len(json.loads(before))


def test_the_data_folder_from_the_environment_is_honoured(
    real_data: Path, small_data: Path, cache: Path
) -> None:
    asked = ("list", "--format", "json")
    real, _, real_code = probe(*asked, cache=cache, MINSHENG_DATA_DIR=str(real_data))
    probe(*asked, cache=cache, MINSHENG_DATA_DIR=str(small_data))
    small, loaded, small_code = probe(*asked, cache=cache, MINSHENG_DATA_DIR=str(small_data))
    assert real_code == small_code == 0
    assert not loaded and json.loads(small) and json.loads(small) != json.loads(real)


@pytest.mark.parametrize(
    ("extra", "env"),
    [
        (("--debug",), {}),
        (("--no-cache",), {}),
        ((), {"MINSHENG_NO_CACHE": "1"}),
        ((), {"_MINSHENG_COMPLETE": "complete_bash"}),
    ],
)
def test_never_answered_early(
    real_data: Path, cache: Path, extra: tuple[str, ...], env: dict[str, str]
) -> None:
    asked = ("list", "--format", "json", "--data-dir", str(real_data), *extra)
    first, _, first_code = probe(*asked, cache=cache, **env)
    again, loaded, code = probe(*asked, cache=cache, **env)
    assert loaded and (again, code) == (first, first_code)
    if "_MINSHENG_COMPLETE" not in env:  # typer's completion, not an answer, for a shell
        assert code == 0 and json.loads(again)


def test_an_answer_written_to_a_file_is_not_kept_by_its_command_line(
    real_data: Path, cache: Path, tmp_path: Path
) -> None:
    out = tmp_path / "items.json"
    asked = ("list", "--format", "json", "--data-dir", str(real_data), "--output", str(out))
    probe(*asked, cache=cache)
    out.unlink()
    _, loaded, code = probe(*asked, cache=cache)
    assert loaded and code == 0 and out.exists()  # written again, by the full path


def test_errors_are_never_kept(real_data: Path, cache: Path) -> None:
    asked = ("show", "99", "--format", "json", "--data-dir", str(real_data))
    for _ in range(2):
        out, loaded, code = probe(*asked, cache=cache)
        assert loaded and code == 2 and out == ""
    assert not (cache / "command").exists()


def test_a_corrupt_command_entry_falls_back_to_the_full_path(real_data: Path, cache: Path) -> None:
    asked = ("list", "--format", "json", "--data-dir", str(real_data))
    first, _, _ = probe(*asked, cache=cache)
    (entry,) = (path for path in (cache / "command").iterdir() if path.name != cache_module.MARKER)
    entry.write_bytes(entry.read_bytes()[:-3] + b"xyz")
    again, loaded, code = probe(*asked, cache=cache)
    assert loaded and code == 0 and again == first


def test_a_full_disk_on_an_answer_kept_is_a_message(real_data: Path, cache: Path) -> None:
    """Printing a kept answer fails as the full path's printing does: a message, exit 1."""
    asked = ("show", "10", "--format", "json", "--data-dir", str(real_data))
    probe(*asked, cache=cache)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "minsheng", *asked],
            env=cli_env(MINSHENG_CACHE_DIR=str(cache)),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
    assert done.returncode == 1
    assert "io-error" in done.stderr and "Traceback" not in done.stderr


def test_without_a_home_folder_nothing_is_kept_and_all_still_works(
    real_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user with no home folder (some containers): no cache folder, and no failure."""
    for name in ("MINSHENG_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(nowhere))
    assert cache_module.default_folder() is None
    assert cache_module.user_cache() is None
    assert answers.answer_again(["list", "--format", "json"]) is None
    plan = real_data / "tasks_2024.yaml"
    assert answers.remembered(plan, ("list",), lambda: ("[]\n", True)) == "[]\n"
    asked = ["minsheng", "show", "10", "--format", "json", "--data-dir", str(real_data)]
    for _ in range(2):  # the second is not answered from anywhere: there is no cache
        monkeypatch.setattr(sys, "argv", asked)
        with pytest.raises(SystemExit) as done:
            launch.main()
        assert done.value.code == 0
        assert json.loads(capsys.readouterr().out)["id"] == 10
