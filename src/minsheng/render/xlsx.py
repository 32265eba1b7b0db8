"""The office workbook (工作簿): the report's JSON as an xlsx file, one sheet per view.

Numbers stay numbers (percentages are fractions with a percent format), dates are dates,
and text from the data is always text: a note that starts with `=` is never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.core.status import CODES as STATUSES
from minsheng.core.status import word
from minsheng.plan.models import BASIS_WORDS, COMPARATOR_WORDS, KIND_WORDS, Basis, Comparator, Kind

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

ACTIVE = [status.value for status in ACTIVE_STATUSES]

PERCENT = "0.0%"
POINTS = "0.0"
DATE = "yyyy-mm-dd"
GENERAL = "General"
MAX_WIDTH = 60  # wider text wraps inside its cell instead of stretching the sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Col:
    """A column of a view: its header, how to read a value from a row, and its number format."""

    title: str
    get: Callable[[dict[str, Any]], Any]
    format: str = GENERAL


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide East Asian characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: Any, number_format: str) -> str:
    """Roughly what the cell shows, to size its column."""
    if value is None:
        return ""
    if number_format == PERCENT and isinstance(value, int | float | Decimal):
        return f"{value * 100:.1f}%"
    if isinstance(value, dt.date):
        return "2024-12-31"
    return str(value)


def date_of(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def number_of(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return value


def words(values: Sequence[Any], sep: str = "、") -> str:
    return sep.join(str(v) for v in values)


# --- the cells --------------------------------------------------------------------------


def put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str = GENERAL) -> None:
    """One cell; a text cell is always stored as text, never read as a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if value == "":
        value = None  # an empty cell, not an empty string
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = text
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
        if text.startswith(FORMULA_START):
            # Excel's own mark for "this is text": the cell stays text when someone edits it.
            cell.quotePrefix = True
        return
    cell.value = value
    if number_format != GENERAL and value is not None:
        cell.number_format = number_format


def write_view(sheet: Worksheet, columns: list[Col], rows: list[dict[str, Any]]) -> None:
    """A header row (frozen, filterable), then one row per record; columns fit their text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        put(sheet, 1, index, column.title)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    widths = [display_width(c.title) for c in columns]
    for number, record in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = column.get(record)
            put(sheet, number, index, value, column.format)
            widths[index - 1] = max(widths[index - 1], display_width(shown(value, column.format)))
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(width, MAX_WIDTH) + 2
        if width > MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


# --- the views --------------------------------------------------------------------------


def _latest(key: str) -> Callable[[dict[str, Any]], Any]:
    def get(item: dict[str, Any]) -> Any:
        latest = item.get("latest") or {}
        return latest.get(key)

    return get


ITEM_COLUMNS = [
    Col("序号", lambda i: i.get("id")),
    Col("类别", lambda i: i.get("category")),
    Col("事项", lambda i: i.get("title")),
    Col("牵头单位", lambda i: words(i.get("units", []))),
    Col("状态", lambda i: word(str(i.get("status", "")))),
    Col("状态代码", lambda i: i.get("status")),
    Col("完成进度", lambda i: number_of(i.get("completion")), PERCENT),
    Col("序时进度", lambda i: number_of(i.get("expected")), PERCENT),
    Col("落后(百分点)", lambda i: number_of(i.get("gap")), POINTS),
    Col("最新报送日期", lambda i: date_of(_latest("date")(i)), DATE),
    Col("报送单位", _latest("unit")),
    Col("最新进展", lambda i: (i.get("note") or {}).get("text")),
    Col("来源", _latest("source")),
]


def _kind_word(target: dict[str, Any]) -> str | None:
    kind = target.get("kind")
    return KIND_WORDS[Kind(kind)] if kind in {k.value for k in Kind} else kind


def _comparator_word(target: dict[str, Any]) -> str | None:
    comparator = target.get("comparator")
    if comparator in {c.value for c in Comparator}:
        return COMPARATOR_WORDS[Comparator(comparator)]
    return comparator


def _where(target: dict[str, Any]) -> str:
    measure = target.get("measure")
    return "事项指标" if measure is None else f"推进措施第{measure}条"


ACTUAL_FROM = {"entry": "填报", "parts": "分项合计"}  # where 累计完成 came from

TARGET_COLUMNS = [
    Col("事项序号", lambda t: t.get("item")),
    Col("指标代码", lambda t: t.get("id")),
    Col("指标", lambda t: t.get("name")),
    Col("所属", _where),
    Col("类型", _kind_word),
    Col("要求", _comparator_word),
    Col("目标值", lambda t: number_of(t.get("value"))),
    Col("计量单位", lambda t: t.get("unit")),
    Col("基数", lambda t: number_of(t.get("baseline"))),
    Col("累计完成", lambda t: number_of(t.get("actual"))),
    Col("完成数来源", lambda t: ACTUAL_FROM.get(t.get("actual_from") or "")),
    Col("阶段", lambda t: t.get("actual") if isinstance(t.get("actual"), str) else None),
    Col("阶段百分比", lambda t: number_of(t.get("percent"))),
    Col("报送日期", lambda t: date_of(t.get("date")), DATE),
    Col("完成进度", lambda t: number_of(t.get("completion")), PERCENT),
    Col("是否达到目标", lambda t: "是" if t.get("met") else "否"),
]


def _count(code: str) -> Col:
    return Col(word(code), lambda g: (g.get("counts") or {}).get(code, 0))


UNIT_COLUMNS = [
    Col("名次", lambda u: u.get("rank")),
    Col("牵头单位", lambda u: u.get("name")),
    Col("事项数", lambda u: len(u.get("items", []))),
    Col("平均完成进度", lambda u: number_of(u.get("completion")), PERCENT),
    *(_count(code) for code in ACTIVE),
    Col("事项序号", lambda u: words(u.get("items", []))),
    Col("未报送事项", lambda u: words(u.get("unreported", []))),
]

CATEGORY_COLUMNS = [
    Col("序号", lambda c: c.get("no")),
    Col("类别", lambda c: c.get("name")),
    Col("事项数", lambda c: len(c.get("items", []))),
    Col("平均完成进度", lambda c: number_of(c.get("completion")), PERCENT),
    *(_count(code) for code in STATUSES),
]


def target_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of every item, each knowing its item's number (tidy: one row a target)."""
    return [
        {**target, "item": item.get("id")}
        for item in report.get("items", [])
        for target in item.get("targets", [])
    ]


