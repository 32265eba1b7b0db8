"""Every command with random option values: never a traceback, never an internal error, an
exit code of 0, 1 or 2, JSON that parses when it succeeds, and no file written anywhere but
the --output asked for and data/progress/<YYYY-MM>/<unit-id>.yaml.

The bulk runs in-process through minsheng.cli.app.main (sys.argv swapped); a smaller number runs
the real command line, with arguments that are not even UTF-8. Case counts are in the ids.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from adversarial.budget import cases
from adversarial.generate import HOSTILE
from adversarial.harness import assert_no_crash, run_main, snapshot
from conftest import SMALL_PLAN, cli_env

# Text a person could type, or paste, or an attacker could send (argv never holds NUL).
typed = st.one_of(
    st.text(st.characters(exclude_characters="\x00"), max_size=12),
    st.sampled_from(HOSTILE),
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "-1",
            "0",
            "１０",
            "1e9",
            "9" * 50,
            "\udcff\udcfe",
            "区人社局",
            "人社",
            "区城市管理局",
            "区殘聯",
            "促进就业",
            "社保",
            "2",
        ]
    ),
)
numbers = st.one_of(st.integers(-5, 60).map(str), st.sampled_from(["0", "99999999999999999999"]))
dates = st.one_of(
    st.sampled_from(
        [
            "2024-06-30",
            "2024-01-01",
            "2024-12-31",
            "2023-12-31",
            "2025-01-01",
            "2024-02-30",
            "2024-6-30",
            "２０２４－０６－３０",
            "0001-01-01",
            "9999-12-31",
            "today",
            "",
        ]
    ),
    st.dates().map(str),
    typed,
)
formats = st.sampled_from(
    ["table", "markdown", "csv", "json", "html", "xlsx", "text", "github", "JSON", "", "yaml"]
)
values = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "320",
            "0.3万",
            "3000人",
            "96%",
            "１２３",
            "-1",
            "1e3",
            "NaN",
            "0.0000000000001",
            "99999999999999999999",
            "1,000",
            "三百",
        ]
    ),
    typed,
)
stages = st.one_of(st.sampled_from(["未启动", "推进中", "已完成", "done"]), typed)
statuses = st.one_of(
    st.sampled_from(
        [
            "done",
            "on_track",
            "behind",
            "lagging",
            "unreported",
            "no_task",
            "active",
            "滞后",
            "lagging,unreported",
            ",",
            "done,,x",
        ]
    ),
    typed,
)


class Place:
    """The workspace of one test: a repository with data/ and somewhere to write outputs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = root / "repo"
        self.data = self.repo / "data"
        self.out = root / "out"
        self.baseline: dict[str, bytes] = {}

    def reset(self) -> None:
        """Everything as it was before the last command (the repository is the working
        folder: its contents are replaced, not the folder itself)."""
        self.repo.mkdir(exist_ok=True)
        for path in [*self.repo.iterdir(), self.out, self.root / "relative.md"]:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        (self.data / "progress").mkdir(parents=True)
        self.out.mkdir()
        shutil.copy(SMALL_PLAN, self.data / "tasks_2024.yaml")
        (self.out / "a-folder").mkdir()
        (self.out / "a-file").write_text("已有的文件\n", encoding="utf-8")
        for name, raw in self.baseline.items():
            path = self.data / "progress" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)


