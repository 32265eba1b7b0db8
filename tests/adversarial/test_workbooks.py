"""Hostile returns (round 3): a workbook or a CSV is untrusted input, read within bounds
before and during parsing. Every case (tests/adversarial/workbooks.py) ends in a message that
names the file and what is wrong with it, exit 1, nothing written; in the slow run each goes
through a real process under the harness's limits on processor time and memory (a child
killed by a limit fails the test), with its peak memory under 300 MB. Nothing is timed.

Before round 3: 47 of these ended in an internal error, a hang (a pipe named .xlsx), or
minutes and gigabytes (2 million cell formats, 3 million shared strings, 500,000 merges, a
member claiming 1 GB, /dev/zero); the sheet guards were regexes over the XML, passed by
`hidden='1'`, `hidden="True"`, a zero height, `ref='H2:H3'`, `<row r="0">`, rows past the
cap without numbers and a second sheet with content after row 200.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adversarial.harness import PEAK_MB, assert_no_crash, run_limited, run_main, snapshot
from adversarial.workbooks import CASES, csv_cases

CSV_CASES = ["csv-20mb", "csv-long-line", "csv-5000-digit-value", "csv-5000-digit-item",
             "csv-many-columns"]  # fmt: skip
HEAVY = {"2m-cell-formats", "3m-empty-shared-strings", "500k-merges"}  # megabytes to make


def template(workspace: Path, name: str) -> bytes:
    # 区城管局 reports three of item 3's four targets (the 低保 milestone is 区民政局's).
    done = run_main(["progress", "template", "--unit", "区城管局", "--as-of", "2024-06-30",
                     "--output", name])  # fmt: skip
    assert done.code == 0, done.stderr
    return (workspace.parent / name).read_bytes()


def assert_refused(said: str, code: int, path: str, problem: str, word: str) -> None:
    assert code == 1, said[-2000:]
    for mark in ("Traceback", "[internal]", "内部错误"):
        assert mark not in said, said[-2000:]
    lines = [line for line in said.splitlines() if line.startswith(path)]
    assert any(f": {problem}: " in line and word in line for line in lines), said[-2000:]
    assert "没有登记任何进度" in said


def check_in_process(workspace: Path, name: str, content: bytes, problem: str, word: str) -> None:
    path = workspace.parent / name
    path.write_bytes(content)
    before = snapshot(workspace)
    done = run_main(["progress", "import", name, "--yes"])
    assert_no_crash(done)
    assert_refused(done.stderr, done.code, name, problem, word)
    assert snapshot(workspace) == before


@pytest.mark.parametrize("case", [c for c in CASES if c not in HEAVY])
def test_a_hostile_workbook_is_a_message_about_the_file(workspace: Path, case: str) -> None:
    make, problem, word = CASES[case]
    content = make(template(workspace, "blank.xlsx"))
    check_in_process(workspace, f"{case}.xlsx", content, problem, word)


def test_the_crafted_template_still_imports(workspace: Path) -> None:
    """The makers change only what they mean to: the template, its H2 filled, imports."""
    from adversarial.workbooks import h2

    content = h2('<c r="H10"><v>95.6</v></c>')(template(workspace, "blank.xlsx"))
    (workspace.parent / "fine.xlsx").write_bytes(content)
    done = run_main(["progress", "import", "fine.xlsx", "--yes"])
    assert done.code == 0, done.stderr
    assert "已登记 1 条进度" in done.stderr


@pytest.mark.parametrize("case", CSV_CASES)
def test_a_csv_past_a_bound_is_a_message_about_the_file(workspace: Path, case: str) -> None:
    blank = template(workspace, "blank.csv")
    content, problem, word = csv_cases(blank)[case]
    check_in_process(workspace, f"{case}.csv", content, problem, word)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_a_pipe_a_device_or_a_folder_given_as_a_return_is_refused_unread(
    workspace: Path, kind: str
) -> None:
    """A FIFO named .xlsx hung the import for ever; /dev/zero ran out of memory."""
    path = workspace.parent / "return.xlsx"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    given = "/dev/zero" if kind == "dev-zero" else "return.xlsx"
    before = snapshot(workspace)
    done = run_main(["progress", "import", given, "--yes"])
    assert_no_crash(done)
    assert_refused(done.stderr, done.code, given, "not-a-file", "不是普通文件")
    assert snapshot(workspace) == before


def test_a_template_whose_fixed_cells_start_like_a_formula_imports_back(workspace: Path) -> None:
    """The CSV template writes `'=…` for a unit named `=…` (so that a spreadsheet never runs
    it); the import takes exactly that quote off again (round 3: refused as edited)."""
    plan = workspace / "tasks_2024.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("name: 区城管局", "name: =区城管局"),
        encoding="utf-8",
    )
    done = run_main(["progress", "template", "--unit", "=区城管局", "--as-of", "2024-06-30",
                     "--output", "eq.csv"])  # fmt: skip
    assert done.code == 0, done.stderr
    lines = (workspace.parent / "eq.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("序号,")) + 1  # under the form
    assert lines[0] == "'=区城管局2024年6月民生实事进展情况报送表"  # never a formula
    cells = lines[at].split(",")
    assert "'=区城管局" in cells
    cells[7] = "95.6"
    lines[at] = ",".join(cells)
    (workspace.parent / "eq.csv").write_text("\r\n".join(lines), encoding="utf-8")
    done = run_main(["progress", "import", "eq.csv", "--yes", "--format", "json"])
    assert done.code == 0, done.stderr
    assert '"unit": "=区城管局"' in done.text


# --- the same, in real processes under the harness's limits --------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_hostile_workbook_within_the_limits_of_a_real_process(
    workspace: Path, case: str
) -> None:
    make, problem, word = CASES[case]
    path = workspace.parent / f"{case}.xlsx"
    path.write_bytes(make(template(workspace, "blank.xlsx")))
    before = snapshot(workspace)
    done = run_limited("progress", "import", path.name, "--yes", cwd=workspace.parent)
    assert_refused(done.said, done.code, path.name, problem, word)
    assert done.peak_mb < PEAK_MB, f"{case}: peak {done.peak_mb} MB"
    assert snapshot(workspace) == before
    print(f"{case}: peak {done.peak_mb} MB")


@pytest.mark.slow
@pytest.mark.parametrize("case", ["fifo", "dev-zero", *CSV_CASES])
def test_every_hostile_file_within_the_limits_of_a_real_process(workspace: Path, case: str) -> None:
    root = workspace.parent
    if case == "fifo":
        os.mkfifo(root / "fifo.xlsx")
        given, problem, word = "fifo.xlsx", "not-a-file", "不是普通文件"
    elif case == "dev-zero":
        given, problem, word = "/dev/zero", "not-a-file", "不是普通文件"
    else:
        content, problem, word = csv_cases(template(workspace, "blank.csv"))[case]
        given = f"{case}.csv"
        (root / given).write_bytes(content)
    before = snapshot(workspace)
    done = run_limited("progress", "import", given, "--yes", cwd=root)
    assert_refused(done.said, done.code, given, problem, word)
    assert done.peak_mb < PEAK_MB, f"{case}: peak {done.peak_mb} MB"
    assert snapshot(workspace) == before
