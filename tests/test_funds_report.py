"""The section 资金到位和拨付情况 in every format of the report, from a hand-written funds file
and hand-written returns, with the figures computed by hand below; and nothing of it where
there is no funds file.

The small plan counts 序时进度 by days: 2024-06-30 is 182/366 = 49.7%. Its funds file
(tests/data/funds/funds_small.yaml) plans item 1 at 3000万元 (中央 1000, 省 800, 市 500,
区 700; 拨付率 70% due by 2024-06-30) and item 3 at 1200万元. On 2024-06-30:

- item 1 (区人社局): 到位 2400 (80.0%), 拨付 1500 (50.0%: 0.3 point ahead of 49.7, but below the
  stage's 70%: 滞后), 完成投资 900 (30.0%), with the reason 市级配套资金7月到位;
- item 3 (区城管局、区民政局): 到位 600 (50.0%), 拨付 480 (40.0%: 9.7 points behind, 正常推进);
- in total: 4200 planned, 到位 3000 (71.4%), 拨付 1980 (47.1%), 完成投资 900 (21.4%); by source
  中央 1000 (23.8%), 省 800 (19.0%), 市 500 (11.9%), 区 700 (16.7%);
- units by 拨付率: 区人社局 50.0% first, 区城管局 40.0% second (it reports item 3's money, as its
  first lead unit; 区民政局 co-leads item 3 but is not ranked on money it did not report).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from conftest import TESTS, run_cli, write_records
from minsheng.core.typography import typeset as shown_as
from minsheng.views.bulletin_funds import amount_text

AS_OF = ("--as-of", "2024-06-30")


def returns(data: Path) -> None:
    write_records(
        data,
        "2024-06/rsj.yaml",
        {"id": "f1a0000001", "target": "jobs", "date": "2024-06-30", "value": 0.3},
        {"id": "f1a0000002", "target": "funds-arrived", "date": "2024-06-30", "value": 2400},
        {"id": "f1a0000003", "target": "funds-paid", "date": "2024-06-30", "value": 1500,
         "note": "市级配套资金7月到位"},
        {"id": "f1a0000004", "target": "funds-invested", "date": "2024-06-30", "value": 900},
    )  # fmt: skip
    write_records(  # item 3's money, from its first lead unit (主责单位)
        data,
        "2024-06/cgj.yaml",
        {"id": "f3a0000001", "item": 3, "target": "funds-arrived", "date": "2024-06-30",
         "value": 600, "unit": "区城管局"},
        {"id": "f3a0000002", "item": 3, "target": "funds-paid", "date": "2024-06-30",
         "value": 480, "unit": "区城管局"},
    )  # fmt: skip


@pytest.fixture
def funded(small_data: Path) -> Path:
    shutil.copy(TESTS / "data" / "funds" / "funds_small.yaml", small_data / "funds_2024.yaml")
    returns(small_data)
    return small_data


def report(data: Path, *args: str) -> str:
    done = run_cli("report", *AS_OF, "--data-dir", str(data), *args)
    assert done.code == 0, done.stderr
    return done.stdout


def report_file(data: Path, out: Path, format: str) -> Path:
    done = run_cli("report", *AS_OF, "--data-dir", str(data), "-f", format, "-o", str(out))
    assert done.code == 0, done.stderr
    return out


TOTALS = ("4200万元", "到位率 71.4%", "1980万元", "拨付率 47.1%", "完成投资率 21.4%",
          "其中:中央", "占 23.8%", "占 19.0%", "占 11.9%", "占 16.7%")  # fmt: skip
LAGGING = ("2024-06-30 前拨付率应达 70.0%,实为 50.0%", "市级配套资金7月到位")


@pytest.mark.parametrize("format", ["table", "markdown"])
def test_the_text_bulletin_has_the_section(funded: Path, format: str) -> None:
    text = report(funded, "-f", format)
    assert shown_as("资金到位和拨付情况(序时进度 49.7%)") in text
    for shown in (*TOTALS, "资金拨付滞后事项", "牵头单位资金拨付排名"):
        assert shown_as(shown) in text, shown
    section = text[text.index("牵头单位资金拨付排名") :]
    ranking = [line for line in section.splitlines() if "区" in line][:3]
    assert [line.split("区", 1)[1][:3] for line in ranking[:2]] == ["人社局", "城管局"]
    if format == "markdown":  # the terminal wraps the long cells
        assert all(shown_as(shown) in text for shown in LAGGING)
        assert "| 1 | 区人社局 | 1 | 3000 | 2400 | 1500 | 50.0% |" in text
        assert "| 2 | 区城管局 | 1 | 1200 | 600 | 480 | 40.0% |" in text
        assert "| 区民政局 | 1 | 1200" not in text
        assert (
            "| 1 | 城镇新增就业0.57万人左右 | 区人社局 | 3000 | 80.0% | 50.0% | 30.0% | 滞后 |"
            in text
        )


def test_the_json_has_funds_per_item_and_in_the_summary(funded: Path) -> None:
    document = json.loads(report(funded, "-f", "json"))
    items = {item["id"]: item for item in document["items"]}
    one = items[1]["funds"]
    assert (one["unit"], one["planned"], one["arrived"], one["paid"], one["invested"]) == (
        "万元", 3000, 2400, 1500, 900)  # fmt: skip
    assert (one["arrived_rate"], one["paid_rate"], one["invested_rate"]) == (0.8, 0.5, 0.3)
    # Beside each fraction the figure every format shows, rounded once from the exact value.
    assert (one["arrived_rate_pct"], one["paid_rate_pct"], one["expected_pct"]) == (80, 50, 49.7)
    assert (one["expected"], one["gap"], one["status"]) == (0.4973, -0.3, "behind")
    paid = {"required": 0.7, "required_pct": 70, "actual": 0.5, "actual_pct": 50, "met": False}
    assert one["stage"] == {"by": "2024-06-30", "rates": {"paid": paid}}
    assert one["reason"]["text"] == "市级配套资金7月到位"
    assert one["sources"] == {"中央": 1000, "省": 800, "市": 500, "区": 700}
    three = items[3]["funds"]
    assert (three["paid_rate"], three["gap"], three["status"]) == (0.4, 9.7, "on_track")
    assert three["invested"] is None and three["invested_rate"] is None  # never reported
    assert items[2]["funds"] is None  # an item the funds file does not name
    money = document["summary"]["funds"]
    assert (money["planned"], money["arrived"], money["paid"], money["invested"]) == (
        4200, 3000, 1980, 900)  # fmt: skip
    assert (money["arrived_rate_pct"], money["paid_rate_pct"]) == (71.4, 47.1)
    assert money["sources"][3] == {"name": "区", "planned": 700, "share": 0.1667, "share_pct": 16.7}
    assert (money["arrived_rate"], money["paid_rate"], money["invested_rate"]) == (
        0.7143, 0.4714, 0.2143)  # fmt: skip
    assert money["lagging"] == [1] and money["counts"]["behind"] == 1
    assert [(u["rank"], u["name"]) for u in money["units"]] == [
        (1, "区人社局"), (2, "区城管局")]  # fmt: skip
    assert [c["no"] for c in money["categories"]] == [1, 2]
    assert money["sources"][0]["name"] == "中央" and money["sources"][0]["planned"] == 1000
    # What existed keeps its keys and values: the work, without money in it.
    assert items[1]["targets"][0]["actual"] == 0.3
    assert [t["id"] for t in items[1]["targets"]] == ["jobs", "training", "a", "b"]
    assert items[3]["status"] == "unreported"


def test_the_csv_rows_carry_the_money(funded: Path) -> None:
    table = report(funded, "-f", "csv").lstrip("\ufeff")
    rows = {r["序号"]: r for r in csv.DictReader(io.StringIO(table))}
    one = rows["1"]
    columns = ("年度计划投资(万元)", "资金到位(万元)", "到位率(%)", "资金拨付(万元)", "拨付率(%)",
               "资金状态")  # fmt: skip
    assert [one[shown_as(name)] for name in columns] == ["3000", "2400", "80", "1500", "50", "滞后"]
    assert rows["2"][shown_as("年度计划投资(万元)")] == ""
    by_unit = report(funded, "-f", "csv", "--by", "unit").lstrip("\ufeff")
    units = list(csv.DictReader(io.StringIO(by_unit)))
    by_name = {row["牵头单位"]: row for row in units}
    assert by_name["区城管局"][shown_as("拨付率(%)")] == "40"


def test_the_page_has_the_section_and_its_chart(funded: Path, tmp_path: Path) -> None:
    page = report_file(funded, tmp_path / "page.html", "html").read_text(encoding="utf-8")
    assert '<h2 id="funds-title">资金到位和拨付情况</h2>' in page
    assert 'aria-describedby="money-svg-desc"' in page
    assert shown_as("促进就业:计划 3000\u00a0万元,到位 2400\u00a0万元,拨付 1500\u00a0万元;") in page
    assert shown_as("社会保障:计划 1200\u00a0万元,到位 600\u00a0万元,拨付 480\u00a0万元;") in page
    # Bars to one scale, the largest plan (3000) the chart's 340 units: 2400 is 272, 480 is 54.4.
    assert 'class="money-arrived" x="0" y="30" width="272.0"' in page
    assert 'class="money-paid" x="0" y="106" width="54.4"' in page
    for shown in ("到位率 71.4%", "拨付率 47.1%", "市级配套资金7月到位"):
        assert shown_as(shown) in page


def test_the_workbook_has_a_funds_sheet(funded: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(report_file(funded, tmp_path / "book.xlsx", "xlsx"))
    sheet = book["资金"]
    header = [str(cell.value).replace("（", "(").replace("）", ")") for cell in sheet[3]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(4)]
    one, three, total = rows
    assert (one["序号"], one["年度计划投资(万元)"], one["资金到位(万元)"], one["到位率"],
            one["拨付率"], one["状态"]) == (1, 3000, 2400, 0.8, 0.5, "滞后")  # fmt: skip
    assert one["阶段目标"] == "2024-06-30 前拨付率应达 70.0%"
    assert one["资金来源"] == "中央 1000、省 800、市 500、区 700"
    assert (three["序号"], three["拨付率"], three["状态"]) == (3, 0.4, "正常推进")
    summed = (total["事项"], total["年度计划投资(万元)"], total["资金拨付(万元)"])
    assert summed == ("合计", 4200, 1980)
    assert sheet["B4"].number_format == "General" and sheet["G4"].number_format == "0.0%"


def test_the_word_bulletin_has_a_paragraph_and_a_table(funded: Path, tmp_path: Path) -> None:
    document = docx.Document(str(report_file(funded, tmp_path / "通报.docx", "docx")))
    texts = [p.text for p in document.paragraphs]
    assert any(text.endswith("、资金到位和拨付情况") for text in texts)
    (said,) = [text for text in texts if text.startswith("列入资金计划的2项民生实事")]
    assert (
        shown_as("年度计划投资4200万元,已到位3000万元,到位率71.4%;已拨付1980万元,拨付率47.1%")
        in said
    )
    named = "第1项“城镇新增就业0.57万人左右”(区人社局)拨付率50.0%,滞后,原因:市级配套资金7月到位"
    assert shown_as(named) in said
    assert shown_as("按拨付率,区人社局居前,区城管局居后。") in said
    (money,) = [t for t in document.tables if "拨付率" in [c.text for c in t.rows[0].cells]]
    rows = [[cell.text for cell in row.cells] for row in money.rows]
    assert rows[1] == [
        "1",
        "城镇新增就业0.57万人左右",
        "区人社局",
        "3000",
        "80.0%",
        "50.0%",
        "滞后",
    ]
    assert rows[2][0] == "3" and rows[2][-1] == "正常推进"


def test_without_a_funds_file_no_format_shows_money(small_data: Path, tmp_path: Path) -> None:
    jobs = {"id": "f1a0000001", "target": "jobs", "date": "2024-06-30", "value": 0.3}
    write_records(small_data, "2024-06/rsj.yaml", jobs)
    document: dict[str, Any] = json.loads(report(small_data, "-f", "json"))
    assert "funds" not in document["summary"]
    assert all("funds" not in item for item in document["items"])
    for format in ("table", "markdown", "csv"):
        assert "资金" not in report(small_data, "-f", format)
    page = report_file(small_data, tmp_path / "p.html", "html").read_text(encoding="utf-8")
    assert "资金" not in page and "money" not in page
    book = openpyxl.load_workbook(report_file(small_data, tmp_path / "b.xlsx", "xlsx"))
    assert "资金" not in book.sheetnames
    word = docx.Document(str(report_file(small_data, tmp_path / "w.docx", "docx")))
    assert not any("资金" in p.text for p in word.paragraphs)
    assert not any("资金" in cell.text for t in word.tables for row in t.rows for cell in row.cells)


@pytest.mark.parametrize(
    ("amount", "unit", "shown"),
    [("5450", "万元", "5450万元"), ("1.2345", "亿元", "12345万元(1.2345亿元)"),
     ("123456789", "元", "12345.6789万元(1.23456789亿元)"), ("10000", "万元", "10000万元(1亿元)"),
     ("9999.99", "万元", "9999.99万元"), ("0.5", "元", "0.00005万元")],
)  # fmt: skip
def test_totals_are_in_wan_and_in_yi_from_one_yi_on(amount: str, unit: str, shown: str) -> None:
    assert amount_text(Decimal(amount), unit) == shown


def test_a_source_named_like_markup_or_a_formula_stays_text(funded: Path, tmp_path: Path) -> None:
    path = funded / "funds_2024.yaml"
    text = path.read_text(encoding="utf-8").replace("中央: 1000", '"<script>x</script>": 1000')
    path.write_text(text.replace("区: 700", '"=1+2": 700'), encoding="utf-8")
    page = report_file(funded, tmp_path / "p.html", "html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;script&gt;" in report(funded, "-f", "markdown")
    book = openpyxl.load_workbook(report_file(funded, tmp_path / "b.xlsx", "xlsx"))
    cells = [cell for row in book["资金"].iter_rows() for cell in row if cell.value]
    assert all(cell.data_type == "s" for cell in cells if "=1+2" in str(cell.value))