@pytest.fixture
def place(monkeypatch: pytest.MonkeyPatch) -> Iterator[Place]:
    with tempfile.TemporaryDirectory(prefix="minsheng-cli-") as root:
        made = Place(Path(root))
        made.reset()
        monkeypatch.chdir(made.repo)
        monkeypatch.delenv("MINSHENG_DATA_DIR", raising=False)
        monkeypatch.setenv("NO_COLOR", "1")
        # Three real entries, so that list, report and progress list have data to show.
        for args in (
            ["1", "--target", "jobs", "--value", "0.3", "--date", "2024-05-31"],
            [
                "3",
                "--target",
                "dibao",
                "--unit",
                "区民政局",
                "--stage",
                "推进中",
                "--percent",
                "40",
                "--date",
                "2024-06-30",
                "--note",
                '=HYPERLINK("http://x")',
            ],
            [
                "3",
                "--target",
                "rate",
                "--unit",
                "区城管局",
                "--value",
                "96",
                "--date",
                "2024-06-30",
                "--source",
                "https://example.org/a?b=1",
            ],
        ):
            done = run_main(["progress", "add", *args, "--yes"])
            assert done.code == 0, done.stderr
        progress = made.data / "progress"
        made.baseline = {
            str(p.relative_to(progress)): p.read_bytes() for p in progress.rglob("*.yaml")
        }
        yield made


def paths(place: Place) -> st.SearchStrategy[str]:
    """Where --output, --data-dir and --progress-dir may point: inside the workspace only."""
    return st.sampled_from(
        [
            str(place.out / "report.out"),
            str(place.out / "报告 2024.csv"),
            str(place.out / "missing" / "x.csv"),
            str(place.out / "a-folder"),
            str(place.out / "a-file"),
            str(place.out / ".hidden"),
            "../out/relative.md",
            "data",
            "data/progress",
            "data/tasks_2024.yaml",
            "data/progress/2024-06",
            str(place.root),
            str(place.out / ("长" * 300)),
            "",
        ]
    )


# Command lines that work on the workspace; the fuzzing starts from one and changes it.
VALID: dict[tuple[str, ...], list[list[str]]] = {
    ("list",): [
        [],
        ["--unit", "人社"],
        ["--category", "2", "--format", "json"],
        ["--status", "unreported", "--format", "csv"],
        ["--active", "-f", "markdown"],
    ],
    ("show",): [["1"], ["3", "--format", "json"], ["2", "-f", "csv"]],
    ("validate",): [[], ["--format", "json"], ["--format", "github"]],
    ("progress", "list"): [
        [],
        ["1"],
        ["--unit", "区民政局", "--format", "json"],
        ["--since", "2024-06-01", "--until", "2024-06-30", "-f", "csv"],
    ],
    ("progress", "add"): [
        ["1", "--target", "training", "--value", "100", "--date", "2024-06-30", "--yes"],
        [
            "1",
            "--target",
            "jobs",
            "--value",
            "3000人",
            "--date",
            "2024-07-31",
            "--note",
            "七月",
            "--yes",
        ],
        [
            "3",
            "--target",
            "dibao",
            "--unit",
            "区城管局",
            "--stage",
            "已完成",
            "--date",
            "2024-08-01",
            "--source",
            "花残联〔2024〕12号",
            "--yes",
        ],
        [
            "3",
            "--target",
            "subsidy",
            "--unit",
            "区城市管理局",
            "--value",
            "86",
            "--date",
            "2024-09-01",
            "--yes",
        ],
    ],
    ("report",): [
        [],
        ["--as-of", "2024-06-30", "--format", "json"],
        ["--as-of", "2024-09-30", "--by", "unit", "-f", "markdown"],
        ["--format", "html"],
        ["--since", "2024-06-01", "--format", "csv"],
        ["--fail-on", "lagging,unreported"],
    ],
}


