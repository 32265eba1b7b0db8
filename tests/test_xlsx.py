"""The office workbook (`report --format xlsx`): read back with openpyxl, its numbers, types and
formats match `report --format json`; text from the data stays text, never a formula."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from conftest import ROOT, plain_example, run_cli
from minsheng.core.status import word
from minsheng.core.typography import typeset
from minsheng.render.sheets import HEADER_ROW, display_width
from minsheng.render.xlsx import render_xlsx

PUBLISH_DATA = ROOT / "tests" / "data" / "publish"
# The example month without its money: the layout as it is without a funds file.
EXAMPLE_PROGRESS = plain_example()
AS_OF = "2024-06-30"
SHEETS = ["概况", "事项", "指标", "单位", "类别", "报送", "趋势", "连续滞后", "数据"]
VIEWS = SHEETS[1:5]
INJECTIONS = [
    '=HYPERLINK("http://example.invalid","点我")',
    "+cmd|' /C calc'!A0",
    "-1+2",
    "@SUM(A1)",
    "\t以制表符开头",
    "=1+1",
]


def report_json(*args: str) -> dict[str, Any]:
    done = run_cli("report", "--as-of", AS_OF, "--format", "json", *args)
    assert done.code == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def workbook_from_cli(tmp_path: Path, *args: str) -> bytes:
    path = tmp_path / "report.xlsx"
    done = run_cli(
        "report", "--as-of", AS_OF, "--format", "xlsx", "--output", str(path), *args
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    return path.read_bytes()


def rows(sheet: Worksheet, header_row: int = HEADER_ROW) -> list[dict[str, Any]]:
    """The sheet's records as dicts keyed by the header row, cells kept (value and format)."""
    header = [cell.value for cell in sheet[header_row]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=header_row + 1)]


def same_number(cell: Any, value: Any) -> bool:
    if value is None:
        return cell.value is None
    return isinstance(cell.value, int | float) and cell.value == pytest.approx(value, abs=1e-12)


def same_percent(cell: Any, shown: Any) -> bool:
    """A percent cell holds the figure the JSON's `*_pct` gives (53.9 is 0.539): the cell
    shows what every other format shows."""
    return same_number(cell, None if shown is None else shown / 100)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any]:
    """The example month as JSON and as a workbook made by the command line."""
    args = ("--progress-dir", str(EXAMPLE_PROGRESS))
    data = workbook_from_cli(tmp_path_factory.mktemp("xlsx"), *args)
    return report_json(*args), load_workbook(io.BytesIO(data))


def test_sheets_and_frozen_headers(example: tuple[dict[str, Any], Any]) -> None:
    _, book = example
    assert book.sheetnames == SHEETS
    for name in VIEWS:
        assert book[name].freeze_panes == f"A{HEADER_ROW + 1}"
        assert book[name].auto_filter.ref == book[name].dimensions.replace("A1:", f"A{HEADER_ROW}:")
    assert book["数据"].freeze_panes == "A2"
    # The English codes are for programs: printing the workbook leaves them out.
    assert book["数据"].sheet_state == "hidden"
    assert {book[name].sheet_state for name in SHEETS[:-1]} == {"visible"}


def test_summary_sheet(example: tuple[dict[str, Any], Any]) -> None:
    report, book = example
    sheet = book["概况"]
    facts = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3, max_row=8)}
    assert facts["数据截至"].value == dt.datetime(2024, 6, 30)
    assert facts["数据截至"].number_format == "yyyy-mm-dd"
    assert same_percent(facts["序时进度"], report["expected_pct"])
    assert facts["序时进度"].number_format == "0.0%"
    counts = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=11, max_row=16)}
    assert counts == {word(code): n for code, n in report["summary"].items()}
    assert sheet.cell(row=17, column=1).value == "合计"
    assert sheet.cell(row=17, column=2).value == len(report["items"])
    # The English codes are for machines: none on the sheets a person reads.
    for name in ["概况", *VIEWS]:
        texts = {c.value for row in book[name].iter_rows() for c in row if isinstance(c.value, str)}
        assert not texts & set(report["summary"]), name


