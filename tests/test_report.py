"""`minsheng report` end to end: golden outputs, exit codes, --fail-on, inert data text.

Golden files live in tests/golden/report/; after an intended change, regenerate them with
`MINSHENG_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py` and review the diff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SMALL_PLAN, check_golden, example_without_funds, snapshot
from minsheng.cli.report import ReportFormat
from minsheng.core.cells import inert
from minsheng.plan.describe import short_title
from minsheng.plan.load import load_plan
from minsheng.progress.entry import ProgressEntry
from minsheng.report.compute import compute
from minsheng.views.report_formats import RENDERERS, render

GOLDEN = ROOT / "tests" / "golden" / "report"
EXAMPLE = ["--as-of", "2024-06-30", "--progress-dir", "examples/2024-06/progress"]
# The example bulletin as made on 2024-07-10 09:00 in Beijing, after June's returns were due:
# the JSON says when it was made, and the golden files are the same whenever the tests run.
MADE_ON = {"SOURCE_DATE_EPOCH": "1720573200"}
# The same bulletin made on 2024-07-03 09:00, before June's returns were due (5 July).
MADE_EARLY = {"SOURCE_DATE_EPOCH": "1719968400"}
SINCE = ["--since", "2024-05-31"]

GOLDENS = {
    "bulletin.txt": ["--format", "table"],
    "bulletin.md": ["--format", "markdown"],
    "since.md": ["--format", "markdown", *SINCE],
    "items.csv": ["--format", "csv"],
    "units.csv": ["--format", "csv", "--by", "unit"],
    "categories.csv": ["--format", "csv", "--by", "category"],
    "report.json": ["--format", "json", *SINCE],
}


def no_nan(text: str) -> Any:
    """Parse JSON, refusing NaN and Infinity (Python's json would accept them)."""

    def refuse(name: str) -> None:
        raise AssertionError(f"JSON contains {name}")

    return json.loads(text, parse_constant=refuse)


def golden(name: str, produced: bytes) -> None:
    check_golden(GOLDEN / name, produced)


@pytest.mark.parametrize("name", sorted(GOLDENS))
def test_example_month_matches_golden(name: str, cli, tmp_path: Path) -> None:
    """Without a funds file nothing changes: the example month with its money taken out gives
    every output as it was before money existed, byte for byte."""
    progress = example_without_funds(tmp_path / "example")
    output = tmp_path / name
    args = ["--as-of", "2024-06-30", "--progress-dir", str(progress)]
    result = cli("report", *args, *GOLDENS[name], "--output", str(output), **MADE_ON)
    assert result.code == 0, result.stderr
    assert result.stdout == ""  # the product went to the file
    golden(name, output.read_bytes())


# The example month as it is, with its funds file: the section 资金到位和拨付情况 too.
FUNDS_GOLDENS = {
    "funds/bulletin.txt": ["--format", "table"],
    "funds/bulletin.md": ["--format", "markdown"],
    "funds/items.csv": ["--format", "csv"],
    "funds/report.json": ["--format", "json"],
}


@pytest.mark.parametrize("name", sorted(FUNDS_GOLDENS))
def test_example_month_with_its_money_matches_golden(name: str, cli, tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = cli("report", *EXAMPLE, *FUNDS_GOLDENS[name], "--output", str(output))
    assert result.code == 0, result.stderr
    golden(name, output.read_bytes())


def test_money_adds_its_keys_and_changes_no_other(cli, tmp_path: Path) -> None:
    """The example's JSON with its funds file is the JSON without it, plus `summary.funds` and
    each item's `funds`: not one existing key or value differs."""
    progress = example_without_funds(tmp_path / "example")
    plain_args = ["--as-of", "2024-06-30", "--progress-dir", str(progress), "-f", "json"]
    plain = no_nan(cli("report", *plain_args, **MADE_ON).stdout)
    funded = no_nan(cli("report", *EXAMPLE, "-f", "json", **MADE_ON).stdout)
    assert funded["summary"].pop("funds")["planned"] == 5450
    assert [item.pop("funds") is not None for item in funded["items"]].count(True) == 4
    assert funded == plain


def test_readme_section_shows_the_real_bulletin() -> None:
    bulletin = (GOLDEN / "funds" / "bulletin.md").read_text(encoding="utf-8")
    for page in (ROOT / "docs" / "report.md", ROOT / "README.md"):
        assert bulletin.strip() in page.read_text(encoding="utf-8"), page.name


def test_the_bulletin_made_before_the_due_day_says_pending(cli, tmp_path: Path) -> None:
    """The README's and report.md's second example: June's returns on 3 July, not due yet
    (from the example without its money, which the returns do not depend on)."""
    output = tmp_path / "early.md"
    progress = example_without_funds(tmp_path / "example")
    args = ["--as-of", "2024-06-30", "--progress-dir", str(progress)]
    result = cli("report", *args, "--format", "markdown", "--output", str(output), **MADE_EARLY)
    assert result.code == 0, result.stderr
    golden("early.md", output.read_bytes())
    text = output.read_text(encoding="utf-8")
    returns = text.split("### 本月报送情况")[1].split("### ")[0]
    assert "| 待报送 |" in returns and "| 未报送 |" not in returns
    for page in (ROOT / "docs" / "report.md", ROOT / "README.md"):
        assert returns.strip() in page.read_text(encoding="utf-8"), page.name


def test_example_progress_is_valid(cli) -> None:
    result = cli("validate", "--progress-dir", "examples/2024-06/progress")
    assert result.code == 0, result.stderr
    assert re.search(r"进度记录 \d{2,} 条", result.stderr)


def test_example_bulletin_shows_every_status(cli) -> None:
    result = cli("report", *EXAMPLE, "--format", "json")
    summary = no_nan(result.stdout)["summary"]
    counts = {code: count for code, count in summary.items() if code != "funds"}
    assert all(count > 0 for count in counts.values()), summary


def test_json_contract(cli) -> None:
    result = cli("report", *EXAMPLE, *SINCE, "--format", "json")
    assert result.code == 0, result.stderr
    report = no_nan(result.stdout)
    assert report["as_of"] == "2024-06-30"
    assert 0 <= report["expected"] <= 1
    # The counts by status, and the money beside them (the example has a funds file).
    counts = {code: count for code, count in report["summary"].items() if code != "funds"}
    assert set(counts) == {"done", "on_track", "behind", "lagging", "unreported", "no_task"}
    assert set(report["summary"]) == {*counts, "funds"}
    assert sum(counts.values()) == len(report["items"]) == 50
    for item in report["items"]:
        assert {"id", "units", "status", "completion", "targets"} <= set(item)
        assert item["status"] in report["summary"]
        for target in item["targets"]:
            assert {"id", "actual", "completion"} <= set(target)
    rehab = next(i for i in report["items"] if i["id"] == 10)["targets"][0]
    assert (rehab["actual"], rehab["completion"]) == (320, 0.4124)
    aid = next(i for i in report["items"] if i["id"] == 9)["targets"][0]
    assert aid["completion"] == 1.1053  # over-achievement kept at the target
    assert {u["name"] for u in report["units"]} >= {"区教育局", "区卫生健康委"}
    assert [c["no"] for c in report["categories"]] == list(range(1, 11))


def test_json_says_how_expected_was_counted_beside_it(cli) -> None:
    report = no_nan(cli("report", *EXAMPLE, "--format", "json").stdout)
    keys = list(report)
    assert keys[:6] == [
        "as_of", "generated_at", "since", "expected", "expected_pct", "expected_basis"
    ]  # fmt: skip
    assert keys[6:12] == ["plan", "thresholds", "summary", "items", "units", "categories"]
    assert keys[12:] == ["reporting", "escalations"]  # the monthly cycle, added after
    assert report["expected_basis"] in {"month", "day"}


def test_the_shipped_plan_counts_by_months(cli, real_data: Path) -> None:
    # As the province's bulletins count: six whole months of twelve at the end of June.
    args = ["report", "--as-of", "2024-06-30", "--format", "json"]
    shipped = no_nan(cli(*args).stdout)
    assert (shipped["expected"], shipped["expected_basis"]) == (0.5, "month")
    plan = real_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    assert text.count("basis: month\n") == 1
    plan.write_text(text.replace("basis: month\n", "basis: day\n"), encoding="utf-8")
    by_days = no_nan(cli(*args, "--data-dir", str(real_data)).stdout)
    assert (by_days["expected"], by_days["expected_basis"]) == (0.4973, "day")  # 182 / 366


def with_basis(data: Path, basis: str) -> None:
    plan = data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("thresholds:", f"schedule: {{basis: {basis}}}\nthresholds:", 1))


@pytest.mark.parametrize(
    ("basis", "words", "shown", "fraction"),
    [("month", "按月计", "50.0%", 0.5), ("day", "按天计", "49.7%", 0.4973)],
)
def test_every_format_says_how_expected_was_counted(
    cli, small_data: Path, tmp_path: Path, basis: str, words: str, shown: str, fraction: float
) -> None:
    with_basis(small_data, basis)
    write(small_data, "2024-06", "rsj.yaml", entry_yaml("六月进展"))

    def report(format: str, *more: str) -> str:
        done = cli(
            "report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", format, *more
        )
        assert done.code == 0, done.stderr
        return done.stdout

    for format in ("table", "markdown"):
        assert f"序时进度 {shown}（{words}）。" in report(format)
    for by in ("unit", "category"):  # the sentence heads the narrower bulletins too
        assert f"序时进度 {shown}（{words}）。" in report("markdown", "--by", by)
    rows = list(csv.reader(io.StringIO(report("csv").lstrip("\ufeff"))))
    column = rows[0].index(f"序时进度（%，{words}）")
    assert float(rows[1][column]) == float(shown.rstrip("%"))  # a number: 50 is 50.0
    document = no_nan(report("json"))
    assert (document["expected"], document["expected_basis"]) == (fraction, basis)
    assert document["items"][0]["expected"] == fraction  # items count the same way
    page = report("html")
    assert f"序时进度 <strong>{shown}</strong>（{words}）" in page
    assert f"序时进度{words}，" in page  # the rule in words, in the footer
    from openpyxl import load_workbook

    book = tmp_path / "report.xlsx"
    report("xlsx", "--output", str(book))
    facts = {row[0].value: row for row in load_workbook(book)["概况"].iter_rows(max_col=3)}
    # The cell holds the figure shown everywhere (49.7%), not the JSON's four places.
    assert facts["序时进度"][1].value == pytest.approx(float(shown.rstrip("%")) / 100)
    assert facts["序时进度"][2].value == words


def test_renderers_cover_every_format() -> None:
    assert set(RENDERERS) == {f.value for f in ReportFormat}


# --- no progress at all -----------------------------------------------------------------------


def test_no_progress_every_active_item_is_unreported(cli, small_data: Path) -> None:
    result = cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == 0, result.stderr
    report = no_nan(result.stdout)
    assert {i["id"]: i["status"] for i in report["items"]} == {
        1: "unreported",
        2: "no_task",
        3: "unreported",
    }
    table = cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30")
    assert "从未报送 2 项" in table.stdout
    assert "区人社局" in table.stdout.split("从未报送的单位")[1]


def test_no_progress_folder_at_all_is_fine(cli, small_data: Path) -> None:
    (small_data / "progress").rmdir()
    result = cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == 0, result.stderr
    assert no_nan(result.stdout)["summary"]["unreported"] == 2


# --- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        ("lagging,unreported", 1),
        (" unreported ", 1),
        ("done", 0),
        ("lagging,behind", 0),
    ],
)
def test_fail_on_exits_1_after_printing(cli, small_data: Path, fail_on: str, code: int) -> None:
    args = ["report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "markdown"]
    result = cli(*args, "--fail-on", fail_on)
    assert result.code == code, result.stderr
    assert result.stdout.startswith("## ")  # the report is printed either way
    if code:
        assert "第 1 项（从未报送）" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "late"], "late"),
        (["--fail-on", ","], "--fail-on"),
        (["--fail-on", "滞后了"], "滞后了"),
        (["--as-of", "2024-02-30"], "日期不存在：2024-02-30"),
        (["--as-of", "30/06/2024"], "YYYY-MM-DD"),
        (["--since", "2024-07-01", "--as-of", "2024-06-30"], "--since"),
        (["--format", "pdf"], "pdf"),
        (["--by", "month"], "month"),
        (["--progress-dir", "no/such/folder"], "进度目录不存在"),
    ],
)
def test_usage_errors_exit_2(cli, small_data: Path, args: list[str], message: str) -> None:
    result = cli("report", "--data-dir", str(small_data), *args)
    assert result.code == 2, result.stderr
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "fail_on", ["严重滞后,从未报送", "从未报送", "lagging,从未报送", "严重滞后、从未报送"]
)
def test_fail_on_takes_the_chinese_words(cli, small_data: Path, fail_on: str) -> None:
    args = ["report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "json"]
    result = cli(*args, "--fail-on", fail_on)
    assert result.code == 1, result.stderr
    assert "第 1 项（从未报送）" in result.stderr


def test_fail_on_refuses_the_word_that_means_two_things(cli, small_data: Path) -> None:
    args = ["report", "--data-dir", str(small_data), "--as-of", "2024-06-30"]
    result = cli(*args, "--fail-on", "未报送")
    assert result.code == 2 and "[bad-status]" in result.stderr
    assert "从未报送（unreported）" in result.stderr and "本月未报送（missing）" in result.stderr


@pytest.mark.parametrize(
    ("as_of", "share"), [("2023-03-01", "0"), ("2025-01-01", "100%"), ("2024-12-31", None)]
)
def test_as_of_outside_the_period_is_said(
    cli, small_data: Path, as_of: str, share: str | None
) -> None:
    result = cli("report", "--data-dir", str(small_data), "--as-of", as_of, "-f", "json")
    assert result.code == 0, result.stderr
    assert no_nan(result.stdout)["as_of"] == as_of  # still computed, as asked
    if share is None:
        assert "as-of-outside-period" not in result.stderr
    else:
        assert "as-of-outside-period" in result.stderr
        assert f"{as_of} 不在计划期 2024-01-01 至 2024-12-31 内" in result.stderr
        assert f"序时进度按 {share} 计" in result.stderr


def test_default_as_of_after_the_period_is_its_end(cli, small_data: Path) -> None:
    assert dt.date.today() > dt.date(2024, 12, 31)
    result = cli("report", "--data-dir", str(small_data), "-f", "json")
    assert result.code == 0, result.stderr
    assert no_nan(result.stdout)["as_of"] == "2024-12-31"
    assert "计划期末 2024-12-31" in result.stderr


def test_invalid_progress_refuses_the_report(cli, small_data: Path) -> None:
    torn = "---\nid: abc1234567\nitem: 1\ntarget: jobs\ndate: 2024-06-30\nvalue: 0.3\n"
    write(small_data, "2024-06", "rsj.yaml", torn)
    before = snapshot(small_data)
    result = cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == 1
    assert result.stdout == ""
    assert re.search(r"progress/2024-06/rsj\.yaml:\d+:\d+: torn-record", result.stderr)
    assert snapshot(small_data) == before


# --- data text is inert in every format -------------------------------------------------------


def write(data: Path, month: str, name: str, text: str) -> None:
    folder = data / "progress" / month
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def entry_yaml(note: str, *, id: str = "abc1234567", value: str = "0.01") -> str:
    """One entry of item 1 in the small plan, the note as a YAML double-quoted string."""
    return (
        f"---\nid: {id}\nitem: 1\ntarget: jobs\ndate: 2024-06-30\nvalue: {value}\n"
        f"unit: 区人社局\nnote: {json.dumps(note, ensure_ascii=False)}\n"
        "recorded_at: 2024-07-01T09:00:00+08:00\n...\n"
    )


LATE = ["--as-of", "2024-12-31"]  # item 1 is then far behind: its note is in the lagging list


def test_note_with_pipe_and_newline_cannot_break_markdown(cli, small_data: Path) -> None:
    write(small_data, "2024-06", "rsj.yaml", entry_yaml("甲|乙\n| 3 | 伪造行 |\n[链接](http://x)"))
    result = cli("report", "--data-dir", str(small_data), *LATE, "-f", "markdown")
    assert result.code == 0, result.stderr
    forged = [line for line in result.stdout.splitlines() if "伪造行" in line]
    assert len(forged) == 1
    row = forged[0]
    assert row.startswith("| 1 | ")
    assert len(re.findall(r"(?<!\\)\|", row)) == 8  # seven cells: the note stayed in its own
    assert "\\[链接\\](http\\://x)" in row  # brackets escaped: text, not a link


def test_rich_markup_in_a_note_is_printed_as_written(cli, small_data: Path) -> None:
    note = "[link=https://evil.example]点我[/link] [bold red]假警报[/]"
    write(small_data, "2024-06", "rsj.yaml", entry_yaml(note))
    result = cli("report", "--data-dir", str(small_data), *LATE, COLUMNS="400")  # no wrapping
    assert result.code == 0, result.stderr
    flat = "".join(result.stdout.split())
    assert "[link=https://evil.example]点我[/link]" in flat
    assert "[boldred]假警报[/]" in flat


def test_terminal_colour_never_turns_data_into_links_or_escapes() -> None:
    loaded, _ = load_plan(SMALL_PLAN)
    assert loaded is not None
    note = "[link=https://evil.example]点我[/link]\x1b[2J\x1b]8;;http://x\x07"
    entry = ProgressEntry.model_validate(
        {
            "id": "abc1234567",
            "item": 1,
            "target": "jobs",
            "date": "2024-06-30",
            "value": 1,
            "unit": "区人社局",
            "note": note,
            "recorded_at": "2024-07-01T09:00:00+08:00",
        }
    )
    report = compute(loaded.plan, loaded.canonical_units, [entry], dt.date(2024, 12, 31))
    text = render(report, "table", color=True, width=200)
    assert isinstance(text, str)
    assert "\x1b[31m" in text or "\x1b[1;31m" in text  # the status words are coloured
    assert "\x1b]8;" not in text  # no hyperlink escape, from rich or from the data
    assert "\x1b[2J" not in text
    assert "[link=https://evil.example]点我[/link]" in text


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t"])
def test_formula_prefix_in_a_note_is_neutralised_in_csv(cli, small_data: Path, prefix: str) -> None:
    write(small_data, "2024-06", "rsj.yaml", entry_yaml(prefix + 'HYPERLINK("http://x")'))
    result = cli("report", "--data-dir", str(small_data), *LATE, "-f", "csv")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    note = next(row for row in rows if row["序号"] == "1")["最新进展"]
    assert "HYPERLINK" in note
    assert not note.startswith(("=", "+", "-", "@", "\t"))


def test_csv_is_one_tidy_row_per_item_unit_or_category(cli) -> None:
    for by, count in [("item", 50), ("unit", 17), ("category", 10)]:
        result = cli("report", *EXAMPLE, "-f", "csv", "--by", by)
        assert result.code == 0, result.stderr
        rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
        assert len(rows) == count + 1
        assert len({len(row) for row in rows}) == 1


def test_by_unit_prints_only_the_ranking(cli) -> None:
    result = cli("report", *EXAMPLE, "--by", "unit")
    assert result.code == 0, result.stderr
    assert "牵头单位排名" in result.stdout
    assert "各项完成情况" not in result.stdout


# --- small helpers ----------------------------------------------------------------------------


def test_inert_keeps_text_on_one_line_without_control_characters() -> None:
    assert inert("甲\n乙\t丙\x1b[31m丁\u202e戊") == "甲 乙 丙 [31m丁 戊"
    assert inert(None) == ""


def test_short_title_skips_a_framing_clause() -> None:
    loaded, _ = load_plan(ROOT / "data" / "tasks_2024.yaml")
    assert loaded is not None
    assert short_title(loaded.plan.items[0]) == "促进重点群体稳定就业"
    assert short_title(loaded.item(34)) == "实施公共文化空间工程"
    assert all(len(short_title(item)) <= 20 for item in loaded.plan.items)


# --- roll-ups and the latest progress, end to end ---------------------------------------------


def part_yaml(target: str, value: int, *, id: str, date: str = "2024-06-30", note: str = "") -> str:
    noted = f"note: {json.dumps(note, ensure_ascii=False)}\n" if note else ""
    return (
        f"---\nid: {id}\nitem: 1\ntarget: {target}\ndate: {date}\nvalue: {value}\n"
        f"unit: 区人社局\n{noted}recorded_at: 2024-07-01T09:00:00+08:00\n...\n"
    )


def test_a_total_reported_by_its_parts_shows_their_sum(cli, small_data: Path) -> None:
    write(small_data, "2024-06", "rsj.yaml", part_yaml("a", 600, id="aaaaaa01"))
    result = cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "json")
    assert result.code == 0, result.stderr
    item = next(i for i in no_nan(result.stdout)["items"] if i["id"] == 1)
    total = next(t for t in item["targets"] if t["id"] == "training")
    assert (total["actual"], total["actual_from"], total["date"]) == (600, "parts", "2024-06-30")
    assert total["sum_of"] == ["a", "b"]
    assert total["completion"] == 0.3217  # 600 / 1865
    assert item["completion"] > 0


def test_lagging_list_shows_the_latest_entrys_figure_and_no_older_note(
    cli, small_data: Path
) -> None:
    may = part_yaml("training", 300, id="aaaaaa01", date="2024-05-31", note="五月培训300人次")
    write(small_data, "2024-05", "rsj.yaml", may)
    write(small_data, "2024-06", "rsj.yaml", part_yaml("training", 400, id="aaaaaa02"))  # no note
    result = cli("report", "--data-dir", str(small_data), *LATE, "-f", "markdown")
    assert result.code == 0, result.stderr
    row = next(
        line for line in result.stdout.split("### 滞后事项")[1].splitlines() if "| 1 |" in line
    )
    # June's figure with June's note (none): never May's note beside June's figure.
    assert row.endswith("| 2024-06-30 累计400人次 |")
