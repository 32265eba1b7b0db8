"""Three months of the monthly cycle as a district clerk runs them: each unit's template
filled in Excel (openpyxl writes the cells, percent formats included), `progress import`,
corrections and re-imports, then `report` in every format. Each test is a way an office
could otherwise publish a wrong figure or a wrong name."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl

from conftest import MADE_AT, run_cli
from minsheng.returns.importing import parse_return_date

# Made long after 2024 and after any return these tests record: every 2024 month is due.
SOURCE_DATE = {"SOURCE_DATE_EPOCH": MADE_AT}


# --- the clerk's steps ---------------------------------------------------------------------------


def template(data: Path, unit: str, as_of: str, out: Path) -> Path:
    done = run_cli("progress", "template", "--unit", unit, "--as-of", as_of,
                   "--output", str(out), "--data-dir", str(data))  # fmt: skip
    assert done.code == 0, done.stderr
    return out


def row_of(sheet: Any, item: int, target: str) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == item and row[2].value == target:
            return int(row[0].row)
    raise AssertionError((item, target))


COLUMN = {"value": "H", "stage": "I", "percent": "J", "note": "K", "source": "L"}


def fill(path: Path, cells: dict[tuple[int, str, str], object], **formats: str) -> Path:
    """The template filled as a clerk does in Excel: (item, target, field) → what is typed.
    `formats` gives a cell its number format, as Excel sets one when `66%` is typed."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for (item, target, field), value in cells.items():
        cell = sheet[f"{COLUMN[field]}{row_of(sheet, item, target)}"]
        cell.value = value
        number_format = formats.get(f"{target}_{field}")
        if number_format:
            cell.number_format = number_format
    book.save(path)
    return path


def return_for(
    data: Path,
    tmp_path: Path,
    unit: str,
    as_of: str,
    cells: dict[tuple[int, str, str], object],
    **formats: str,
) -> Path:
    name = f"{unit}-{as_of}-{len(list(tmp_path.glob('*.xlsx')))}.xlsx"
    return fill(template(data, unit, as_of, tmp_path / name), cells, **formats)


def import_(data: Path, *args: str) -> Any:
    return run_cli("progress", "import", *args, "--yes", "--data-dir", str(data))


def imported(data: Path, *args: str) -> Any:
    done = import_(data, *args)
    assert done.code == 0, done.stderr
    return done


def report(data: Path, as_of: str, *args: str, **env: str) -> str:
    done = run_cli("report", "--as-of", as_of, "--data-dir", str(data), *args,
                   **{**SOURCE_DATE, **env})  # fmt: skip
    assert done.code == 0, done.stderr
    return str(done.stdout)


ASCII_MARKS = str.maketrans("，：；（）", ",:;()")


def plain(text: str) -> str:
    """Text with Chinese typography's full-width marks back to ASCII, to read figures by."""
    return text.translate(ASCII_MARKS)


def csv_rows(text: str) -> list[dict[str, str]]:
    """A CSV's rows by their column names, the names read with ASCII marks."""
    return [{plain(key): value for key, value in row.items()}
            for row in csv.DictReader(io.StringIO(text))]  # fmt: skip