def test_items_sheet_matches_the_json(example: tuple[dict[str, Any], Any]) -> None:
    report, book = example
    records = rows(book["事项"])
    assert len(records) == len(report["items"])
    for record, item in zip(records, report["items"], strict=True):
        assert record["序号"].value == item["id"]
        assert record["状态"].value == item["status_label"]
        assert record["牵头单位"].value == ("、".join(item["units"]) or None)
        for title, key in [("完成进度", "completion"), ("序时进度", "expected")]:
            assert same_percent(record[title], item[f"{key}_pct"])
            if item[key] is not None:
                assert record[title].number_format == "0.0%"
        assert same_number(record["落后（百分点）"], item["gap"])
        latest = item["latest"]
        if latest is None:
            assert record["最新报送日期"].value is None
        else:
            assert record["最新报送日期"].value == dt.datetime.fromisoformat(latest["date"])
            # 最新进展 as every format has it: one entry's figure, note and date each, as a
            # person reads it
            shown = item["latest_text"]
            assert record["最新进展"].value == (typeset(shown) if shown else None)


def test_targets_sheet_matches_the_json(example: tuple[dict[str, Any], Any]) -> None:
    report, book = example
    targets = [(item["id"], t) for item in report["items"] for t in item["targets"]]
    records = rows(book["指标"])
    assert len(records) == len(targets)
    for record, (number, target) in zip(records, targets, strict=True):
        assert record["事项序号"].value == number
        assert record["指标代码"].value == target["id"]
        assert same_number(record["目标值"], target["value"])
        if target["actual"] is None and target["percent"] is None:
            # Nothing reported: said so, not a 0% or a 否 that reads like a breach.
            assert record["完成进度"].value == record["是否达到目标"].value == "从未报送"
            continue
        assert same_percent(record["完成进度"], target["completion_pct"])
        assert record["完成进度"].number_format == "0.0%"
        if isinstance(target["actual"], str):  # a milestone's stage
            assert record["阶段"].value == target["actual"]
            assert record["累计完成"].value is None
        else:
            assert same_number(record["累计完成"], target["actual"])
        assert record["是否达到目标"].value == ("是" if target["met"] else "否")


def test_units_and_categories_sheets_match_the_json(example: tuple[dict[str, Any], Any]) -> None:
    report, book = example
    units = rows(book["单位"])
    assert [r["牵头单位"].value for r in units] == [u["name"] for u in report["units"]]
    for record, unit in zip(units, report["units"], strict=True):
        assert record["名次"].value == unit["rank"]
        assert record["事项数"].value == len(unit["items"])
        assert same_percent(record["平均完成进度"], unit["completion_pct"])
        assert record["严重滞后"].value == unit["counts"]["lagging"]
        assert record["从未报送"].value == unit["counts"]["unreported"]
    categories = rows(book["类别"])
    assert len(categories) == len(report["categories"])
    for record, category in zip(categories, report["categories"], strict=True):
        assert record["类别"].value == category["name"]
        assert same_percent(record["平均完成进度"], category["completion_pct"])
        assert record["无任务"].value == category["counts"]["no_task"]


