"""Building blocks of a printable workbook sheet (表格): typed cells that are never formulas,
a title above a boxed, wrapped table with its header repeated on every printed page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.cells import display_width, write_cell
from minsheng.core.percent import HUNDRED, exact_points, percent_text
from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.plan.models import BASIS_WORDS, Basis

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
UNREPORTED = "从未报送"  # a target without any figure, as an item without any is

# The bulletin's colours, never alone: the cell also holds the word.
STATUS_FILLS = {"behind": "FFE699", "lagging": "FF9B9B"}  # 滞后 amber, 严重滞后 red
HEADER_FILL = "DDEBF7"


@dataclass(frozen=True)
class Col:
    """A column of a view: its header, how to read a value from a row, and its number format."""

    title: str
    get: Callable[[dict[str, Any]], Any]
    format: str = GENERAL
    wrap_at: int = MAX_WIDTH  # text wider than this wraps, so that the page stays legible


def shown(value: Any, number_format: str) -> str:
    """Roughly what the cell shows, to size its column."""
    if value is None:
        return ""
    if number_format == PERCENT and isinstance(value, int | float | Decimal):
        return percent_text(Decimal(str(value)))
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


def shown_fraction(value: Any) -> Decimal | None:
    """A figure the JSON carries already rounded (`completion_pct`, 53.9) as the fraction a
    percent-formatted cell holds (0.539): the cell shows exactly the figure every other
    format shows, and its value is that figure."""
    number = exact_points(value)
    return None if number is None else number / HUNDRED


def words(values: Sequence[Any], sep: str = "、") -> str:
    return sep.join(str(v) for v in values)


# --- the cells --------------------------------------------------------------------------


def put(
    sheet: Worksheet,
    row: int,
    column: int,
    value: Any,
    number_format: str = GENERAL,
    *,
    as_typed: bool = False,
) -> None:
    """One cell; a text cell is always stored as text, never read as a formula, and in
    Chinese typography unless `as_typed` (a sheet for programs)."""
    from minsheng.core.typography import typeset

    if value == "":
        value = None  # an empty cell, not an empty string
    if isinstance(value, str):
        write_cell(sheet, row, column, value if as_typed else typeset(value))
        return
    cell = write_cell(sheet, row, column, value)
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
    *,
    as_typed: bool = False,
    empty: str | None = None,
) -> None:
    """A header row (frozen, filterable, repeated on each printed page), then one row per
    record, every cell boxed; columns fit their text and long text wraps. `status` reads a
    record's status code where the view has a 状态 column to colour; `as_typed` keeps the
    data's text as typed (a sheet for programs); `empty` is what the sheet says under its
    header when it has no record (无)."""
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
            put(sheet, number, index, value, column.format, as_typed=as_typed)
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
    if not rows and empty is not None:
        put(sheet, header_row + 1, 1, empty)
    print_setup(sheet, header_row)


# --- the views --------------------------------------------------------------------------


def basis_words(code: Any) -> str | None:
    """按月计 or 按天计 for the JSON's `expected_basis`; None for anything else."""
    basis = next((b for b in Basis if b.value == code), None)
    return BASIS_WORDS[basis] if basis is not None else None


def title_words(report: dict[str, Any]) -> str:
    year = (report.get("plan") or {}).get("year")
    return f"{year}年民生实事完成情况" if year else "民生实事完成情况"


def as_of_words(report: dict[str, Any]) -> str:
    """数据截至 2024-06-30,序时进度 50.0%(按月计): what the table was counted at."""
    words = f"数据截至 {report.get('as_of', '')}"
    expected = shown_fraction(report.get("expected_pct"))
    if expected is not None:
        basis = basis_words(report.get("expected_basis"))
        words += f",序时进度 {shown(expected, PERCENT)}" + (f"({basis})" if basis else "")
    return words