def report_json(data: Path, as_of: str, **env: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(report(data, as_of, "--format", "json", **env))
    return found


def listed(data: Path) -> list[dict[str, Any]]:
    done = run_cli("progress", "list", "--format", "json", "--data-dir", str(data))
    assert done.code == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


# --- one figure, one rounding ------------------------------------------------------------------


class _Text(HTMLParser):
    """The text of an HTML page, one string per text node."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(data.strip())


def _docx_tables(raw: bytes) -> list[list[list[str]]]:
    from docx import Document

    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in Document(io.BytesIO(raw)).tables
    ]


def _section(text: str, title: str) -> list[str]:
    """The lines of a bulletin's section: from its title's line to the next title's."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(rf"(### )?{title}(\(|\s|$)", line)]
    if not starts:
        return []
    rest = lines[starts[0] + 1 :]
    end = next(
        (i for i, line in enumerate(rest) if re.match(r"[^\s|]", line)),
        len(rest),
    )
    return rest[:end]


def _bulletin_figures(text: str, cells_of: Any) -> dict[str, str]:
    """The figures of a bulletin in text (markdown or the terminal's), by its sections."""
    found: dict[str, str] = {}
    for line in _section(text, "各项完成情况"):
        cells = cells_of(line)
        if cells and cells[0].isdigit():
            found[f"item {cells[0]} completion"] = cells[3].split()[-1][:-1]
            found[f"item {cells[0]} expected"] = cells[4][:-1]
    for line in _section(text, "滞后事项"):
        cells = cells_of(line)
        if cells and cells[0].isdigit():
            found[f"item {cells[0]} completion"] = cells[4][:-1]
            found[f"item {cells[0]} gap"] = cells[5]
    for line in _section(text, "牵头单位排名"):
        cells = cells_of(line)
        if cells and cells[0].isdigit():
            found[f"unit {cells[1]} completion"] = cells[3].split()[-1][:-1]
    return found


def figures(data: Path, as_of: str, tmp_path: Path) -> dict[str, dict[str, str]]:
    """Every item's completion, expected progress and gap and every unit's completion as
    each format shows it, keyed `item 24 completion` and so on: one dict per format."""
    shown: dict[str, dict[str, str]] = {}
    document = report_json(data, as_of)
    shown["json"] = {}
    for item in document["items"]:
        if item["status"] == "no_task":
            continue
        shown["json"][f"item {item['id']} completion"] = f"{item['completion_pct']:.1f}"
        shown["json"][f"item {item['id']} expected"] = f"{item['expected_pct']:.1f}"
        shown["json"][f"item {item['id']} gap"] = f"{item['gap']:.1f}"
    for unit in document["units"]:
        shown["json"][f"unit {unit['name']} completion"] = f"{unit['completion_pct']:.1f}"

    shown["markdown"] = _bulletin_figures(
        plain(report(data, as_of, "--format", "markdown")),
        lambda line: [cell.strip() for cell in line.strip().strip("|").split("|")],
    )
    shown["table"] = _bulletin_figures(
        plain(report(data, as_of, COLUMNS="400")), lambda line: re.split(r"\s{2,}", line.strip())
    )

    shown["csv"] = {}
    items_csv = report(data, as_of, "--format", "csv").lstrip("\ufeff")
    for row in csv_rows(items_csv):
        if row["状态代码"] == "no_task":
            continue
        shown["csv"][f"item {row['序号']} completion"] = row["完成进度(%)"]
        shown["csv"][f"item {row['序号']} expected"] = next(
            value for key, value in row.items() if key.startswith("序时进度")
        )
        shown["csv"][f"item {row['序号']} gap"] = row["落后(百分点)"]
    units_csv = report(data, as_of, "--format", "csv", "--by", "unit").lstrip("\ufeff")
    for row in csv_rows(units_csv):
        shown["csv"][f"unit {row['牵头单位']} completion"] = row["平均完成进度(%)"]

    page = tmp_path / "page.html"
    report(data, as_of, "--format", "html", "--output", str(page))
    html = plain(page.read_text(encoding="utf-8"))
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    shown["html"] = {}
    card = (
        r"第 (\d+) 项: [^第]*? 完成 ([0-9.]+)% 序时进度 ([0-9.]+)%"
        r"( (落后|超前)序时进度 ([0-9.]+) 个百分点| 与序时进度持平)?"
    )
    for number, completion, expected, said, way, gap in re.findall(card, text):
        shown["html"][f"item {number} completion"] = completion
        shown["html"][f"item {number} expected"] = expected
        if said:
            shown["html"][f"item {number} gap"] = (
                "0.0" if not way else gap if way == "落后" else f"-{gap}"
            )
    for name, completion in re.findall(
        r"<tr><td>\d+</td><td>([^<]+)</td><td>\d+</td><td>([0-9.]+)%</td>", html
    ):
        shown["html"][f"unit {name} completion"] = completion

    book_path = tmp_path / "book.xlsx"
    report(data, as_of, "--format", "xlsx", "--output", str(book_path))
    book = openpyxl.load_workbook(book_path)
    shown["xlsx"] = {}
    sheet = book["事项"]
    header = [plain(str(cell.value)) for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4, values_only=True):
        record = dict(zip(header, row, strict=False))
        if record["状态"] == "无任务":
            continue
        number = record["序号"]
        shown["xlsx"][f"item {number} completion"] = f"{record['完成进度'] * 100:.1f}"
        shown["xlsx"][f"item {number} expected"] = f"{record['序时进度'] * 100:.1f}"
        shown["xlsx"][f"item {number} gap"] = f"{record['落后(百分点)']:.1f}"
    sheet = book["单位"]
    header = [plain(str(cell.value)) for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4, values_only=True):
        record = dict(zip(header, row, strict=False))
        shown["xlsx"][f"unit {record['牵头单位']} completion"] = (
            f"{record['平均完成进度'] * 100:.1f}"
        )

    word = tmp_path / "bulletin.docx"
    report(data, as_of, "--format", "docx", "--output", str(word))
    shown["docx"] = {}
    items, units = _docx_tables(word.read_bytes())[:2]
    for row in items[1:]:
        if row[3] != "—":
            shown["docx"][f"item {row[0]} completion"] = row[3][:-1]
        shown["docx"][f"item {row[0]} expected"] = row[4][:-1]
    for row in units[1:]:
        shown["docx"][f"unit {row[1]} completion"] = row[3][:-1]
    from docx import Document

    for paragraph in Document(str(word)).paragraphs:
        found = re.match(
            r"第(\d+)项.*?完成进度([0-9.]+)%,低于序时进度([0-9.]+)个百分点", plain(paragraph.text)
        )
        if found:
            shown["docx"][f"item {found.group(1)} completion"] = found.group(2)
            shown["docx"][f"item {found.group(1)} gap"] = found.group(3)
    return shown


def assert_one_figure(shown: dict[str, dict[str, str]]) -> None:
    """Every format that shows a figure shows the JSON's; and each format shows some."""
    reference = shown["json"]
    for name, found in shown.items():
        assert found, name
        differ = {key: (value, reference[key]) for key, value in found.items()
                  if Decimal(value) != Decimal(reference[key])}  # fmt: skip
        assert not differ, (name, differ)


def test_every_format_shows_the_example_with_the_same_figures(tmp_path: Path) -> None:
    shown = figures_of_example(tmp_path)
    assert_one_figure(shown)
    # Each kind of figure is shown by the formats that show it at all.
    for name in ("markdown", "table", "csv", "html", "xlsx", "docx"):
        assert any(key.endswith("completion") for key in shown[name]), name


def figures_of_example(tmp_path: Path) -> dict[str, dict[str, str]]:
    """The example's figures, by `--progress-dir` over the shipped plan's data folder."""
    from conftest import REAL_PLAN, ROOT

    data = tmp_path / "data"
    (data).mkdir()
    (data / "tasks_2024.yaml").write_bytes(REAL_PLAN.read_bytes())
    import shutil

    shutil.copytree(ROOT / "examples" / "2024-06" / "progress", data / "progress")
    shutil.copy(ROOT / "examples" / "2024-06" / "funds_2024.yaml", data)  # its money too
    return figures(data, "2024-06-30", tmp_path)


def test_a_completion_of_53_947_percent_is_53_9_everywhere_and_its_gap_4_4(
    real_data: Path, tmp_path: Path
) -> None:
    # Item 24: 精准开展困难学生资助 推进中 (50%), 残疾学生资助 11 of 19 人次 (57.895%): 53.947%.
    # Rounded once from the exact value it is 53.9; rounded again from a rounded 0.5395, 54.0.
    education = return_for(real_data, tmp_path, "区教育局", "2024-07-31",
                           {(24, "precise-aid", "stage"): "推进中"})  # fmt: skip
    disabled = return_for(real_data, tmp_path, "区残联", "2024-07-31",
                          {(24, "disabled-students", "value"): 11})  # fmt: skip
    imported(real_data, str(education))
    imported(real_data, str(disabled))
    shown = figures(real_data, "2024-07-31", tmp_path)
    assert shown["json"]["item 24 completion"] == "53.9"
    assert shown["json"]["item 24 expected"] == "58.3"
    assert shown["json"]["item 24 gap"] == "4.4"
    assert_one_figure(shown)
    for name in ("markdown", "table", "csv", "html", "xlsx", "docx"):
        assert shown[name]["item 24 completion"] == "53.9", name


# --- who reports what --------------------------------------------------------------------------


def targets_in(path: Path, item: int) -> list[str]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [row[2].value for row in sheet.iter_rows(min_row=2) if row[0].value == item]


def test_each_unit_of_a_co_led_item_is_sent_only_its_own_targets(
    real_data: Path, tmp_path: Path
) -> None:
    # Item 24: 困难学生资助 is 区教育局's, the grants for disabled students 区残联's (by).
    education = template(real_data, "区教育局", "2024-06-30", tmp_path / "jyj.xlsx")
    federation = template(real_data, "区残联", "2024-06-30", tmp_path / "cl.xlsx")
    assert targets_in(education, 24) == ["precise-aid"]
    assert "precise-aid" not in targets_in(federation, 24)
    assert {"disabled-students", "higher-ed", "vocational", "undergrad-grant"} <= set(
        targets_in(federation, 24)
    )
    # Item 21: the nursery places are 区卫生健康委's; the kindergartens 区教育局's.
    health = template(real_data, "区卫生健康委", "2024-06-30", tmp_path / "wsjkw.xlsx")
    assert targets_in(health, 21) == ["new-places", "places-per-1000"]
    assert "new-places" not in targets_in(education, 21)


def test_a_unit_cannot_overwrite_the_figure_another_unit_reports(
    real_data: Path, tmp_path: Path
) -> None:
    federation = return_for(real_data, tmp_path, "区残联", "2024-06-30",
                            {(24, "disabled-students", "value"): 11})  # fmt: skip
    imported(real_data, str(federation))
    # 区教育局 types the same target on the terminal, or slips its row into its own return.
    typed = run_cli("progress", "add", "24", "--target", "disabled-students", "--value", "2",
                    "--unit", "区教育局", "--date", "2024-06-30",
                    "--data-dir", str(real_data))  # fmt: skip
    assert typed.code == 1
    assert "[not-reporting-unit]" in typed.stderr and "由 区残联 报送" in typed.stderr
    csv_path = tmp_path / "jyj.csv"
    template(real_data, "区教育局", "2024-06-30", csv_path)
    own = template(real_data, "区残联", "2024-06-30", tmp_path / "cl.csv")
    row = (
        next(
            line
            for line in own.read_text(encoding="utf-8-sig").splitlines()
            if ",disabled-students," in line
        )
        .replace("区残联", "区教育局")
        .split(",")
    )
    row[7] = "2"
    with csv_path.open("a", encoding="utf-8") as stream:
        stream.write(",".join(row) + "\r\n")
    slipped = import_(real_data, str(csv_path))
    assert slipped.code == 1
    assert ":指标编号: not-reporting-unit:" in slipped.stderr and "区残联" in slipped.stderr
    figures_now = [(e["target"], e["value"], e["unit"]) for e in listed(real_data)]
    assert figures_now == [("disabled-students", 11, "区残联")]


def test_a_co_lead_that_never_reported_is_not_ranked_on_another_units_figures(
    real_data: Path, tmp_path: Path
) -> None:
    # 区教育局 returns its part of item 21 for June; 区卫生健康委 (托位) returns nothing.
    education = return_for(real_data, tmp_path, "区教育局", "2024-06-30", {
        (21, "inclusive-rise", "stage"): "推进中",
        (21, "public-share", "value"): 63.1,
        (21, "nursery-class-share", "value"): 12,
    })  # fmt: skip
    imported(real_data, str(education))
    found = report_json(real_data, "2024-06-30")
    units = {unit["name"]: unit for unit in found["units"]}
    health = units["区卫生健康委"]
    assert health["counts"]["unreported"] == 3 and health["counts"]["on_track"] == 0
    assert 21 in health["unreported"] and health["completion"] == 0
    grid = {unit["unit"]: unit for unit in found["reporting"]}
    assert 21 in grid["区卫生健康委"]["periods"][-1]["items_missing"]
    assert 21 not in grid["区教育局"]["periods"][-1]["items_missing"]
    # A co-lead that reports no target (item 38's 区住管中心) is expected in no return.
    assert "区住管中心" not in grid


# --- lateness by the day the return was received -------------------------------------------------


def periods_of(found: dict[str, Any], unit: str) -> dict[str, str]:
    grid = {one["unit"]: one for one in found["reporting"]}
    return {period["period"]: period["status"] for period in grid[unit]["periods"]}


def test_a_return_received_on_time_but_imported_late_is_on_time(
    real_data: Path, tmp_path: Path
) -> None:
    # Sent on 4 July (due 5 July), imported on the 8th or later: on time, by --received.
    june = return_for(real_data, tmp_path, "区人社局", "2024-06-30", {
        (1, "new-jobs", "value"): 0.31, (1, "full-employment", "value"): 58,
    })  # fmt: skip
    dry = import_(real_data, str(june), "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "最后保存时间" in dry.stderr and "--received" in dry.stderr  # the workbook's own time
    imported(real_data, str(june), "--received", "2024-07-04")
    assert {entry["received"] for entry in listed(real_data)} == {"2024-07-04"}
    assert periods_of(report_json(real_data, "2024-06-30"), "区人社局")["2024-06"] == "on_time"
    # The same return from another unit, received on the 8th: late.
    other = return_for(real_data, tmp_path, "区商务局", "2024-06-30",
                       {(3, "training", "value"): 900})  # fmt: skip
    imported(real_data, str(other), "--received", "2024-07-08")
    assert periods_of(report_json(real_data, "2024-06-30"), "区商务局")["2024-06"] == "late"
    table = run_cli("progress", "list", "--data-dir", str(real_data))
    assert "收到日期" in table.stdout and "2024-07-08" in table.stdout


def test_a_received_day_before_the_returns_date_is_refused(real_data: Path, tmp_path: Path) -> None:
    june = return_for(
        real_data, tmp_path, "区人社局", "2024-06-30", {(1, "new-jobs", "value"): 0.31}
    )
    done = import_(real_data, str(june), "--received", "2024-06-20")
    assert done.code == 1
    assert "bad-received" in done.stderr and "2024-06-20" in done.stderr
    assert listed(real_data) == []


# --- months that are over, and returns that are due ----------------------------------------------

# 2024-07-03 09:00 in Beijing: June's returns are due on 5 July.
MADE_ON_3_JULY = {"SOURCE_DATE_EPOCH": "1719968400"}


def market_return(data: Path, tmp_path: Path, as_of: str, received: str, count: int) -> None:
    """区市场监管局's return for a month: items 47, 49 and 50, received on `received`."""
    path = return_for(data, tmp_path, "区市场监管局", as_of, {
        (47, "trusted-shops", "value"): count, (49, "food-tests", "value"): 10 * count,
        (50, "model-workshops", "value"): 0,
    })  # fmt: skip
    imported(data, str(path), "--received", received)


def employment_return(data: Path, tmp_path: Path, as_of: str, received: str, jobs: str) -> None:
    """区人社局's return for a month (item 1), far behind 序时进度."""
    cells = {(1, "new-jobs", "value"): jobs, (1, "full-employment", "value"): 20}
    path = return_for(data, tmp_path, "区人社局", as_of, cells)
    imported(data, str(path), "--received", received)


def test_a_mid_month_date_judges_no_unfinished_month_and_counts_no_month_to_escalate(
    real_data: Path, tmp_path: Path
) -> None:
    employment_return(real_data, tmp_path, "2024-05-31", "2024-06-03", "0.10")
    employment_return(real_data, tmp_path, "2024-06-30", "2024-07-03", "0.12")
    employment_return(real_data, tmp_path, "2024-07-31", "2024-08-02", "0.13")
    found = report_json(real_data, "2024-07-15")
    # July is not over on the 15th: it is not judged, whatever is dated 07-31.
    assert periods_of(found, "区人社局") == {"2024-05": "on_time", "2024-06": "on_time"}
    item = next(one for one in found["items"] if one["id"] == 1)
    assert [point["as_of"] for point in item["history"]] == [
        "2024-05-31",
        "2024-06-30",
        "2024-07-15",
    ]
    (escalated,) = [one for one in found["escalations"] if one["id"] == 1]
    assert escalated["months"] == 2  # two month ends, not three: 07-15 is not a month
    assert "| 1 | 促进重点群体稳定就业 | 区人社局 | 2 |" in report(
        real_data, "2024-07-15", "-f", "markdown"
    )


def test_the_on_time_rate_counts_the_month_the_bulletin_shows(
    real_data: Path, tmp_path: Path
) -> None:
    market_return(real_data, tmp_path, "2024-05-31", "2024-06-04", 2)
    market_return(real_data, tmp_path, "2024-06-30", "2024-07-04", 5)
    text = report(real_data, "2024-07-31", "--format", "markdown")
    # July is due (5 August) and missing: the rate counts it, 2 of 3, never 100% beside 未报送.
    assert "| 区市场监管局 | 未报送 |  | 47、49、50 | 66.7%(2/3) |" in text
    found = report_json(real_data, "2024-07-31")
    grid = {one["unit"]: one for one in found["reporting"]}
    assert grid["区市场监管局"]["on_time_rate_pct"] == 66.7


def test_never_reported_and_this_months_missing_are_two_words(
    real_data: Path, tmp_path: Path
) -> None:
    market_return(real_data, tmp_path, "2024-06-30", "2024-07-04", 5)
    text = plain(report(real_data, "2024-07-31", "--format", "markdown"))
    summary = text.split("### 按状态汇总")[0]
    assert "从未报送" in summary and "未报送 " not in summary.replace("从未报送", "")
    assert "| 从未报送 |" in text.split("### 按状态汇总")[1].split("###")[0]
    missing = text.split("### 本月未报送(2024-07)")[1].split("###")[0]
    assert "| 区市场监管局 | 47、49、50 |" in missing

    def listed_ids(status: str) -> list[int]:
        done = run_cli("list", "--status", status, "--as-of", "2024-07-31", "--format", "json",
                       "--data-dir", str(real_data), **SOURCE_DATE)  # fmt: skip
        assert done.code == 0, done.stderr
        return [item["id"] for item in json.loads(done.stdout)]

    assert {47, 49, 50} <= set(listed_ids("missing"))
    assert not {47, 49, 50} & set(listed_ids("unreported"))
    assert {47, 49, 50} <= set(listed_ids("本月未报送"))
    failing = run_cli("report", "--as-of", "2024-07-31", "--fail-on", "missing",
                      "--data-dir", str(real_data), **SOURCE_DATE)  # fmt: skip
    assert failing.code == 1 and "第 47 项" in failing.stderr


def test_a_month_not_yet_due_is_pending_never_missing(real_data: Path, tmp_path: Path) -> None:
    market_return(real_data, tmp_path, "2024-05-31", "2024-06-04", 2)
    employment_return(real_data, tmp_path, "2024-06-30", "2024-07-02", "0.12")
    # The bulletin for 30 June, made on 3 July: June's returns are due on the 5th.
    found = report_json(real_data, "2024-06-30", **MADE_ON_3_JULY)
    assert found["generated_at"] == "2024-07-03T09:00:00+08:00"
    grid = {one["unit"]: one for one in found["reporting"]}
    june = grid["区市场监管局"]["periods"][-1]
    assert (june["status"], june["items_missing"], june["items_pending"]) == (
        "pending",
        [],
        [47, 49, 50],
    )
    assert grid["区市场监管局"]["on_time_rate_pct"] == 100  # May; June is not counted yet
    assert grid["区人社局"]["periods"][-1]["status"] == "on_time"
    text = report(real_data, "2024-06-30", "--format", "markdown", **MADE_ON_3_JULY)
    assert "| 区市场监管局 | 待报送 |" in text
    assert "区市场监管局" not in text.split("### 本月未报送")[1].split("###")[0]
    word = tmp_path / "bulletin.docx"
    report(real_data, "2024-06-30", "--format", "docx", "--output", str(word), **MADE_ON_3_JULY)
    from docx import Document

    prose = plain("\n".join(paragraph.text for paragraph in Document(str(word)).paragraphs))
    said = next(line for line in prose.splitlines() if line.startswith("应报送进度的"))
    assert "区市场监管局(第47、49、50项)" in said and "待报送" in said
    assert "及时报送" not in said  # nobody is chased for a return not yet due


# --- 最新进展 is one entry's ---------------------------------------------------------------------


def test_the_latest_progress_is_one_entrys_figure_note_and_date(
    real_data: Path, tmp_path: Path
) -> None:
    # June: 60 households with a note; July: 100, no note. July's line must not borrow June's.
    june = return_for(real_data, tmp_path, "区民政局", "2024-06-30", {
        (13, "home-retrofit", "value"): 60, (13, "home-retrofit", "note"): "适老化改造完工60户",
    })  # fmt: skip
    imported(real_data, str(june), "--received", "2024-07-03")
    july = return_for(real_data, tmp_path, "区民政局", "2024-07-31",
                      {(13, "home-retrofit", "value"): 100})  # fmt: skip
    imported(real_data, str(july), "--received", "2024-08-02")
    found = report_json(real_data, "2024-07-31")
    item = next(one for one in found["items"] if one["id"] == 13)
    assert item["latest_text"] == "2024-07-31 累计100户"
    text = report(real_data, "2024-07-31", "--format", "markdown")
    line = next(row for row in text.splitlines() if row.startswith("| 13 |") and "累计" in row)
    assert "2024-07-31 累计100户" in line and "适老化改造完工60户" not in line
    rows = csv.DictReader(
        io.StringIO(report(real_data, "2024-07-31", "-f", "csv").lstrip("\ufeff"))
    )
    assert next(row for row in rows if row["序号"] == "13")["最新进展"] == "2024-07-31 累计100户"
    page = tmp_path / "page.html"
    report(real_data, "2024-07-31", "--format", "html", "--output", str(page))
    card = page.read_text(encoding="utf-8").split('id="item-13"')[1].split("</article>")[0]
    assert "适老化改造完工60户" not in card and "累计100户" in card


def test_a_co_led_items_latest_progress_is_each_units_own(real_data: Path, tmp_path: Path) -> None:
    education = return_for(real_data, tmp_path, "区教育局", "2024-06-30", {
        (24, "precise-aid", "stage"): "推进中", (24, "precise-aid", "note"): "春季学期资助已发放",
    })  # fmt: skip
    imported(real_data, str(education), "--received", "2024-07-03")
    federation = return_for(real_data, tmp_path, "区残联", "2024-05-31", {
        (24, "disabled-students", "value"): 1, (24, "disabled-students", "note"): "资助1人次",
    })  # fmt: skip
    imported(real_data, str(federation), "--received", "2024-06-03")
    found = report_json(real_data, "2024-06-30")
    item = next(one for one in found["items"] if one["id"] == 24)
    assert item["latest_text"] == (
        "区教育局:2024-06-30 推进中;春季学期资助已发放。区残联:2024-05-31 累计1人次;资助1人次"
    )
    assert [one["unit"] for one in item["latest_by_unit"]] == ["区教育局", "区残联"]


# --- an empty section says so ---------------------------------------------------------------------


def test_an_empty_section_says_none_in_every_format(real_data: Path, tmp_path: Path) -> None:
    # The first month of the cycle: nothing can have been behind for two months yet.
    employment_return(real_data, tmp_path, "2024-05-31", "2024-06-03", "0.10")
    text = report(real_data, "2024-05-31", "--format", "markdown")
    escalated = text.split("### 连续滞后事项")[1].split("###")[0]
    assert escalated.split("\n", 1)[1].strip() == "无"  # not a header over blank cells
    terminal = report(real_data, "2024-05-31")
    after = terminal.split("连续滞后事项")[1].split("本月未报送")[0]
    assert "无" in after and "序号" not in after
    page = tmp_path / "page.html"
    report(real_data, "2024-05-31", "--format", "html", "--output", str(page))
    section = page.read_text(encoding="utf-8").split('id="escalations-title"')[1]
    assert '<p class="none-listed">无</p>' in section.split("</section>")[0]
    book_path = tmp_path / "book.xlsx"
    report(real_data, "2024-05-31", "--format", "xlsx", "--output", str(book_path))
    sheet = openpyxl.load_workbook(book_path)["连续滞后"]
    assert sheet["A4"].value == "无"
    word = tmp_path / "bulletin.docx"
    report(real_data, "2024-05-31", "--format", "docx", "--output", str(word))
    from docx import Document

    assert "无连续滞后事项。" in [p.text for p in Document(str(word)).paragraphs]


# --- a re-imported return: every field the clerk typed counts -----------------------------------


def test_a_return_re_imported_with_only_its_note_changed_records_the_note(
    real_data: Path, tmp_path: Path
) -> None:
    june = return_for(real_data, tmp_path, "区人社局", "2024-06-30", {
        (1, "new-jobs", "value"): 0.31, (1, "new-jobs", "note"): "上半年新增就业3100人",
    })  # fmt: skip
    imported(real_data, str(june), "--received", "2024-07-03")
    fill(june, {(1, "new-jobs", "note"): "上半年新增就业3100人,其中高校毕业生1200人"})
    again = imported(real_data, str(june), "--format", "json")
    answer = json.loads(again.stdout)
    assert (answer["added"], answer["unchanged"], answer["notes_only"]) == (1, 0, 1)
    assert "1 行只更新了进展说明" in again.stderr
    notes = [entry["note"] for entry in listed(real_data)]
    assert notes == ["上半年新增就业3100人", "上半年新增就业3100人,其中高校毕业生1200人"]
    found = report_json(real_data, "2024-06-30")
    item = next(one for one in found["items"] if one["id"] == 1)
    assert item["latest_text"].endswith("其中高校毕业生1200人")  # the new note stands
    # The same file once more: nothing new, every field as recorded.
    unchanged = json.loads(imported(real_data, str(june), "--format", "json").stdout)
    assert (unchanged["added"], unchanged["unchanged"]) == (0, 1)


def test_re_importing_an_older_return_is_compared_with_the_latest_figure(
    real_data: Path, tmp_path: Path
) -> None:
    # 321 then 326 on the same day; the 321 return imported again is not "already recorded":
    # the figure that stands is 326, and 321 would go back on it.
    first = return_for(real_data, tmp_path, "区残联", "2024-06-30",
                       {(10, "psych-drugs", "value"): 321})  # fmt: skip
    second = return_for(real_data, tmp_path, "区残联", "2024-06-30",
                        {(10, "psych-drugs", "value"): 326})  # fmt: skip
    imported(real_data, str(first))
    imported(real_data, str(second))
    again = import_(real_data, str(first))
    assert again.code == 1
    assert "不重复登记" not in again.stderr and "没有新的进度" not in again.stderr
    assert "decreasing-value" in again.stderr and "326" in again.stderr
    values = [entry["value"] for entry in listed(real_data) if entry["latest"]]
    assert values == [326]


# --- percent cells -------------------------------------------------------------------------------


def test_a_percent_typed_in_excel_is_read_as_the_percent_the_clerk_sees(
    real_data: Path, tmp_path: Path
) -> None:
    # Excel keeps 66% as 0.66 with a 0% format, 30% in 完成百分比 as 0.3.
    employment = return_for(real_data, tmp_path, "区人社局", "2024-06-30",
                            {(1, "full-employment", "value"): 0.66},
                            **{"full-employment_value": "0%"})  # fmt: skip
    imported(real_data, str(employment))
    education = return_for(real_data, tmp_path, "区教育局", "2024-06-30",
                           {(24, "precise-aid", "stage"): "推进中",
                            (24, "precise-aid", "percent"): 0.3},
                           **{"precise-aid_percent": "0%"})  # fmt: skip
    imported(real_data, str(education))
    got = {entry["target"]: (entry["value"], entry["percent"]) for entry in listed(real_data)}
    assert got == {"full-employment": (66, None), "precise-aid": (None, 30)}


def test_a_plain_fraction_for_a_percent_target_is_refused_with_a_hint(
    real_data: Path, tmp_path: Path
) -> None:
    plain = return_for(real_data, tmp_path, "区人社局", "2024-06-30",
                       {(1, "full-employment", "value"): 0.66})  # fmt: skip
    done = import_(real_data, str(plain))
    assert done.code == 1
    assert "本期累计完成: implausible-value" in done.stderr and "是否漏了百分号" in done.stderr
    assert listed(real_data) == []


def test_which_number_formats_show_a_percent() -> None:
    from minsheng.returns.files import is_percent_format

    assert is_percent_format("0%") and is_percent_format("0.0%") and is_percent_format("#,##0.00%")
    assert not is_percent_format("General") and not is_percent_format('0.0"%"')
    assert not is_percent_format("0\\%")


# --- the return's rows mean what they ask ------------------------------------------------------


def prompts_of(path: Path, item: int, target: str) -> str:
    """The input message of a row's figure cell, and its 目标 cell."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    row = row_of(sheet, item, target)
    prompts = [
        dv.prompt or ""
        for dv in sheet.data_validations.dataValidation
        if f"H{row}" in str(dv.sqref).split()
    ]
    return " ".join([*prompts, str(sheet[f"E{row}"].value)])


def test_a_standard_asks_for_the_standard_applied(real_data: Path, tmp_path: Path) -> None:
    path = template(real_data, "区民政局", "2024-06-30", tmp_path / "mzj.xlsx")
    asked = prompts_of(path, 15, "living-subsidy")
    assert "执行标准" in asked and "元/月" in asked and "累计" not in asked
    assert "累计" in prompts_of(path, 13, "home-retrofit")


def test_a_total_shows_its_parts_sum_and_refuses_another(real_data: Path, tmp_path: Path) -> None:
    # Item 10: 残疾人康复救助 (rehab) is the sum of four parts.
    may = return_for(real_data, tmp_path, "区残联", "2024-05-31", {
        (10, "child-rehab", "value"): 40, (10, "child-aids", "value"): 4,
        (10, "adult-aids", "value"): 20, (10, "psych-drugs", "value"): 36,
    })  # fmt: skip
    imported(real_data, str(may))
    june_blank = template(real_data, "区残联", "2024-06-30", tmp_path / "cl-june.xlsx")
    sheet = openpyxl.load_workbook(june_blank).worksheets[0]
    rehab = row_of(sheet, 10, "rehab")
    assert sheet[f"F{rehab}"].value == 100  # 上次报送: the parts' sum, 40 + 4 + 20 + 36
    assert "分项之和" in str(sheet[f"E{rehab}"].value)
    june = fill(june_blank, {
        (10, "child-rehab", "value"): 60, (10, "child-aids", "value"): 6,
        (10, "adult-aids", "value"): 38, (10, "psych-drugs", "value"): 151,
        (10, "rehab", "value"): 300,
    })  # fmt: skip
    done = import_(real_data, str(june))
    assert done.code == 1
    assert f"第{rehab}行:本期累计完成: rollup-mismatch" in done.stderr and "255" in done.stderr
    fill(june, {(10, "rehab", "value"): 255})
    imported(real_data, str(june))


def test_a_unit_written_another_way_is_the_same_unit(real_data: Path, tmp_path: Path) -> None:
    path = return_for(real_data, tmp_path, "区残联", "2024-06-30",
                      {(10, "psych-drugs", "value"): "320人"})  # 名 is 人  # fmt: skip
    imported(real_data, str(path))
    assert [entry["value"] for entry in listed(real_data)] == [320]


def test_nothing_to_report_and_a_note_without_a_figure(real_data: Path, tmp_path: Path) -> None:
    may = return_for(real_data, tmp_path, "区残联", "2024-05-31",
                     {(12, "barrier-free", "value"): 3})  # fmt: skip
    imported(real_data, str(may))
    june = return_for(real_data, tmp_path, "区残联", "2024-06-30", {
        (12, "barrier-free", "value"): "/", (12, "barrier-free", "note"): "本月无新增",
        (11, "training", "value"): "—", (11, "care", "value"): "无",
    })  # fmt: skip
    done = imported(real_data, str(june), "--format", "json")
    assert json.loads(done.stdout)["added"] == 1  # the note; the two dashes report nothing
    june_entries = [entry for entry in listed(real_data) if entry["date"] == "2024-06-30"]
    assert [(e["target"], e["value"], e["note"]) for e in june_entries] == [
        ("barrier-free", 3, "本月无新增")  # the figure that stood, with the new note
    ]
    never = return_for(real_data, tmp_path, "区残联", "2024-06-30",
                       {(11, "training", "note"): "培训班筹备中"})  # fmt: skip
    refused = import_(real_data, str(never))
    assert refused.code == 1 and "还没有登记过" in refused.stderr
    assert "数值 value" not in refused.stderr  # said in Chinese, at the cell


def test_a_milestone_going_back_is_refused_like_a_falling_figure(
    real_data: Path, tmp_path: Path
) -> None:
    may = return_for(real_data, tmp_path, "区卫生健康委", "2024-05-31", {
        (26, "dental-supply", "stage"): "推进中", (26, "dental-supply", "percent"): 60,
    })  # fmt: skip
    imported(real_data, str(may))
    back = return_for(real_data, tmp_path, "区卫生健康委", "2024-06-30", {
        (26, "dental-supply", "stage"): "推进中", (26, "dental-supply", "percent"): 40,
    })  # fmt: skip
    done = import_(real_data, str(back))
    assert done.code == 1 and "decreasing-value" in done.stderr and "60" in done.stderr
    done_then_started = return_for(real_data, tmp_path, "区文旅体局", "2024-05-31",
                                   {(34, "culture-spaces", "stage"): "已完成"})  # fmt: skip
    imported(real_data, str(done_then_started))
    again = return_for(real_data, tmp_path, "区文旅体局", "2024-06-30",
                       {(34, "culture-spaces", "stage"): "推进中"})  # fmt: skip
    done = import_(real_data, str(again))
    assert done.code == 1 and ":阶段: decreasing-value" in done.stderr


def test_dates_as_excel_writes_them_are_read(real_data: Path, tmp_path: Path) -> None:
    csv_path = template(real_data, "区残联", "2024-05-31", tmp_path / "cl.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    row = next(index for index, line in enumerate(lines) if ",barrier-free," in line)
    header = next(index for index, line in enumerate(lines) if line.startswith("序号,"))
    for index in range(header + 1, len(lines)):  # Excel rewrote every 截止日期 cell
        cells = lines[index].split(",")
        cells[13] = "2024/5/31"
        if index == row:
            cells[7] = "3"
        lines[index] = ",".join(cells)
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported(real_data, str(csv_path))
    book_path = template(real_data, "区残联", "2024-06-30", tmp_path / "cl.xlsx")
    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    first = next(int(r[0].row) for r in sheet.iter_rows(max_col=1) if r[0].value == "序号") + 1
    for number in range(first, sheet.max_row + 1):
        sheet[f"N{number}"] = dt.datetime(2024, 6, 30)  # a date cell, as Excel makes it
    sheet[f"H{row_of(sheet, 12, 'barrier-free')}"] = 5
    book.save(book_path)
    imported(real_data, str(book_path))
    assert [(e["date"], e["value"]) for e in listed(real_data)] == [
        ("2024-05-31", 3), ("2024-06-30", 5)
    ]  # fmt: skip
    for written in ("2024年6月30日", "45473"):  # a Chinese date, Excel's serial number
        assert parse_return_date(written) == dt.date(2024, 6, 30)
