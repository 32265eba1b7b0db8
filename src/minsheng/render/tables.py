"""Neutral tables (columns and rows) and their renderers: terminal, Markdown and CSV.

Listings and reports build a `Table` once; the computation never knows the output format.
Text from the data is inert everywhere: never rich markup, never a Markdown cell break,
never a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from minsheng.core.cells import csv_text

Value = str | int | Decimal | None
NONE = "无"  # what a section of a document says when it has nothing to list


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
    # A date, a number or a record id: never wrapped nor folded (`--corrects` needs the id
    # whole); a table too wide for the page runs over rather than split one.
    whole: bool = False


@dataclass
class Table:
    """A titled table; a cell is a plain value or a styled `Cell`."""

    columns: list[Column]
    rows: list[list[Value | Cell]] = field(default_factory=list)
    title: str = ""
    # What a section of a document says when it has no row (无): a header over blank cells
    # reads like a table someone forgot to fill. None: the table is shown as it is.
    empty: str | None = None

    @property
    def says_empty(self) -> bool:
        return not self.rows and self.empty is not None


def typeset_table(table: Table) -> Table:
    """The table as a person reads it: its titles and text cells in Chinese typography
    (core.typography); numbers, dates and ids are untouched by it anyway."""
    from dataclasses import replace

    from minsheng.core.typography import typeset

    def cell(value: Value | Cell) -> Value | Cell:
        if isinstance(value, Cell):
            return replace(value, value=cell(value.value))  # type: ignore[arg-type]
        return typeset(value) if isinstance(value, str) else value

    return Table(
        [replace(column, title=typeset(column.title)) for column in table.columns],
        [[cell(value) for value in row] for row in table.rows],
        typeset(table.title),
        table.empty,
    )


def _text(value: Value | Cell) -> str:
    if isinstance(value, Cell):
        return _text(value.value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


# --- Markdown ----------------------------------------------------------------------------

# Escaped in one pass: `&` first of all, so an entity in the data (&#x202E; is a right-to-left
# override, &#8203; a zero-width space) reads as the text it is; ~~ would strike through,
# $ start GitHub's mathematics, @ make a mail link.
_MD_SPECIAL = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{char: "\\" + char for char in "|\\`[]*_~$@"},
    }
)
# GitHub links a bare http://… or www.… by itself: a backslash inside each keeps it text.
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?i:(?<=www))(?=\.)")


def md_escape(text: str) -> str:
    """A cell that cannot break its row or its table, nor become HTML, an entity or a link."""
    text = _AUTOLINK.sub("\\\\", text.translate(_MD_SPECIAL))
    return " ".join(text.split())


def to_markdown(tables: list[Table]) -> str:
    parts = []
    for table in map(typeset_table, tables):
        lines = []
        if table.title:
            lines.append(f"### {md_escape(table.title)}\n")
        if table.says_empty:
            parts.append("\n".join([*lines, md_escape(table.empty or "")]) + "\n")
            continue
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


def csv_cell(value: Value | Cell) -> str:
    """A spreadsheet cannot run it: text that starts like a formula gets a leading quote."""
    raw = value.value if isinstance(value, Cell) else value
    return csv_text(_text(raw)) if isinstance(raw, str) else _text(raw)


def to_csv(table: Table) -> str:
    """UTF-8 with BOM so Excel reads the Chinese; one header row, then the rows. The header is
    ours and typeset; the cells are data, as typed (a CSV is read back by programs)."""
    from minsheng.core.typography import typeset

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(typeset(c.title)) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


# --- terminal ----------------------------------------------------------------------------


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def to_terminal(tables: list[Table], *, color: bool, width: int | None = None) -> str:
    """Rich tables, aligned by display width; data text is never read as markup."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    tables = [typeset_table(table) for table in tables]
    if width is None:
        width = shutil.get_terminal_size((120, 40)).columns if color else 120
    layouts = [_layout(table, width) for table in tables]
    console = Console(
        file=io.StringIO(),
        width=max([width, *(room for room, _ in layouts)]),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for table, (room, widths) in zip(tables, layouts, strict=True):
        if table.says_empty:
            if table.title:
                console.print(Text(table.title, style="bold"), width=room)
            console.print(Text(f"  {table.empty}"), width=room)
            console.print()
            continue
        rich_table = RichTable(
            title=Text(table.title, style="bold") if table.title else None,
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        for index, column in enumerate(table.columns):
            rich_table.add_column(
                Text(column.title),
                justify="right" if column.align == "right" else "left",
                overflow="fold",  # squeezed below its width, a column folds: nothing is cut
                no_wrap=column.whole,
                min_width=_natural(table, index) if column.whole else None,
                width=widths.get(index),
            )
        for row in table.rows:
            cells = []
            for index, value in enumerate(row):
                style = value.style if isinstance(value, Cell) and color else ""
                text = _text(value)
                if index in widths and cell_len(text) > widths[index]:
                    # one cell spare: a closing mark may hang over the end
                    text = "\n".join(wrap_cjk(text, max(widths[index] - 1, 1)))
                cells.append(Text(text, style=style))
            rich_table.add_row(*cells)
        console.print(rich_table, width=room)
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


# Chinese breaks between any two characters, but not inside a number or a Latin word, not
# before closing punctuation and not after opening punctuation (a simplified 禁则).
_TOKEN = re.compile(r"[0-9A-Za-z.%/+\-_:~·]+|\s+|.", re.S)
_NO_LINE_START = frozenset(",.;:!?)]}、。,;:!?)】」』”’》〉%…")
_NO_LINE_END = frozenset("([{“‘《〈「『(【")


def wrap_cjk(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells; numbers like 99.93% and 0.57 are never split.

    A line may run over only where there is nowhere allowed to break (one long token). Each
    token is looked at a bounded number of times, so a text with no break at all (a run of
    …) takes time in proportion to its length.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(_TOKEN.findall(paragraph), width))
    return lines


def _wrap_paragraph(tokens: list[str], width: int) -> list[str]:
    from rich.cells import cell_len

    lines: list[str] = []
    line: list[str] = []
    cells = 0  # the width of `line`, spaces at its end included
    # Where the line may break: after its last word that is not an opening mark, before the
    # spaces that follow it (they are dropped), when what comes next is not a closing mark.
    breaks = 0  # the latest such place; 0 is none
    last_word = -1  # the index in `line` of the last token that is not a space

    def take(token: str) -> None:
        nonlocal cells, breaks, last_word
        if not token.isspace():
            opens = last_word >= 0 and line[last_word] in _NO_LINE_END
            if last_word >= 0 and token not in _NO_LINE_START and not opens:
                breaks = last_word + 1
            last_word = len(line)
        line.append(token)
        cells += cell_len(token)

    for token in tokens:
        if token.isspace() or not line or cells + cell_len(token) <= width:
            take(token)
            continue
        candidate = breaks
        if token not in _NO_LINE_START and line[last_word] not in _NO_LINE_END:
            candidate = last_word + 1  # right before this token (and the spaces before it)
        if candidate == 0:
            take(token)  # nowhere allowed to break: the line runs over
            continue
        lines.append("".join(line[:candidate]).rstrip())
        carried = line[candidate:]
        while carried and carried[0].isspace():
            carried.pop(0)
        line, cells, breaks, last_word = [], 0, 0, -1
        for kept in [*carried, token]:
            take(kept)
    lines.append("".join(line).rstrip())
    return lines


def _natural(table: Table, index: int) -> int:
    """The width of a column's longest cell (its title included), unwrapped."""
    from rich.cells import cell_len

    cells = [cell_len(_text(row[index])) for row in table.rows if index < len(row)]
    return max([cell_len(table.columns[index].title), *cells])


def _layout(table: Table, width: int) -> tuple[int, dict[int, int]]:
    """The width to render the table at, and the width of each wrapping column.

    The page's `width`, unless the columns that never wrap, beside the wrapping columns at
    their narrowest, need more: then the table runs over the page instead of folding a date,
    a number or an id.
    """
    widths = _wrap_widths(table, width)
    overhead = 3 * len(table.columns) + 1  # edges, separators and one space each side
    needed = overhead + sum(widths.get(i) or _natural(table, i) for i in range(len(table.columns)))
    return max(width, needed), widths


def _wrap_widths(table: Table, width: int) -> dict[int, int]:
    """The width of each wrapping column: what the other columns leave, shared out."""
    from rich.cells import cell_len

    wrapping = [i for i, column in enumerate(table.columns) if column.wrap]
    if not wrapping:
        return {}
    natural = [
        max([cell_len(column.title)] + [cell_len(_text(row[i])) for row in table.rows])
        for i, column in enumerate(table.columns)
    ]
    overhead = 3 * len(table.columns) + 1  # edges, separators and one space each side
    fixed = sum(w for i, w in enumerate(natural) if i not in wrapping)
    room = width - overhead - fixed
    if sum(natural[i] for i in wrapping) <= room:
        return {i: max(natural[i], 1) for i in wrapping}
    # Each wrapping column first gets room for its longest unbreakable token and at least
    # 12 cells (a short column such as a unit name then never wraps), up to 16; the rest is
    # shared out by how much more each would like.
    least = {}
    for i in wrapping:
        tokens = [t for row in table.rows for t in _TOKEN.findall(_text(row[i]))]
        longest = max([cell_len(t) for t in tokens] + [cell_len(table.columns[i].title), 4])
        least[i] = min(natural[i], max(longest, 12), 16)
    spare = max(room - sum(least.values()), 0)
    wanted = sum(natural[i] - least[i] for i in wrapping) or 1
    return {i: least[i] + spare * (natural[i] - least[i]) // wanted for i in wrapping}
