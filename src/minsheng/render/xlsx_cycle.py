"""The monthly cycle in the office workbook: sheets 报送 (unit × month), 趋势 (item × month
end), 连续滞后, and 变化 when the report was asked `--since`; from the JSON document."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.status import RETURN_WORDS, word
from minsheng.render.sheets import (
    HEADER_ROW,
    PERCENT,
    POINTS,
    Col,
    as_of_words,
    shown_fraction,
    title_words,
    words,
    write_heading,
    write_view,
)
from minsheng.render.tables import NONE

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# Fills beside the word, never instead of it: green, amber, red, grey as on the page.
RETURN_FILLS = {"on_time": "DAFBE1", "late": "FFF8C5", "missing": "FFEBE9", "pending": "F2F2F2"}


def _period(index: int) -> Callable[[dict[str, Any]], Any]:
    def get(unit: dict[str, Any]) -> Any:
        periods = unit.get("periods", [])
        return RETURN_WORDS.get(periods[index].get("status"), "") if index < len(periods) else None

    return get


def _point(index: int) -> Callable[[dict[str, Any]], Any]:
    def get(item: dict[str, Any]) -> Any:
        history = item.get("history", [])
        return (
            shown_fraction(history[index].get("completion_pct")) if index < len(history) else None
        )

    return get


def _view(
    book: Workbook,
    report: dict[str, Any],
    name: str,
    title: str,
    columns: list[Col],
    rows: list[Any],
) -> Worksheet:
    """A sheet as the other views print: its title and as-of line above the table, and 无
    under its header when it lists nothing."""
    sheet: Worksheet = book.create_sheet(name)
    write_heading(sheet, f"{title_words(report)}:{title}", as_of_words(report))
    write_view(sheet, columns, rows, empty=NONE)
    return sheet


def returns_sheet(book: Workbook, report: dict[str, Any]) -> None:
    from openpyxl.styles import PatternFill

    units = report.get("reporting") or []
    if not units:
        return
    months = [str(p.get("period")) for p in units[0].get("periods", [])]
    columns = [
        Col("牵头单位", lambda u: u.get("unit")),
        *(Col(month, _period(index)) for index, month in enumerate(months)),
        Col("按时报送率", lambda u: shown_fraction(u.get("on_time_rate_pct")), PERCENT),
        Col(
            "本月逾期事项",
            lambda u: words(u["periods"][-1].get("items_late", [])) if u.get("periods") else None,
        ),
        Col(
            "本月未报送事项",
            lambda u: (
                words(u["periods"][-1].get("items_missing", [])) if u.get("periods") else None
            ),
        ),
    ]
    sheet = _view(book, report, "报送", "各单位按月报送情况", columns, units)
    for row, unit in enumerate(units, start=HEADER_ROW + 1):
        for index, period in enumerate(unit.get("periods", []), start=2):
            color = RETURN_FILLS.get(str(period.get("status")))
            if color:
                sheet.cell(row=row, column=index).fill = PatternFill("solid", fgColor=color)


def trend_sheet(book: Workbook, report: dict[str, Any]) -> None:
    items = [i for i in report.get("items", []) if i.get("status") != "no_task"]
    if not items:
        return
    days = [str(p.get("as_of")) for p in items[0].get("history", [])]
    columns = [
        Col("序号", lambda i: i.get("id")),
        Col("事项", lambda i: i.get("short_title")),
        Col("牵头单位", lambda i: words(i.get("units", []))),
        *(Col(day, _point(index), PERCENT) for index, day in enumerate(days)),
        Col("状态", lambda i: word(str(i.get("status")))),
    ]
    _view(book, report, "趋势", "各项完成进度走势(月末)", columns, items)


def escalation_sheet(book: Workbook, report: dict[str, Any]) -> None:
    titles = {i.get("id"): i.get("short_title") for i in report.get("items", [])}
    columns = [
        Col("序号", lambda e: e.get("id")),
        Col("事项", lambda e: titles.get(e.get("id"))),
        Col("牵头单位", lambda e: words(e.get("units", []))),
        Col("连续滞后(月)", lambda e: e.get("months")),
        Col("状态", lambda e: word(str(e.get("status")))),
    ]
    escalated = list(report.get("escalations") or [])
    _view(book, report, "连续滞后", "连续滞后事项", columns, escalated)


def changes_sheet(book: Workbook, report: dict[str, Any]) -> None:
    """What moved since `--since`: the workbook shows the change column too."""
    since = report.get("since")
    if not since:
        return
    from minsheng.render.html_cycle import changes

    moved = {change.id: change for change in changes(report)}
    rows = [i for i in report.get("items", []) if i.get("id") in moved]
    columns = [
        Col("序号", lambda i: i.get("id")),
        Col("事项", lambda i: i.get("short_title")),
        Col(
            f"{since} 完成",
            lambda i: shown_fraction((i.get("since") or {}).get("completion_pct")),
            PERCENT,
        ),
        Col(
            f"{report.get('as_of')} 完成",
            lambda i: shown_fraction(i.get("completion_pct")),
            PERCENT,
        ),
        Col("变化(百分点)", lambda i: Decimal(moved[i["id"]].change), POINTS),
        Col("状态变化", lambda i: moved[i["id"]].moved),
    ]
    _view(book, report, "变化", f"{since} 以来的变化", columns, rows)


def add_cycle_sheets(book: Workbook, report: dict[str, Any]) -> None:
    """The monthly cycle's sheets, after the others."""
    returns_sheet(book, report)
    trend_sheet(book, report)
    escalation_sheet(book, report)
    changes_sheet(book, report)
