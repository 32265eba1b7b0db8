"""Recording progress: `progress add` (every rule, the file format, the prompts), reading and
checking progress files, and `progress list` in each format.

Golden outputs of `progress list` live in tests/golden/progress/; regenerate them with
`MINSHENG_UPDATE_GOLDEN=1 python -m pytest tests/test_progress.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import shutil
import signal
import sys
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest

from conftest import (
    ROOT,
    SMALL_PLAN,
    TESTS,
    Result,
    check_golden,
    cli_env,
    run_cli,
    snapshot,
    write_records,
)
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code
from minsheng.core.measure import format_decimal, parse_amount
from minsheng.plan.load import LoadedPlan, load_plan
from minsheng.progress import store
from minsheng.progress.checks import read_progress
from minsheng.progress.entry import ProgressEntry, effective_entries, latest
from minsheng.progress.sources import source_path

FIXTURES = TESTS / "data" / "progress"
GOLDEN = TESTS / "golden" / "progress"
JSON_KEYS = {
    "id", "item", "target", "target_name", "date", "value", "unit_of_measure", "stage",
    "percent", "unit", "note", "source", "reporter", "phone", "corrects", "received",
    "recorded_at", "file", "line", "latest",
}  # fmt: skip


def add(small_data: Path, *args: str) -> Result:
    return run_cli("progress", "add", "--data-dir", str(small_data), *args)


def entries_of(
    small_data: Path, today: dt.date | None = None
) -> tuple[list[ProgressEntry], list[str]]:
    folder = DataDir(small_data)
    plan = loaded_plan(small_data)
    entries, issues = read_progress(folder, plan, today=today)
    return entries, [str(issue) for issue in issues]


def loaded_plan(small_data: Path) -> LoadedPlan:
    plan, issues = load_plan(small_data / "tasks_2024.yaml")
    assert plan is not None, issues
    return plan


@pytest.fixture
def with_jobs(small_data: Path) -> Path:
    """The small plan with one entry: item 1, jobs, 0.3 (万人) on 2024-06-30."""
    entry = ProgressEntry(
        id=store.new_id(),
        item=1,
        target="jobs",
        date=dt.date(2024, 6, 30),
        value=Decimal("0.3"),
        unit="区人社局",
        recorded_at=store.now(),
    )
    store.append(DataDir(small_data), loaded_plan(small_data), entry)
    return small_data


def first_id(small_data: Path) -> str:
    entries, _ = entries_of(small_data)
    return entries[0].id


# --- recording with options ----------------------------------------------------------------


def test_add_records_without_asking_and_says_where(small_data: Path) -> None:
    done = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date", "2024-06-30",
               "--note", "上半年新增就业3000人", "--source", "测人社〔2024〕8号")  # fmt: skip
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    path = small_data / "progress" / "2024-06" / "rsj.yaml"
    assert "progress/2024-06/rsj.yaml" in done.stderr
    assert "已登记" in done.stderr and "0.3万人" in done.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 区人社局 2024-06 进度记录")
    record = text[text.index("---\n") :]
    lines = record.splitlines()
    assert lines[0] == "---" and lines[-1] == "..."
    keys = [line.split(":", 1)[0] for line in lines[1:-1]]
    assert keys == ["id", "item", "target", "date", "value", "unit", "note", "source",
                    "recorded_at"]  # fmt: skip
    assert "value: 0.3" in lines and "unit: 区人社局" in lines and "date: 2024-06-30" in lines
    (entry,), issues = entries_of(small_data)
    assert issues == []
    assert (entry.item, entry.target, entry.value) == (1, "jobs", Decimal("0.3"))
    assert entry.where.line == 4
    stamp = dt.datetime.now().astimezone()
    assert entry.recorded_at.tzinfo is not None
    assert abs((stamp - entry.recorded_at).total_seconds()) < 3600


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0.3万", "0.3"), ("3000人", "0.3"), ("０．３", "0.3"), ("0.30", "0.3"), (" 0.3 ", "0.3")],
)
def test_values_are_understood_in_the_targets_unit(
    small_data: Path, typed: str, stored: str
) -> None:
    done = add(small_data, "1", "--target", "jobs", "--value", typed, "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    (entry,), _ = entries_of(small_data)
    assert entry.value == Decimal(stored)


def test_single_target_and_single_unit_need_no_option(real_data: Path) -> None:
    done = add(real_data, "12", "--value", "12", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    (entry,), _ = entries_of(real_data)
    assert (entry.target, entry.unit) == ("barrier-free", "区残联")
    assert (real_data / "progress" / "2024-06" / "cl.yaml").is_file()


def test_unit_alias_is_stored_canonical(small_data: Path) -> None:
    done = add(small_data, "3", "--target", "rate", "--value", "96%", "--date", "2024-06-30",
               "--unit", "区城市管理局")  # fmt: skip
    assert done.code == 0, done.stderr
    (entry,), issues = entries_of(small_data)
    assert entry.unit == "区城管局" and issues == []
    assert (small_data / "progress" / "2024-06" / "cgj.yaml").is_file()


def test_milestone_records_a_stage_and_percent(small_data: Path) -> None:
    done = add(small_data, "3", "--target", "dibao", "--stage", "推进中", "--percent", "40",
               "--date", "2024-07-15", "--unit", "民政")  # fmt: skip
    assert done.code == 0, done.stderr
    (entry,), _ = entries_of(small_data)
    assert (entry.stage, entry.percent, entry.value) == ("推进中", Decimal(40), None)


def test_awkward_text_is_quoted_and_reads_back(small_data: Path) -> None:
    note = 'yes: #1 "引号" \\ - [x] {y} 0x1F ... --- 完成'
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
               "--note", note, "--source", "- 123")  # fmt: skip
    assert done.code == 0, done.stderr
    (entry,), issues = entries_of(small_data)
    assert (entry.note, entry.source) == (note, "- 123") and issues == []


def test_missing_progress_folder_is_created(small_data: Path) -> None:
    shutil.rmtree(small_data / "progress")
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    assert (small_data / "progress" / "2024-06" / "rsj.yaml").is_file()


def test_new_files_take_the_mode_of_the_other_progress_files_of_the_month(
    small_data: Path,
) -> None:
    folder = small_data / "progress" / "2024-06"
    folder.mkdir()
    other = folder / "mzj.yaml"
    other.write_text("# 空文件\n", encoding="utf-8")
    other.chmod(0o640)
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    written = small_data / "progress" / "2024-06" / "rsj.yaml"
    assert written.stat().st_mode & 0o777 == 0o640
    written.chmod(0o664)
    done = add(small_data, "1", "--target", "jobs", "--value", "0.2", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    assert written.stat().st_mode & 0o777 == 0o664


def test_first_file_gets_0666_less_umask(small_data: Path) -> None:
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    mask = os.umask(0)
    os.umask(mask)
    mode = (small_data / "progress" / "2024-06" / "rsj.yaml").stat().st_mode & 0o777
    assert mode == 0o666 & ~mask


def test_appending_keeps_every_earlier_byte(with_jobs: Path) -> None:
    path = with_jobs / "progress" / "2024-06" / "rsj.yaml"
    before = path.read_bytes()
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.4", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    after = path.read_bytes()
    assert after.startswith(before) and after.count(b"\n---\n") == 2


def test_a_correction_may_go_down_and_supersedes(with_jobs: Path) -> None:
    wrong = first_id(with_jobs)
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.2", "--date", "2024-06-30",
               "--corrects", wrong, "--note", "更正:误写")  # fmt: skip
    assert done.code == 0, done.stderr
    entries, issues = entries_of(with_jobs)
    assert issues == []
    assert latest(entries)[(1, "jobs")].value == Decimal("0.2")
    assert run_cli("validate", "--data-dir", str(with_jobs)).code == 0


def test_a_stale_temporary_file_is_ignored_and_cleaned(with_jobs: Path) -> None:
    month = with_jobs / "progress" / "2024-06"
    stale = month / ".rsj.yaml.k3j4h5g6.tmp"
    stale.write_bytes((month / "rsj.yaml").read_bytes() + b"---\nid: abcdef1234\nvalue: 4")
    assert run_cli("validate", "--data-dir", str(with_jobs)).code == 0
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.4", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    assert not stale.exists()


# --- refusals: exit 1, the field and the reason, no byte changed ---------------------------

REFUSALS = [
    # (name, args, code, field)
    ("negative", ["1", "--target", "jobs", "--value", "-5", "--date", "2024-06-30"],
     "bad-value", "value"),
    ("not a number", ["1", "--target", "jobs", "--value", "很多", "--date", "2024-06-30"],
     "bad-value", "value"),
    ("other unit", ["1", "--target", "jobs", "--value", "3000元", "--date", "2024-06-30"],
     "bad-value", "value"),
    ("date format", ["1", "--target", "jobs", "--value", "0.1", "--date", "2024/06/30"],
     "bad-date", "date"),
    ("impossible date", ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-02-30"],
     "bad-date", "date"),
    ("before period", ["1", "--target", "jobs", "--value", "0.1", "--date", "2023-12-31"],
     "date-out-of-period", "date"),
    ("after period", ["1", "--target", "jobs", "--value", "0.1", "--date", "2025-01-01"],
     "date-out-of-period", "date"),
    ("stage for quantity", ["1", "--target", "jobs", "--stage", "推进中", "--date", "2024-06-30"],
     "stage-value-mismatch", "stage"),
    ("percent for quantity",
     ["1", "--target", "jobs", "--value", "1", "--percent", "5", "--date", "2024-06-30"],
     "stage-value-mismatch", "percent"),
    ("value for milestone",
     ["3", "--target", "dibao", "--value", "5", "--unit", "区民政局", "--date", "2024-06-30"],
     "stage-value-mismatch", "value"),
    ("unknown stage",
     ["3", "--target", "dibao", "--stage", "进行中", "--unit", "区民政局", "--date", "2024-06-30"],
     "bad-value", "stage"),
    ("percent over 100",
     ["3", "--target", "dibao", "--stage", "推进中", "--percent", "150", "--unit", "区民政局",
      "--date", "2024-06-30"],
     "bad-value", "percent"),
    ("done but 40%",
     ["3", "--target", "dibao", "--stage", "已完成", "--percent", "40", "--unit", "区民政局",
      "--date", "2024-06-30"],
     "stage-value-mismatch", "percent"),
    ("no-task item", ["2", "--value", "1", "--date", "2024-06-30"], "no-task-entry", "item"),
    ("unknown item", ["99", "--value", "1", "--date", "2024-06-30"], "unknown-item", "item"),
    ("unknown target", ["1", "--target", "nope", "--value", "1", "--date", "2024-06-30"],
     "unknown-target", "target"),
    ("not a lead unit",
     ["1", "--target", "jobs", "--value", "0.1", "--unit", "区民政局", "--date", "2024-06-30"],
     "not-lead-unit", "unit"),
    ("unknown unit",
     ["1", "--target", "jobs", "--value", "0.1", "--unit", "区外星局", "--date", "2024-06-30"],
     "not-lead-unit", "unit"),
    ("missing source file",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
      "--source", "docs/evidence/无此文件.pdf"],
     "missing-source", "source"),
    ("source outside the repository",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
      "--source", "../outside.pdf"],
     "missing-source", "source"),
    ("control character in note",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30", "--note", "a\x07b"],
     "bad-char", "note"),
    ("line break in note",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30", "--note", "a\nb"],
     "bad-char", "note"),
    ("malformed corrects",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30", "--corrects", "X!"],
     "bad-value", "corrects"),
    ("unknown corrects",
     ["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
      "--corrects", "abcdef9999"],
     "unknown-entry", "corrects"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args", "code", "field"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(with_jobs: Path, name: str, args: list[str], code: str, field: str) -> None:
    before = snapshot(with_jobs.parent)
    done = add(with_jobs, *args)
    assert done.code == 1, done.stderr
    assert f"[{code}]" in done.stderr
    assert f"字段 {field}" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert snapshot(with_jobs.parent) == before


# Each refused against the figures already recorded (with_jobs: 0.3 on 2024-06-30): the
# arguments after the item, and what the message must name.
REFUSED_AGAINST_THE_RECORD = {
    "a-falling-figure": (
        ["--target", "jobs", "--value", "0.2", "--date", "2024-07-31"],
        ["[decreasing-value]", "字段 value", "0.3", "corrects"],
    ),
    "a-backfill-that-makes-a-later-figure-fall": (
        ["--target", "jobs", "--value", "0.5", "--date", "2024-05-31"],
        ["[decreasing-value]"],
    ),
    "the-same-entry-twice": (
        ["--target", "jobs", "--value", "0.3", "--date", "2024-06-30"],
        ["[duplicate-entry]"],
    ),
    "a-correction-of-another-target": (
        ["--target", "training", "--value", "1", "--date", "2024-06-30", "--corrects", "FIRST"],
        ["[unknown-entry]", "字段 corrects"],
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_AGAINST_THE_RECORD))
def test_refused_against_what_is_recorded(with_jobs: Path, case: str) -> None:
    args, said = REFUSED_AGAINST_THE_RECORD[case]
    args = [first_id(with_jobs) if arg == "FIRST" else arg for arg in args]
    before = snapshot(with_jobs.parent)
    done = add(with_jobs, "1", *args)
    assert done.code == 1
    assert all(words in done.stderr for words in said), done.stderr
    assert snapshot(with_jobs.parent) == before


def test_refused_future_date(tmp_path: Path) -> None:
    small_data = tmp_path / "data"
    small_data.mkdir()
    plan = SMALL_PLAN.read_text(encoding="utf-8").replace("end: 2024-12-31", "end: 2099-12-31")
    (small_data / "tasks_2024.yaml").write_text(plan, encoding="utf-8")
    # Two days ahead: still in the future should the clock pass midnight before the CLI runs.
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    before = snapshot(tmp_path)
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", later)
    assert done.code == 1
    assert "[date-out-of-period]" in done.stderr and "字段 date" in done.stderr
    assert "晚于今天" in done.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "tail",
    [
        b"---\nid: abcdef1234\nitem: 1\ntarget: jobs\ndate: 2024-06-30\nvalue: 4",  # 45 cut
        b"---\nid: abcdef1234\nitem: 1\ntarget: jobs\n",
        b"---\nid: abcdef1234\nitem: 1\ntar",
        b"..",
    ],
    ids=["value cut", "no end", "key cut", "end cut"],
)
def test_refused_to_append_after_a_torn_record(with_jobs: Path, tail: bytes) -> None:
    path = with_jobs / "progress" / "2024-06" / "rsj.yaml"
    path.write_bytes(path.read_bytes() + tail)
    before = snapshot(with_jobs.parent)
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.5", "--date", "2024-06-30")
    assert done.code == 1
    assert "rsj.yaml" in done.stderr and "修复" in done.stderr
    assert snapshot(with_jobs.parent) == before


def _month_linked_away(data: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (data / "progress" / "2024-06").symlink_to(tmp_path / "elsewhere", target_is_directory=True)


def _file_linked_away(data: Path, tmp_path: Path) -> None:
    (tmp_path / "victim.yaml").write_text("# 不能被改写\n", encoding="utf-8")
    (data / "progress" / "2024-06").mkdir()
    (data / "progress" / "2024-06" / "rsj.yaml").symlink_to(tmp_path / "victim.yaml")


def _progress_linked_away(data: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (data / "progress").rmdir()
    (data / "progress").symlink_to(tmp_path / "elsewhere", target_is_directory=True)


def _progress_a_file(data: Path, tmp_path: Path) -> None:
    # Root ignores chmod, so "unwritable" is a progress path that cannot be a folder.
    (data / "progress").rmdir()
    (data / "progress").write_text("不是文件夹\n", encoding="utf-8")


def _month_a_file(data: Path, tmp_path: Path) -> None:
    (data / "progress" / "2024-06").write_text("不是文件夹\n", encoding="utf-8")


# A progress folder that must not be written through, and the code of the refusal.
UNWRITABLE_SHAPES = {
    "a-month-folder-linked-elsewhere": (_month_linked_away, "[symlink]"),
    "a-progress-file-linked-elsewhere": (_file_linked_away, "[symlink]"),
    "the-progress-folder-linked-elsewhere": (_progress_linked_away, "[symlink]"),
    "progress-a-file": (_progress_a_file, "[not-a-folder]"),
    "the-month-a-file": (_month_a_file, "[not-a-folder]"),
}


@pytest.mark.parametrize("shape", sorted(UNWRITABLE_SHAPES))
def test_refused_where_the_folder_cannot_be_written_through(
    small_data: Path, tmp_path: Path, shape: str
) -> None:
    """Nothing is written anywhere, here or where a link points (tmp_path holds both)."""
    make, code = UNWRITABLE_SHAPES[shape]
    make(small_data, tmp_path)
    before = snapshot(tmp_path)
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30")
    assert done.code == 1 and code in done.stderr, done.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root writes through chmod; see the not-a-folder tests"
)
def test_refused_when_progress_is_read_only(with_jobs: Path) -> None:
    progress = with_jobs / "progress"
    for path in [progress, *progress.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    try:
        before = snapshot(with_jobs.parent)
        done = add(with_jobs, "1", "--target", "jobs", "--value", "0.5", "--date", "2024-06-30")
        assert done.code == 1 and "[write-failed]" in done.stderr
        assert snapshot(with_jobs.parent) == before
    finally:
        for path in [progress, *progress.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)


def test_refused_on_the_shipped_read_only_plan(tmp_path: Path) -> None:
    shipped = ROOT / "data" / "progress"
    before = snapshot(shipped) if shipped.exists() else None
    done = run_cli("progress", "add", "1", "--value", "1", "--date", "2024-06-30", cwd=tmp_path)
    assert done.code == 1, done.stderr
    assert "[read-only-data]" in done.stderr and "--data-dir" in done.stderr
    assert (snapshot(shipped) if shipped.exists() else None) == before


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["1", "--target", "jobs", "--date", "2024-06-30"], "--value"),
        (["1", "--value", "1", "--date", "2024-06-30"], "--target"),
        (["1", "--target", "jobs", "--value", "1"], "--date"),
        (["--target", "jobs", "--value", "1", "--date", "2024-06-30"], "事项序号"),
        (["3", "--target", "dibao", "--unit", "区民政局", "--date", "2024-06-30"], "--stage"),
    ],
)
def test_missing_values_without_a_terminal_are_a_usage_error(
    small_data: Path, args: list[str], missing: str
) -> None:
    before = snapshot(small_data.parent)
    done = add(small_data, *args)
    assert done.code == 2, done.stderr
    assert missing in done.stderr and "[missing-option]" in done.stderr
    assert snapshot(small_data.parent) == before


def test_value_and_stage_together_are_a_usage_error(small_data: Path) -> None:
    done = add(small_data, "1", "--target", "jobs", "--value", "1", "--stage", "推进中",
               "--date", "2024-06-30")  # fmt: skip
    assert done.code == 2 and "--value 和 --stage" in done.stderr


# --- the terminal: prompts, choices, confirmation -------------------------------------------


def run_on_terminal(args: list[str], script: list[tuple[str, str]]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal; answer each expected prompt in turn."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with the terminal as stdin, stdout and stderr
        os.execve(sys.executable, [sys.executable, "-m", "minsheng", *args], cli_env())
    seen = b""

    def read_until(text: str) -> None:
        nonlocal seen
        while text.encode("utf-8") not in seen:
            ready, _, _ = select.select([fd], [], [], 60)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
            if not chunk:
                raise AssertionError(f"never saw {text!r}:\n{seen.decode('utf-8', 'replace')}")
            seen += chunk
        # What follows is looked for in what comes next, not in what was already seen.
        seen = seen.replace(text.encode("utf-8"), b"\x00", 1)

    stuck = True  # until the child closes the terminal: else it still waits for an answer
    try:
        for prompt, answer in script:
            read_until(prompt)
            os.write(fd, answer.encode("utf-8") + b"\r")
        while True:
            ready, _, _ = select.select([fd], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                stuck = False
                break
            seen += chunk
    finally:
        if stuck:  # a prompt the script does not answer: stop the child, never wait forever
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def test_interactive_add_asks_for_what_is_missing(small_data: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "--data-dir", str(small_data)],
        [
            ("事项序号", "9"),  # unknown: asked again
            ("事项序号", "2"),  # no task: asked again
            ("事项序号", "1"),
            ("请选择", "1"),  # the targets are offered as a numbered choice
            ("日期 [2024-12-31]", "2024-06-30"),  # the year is over: its end is offered
            ("累计完成数", "很多"),  # not a number: asked again
            ("累计完成数", "0.3万"),
            ("进展说明", "上半年新增就业3000人"),
            ("依据", ""),
            ("确认写入", "y"),
        ],
    )
    assert code == 0, shown
    assert "jobs" in shown and "training" in shown  # the choice listed the targets
    assert "城镇新增就业（0.57万人左右）" in shown and "培训（不少于1865人次）" in shown
    assert "没有第 9 项" in shown and "我区无任务" in shown and "输入有误" in shown
    assert "将登记以下进度" in shown and "progress/2024-06/rsj.yaml" in shown
    (entry,), issues = entries_of(small_data)
    assert issues == []
    assert (entry.item, entry.target, entry.value, entry.date, entry.note, entry.source) == (
        1, "jobs", Decimal("0.3"), dt.date(2024, 6, 30), "上半年新增就业3000人", None,
    )  # fmt: skip


def test_interactive_milestone_asks_the_stage_of_the_unit_that_reports_it(
    small_data: Path,
) -> None:
    # Item 3 is co-led; its 低保 milestone is 区民政局's (by), so no unit is asked.
    code, shown = run_on_terminal(
        ["progress", "add", "3", "--target", "dibao", "--data-dir", str(small_data)],
        [
            ("日期", "2024-07-15"),
            ("请选择", "2"),  # 推进中
            ("完成百分比", "40"),
            ("进展说明", "方案已报区政府"),
            ("依据", ""),
            ("确认写入", "y"),
        ],
    )
    assert code == 0, shown
    (entry,), _ = entries_of(small_data)
    assert (entry.unit, entry.stage, entry.percent) == ("区民政局", "推进中", Decimal(40))


def test_interactive_no_writes_nothing(with_jobs: Path) -> None:
    before = snapshot(with_jobs.parent)
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--data-dir", str(with_jobs)],
        [("日期", "2024-07-31"), ("累计完成数", "0.4"), ("进展说明", ""), ("依据", ""),
         ("确认写入", "n")],
    )  # fmt: skip
    assert code == 1, shown
    assert "没有写入" in shown
    assert snapshot(with_jobs.parent) == before


def test_interactive_refusal_comes_before_confirmation(with_jobs: Path) -> None:
    before = snapshot(with_jobs.parent)
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--data-dir", str(with_jobs)],
        [("日期", "2024-06-30"), ("累计完成数", "0.3"), ("进展说明", ""), ("依据", "")],
    )
    assert code == 1, shown
    assert "[duplicate-entry]" in shown and "确认写入" not in shown
    assert snapshot(with_jobs.parent) == before


def test_options_given_on_a_terminal_record_without_asking(small_data: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
         "--data-dir", str(small_data)],
        [],
    )  # fmt: skip
    assert code == 0, shown
    assert "确认写入" not in shown and "已登记" in shown


def test_yes_skips_the_confirmation_after_questions(small_data: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--yes", "--data-dir", str(small_data)],
        [("日期", "2024-06-30"), ("累计完成数", "0.2"), ("进展说明", ""), ("依据", "")],
    )
    assert code == 0, shown
    assert "确认写入" not in shown and "已登记" in shown


# --- reading and checking progress files ----------------------------------------------------


def copy_case(case: str, small_data: Path) -> None:
    shutil.rmtree(small_data / "progress")
    shutil.copytree(FIXTURES / case, small_data / "progress")


EXPECTED_INVALID = {
    ("2024-06/rsj.yaml", 18, "decreasing-value"),
    ("2024-06/rsj.yaml", 25, "unknown-item"),
    ("2024-06/rsj.yaml", 36, "unknown-target"),
    ("2024-06/rsj.yaml", 45, "no-task-entry"),
    ("2024-06/rsj.yaml", 58, "stage-value-mismatch"),
    ("2024-06/rsj.yaml", 70, "unknown-entry"),
    ("2024-06/rsj.yaml", 81, "missing-source"),
    ("2024-06/rsj.yaml", 86, "duplicate-entry"),
    ("2024-06/rsj.yaml", 96, "duplicate-entry"),
    ("2024-06/rsj.yaml", 109, "date-out-of-period"),
    ("2024-06/rsj.yaml", 119, "date-out-of-period"),
    ("2024-06/rsj.yaml", 119, "misplaced-entry"),
    ("2024-06/rsj.yaml", 130, "unknown-field"),
    ("2024-06/rsj.yaml", 135, "torn-record"),
    ("2024-06/mzj.yaml", 8, "not-lead-unit"),
    ("2024-06/mzj.yaml", 17, "stage-value-mismatch"),
    ("2024-06/cgj.yaml", 8, "not-lead-unit"),
    ("2024-01/rsj.yaml", 7, "date-out-of-period"),
    ("2024-01/rsj.yaml", 7, "misplaced-entry"),
}


def test_every_check_reports_its_file_line_and_code(small_data: Path) -> None:
    copy_case("invalid", small_data)
    folder = DataDir(small_data)
    entries, issues = read_progress(folder, loaded_plan(small_data), today=dt.date(2024, 6, 28))
    found = {(issue.file.split("progress/", 1)[1], issue.line, str(issue.code)) for issue in issues}
    assert found == EXPECTED_INVALID
    # The torn record is not read as a shorter number: no entry has the value 4.
    assert all(entry.id != "aaaaaa0014" for entry in entries)
    assert Decimal(4) not in {entry.value for entry in entries}


def test_validate_lists_progress_problems(small_data: Path) -> None:
    copy_case("invalid", small_data)
    done = run_cli("validate", "--data-dir", str(small_data), "--format", "json")
    assert done.code == 1
    codes = {issue["code"] for issue in json.loads(done.stdout)["issues"]}
    assert codes == {code for _, _, code in EXPECTED_INVALID}
    text = run_cli("validate", "--data-dir", str(small_data))
    assert "progress/2024-06/rsj.yaml:135:1: torn-record:" in text.stdout


def test_a_valid_source_path_in_the_repository_passes(small_data: Path) -> None:
    evidence = small_data.parent / "docs" / "evidence"
    evidence.mkdir(parents=True)
    (evidence / "2024-06 人社.pdf").write_bytes(b"%PDF-1.4\n")
    done = add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-30",
               "--source", "docs/evidence/2024-06 人社.pdf")  # fmt: skip
    assert done.code == 0, done.stderr
    assert run_cli("validate", "--data-dir", str(small_data)).code == 0


@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("花残联〔2024〕12号", None),
        ("测政办[2024]1号", None),
        ("https://www.example.gov.cn/a/b.pdf", None),
        ("区残联月报", None),
        ("docs/evidence/x.pdf", "docs/evidence/x.pdf"),
        ("报告.docx", "报告.docx"),
    ],
)
def test_what_counts_as_a_path_source(source: str, path: str | None) -> None:
    assert source_path(source) == path


def test_symlinked_progress_file_is_reported_not_read(small_data: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("---\nsecret: 1\n...\n", encoding="utf-8")
    (small_data / "progress" / "2024-06").mkdir()
    (small_data / "progress" / "2024-06" / "rsj.yaml").symlink_to(outside)
    entries, issues = entries_of(small_data)
    assert entries == [] and len(issues) == 1 and ": symlink:" in issues[0]


def test_latest_by_date_then_recorded_at_then_file_order(small_data: Path) -> None:
    copy_case("valid", small_data)
    entries, issues = entries_of(small_data)
    assert issues == []
    assert [e.id for e in entries] == [
        "1a2b3c4d5e", "2b3c4d5e6f", "5e6f7a8b9c", "3c4d5e6f7a", "6f7a8b9c0d", "4d5e6f7a8b",
    ]  # fmt: skip
    now = latest(entries)
    assert now[(1, "jobs")].id == "4d5e6f7a8b"  # the correction; what it corrects never counts
    assert latest(entries, dt.date(2024, 6, 30))[(1, "jobs")].id == "1a2b3c4d5e"
    assert (3, "dibao") not in latest(entries, dt.date(2024, 7, 14))
    twin = entries[0]._replace(id="9f9f9f9f9f", order=entries[-1].order)  # read later
    assert latest([entries[0], twin])[(1, "jobs")].id == "9f9f9f9f9f"  # same stamp: file order


def test_codes_are_stable() -> None:
    assert str(Code.TORN_RECORD) == "torn-record"
    assert str(Code.MISPLACED) == "misplaced-entry"


# --- progress list ---------------------------------------------------------------------------


def golden(name: str, actual: str) -> None:
    check_golden(GOLDEN / name, actual)


@pytest.mark.parametrize(
    ("format", "name"),
    [("table", "list.txt"), ("markdown", "list.md"), ("csv", "list.csv"), ("json", "list.json")],
)
def test_list_in_each_format(small_data: Path, format: str, name: str) -> None:
    copy_case("valid", small_data)
    done = run_cli("progress", "list", "--data-dir", str(small_data), "--format", format)
    assert done.code == 0, done.stderr
    golden(name, done.stdout)


def test_list_json_contract(small_data: Path) -> None:
    copy_case("valid", small_data)
    done = run_cli("progress", "list", "--data-dir", str(small_data), "--format", "json")
    rows = json.loads(done.stdout)
    assert all(set(row) == JSON_KEYS for row in rows)
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    by_id = {row["id"]: row for row in rows}
    assert by_id["4d5e6f7a8b"]["latest"] and not by_id["3c4d5e6f7a"]["latest"]
    jobs = by_id["1a2b3c4d5e"]
    assert (jobs["value"], jobs["unit_of_measure"], jobs["file"], jobs["line"]) == (
        0.3, "万人", "progress/2024-06/rsj.yaml", 4,
    )  # fmt: skip
    assert by_id["5e6f7a8b9c"]["stage"] == "推进中" and by_id["5e6f7a8b9c"]["percent"] == 40


def test_list_filters(small_data: Path) -> None:
    copy_case("valid", small_data)

    def ids(*args: str) -> list[str]:
        done = run_cli("progress", "list", "--data-dir", str(small_data), "-f", "json", *args)
        assert done.code == 0, done.stderr
        return [row["id"] for row in json.loads(done.stdout)]

    assert ids("3") == ["5e6f7a8b9c", "6f7a8b9c0d"]
    assert ids("--unit", "民政") == ["5e6f7a8b9c"]
    assert ids("--since", "2024-07-01", "--until", "2024-07-20") == ["5e6f7a8b9c"]
    until = run_cli("progress", "list", "--data-dir", str(small_data), "-f", "json",
                    "--until", "2024-06-30")  # fmt: skip
    assert all(row["latest"] for row in json.loads(until.stdout))
    bad = run_cli("progress", "list", "--data-dir", str(small_data), "--since", "六月")
    assert bad.code == 2


def test_list_writes_output_file_and_warns_about_problems(small_data: Path, tmp_path: Path) -> None:
    copy_case("valid", small_data)
    path = small_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_bytes(path.read_bytes() + b"---\nid: abcdef1234\nvalue: 4")
    output = tmp_path / "进度.csv"
    done = run_cli(
        "progress", "list", "--data-dir", str(small_data), "-f", "csv", "-o", str(output)
    )
    assert done.code == 0 and done.stdout == ""
    assert "1 个问题" in done.stderr
    assert output.read_text(encoding="utf-8-sig").count("\n") == 7  # header and six entries


def test_list_csv_is_safe_for_spreadsheets(small_data: Path) -> None:
    copy_case("valid", small_data)
    done = run_cli("progress", "list", "--data-dir", str(small_data), "-f", "csv")
    assert "'=HYPERLINK" in done.stdout


# --- the real plan: a month of 区残联 ----------------------------------------------------------


def test_a_month_of_progress_for_the_disabled_persons_federation(real_data: Path) -> None:
    from minsheng.plan.models import Kind

    plan = loaded_plan(real_data)
    unit = plan.find_unit("区残联")
    recorded = []
    for item in plan.items_of(unit):
        targets = item.targets if item.id != 10 else item.all_targets()
        for target in (one for one in targets if plan.reports(unit, item, one)):
            args = [str(item.id), "--target", target.id, "--date", "2024-06-30",
                    "--unit", "区残联", "--note", f"{target.name}六月进展"]  # fmt: skip
            if target.kind is Kind.MILESTONE:
                args += ["--stage", "推进中"]
            else:
                assert target.value is not None
                half = (target.value / 2).to_integral_value(ROUND_FLOOR)  # whole 名, 户 …
                share = target.value if target.kind is not Kind.QUANTITY else half
                args += ["--value", f"{share}{target.unit}"]
            done = add(real_data, *args)
            assert done.code == 0, done.stderr
            recorded.append((item.id, target.id))
    assert len(recorded) >= 8
    done = run_cli("progress", "list", "--data-dir", str(real_data), "--unit", "残联", "-f", "json")
    rows = json.loads(done.stdout)
    assert sorted((row["item"], row["target"]) for row in rows) == sorted(recorded)
    assert all(row["latest"] and row["unit"] == "区残联" for row in rows)
    assert {row["file"] for row in rows} == {"progress/2024-06/cl.yaml"}
    rehab = next(row for row in rows if row["target"] == "rehab")
    assert (rehab["value"], rehab["unit_of_measure"]) == (388, "名")
    table = run_cli("progress", "list", "10", "--data-dir", str(real_data))
    assert "残疾人康复救助" in table.stdout and "累计 388名" in table.stdout
    check = run_cli("validate", "--data-dir", str(real_data))
    assert check.code == 0, check.stdout + check.stderr


def test_the_clerk_of_the_federation_records_on_the_terminal(real_data: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "--data-dir", str(real_data)],
        [
            ("事项序号", "10"),
            ("请选择", "rehab"),
            ("日期", "2024-06-30"),
            ("累计完成数", "388名"),
            ("进展说明", "已为388名残疾人提供康复救助"),
            ("依据", "花残联〔2024〕12号"),
            ("确认写入", ""),  # Enter accepts
        ],
    )
    assert code == 0, shown
    assert "psych-drugs" in shown  # the measures' targets are offered too
    done = run_cli("progress", "list", "10", "--data-dir", str(real_data), "-f", "json")
    (row,) = json.loads(done.stdout)
    assert (row["target"], row["value"], row["unit"], row["source"], row["latest"]) == (
        "rehab", 388, "区残联", "花残联〔2024〕12号", True,
    )  # fmt: skip


# --- review findings: ambiguous values, corrections, plan years, slack, formatting ---------


def line_of(text: str, wanted: str) -> int:
    return text.splitlines().index(wanted) + 1


def codes_at(issues: list[str]) -> set[tuple[int, str]]:
    return {(int(issue.split(":")[1]), issue.split(": ")[1]) for issue in issues}


def test_a_bare_number_far_above_a_scaled_target_is_refused(small_data: Path) -> None:
    before = snapshot(small_data.parent)
    done = add(small_data, "1", "--target", "jobs", "--value", "3000", "--date", "2024-06-30")
    assert done.code == 1, done.stderr
    assert "[implausible-value]" in done.stderr and "字段 value" in done.stderr
    assert "3000人" in done.stderr and "0.3万" in done.stderr
    assert snapshot(small_data.parent) == before
    # With its unit it is understood; a bare number up to 10× the target is taken as written.
    assert (
        add(small_data, "1", "--target", "jobs", "--value", "3000人", "--date", "2024-06-30").code
        == 0
    )
    assert (
        add(small_data, "1", "--target", "jobs", "--value", "5", "--date", "2024-06-30").code == 0
    )
    entries, issues = entries_of(small_data)
    assert [entry.value for entry in entries] == [Decimal("0.3"), Decimal(5)] and issues == []


def test_a_bare_number_far_above_a_scaled_target_is_asked_again(small_data: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--date", "2024-06-30", "--data-dir",
         str(small_data)],
        [("累计完成数", "3000"), ("累计完成数", "3000人"), ("进展说明", ""), ("依据", ""),
         ("确认写入", "y")],
    )  # fmt: skip
    assert code == 0, shown
    assert "0.3万" in shown
    (entry,), _ = entries_of(small_data)
    assert entry.value == Decimal("0.3")


def test_validate_reports_a_value_far_above_a_scaled_target(small_data: Path) -> None:
    text = write_records(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "target": "jobs", "date": "2024-06-10", "value": 50},  # 88×
        {"id": "aaaaaa0002", "target": "jobs", "date": "2024-06-20", "value": 60},  # 105×
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 180000},  # 人次, 97×: taken
    )  # fmt: skip
    _, issues = entries_of(small_data, today=dt.date(2024, 7, 1))
    assert codes_at(issues) == {(line_of(text, "value: 60"), "implausible-value")}
    assert "60万人" in issues[0]


def test_a_correction_may_not_make_the_series_decrease(small_data: Path) -> None:
    text = write_records(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-10", "value": 900},
        {"id": "aaaaaa0002", "date": "2024-06-20", "value": 1500},
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 100, "corrects": "aaaaaa0002"},
        {"id": "aaaaaa0004", "date": "2024-06-30", "value": 200},
    )  # fmt: skip
    _, issues = entries_of(small_data, today=dt.date(2024, 7, 1))
    # The correction says 1500 was 100, below the 900 before it; and 200 is below 900 too.
    assert codes_at(issues) == {
        (line_of(text, "value: 100"), "decreasing-value"),
        (line_of(text, "value: 200"), "decreasing-value"),
    }
    assert any("更正后的累计完成 100 小于" in issue for issue in issues)


def test_a_correction_that_keeps_the_series_rising_passes(small_data: Path) -> None:
    write_records(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-10", "value": 900},
        {"id": "aaaaaa0002", "date": "2024-06-20", "value": 15000},
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 1500, "corrects": "aaaaaa0002"},
        {"id": "aaaaaa0004", "date": "2024-06-30", "value": 1600},
    )  # fmt: skip
    entries, issues = entries_of(small_data, today=dt.date(2024, 7, 1))
    assert issues == []
    assert latest(entries)[(1, "training")].id == "aaaaaa0004"


def test_add_refuses_a_correction_below_an_earlier_value(small_data: Path) -> None:
    for day, value in (("2024-06-10", "900"), ("2024-06-20", "1500")):
        done = add(small_data, "1", "--target", "training", "--value", value, "--date", day)
        assert done.code == 0, done.stderr
    wrong = entries_of(small_data)[0][-1].id
    before = snapshot(small_data.parent)
    done = add(small_data, "1", "--target", "training", "--value", "100", "--corrects", wrong)
    assert done.code == 1 and "[decreasing-value]" in done.stderr, done.stderr
    assert snapshot(small_data.parent) == before


def test_a_correction_carries_the_date_of_what_it_corrects(small_data: Path) -> None:
    write_records(
        small_data,
        "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "target": "jobs", "date": "2024-06-30", "value": "0.3"},
    )
    text_july = write_records(
        small_data, "2024-07/rsj.yaml",
        {"id": "aaaaaa0002", "target": "jobs", "date": "2024-07-31", "value": "0.2",
         "corrects": "aaaaaa0001"},
    )  # fmt: skip
    entries, issues = entries_of(small_data, today=dt.date(2024, 8, 1))
    assert codes_at(issues) == {(line_of(text_july, "date: 2024-07-31"), "correction-date")}
    assert "2024-06-30" in issues[0]
    # A correction dated later than the cut-off does not reach back into that snapshot.
    june = dt.date(2024, 6, 30)
    assert [entry.id for entry in effective_entries(entries, june)] == ["aaaaaa0001"]
    assert latest(entries, june)[(1, "jobs")].id == "aaaaaa0001"
    assert [entry.id for entry in effective_entries(entries, None)] == ["aaaaaa0002"]


def test_add_correction_takes_the_date_of_what_it_corrects(with_jobs: Path) -> None:
    wrong = first_id(with_jobs)
    before = snapshot(with_jobs.parent)
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.2", "--date", "2024-07-31",
               "--corrects", wrong)  # fmt: skip
    assert done.code == 1, done.stderr
    assert "[correction-date]" in done.stderr and "字段 date" in done.stderr
    assert "2024-06-30" in done.stderr
    assert snapshot(with_jobs.parent) == before
    done = add(with_jobs, "1", "--target", "jobs", "--value", "0.2", "--corrects", wrong)
    assert done.code == 0, done.stderr
    entries, issues = entries_of(with_jobs)
    assert issues == [] and entries[-1].date == dt.date(2024, 6, 30)


def test_effective_entries_drop_what_is_corrected_and_what_is_later(small_data: Path) -> None:
    copy_case("valid", small_data)
    entries, _ = entries_of(small_data)
    kept = [entry.id for entry in effective_entries(entries, dt.date(2024, 7, 14))]
    assert kept == ["1a2b3c4d5e", "2b3c4d5e6f"]
    assert "3c4d5e6f7a" not in [entry.id for entry in effective_entries(entries, None)]


def second_year(small_data: Path) -> None:
    plan = (small_data / "tasks_2024.yaml").read_text(encoding="utf-8")
    for old, new in (("year: 2024", "year: 2025"), ("2024-01-01", "2025-01-01"),
                     ("2024-12-31", "2025-12-31")):  # fmt: skip
        plan = plan.replace(old, new)
    (small_data / "tasks_2025.yaml").write_text(plan, encoding="utf-8")


def test_each_plan_year_reads_only_its_own_months(small_data: Path) -> None:
    copy_case("valid", small_data)
    second_year(small_data)
    done = run_cli("validate", "--data-dir", str(small_data))  # the 2025 plan, the latest
    assert done.code == 0, done.stdout + done.stderr
    assert "进度记录 0 条" in done.stderr
    done = run_cli("validate", "--data-dir", str(small_data), "--year", "2024")
    assert done.code == 0, done.stdout + done.stderr
    assert "进度记录 6 条" in done.stderr
    assert add(small_data, "1", "--target", "jobs", "--value", "0.1", "--date", "2025-01-31",
               "--year", "2025").code == 0  # fmt: skip
    assert run_cli("validate", "--data-dir", str(small_data), "--year", "2024").code == 0


def test_odd_names_under_progress_are_reported_safely(small_data: Path) -> None:
    copy_case("valid", small_data)
    progress = small_data / "progress"
    (progress / "说明.txt").write_text("x\n", encoding="utf-8")
    (progress / "2024-6").mkdir()
    (progress / "2024-06" / "RSJ.yaml").write_text("", encoding="utf-8")
    (progress / "2024-06" / "rsj.yml").write_text("", encoding="utf-8")
    (progress / "2024-06" / "old").mkdir()
    (progress / "2024-06" / "evil\x1b[2J.yaml").write_text("", encoding="utf-8")
    (progress / "2024-06" / ".rsj.yaml.abc123.tmp").write_text("", encoding="utf-8")
    (progress / ".gitkeep").write_text("", encoding="utf-8")
    for month in ("0000-01", "9999-12", "2023-12"):  # no plan's months: left alone
        (progress / month).mkdir()
        (progress / month / "rsj.yaml").write_text("不是 YAML: [", encoding="utf-8")
    _, issues = entries_of(small_data)
    assert len(issues) == 6 and all(": misplaced-entry:" in issue for issue in issues)
    assert all("\x1b" not in issue for issue in issues)
    assert any("'evil\\x1b[2J.yaml'" in issue for issue in issues)
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 1 and "\x1b" not in done.stdout + done.stderr


def test_a_second_first_writer_finds_the_folder_made(
    small_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first writers: the other one makes progress/ between our look and our mkdir."""
    progress = small_data / "progress"
    progress.rmdir()
    real_mkdir = Path.mkdir

    def racing_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self == progress and not progress.exists():
            os.mkdir(progress)  # the other writer wins the race
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)
    entry = ProgressEntry(
        id=store.new_id(),
        item=1,
        target="jobs",
        date=dt.date(2024, 6, 30),
        value=Decimal("0.1"),
        unit="区人社局",
        recorded_at=store.now(),
    )
    written = store.append(DataDir(small_data), loaded_plan(small_data), entry)
    assert written.path == progress / "2024-06" / "rsj.yaml" and written.path.is_file()


def test_validate_allows_a_day_of_slack_for_time_zones(small_data: Path) -> None:
    stamp = "2024-06-29T09:00:00+08:00"  # recorded on the day it is checked
    write_records(
        small_data,
        "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-29", "value": 1, "recorded_at": stamp},
        {"id": "aaaaaa0002", "date": "2024-06-30", "value": 2, "recorded_at": stamp},
    )
    text_july = write_records(small_data, "2024-07/rsj.yaml",
                              {"id": "aaaaaa0003", "date": "2024-07-01", "value": 3,
                               "recorded_at": stamp})  # fmt: skip
    _, issues = entries_of(small_data, today=dt.date(2024, 6, 29))
    assert codes_at(issues) == {(line_of(text_july, "date: 2024-07-01"), "date-out-of-period")}


@pytest.mark.parametrize(
    ("typed", "unit", "expected"),
    [("0.3万", "万人", "0.3"), ("3000人", "万人", "0.3"), ("0.5万", "人", "5000"),
     ("96%", "%", "96"), ("10万元/家", "万元/家", "10"), ("0.0000001", "万人", "0.0000001"),
     ("0.30", "万人", "0.30")],
)  # fmt: skip
def test_parse_amount(typed: str, unit: str, expected: str) -> None:
    assert format_decimal(parse_amount(typed, unit)) == expected