def test_columns_fit_chinese_text(example: tuple[dict[str, Any], Any]) -> None:
    _, book = example
    sheet = book["单位"]
    longest = max(
        display_width(str(cell.value)) for (cell,) in sheet.iter_rows(min_col=2, max_col=2)
    )
    assert sheet.column_dimensions["B"].width >= longest  # 区退役军人事务局 is 16 wide, not 8
    titles = book["事项"]
    assert titles.column_dimensions["C"].width == 30 + 2  # long titles wrap instead
    assert titles[f"C{HEADER_ROW + 1}"].alignment.wrap_text


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("区残联") == 6
    assert display_width("0.57 万人") == 9
    assert display_width("abc") == 3


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    data = workbook_from_cli(tmp_path, "--data-dir", str(PUBLISH_DATA))
    book = load_workbook(io.BytesIO(data))
    texts = {
        cell.value: cell
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    found = [text for text in texts if text.startswith(("=", "+", "-", "@", "\t"))]
    assert "@SUM（A1）城镇新增就业0.57万人左右；培训1865人次。" in found  # a title
    assert "+cmd 支持毕业生求职创业。" in found
    assert "=1+1 培训" in found  # a target's name
    for text in found:
        assert texts[text].data_type == "s"
        assert texts[text].quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_come_back_as_strings(text: str) -> None:
    report = report_json("--data-dir", str(PUBLISH_DATA))
    item = report["items"][0]
    item["title"] = text
    item["units"] = [text]
    item["latest_text"] = text
    item["latest"]["source"] = text
    item["targets"][0]["name"] = text
    report["units"][0]["name"] = text
    report["categories"][0]["name"] = text
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    items = rows(book["事项"])[0]
    for title in ["事项", "牵头单位", "最新进展", "来源"]:
        assert items[title].value == text
        assert items[title].data_type == "s"
    assert rows(book["指标"])[0]["指标"].value == text
    assert rows(book["单位"])[0]["牵头单位"].value == text
    assert rows(book["类别"])[0]["类别"].value == text


def test_control_characters_do_not_break_the_workbook() -> None:
    report = report_json("--data-dir", str(PUBLISH_DATA))
    report["items"][0]["latest_text"] = "响铃\x07字符"
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert rows(book["事项"])[0]["最新进展"].value == "响铃\ufffd字符"


def test_xlsx_needs_an_output_file(tmp_path: Path) -> None:
    done = run_cli("report", "--data-dir", str(PUBLISH_DATA), "--format", "xlsx", cwd=tmp_path)
    assert done.code == 2
    assert done.stdout == ""
    assert "needs-output" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_workbook_is_a_real_zip_written_atomically(tmp_path: Path) -> None:
    data = workbook_from_cli(tmp_path, "--data-dir", str(PUBLISH_DATA))
    assert data[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]  # no temporary left


def test_targets_say_where_their_actual_came_from() -> None:
    report = report_json("--data-dir", str(PUBLISH_DATA))
    targets = report["items"][0]["targets"]
    targets[0]["actual_from"] = "parts"  # a 合计 from its sub-targets
    targets[1]["actual_from"] = "entry"
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    found = [row["完成数来源"].value for row in rows(book["指标"])[:2]]
    assert found == ["分项合计", "填报"]


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(
    example: tuple[dict[str, Any], Any],
) -> None:
    _, book = example
    for sheet in book:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9 is A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one wide, as many long
        assert "&P" in sheet.oddFooter.center.text
    for name in VIEWS:
        assert book[name].print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_views_have_a_title_and_the_as_of_date_above_the_header(
    example: tuple[dict[str, Any], Any],
) -> None:
    _, book = example
    for name, title in [("事项", "各项完成情况"), ("单位", "牵头单位排名")]:
        sheet = book[name]
        assert sheet["A1"].value == f"2024年民生实事完成情况：{title}"
        assert sheet["A1"].font.bold
        assert sheet["A2"].value == "数据截至 2024-06-30，序时进度 50.0%（按月计）"
        assert sheet.cell(row=HEADER_ROW, column=1).value in {"序号", "名次"}


def test_cells_are_boxed_and_lagging_statuses_filled_beside_their_word(
    example: tuple[dict[str, Any], Any],
) -> None:
    _, book = example
    records = rows(book["事项"])
    for record in records:
        for cell in record.values():
            assert cell.border.left.style == cell.border.bottom.style == "thin"
    fills = {
        record["状态"].value: record["状态"].fill.fgColor.rgb
        for record in records
        if record["状态"].fill.fill_type == "solid"
    }
    assert fills == {"滞后": "00FFE699", "严重滞后": "00FF9B9B"}  # amber, red: never alone
    assert records[0]["事项"].fill.fill_type is None


def test_the_codes_for_machines_are_on_the_data_sheet(example: tuple[dict[str, Any], Any]) -> None:
    report, book = example
    records = rows(book["数据"], header_row=1)
    assert list(records[0]) == ["id", "status", "completion", "expected", "gap", "latest_date"]
    assert [(r["id"].value, r["status"].value) for r in records] == [
        (item["id"], item["status"]) for item in report["items"]
    ]


def test_a_standard_with_no_report_reads_unreported() -> None:
    report = report_json("--progress-dir", str(EXAMPLE_PROGRESS))
    item, target = next(
        (i, t)
        for i in report["items"]
        if i["status"] == "unreported"
        for t in i["targets"]
        if t["kind"] == "standard"
    )
    assert target["actual"] is None and target["completion"] == 0 and target["met"] is False
    found = next(
        r for r in rows(load_workbook(io.BytesIO(render_xlsx(report)))["指标"])
        if r["事项序号"].value == item["id"]
    )  # fmt: skip
    assert found["完成进度"].value == found["是否达到目标"].value == "从未报送"