def option_values(place: Place) -> dict[tuple[str, ...], dict[str, Any]]:
    """Each command's options, each with the values the fuzzing tries (None: a flag)."""
    where = paths(place)
    common: dict[str, st.SearchStrategy[str]] = {
        "--data-dir": st.one_of(st.just(str(place.data)), where),
        "--year": st.one_of(st.sampled_from(["2024", "2023", "0", "-1", "２０２４"]), typed),
    }
    output: dict[str, st.SearchStrategy[str]] = {"--output": where, "--format": formats}
    return {
        ("list",): {
            "--unit": typed,
            "--category": typed,
            "--status": statuses,
            "--active": None,
            **output,
            **common,
        },
        ("show",): {"": numbers, **output, **common},
        ("validate",): {"--progress-dir": where, **output, **common},
        ("progress", "list"): {
            "": numbers,
            "--unit": typed,
            "--since": dates,
            "--until": dates,
            **output,
            **common,
        },
        ("progress", "add"): {
            "": numbers,
            "--target": st.one_of(
                st.sampled_from(
                    ["jobs", "training", "a", "b", "rate", "subsidy", "power", "dibao", "培训"]
                ),
                typed,
            ),
            "--value": values,
            "--stage": stages,
            "--percent": values,
            "--date": dates,
            "--unit": typed,
            "--note": typed,
            "--source": st.one_of(where, typed),
            "--corrects": typed,
            "--yes": None,
            **common,
        },
        ("report",): {
            "--as-of": dates,
            "--by": st.sampled_from(["item", "unit", "category", "x"]),
            "--since": dates,
            "--fail-on": statuses,
            "--progress-dir": where,
            **output,
            **common,
        },
    }


def _drop(argv: list[str], index: int) -> list[str]:
    """Without the option at `index` (and its value, if the next word is not an option)."""
    end = index + 2 if index + 1 < len(argv) and not argv[index + 1].startswith("-") else index + 1
    return argv[:index] + argv[end:]


@st.composite
def command_lines(draw: st.DrawFn, place: Place) -> list[str]:
    """A working command line with zero to three things changed: a value, an option gone,
    an option added, a word that is no option at all."""
    command = draw(st.sampled_from(sorted(VALID)))
    argv = list(draw(st.sampled_from(VALID[command])))
    options = option_values(place)[command]
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["set", "set", "drop", "junk"]))
        if how == "drop" and argv:
            argv = _drop(argv, draw(st.integers(0, len(argv) - 1)))
        elif how == "junk":
            word = draw(st.one_of(st.sampled_from(["--bogus", "-z", "--", "--help"]), typed))
            argv.insert(draw(st.integers(0, len(argv))), word)
        else:
            name = draw(st.sampled_from(sorted(options)))
            value = None if options[name] is None else draw(options[name])
            if name in argv and value is not None and argv.index(name) + 1 < len(argv):
                argv[argv.index(name) + 1] = value
            elif name == "":
                argv.insert(0, value or "")
            else:
                argv += [name] if value is None else [name, value]
    return [*command, *argv]


def _asks_json_on_stdout(argv: list[str]) -> bool:
    formats = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in {"--format", "-f"}]
    words = set(argv)
    return formats[-1:] == ["json"] and not words & {"--output", "-o", "--help", "-h"}


_PROGRESS_FILE = re.compile(r"data/progress/\d{4}-\d{2}/[a-z][a-z0-9-]*\.yaml")


def assert_wrote_only_where_allowed(
    place: Place, before: dict[str, bytes | str], argv: list[str]
) -> None:
    """Changed files: the --output given, or a progress file at its one possible place."""
    after = snapshot(place.root)
    outputs = {
        str((place.repo / argv[i + 1]).resolve())
        for i, arg in enumerate(argv[:-1])
        if arg in {"--output", "-o"}
    }
    for name, content in after.items():
        if before.get(name) == content or content == "dir":
            continue
        full = str((place.root / name).resolve())
        in_repo = name.removeprefix("repo/") if name.startswith("repo/") else ""
        assert full in outputs or _PROGRESS_FILE.fullmatch(in_repo), (name, argv)
    for name in before:
        assert name in after, ("removed", name, argv)


@pytest.mark.slow
@pytest.mark.parametrize(
    "count", [pytest.param(n, id=f"{n}-examples") for n in [cases(2000, 20_000)]]
)
def test_random_options_never_crash_in_process(count: int, place: Place) -> None:
    tried = 0
    codes: Counter[tuple[str, int]] = Counter()

    @settings(max_examples=count)
    @given(command_lines(place))
    def check(argv: list[str]) -> None:
        nonlocal tried
        tried += 1
        place.reset()
        before = snapshot(place.root)
        done = run_main(argv)
        note(f"exit {done.code}: {done.stderr}")
        assert_no_crash(done)
        codes[(argv[0] if argv[0] != "progress" else " ".join(argv[:2]), done.code)] += 1
        if done.code == 0 and _asks_json_on_stdout(argv):
            json.loads(done.stdout)
        assert_wrote_only_where_allowed(place, before, argv)

    check()
    assert tried == count
    print("exit codes by command:", dict(sorted(codes.items())))
    for command in ("list", "show", "validate", "report", "progress list", "progress add"):
        assert codes[(command, 0)] and (codes[(command, 1)] or codes[(command, 2)]), command


@pytest.mark.slow
@pytest.mark.parametrize("count", [pytest.param(n, id=f"{n}-examples") for n in [cases(30, 300)]])
def test_random_options_never_crash_in_a_subprocess(count: int, place: Place) -> None:
    """The real command line, with some arguments that are not valid UTF-8 at all."""
    tried = 0

    @settings(max_examples=count)
    @given(command_lines(place), st.binary(min_size=1, max_size=6))
    def check(argv: list[str], junk: bytes) -> None:
        nonlocal tried
        tried += 1
        place.reset()
        raw = [arg.encode("utf-8", errors="surrogateescape") for arg in argv]
        if len(raw) > 2:
            raw[-1] = raw[-1] + junk.replace(b"\x00", b"")
        done = subprocess.run(
            [sys.executable.encode(), b"-m", b"minsheng", *raw],
            cwd=place.repo,
            env={k: v for k, v in cli_env().items() if k != "PYTHONUTF8"},
            capture_output=True,
            timeout=120,
        )
        stderr = done.stderr.decode("utf-8", errors="replace")
        note(stderr)
        assert done.returncode in {0, 1, 2}, stderr
        assert "Traceback" not in stderr and "[internal]" not in stderr, stderr

    check()
    assert tried == count


GBK_MINZHENG = "民政".encode("gbk")  # what a terminal set to GBK sends for 民政


@pytest.mark.parametrize(
    "argv",
    [
        [b"list", b"--category", b"\xff", b"--format", b"json"],
        [b"list", b"--unit", GBK_MINZHENG, b"--format", b"json"],
        [b"list", b"--unit", GBK_MINZHENG],
        [b"show", b"\xff", b"--format", b"json"],
        [b"progress", b"list", b"--unit", GBK_MINZHENG, b"--format", b"json"],
        [b"report", b"--fail-on", b"\xff\xfe", b"--as-of", b"2024-06-30"],
        [b"report", b"--as-of", GBK_MINZHENG],
        [
            b"progress",
            b"add",
            b"1",
            b"--target",
            b"jobs",
            b"--value",
            b"0.3",
            b"--date",
            b"2024-06-30",
            b"--note",
            GBK_MINZHENG,
            b"--yes",
        ],
        [
            b"progress",
            b"add",
            b"1",
            b"--target",
            b"jobs",
            b"--value",
            b"0.3",
            b"--date",
            b"2024-06-30",
            b"--unit",
            GBK_MINZHENG,
            b"--yes",
        ],
        [b"validate", b"--output", b"\xff.txt"],
    ],
    ids=lambda argv: b" ".join(argv).decode("utf-8", "replace"),
)
def test_arguments_that_are_not_utf8_get_a_message(argv: list[bytes], place: Place) -> None:
    """Bytes that are not UTF-8 on the command line, as a GBK terminal sends them: exit 0, 1
    or 2 with a message, never an internal error (found by this suite: `list --category`
    with such a byte broke the answer cache of `list --format json`)."""
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"minsheng", *argv],
        cwd=place.repo,
        env={k: v for k, v in cli_env().items() if k != "PYTHONUTF8"},
        capture_output=True,
        timeout=120,
    )
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode in {0, 1, 2}, stderr
    assert "Traceback" not in stderr and "[internal]" not in stderr, stderr
