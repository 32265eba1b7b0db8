"""Neutral tables (columns and rows) and their renderers: terminal, Markdown and CSV.

Listings and reports build a `Table` once; the computation never knows the output format.
Text from the data is inert everywhere: never rich markup, never a Markdown cell break,
never a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from dataclasses import dataclass, field
from decimal import Decimal

Value = str | int | Decimal | None


@dataclass(frozen=True)
class Cell:
    """A value with a style for the terminal (a colour for a status word)."""

    value: Value
    style: str = ""

    def __str__(self) -> str:
        return _text(self.value)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    align: str = "left"  # left | right
    wrap: bool = False  # long text wraps in the terminal


@dataclass
class Table:
    """A titled table; a cell is a plain value or a styled `Cell`."""

    columns: list[Column]
    rows: list[list[Value | Cell]] = field(default_factory=list)
    title: str = ""


def _text(value: Value | Cell) -> str:
    if isinstance(value, Cell):
        return _text(value.value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


# --- Markdown ----------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({"|": "\\|", "\\": "\\\\", "<": "&lt;", ">": "&gt;", "`": "\\`"})


def md_escape(text: str) -> str:
    """A cell that cannot break its row or its table, nor become HTML or a link."""
    text = text.translate(_MD_SPECIAL)
    text = text.replace("[", "\\[").replace("]", "\\]").replace("*", "\\*").replace("_", "\\_")
    return " ".join(text.split())


def to_markdown(tables: list[Table]) -> str:
    parts = []
    for table in tables:
        lines = []
        if table.title:
            lines.append(f"### {md_escape(table.title)}\n")
        lines.append("| " + " | ".join(md_escape(c.title) for c in table.columns) + " |")
        lines.append(
            "|" + "|".join("---:" if c.align == "right" else "---" for c in table.columns) + "|"
        )
        for row in table.rows:
            lines.append("| " + " | ".join(md_escape(_text(v)) for v in row) + " |")
        if not table.rows:
            lines.append("| " + " | ".join("" for _ in table.columns) + " |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


# --- CSV ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_cell(value: Value | Cell) -> str:
    """A spreadsheet cannot run it: text that starts like a formula gets a leading quote."""
    raw = value.value if isinstance(value, Cell) else value
    text = _text(raw)
    if isinstance(raw, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(table: Table) -> str:
    """UTF-8 with BOM so Excel reads the Chinese; one header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


# --- terminal ----------------------------------------------------------------------------


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def to_terminal(tables: list[Table], *, color: bool, width: int | None = None) -> str:
    """Rich tables, aligned by display width; data text is never read as markup."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    if width is None:
        width = shutil.get_terminal_size((120, 40)).columns if color else 120
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for table in tables:
        rich_table = RichTable(
            title=Text(table.title, style="bold") if table.title else None,
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        for column in table.columns:
            rich_table.add_column(
                Text(column.title),
                justify="right" if column.align == "right" else "left",
                overflow="fold",
                no_wrap=not column.wrap,
                ratio=1 if column.wrap else None,
            )
        for row in table.rows:
            cells = []
            for value in row:
                style = value.style if isinstance(value, Cell) and color else ""
                cells.append(Text(_text(value), style=style))
            rich_table.add_row(*cells)
        console.print(rich_table)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()