def basis_words(code: Any) -> str | None:
    """按月计 or 按天计 for the JSON's `expected_basis`; None for anything else."""
    basis = next((b for b in Basis if b.value == code), None)
    return BASIS_WORDS[basis] if basis is not None else None


def write_summary(sheet: Worksheet, report: dict[str, Any]) -> None:
    """The headline: what, as of when, expected progress, and the counts by status."""
    from openpyxl.styles import Font

    plan = report.get("plan") or {}
    thresholds = report.get("thresholds") or {}
    year = plan.get("year")
    heading = f"{year}年民生实事完成情况" if year else "民生实事完成情况"
    put(sheet, 1, 1, heading)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    facts: list[tuple[str, Any, str]] = [
        ("依据", plan.get("title"), GENERAL),
        ("文号", plan.get("number"), GENERAL),
        ("数据截至", date_of(report.get("as_of")), DATE),
        ("序时进度", number_of(report.get("expected")), PERCENT),
        ("滞后阈值(百分点)", number_of(thresholds.get("behind")), GENERAL),
        ("严重滞后阈值(百分点)", number_of(thresholds.get("lagging")), GENERAL),
    ]
    row = 3
    for label, value, number_format in facts:
        put(sheet, row, 1, label)
        put(sheet, row, 2, value, number_format)
        if label == "序时进度":  # how it was counted, beside it: 50.0% 按月计
            put(sheet, row, 3, basis_words(report.get("expected_basis")))
        row += 1
    row += 1
    for index, title in enumerate(["状态", "状态代码", "项数"], start=1):
        put(sheet, row, index, title)
        sheet.cell(row=row, column=index).font = Font(bold=True)
    summary = report.get("summary") or {}
    for code in STATUSES:
        row += 1
        put(sheet, row, 1, word(code))
        put(sheet, row, 2, code)
        put(sheet, row, 3, summary.get(code, 0))
    row += 1
    put(sheet, row, 1, "合计")
    put(sheet, row, 3, sum(int(summary.get(code, 0)) for code in STATUSES))
    sheet.cell(row=row, column=1).font = Font(bold=True)
    label_width = max(display_width(label) for label, _, _ in facts)
    sheet.column_dimensions["A"].width = label_width + 2
    sheet.column_dimensions["B"].width = min(display_width(str(plan.get("title") or "")), 70) + 2
    sheet.column_dimensions["C"].width = 8


def render_xlsx(report: dict[str, Any]) -> bytes:
    """The workbook for `report` (the JSON document): 概况, 事项, 指标, 单位, 类别."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概况"
    write_summary(summary, report)
    views = [
        ("事项", ITEM_COLUMNS, list(report.get("items", []))),
        ("指标", TARGET_COLUMNS, target_rows(report)),
        ("单位", UNIT_COLUMNS, list(report.get("units", []))),
        ("类别", CATEGORY_COLUMNS, list(report.get("categories", []))),
    ]
    for title, columns, rows in views:
        write_view(book.create_sheet(title), columns, rows)
    from minsheng.render.xlsx_cycle import add_cycle_sheets  # 报送, 趋势, 连续滞后, 变化

    add_cycle_sheets(book, report)
    book.properties.creator = "minsheng"
    book.properties.title = f"民生实事完成情况(截至 {report.get('as_of', '')})"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