@pytest.mark.parametrize(
    ("typed", "unit", "words"),
    [("1,000", "人", "千位分隔符"), ("１，０００", "人", "写作 1000"),
     ("0.5万", "%", "万"), ("1万", "元/月", "万"), ("1E-7", "万人", "科学计数法"),
     ("3000元", "万人", "不一致")],
)  # fmt: skip
def test_parse_amount_refusals(typed: str, unit: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_amount(typed, unit)


def test_format_decimal_never_writes_an_exponent() -> None:
    assert format_decimal(Decimal("1E-7")) == "0.0000001"
    assert format_decimal(Decimal("3E+3")) == "3000"
    assert format_decimal(Decimal("0.30")) == "0.30"
    assert format_decimal(Decimal("320")) == "320"


VALUE_REFUSALS = [
    (["1", "--target", "jobs", "--value", "1,000"], "bad-value", "千位分隔符"),
    (["3", "--target", "rate", "--unit", "区城管局", "--value", "150%"], "bad-value", "100"),
    (["3", "--target", "rate", "--unit", "区城管局", "--value", "0.5万"], "bad-value", "万"),
    (["3", "--target", "subsidy", "--unit", "区城管局", "--value", "1万"], "bad-value", "万"),
    (["1", "--target", "jobs", "--value", "0.1", "--date", "2024-06-31"], "bad-date",
     "日期不存在：2024-06-31"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "words"), VALUE_REFUSALS)
def test_value_refusals_say_why(small_data: Path, args: list[str], code: str, words: str) -> None:
    if "--date" not in args:
        args = [*args, "--date", "2024-06-30"]
    before = snapshot(small_data.parent)
    done = add(small_data, *args)
    assert done.code == 1, done.stderr
    assert f"[{code}]" in done.stderr and words in done.stderr
    assert snapshot(small_data.parent) == before


def test_a_small_value_is_written_in_plain_digits(small_data: Path) -> None:
    # A share, not a count: 0.0000001万人 would be a thousandth of a person (fractional-count).
    # Written with its sign: a bare fraction for a 95% target would be taken for a slip.
    done = add(small_data, "3", "--target", "rate", "--value", "0.0000001%", "--unit", "区城管局",
               "--date", "2024-06-30")  # fmt: skip
    assert done.code == 0, done.stderr
    assert "value: 0.0000001\n" in (small_data / "progress" / "2024-06" / "cgj.yaml").read_text()
    assert "0.0000001%" in done.stderr


def test_interactive_value_is_checked_right_away(with_jobs: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "1", "--target", "jobs", "--data-dir", str(with_jobs)],
        [("日期", "2024-07-31"), ("累计完成数", "0.1"), ("累计完成数", "0.4"),
         ("进展说明", "七月"), ("依据", ""), ("确认写入", "y")],
    )  # fmt: skip
    assert code == 0, shown
    assert "累计值不应减少" in shown
    entries, _ = entries_of(with_jobs)
    assert [entry.value for entry in entries] == [Decimal("0.3"), Decimal("0.4")]


def test_list_reads_another_progress_folder(small_data: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "example" / "progress"
    shutil.copytree(FIXTURES / "valid", elsewhere)
    done = run_cli("progress", "list", "--data-dir", str(small_data), "--progress-dir",
                   str(elsewhere), "-f", "json")  # fmt: skip
    assert done.code == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 6 and rows[0]["file"] == "progress/2024-06/rsj.yaml"


def test_refusal_codes_are_stable() -> None:
    assert [str(code) for code in (Code.LOCKED, Code.WRITE_FAILED, Code.READ_ONLY_DATA,
            Code.NOT_A_FOLDER, Code.IMPLAUSIBLE, Code.CORRECTION_DATE)] == [
        "locked", "write-failed", "read-only-data", "not-a-folder", "implausible-value",
        "correction-date",
    ]  # fmt: skip
