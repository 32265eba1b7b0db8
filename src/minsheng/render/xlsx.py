"""The office workbook (工作簿): the report's JSON as an xlsx file, one sheet per view.

Numbers stay numbers (percentages are fractions with a percent format), dates are dates,
and text from the data is always text: a note that starts with `=` is never a formula.
Each sheet is set up for an office printer: landscape A4, one page wide, the header row on
every page, a title and the as-of date above the table; the English codes are on a sheet of
their own (数据) for machines.
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
MAX_WIDTH = 40  # wider text wraps inside its cell instead of stretching the printed page
LINE_HEIGHT = 15  # points a line of 11-point text takes
HEADER_ROW = 3  # a view's title and as-of line sit above its header
UNREPORTED = "未报送"

# The bulletin's colours, never alone: the cell also holds the word.
STATUS_FILLS = {"behind": "FFE699", "lagging": "FF9B9B"}  # 滞后 amber, 严重滞后 red
HEADER_FILL = "DDEBF7"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Col:
    """A column of a view: its header, how to read a value from a row, and its number format."""

    title: str
    get: Callable[[dict[str, Any]], Any]
    format: str = GENERAL
    wrap_at: int = MAX_WIDTH  # text wider than this wraps, so that the page stays legible


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


def thin_box() -> Any:
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="808080")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def status_fill(code: Any) -> Any:
    """The fill of a status cell: amber for 滞后, red for 严重滞后, none otherwise."""
    from openpyxl.styles import PatternFill

    colour = STATUS_FILLS.get(str(code))
    return PatternFill("solid", fgColor=colour) if colour else None


def print_setup(sheet: Worksheet, header_row: int | None) -> None:
    """Landscape A4, one page wide and as many long as it takes, the header on every page,
    and the page number at the foot."""
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages long as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if header_row is not None:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    footer = sheet.HeaderFooter.oddFooter
    assert footer is not None  # openpyxl makes every sheet one
    footer.center.text = "第 &P 页,共 &N 页"


def write_heading(sheet: Worksheet, title: str, subtitle: str) -> None:
    """The view's title and what it was counted at, above the table (rows 1 and 2)."""
    from openpyxl.styles import Font

    put(sheet, 1, 1, title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    put(sheet, 2, 1, subtitle)


def write_view(
    sheet: Worksheet,
    columns: list[Col],
    rows: list[dict[str, Any]],
    header_row: int = HEADER_ROW,
    status: Callable[[dict[str, Any]], Any] | None = None,
) -> None:
    """A header row (frozen, filterable, repeated on each printed page), then one row per
    record, every cell boxed; columns fit their text and long text wraps. `status` reads a
    record's status code where the view has a 状态 column to colour."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    box = thin_box()
    for index, column in enumerate(columns, start=1):
        put(sheet, header_row, index, column.title)
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = box
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    # A header may wrap onto two lines: half its width is enough for the column.
    widths = [max(4, -(-display_width(c.title) // 2)) for c in columns]
    lines = [1] * len(rows)
    top = Alignment(vertical="top")
    for number, record in enumerate(rows, start=header_row + 1):
        fill = status_fill(status(record)) if status is not None else None
        for index, column in enumerate(columns, start=1):
            value = column.get(record)
            put(sheet, number, index, value, column.format)
            cell = sheet.cell(row=number, column=index)
            cell.border = box
            cell.alignment = top
            if fill is not None and column.title == "状态":
                cell.fill = fill
            width = display_width(shown(value, column.format))
            widths[index - 1] = max(widths[index - 1], width)
            at = number - header_row - 1
            lines[at] = max(lines[at], -(-width // column.wrap_at))
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(width, column.wrap_at) + 2
        if width > column.wrap_at:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.alignment = wrap
    # Not every spreadsheet grows a row for its wrapped text: say how tall each row is.
    sheet.row_dimensions[header_row].height = LINE_HEIGHT * 2
    for at, count in enumerate(lines):
        if count > 1:
            sheet.row_dimensions[header_row + 1 + at].height = LINE_HEIGHT * count
    sheet.freeze_panes = f"A{header_row + 1}"
    if rows:
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(rows)}"
    print_setup(sheet, header_row)


# --- the views --------------------------------------------------------------------------


def _latest(key: str) -> Callable[[dict[str, Any]], Any]:
    def get(item: dict[str, Any]) -> Any:
        latest = item.get("latest") or {}
        return latest.get(key)

    return get


ITEM_COLUMNS = [
    Col("序号", lambda i: i.get("id")),
    Col("类别", lambda i: i.get("category"), wrap_at=12),
    Col("事项", lambda i: i.get("title"), wrap_at=30),
    Col("牵头单位", lambda i: words(i.get("units", [])), wrap_at=16),
    Col("状态", lambda i: word(str(i.get("status", "")))),
    Col("完成进度", lambda i: number_of(i.get("completion")), PERCENT),
    Col("序时进度", lambda i: number_of(i.get("expected")), PERCENT),
    Col("落后(百分点)", lambda i: number_of(i.get("gap")), POINTS),
    Col("最新报送日期", lambda i: date_of(_latest("date")(i)), DATE),
    Col("报送单位", _latest("unit"), wrap_at=14),
    Col("最新进展", lambda i: (i.get("note") or {}).get("text"), wrap_at=30),
    Col("来源", _latest("source"), wrap_at=20),
]


def _kind_word(target: dict[str, Any]) -> str | None:
    kind = target.get("kind")
    return KIND_WORDS[Kind(kind)] if kind in {k.value for k in Kind} else kind


def _comparator_word(target: dict[str, Any]) -> str | None:
    comparator = target.get("comparator")
    if comparator in {c.value for c in Comparator}:
        return COMPARATOR_WORDS[Comparator(comparator)]
    return comparator


def unreported(target: dict[str, Any]) -> bool:
    """Nothing reported for the target: 未报送, not a 0% or a 否 that reads like a breach."""
    return target.get("actual") is None and target.get("percent") is None


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
    Col(
        "完成进度",
        lambda t: UNREPORTED if unreported(t) else number_of(t.get("completion")),
        PERCENT,
    ),
    Col("是否达到目标", lambda t: UNREPORTED if unreported(t) else "是" if t.get("met") else "否"),
]

# For machines: the English codes of the JSON, one row an item, the header in row 1.
DATA_COLUMNS = [
    Col("id", lambda i: i.get("id")),
    Col("status", lambda i: i.get("status")),
    Col("completion", lambda i: number_of(i.get("completion"))),
    Col("expected", lambda i: number_of(i.get("expected"))),
    Col("gap", lambda i: number_of(i.get("gap"))),
    Col("latest_date", _latest("date")),
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
    put(sheet, 1, 1, title_words(report))
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
    box = thin_box()
    for index, title in enumerate(["状态", "项数"], start=1):
        put(sheet, row, index, title)
        sheet.cell(row=row, column=index).font = Font(bold=True)
        sheet.cell(row=row, column=index).border = box
    summary = report.get("summary") or {}
    for code in STATUSES:
        row += 1
        put(sheet, row, 1, word(code))
        put(sheet, row, 2, summary.get(code, 0))
        fill = status_fill(code)
        if fill is not None:
            sheet.cell(row=row, column=1).fill = fill
        for column in (1, 2):
            sheet.cell(row=row, column=column).border = box
    row += 1
    put(sheet, row, 1, "合计")
    put(sheet, row, 2, sum(int(summary.get(code, 0)) for code in STATUSES))
    sheet.cell(row=row, column=1).font = Font(bold=True)
    for column in (1, 2):
        sheet.cell(row=row, column=column).border = box
    print_setup(sheet, None)
    label_width = max(display_width(label) for label, _, _ in facts)
    sheet.column_dimensions["A"].width = label_width + 2
    sheet.column_dimensions["B"].width = min(display_width(str(plan.get("title") or "")), 70) + 2
    sheet.column_dimensions["C"].width = 8


def title_words(report: dict[str, Any]) -> str:
    year = (report.get("plan") or {}).get("year")
    return f"{year}年民生实事完成情况" if year else "民生实事完成情况"


def as_of_words(report: dict[str, Any]) -> str:
    """数据截至 2024-06-30,序时进度 50.0%(按月计): what the table was counted at."""
    words = f"数据截至 {report.get('as_of', '')}"
    expected = number_of(report.get("expected"))
    if expected is not None:
        basis = basis_words(report.get("expected_basis"))
        words += f",序时进度 {shown(expected, PERCENT)}" + (f"({basis})" if basis else "")
    return words


def render_xlsx(report: dict[str, Any]) -> bytes:
    """The workbook for `report` (the JSON document): 概况, 事项, 指标, 单位, 类别, and 数据
    (the English codes, for machines)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概况"
    write_summary(summary, report)
    items = list(report.get("items", []))
    views = [
        ("事项", "各项完成情况", ITEM_COLUMNS, items),
        ("指标", "各项指标完成情况", TARGET_COLUMNS, target_rows(report)),
        ("单位", "牵头单位排名", UNIT_COLUMNS, list(report.get("units", []))),
        ("类别", "分类完成情况", CATEGORY_COLUMNS, list(report.get("categories", []))),
    ]
    heading = title_words(report)
    for name, title, columns, rows in views:
        sheet = book.create_sheet(name)
        write_heading(sheet, f"{heading}:{title}", as_of_words(report))
        status = (lambda i: i.get("status")) if name == "事项" else None
        write_view(sheet, columns, rows, status=status)
    from minsheng.render.xlsx_cycle import add_cycle_sheets  # 报送, 趋势, 连续滞后, 变化

    add_cycle_sheets(book, report)
    write_view(book.create_sheet("数据"), DATA_COLUMNS, items, header_row=1)
    book.properties.creator = "minsheng"
    book.properties.title = f"民生实事完成情况(截至 {report.get('as_of', '')})"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
