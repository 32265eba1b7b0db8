"""What `progress import` shows: the entries a monthly return is about to add, as a table."""

from __future__ import annotations

from minsheng.render.tables import Cell, Column, Table, Value
from minsheng.returns.importing import ReturnEntry
from minsheng.views.progress_list import progress_text


def import_table(entries: list[ReturnEntry], title: str = "将登记以下进度") -> Table:
    """One row per entry: where it was read, the target, the figure and the note."""
    columns = [
        Column("row", "行", align="right"),
        Column("item", "事项", align="right"),
        Column("target", "指标", wrap=True),
        Column("progress", "进度", align="right"),
        Column("date", "日期"),
        Column("unit", "填报单位"),
        Column("note", "说明", wrap=True),
    ]
    rows: list[list[Value | Cell]] = [
        [
            read.row,
            read.entry.item,
            read.target.name,
            progress_text(read.entry, read.target),
            read.entry.date.isoformat(),
            read.entry.unit,
            read.entry.note,
        ]
        for read in entries
    ]
    return Table(columns, rows, title=title)
