"""Shared fixtures: run the command line (in-process, or in a real process), small data folders."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adversarial import budget
from inprocess import run_main

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SMALL_PLAN = TESTS / "data" / "valid" / "plan_small.yaml"
REAL_PLAN = ROOT / "data" / "tasks_2024.yaml"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


MADE_AT = "4102444800"  # 2100-01-01 08:00 in Beijing: after any return a test records


def pytest_configure(config: pytest.Config) -> None:
    budget.choose()  # the hypothesis profile of every test, not only the adversarial ones


def chance_seed() -> int:
    """The seed of every test that picks moments or values at random: fixed, so that each run
    repeats the last; MINSHENG_TEST_SEED=<n> tries other ones (and replays a failure, whose
    message gives its seed)."""
    return int(os.environ.get("MINSHENG_TEST_SEED") or 20240630)


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: the repository's src first, no colour, no data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINSHENG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    env["PYTHONUTF8"] = "1"
    # The caches of this test run stay out of the user's own cache folder and start empty.
    env["MINSHENG_CACHE_DIR"] = str(_RUN_CACHE)
    # A report says when it was made (and which returns are not due yet by then): the same
    # moment for every run, long after 2024's returns were due, unless a test chooses one.
    env["SOURCE_DATE_EPOCH"] = MADE_AT
    env.update(extra)
    return env


# One cache folder for each run of the tests (each xdist worker its own), removed at the end:
# what a test exercises never depends on what an earlier run left behind.
_RUN_CACHE = Path(tempfile.mkdtemp(prefix="minsheng-test-cache-"))
atexit.register(shutil.rmtree, _RUN_CACHE, ignore_errors=True)

# What only a process of its own can change: the interpreter's path and text encoding.
_PROCESS_ONLY = ("PYTHONPATH", "PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL", "LC_CTYPE")


def run_cli(
    *args: str,
    cwd: Path | None = None,
    input: str | None = None,
    process: bool = False,
    **env: str,
) -> Result:
    """`minsheng ARGS` with stdout and stderr captured apart: in-process (tests/inprocess.py)
    unless `process` is true or `env` sets what only a real process can (the path, encodings).
    """
    if process or any(name in env for name in _PROCESS_ONLY):
        done = subprocess.run(
            [sys.executable, "-m", "minsheng", *args],
            cwd=cwd or ROOT,
            env=cli_env(**env),
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)
    ran = run_main(list(args), input or "", env=cli_env(**env), cwd=cwd or ROOT)
    return Result(ran.code, _universal(ran.text), _universal(ran.stderr))


def _universal(text: str) -> str:
    """Line ends as a text-mode pipe reads them (CSV's \\r\\n becomes \\n), like the process."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def cli() -> type[Result]:
    """`cli(*args, cwd=..., input=..., **env)` runs the command line (see run_cli)."""
    return run_cli  # type: ignore[return-value]


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder holding the small test plan and an empty progress folder."""
    folder = tmp_path / "data"
    (folder / "progress").mkdir(parents=True)
    shutil.copy(SMALL_PLAN, folder / "tasks_2024.yaml")
    return folder


@pytest.fixture
def real_data(tmp_path: Path) -> Path:
    """A data folder holding a copy of the shipped 2024 plan and an empty progress folder."""
    folder = tmp_path / "data"
    (folder / "progress").mkdir(parents=True)
    shutil.copy(REAL_PLAN, folder / "tasks_2024.yaml")
    return folder


def load_generator() -> Any:
    """bench/generate.py as a module: realistic progress data (`generate(count, out, seed)`)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes), folder and link under root, the lock file aside: to prove that
    a refused command changed nothing."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if path.name == ".lock":
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


def files_only(tree: dict[str, bytes | str]) -> dict[str, bytes]:
    return {key: value for key, value in tree.items() if isinstance(value, bytes)}


def assert_progress_whole(data: Path, *, killed: bool = False) -> None:
    """Every progress file parses, every record in it ends with `...`, and no temporary file
    is left behind (unless a writer was `killed`: its temporary file stays, unread)."""
    from minsheng.core.yamlio import load_documents

    for path in sorted((data / "progress").rglob("*")):
        assert killed or not path.name.endswith(".tmp"), path
        if path.suffix == ".yaml":
            docs = load_documents(path.read_text(encoding="utf-8"), str(path))
            assert all(d.explicit_end and not d.issues and not d.broken for d in docs), path


# Golden files: `MINSHENG_UPDATE_GOLDEN=1 python -m pytest` writes them anew; review the diff.
UPDATE_GOLDEN = os.environ.get("MINSHENG_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str | bytes) -> None:
    """`actual` is the golden file's content byte for byte (BOM and line ends included)."""
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden file {path}: run with MINSHENG_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    # As text first for a readable diff, then byte for byte.
    assert data.decode("utf-8") == expected.decode("utf-8"), f"differs from {path}"
    assert data == expected, f"differs from {path}"


@pytest.fixture
def recorded_data(small_data: Path) -> Path:
    """The small plan with the valid progress fixtures: six entries, the latest 2024-07-31."""
    shutil.copytree(
        TESTS / "data" / "progress" / "valid", small_data / "progress", dirs_exist_ok=True
    )
    return small_data


EXAMPLE_DIR = ROOT / "examples" / "2024-06"


def example_without_funds(into: Path) -> Path:
    """examples/2024-06/progress copied under `into` with its funds figures taken out, and no
    funds file beside it: the example month as it was before money. Every output of it stays
    what it was, byte for byte (the golden files of tests/golden/report)."""
    progress = into / "progress"
    for path in sorted((EXAMPLE_DIR / "progress").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        head, *records = text.split("---\n")
        kept = [record for record in records if "\ntarget: funds-" not in record]
        copy = progress / path.relative_to(EXAMPLE_DIR / "progress")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text("---\n".join([head, *kept]), encoding="utf-8")
    assert not (into / "funds_2024.yaml").exists()
    return progress


_PLAIN_EXAMPLE: list[Path] = []


def plain_example() -> Path:
    """The example month's progress without its money (example_without_funds), made once per
    test process: for the tests of the layouts as they are without a funds file."""
    if not _PLAIN_EXAMPLE:
        folder = Path(tempfile.mkdtemp(prefix="minsheng-plain-example-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _PLAIN_EXAMPLE.append(example_without_funds(folder / "2024-06"))
    return _PLAIN_EXAMPLE[0]


RECORD_KEYS = ("id", "item", "target", "date", "value", "stage", "percent", "unit", "note",
               "source", "corrects", "recorded_at")  # fmt: skip


def write_records(
    data: Path, relative: str, *records: dict[str, object], recorded_on: str = "2024-07-01"
) -> str:
    """A progress file written by hand under data/progress/`relative`: each record (item 1,
    training, 区人社局 unless given) recorded a minute after the one before on `recorded_on`."""
    lines = []
    for number, record in enumerate(records):
        fields = {"item": 1, "target": "training", "unit": "区人社局",
                  "recorded_at": f"{recorded_on}T09:{number:02d}:00+08:00", **record}  # fmt: skip
        lines += ["---", *(f"{k}: {fields[k]}" for k in RECORD_KEYS if k in fields), "..."]
    text = "\n".join(lines) + "\n"
    path = data / "progress" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def command_tree() -> list[tuple[list[str], Any]]:
    """Every command of the command line, by its path of names (["progress", "add"]), with
    its click command: what the docs and usage tests walk."""
    import typer

    from minsheng.cli.app import app

    def walk(path: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                yield from walk([*path, name], child)
        else:
            yield path, command

    return list(walk([], typer.main.get_command(app)))
