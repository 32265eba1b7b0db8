"""A cell as the tool writes it, in one place for every CSV, workbook, terminal table and
document (the report and the monthly return): data text kept to one line with no control
character (inert), text that a spreadsheet would run as a formula quoted, the width a text
takes counted, a workbook cell written as text or as a number, never both."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet takes for the start of a formula, a command (DDE) or a line break
# (OWASP's CSV injection list, and the `|` and `%` some programs also run).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def inert(text: str | None) -> str:
    """Data text on one line: controls (and invisible format marks that could reorder what is
    shown) become spaces, and runs of spaces one, so a terminal or a document obeys none."""
    if not text:
        return ""
    kept = "".join(" " if unicodedata.category(c) in {"Cc", "Cf"} else c for c in text)
    return " ".join(kept.split())


def csv_text(value: object) -> str:
    """A CSV cell: a number as written (a Decimal never in exponent form), text that starts
    like a formula behind a leading quote, so a spreadsheet shows it and never runs it."""
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def csv_typed(cell: str) -> str:
    """A CSV cell read back: the quote `csv_text` put before a formula's start taken off
    again, and only that."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet or a terminal: wide East Asian characters
    count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell | MergedCell:
    """A workbook cell: a number stays a number, text is always text (never a formula, with
    Excel's own mark for it, so it stays text when someone edits it), and a character no
    workbook may hold is replaced by U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = text
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell
