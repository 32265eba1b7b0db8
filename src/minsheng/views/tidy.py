"""The report as one tidy CSV table (by item, unit or category): numbers stay numbers."""

from __future__ import annotations

from typing import Any

from minsheng.core.cells import inert
from minsheng.core.percent import points
from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.render.tables import Column, Table
from minsheng.report.cycle import RETURN_WORDS
from minsheng.report.document import Report, category_name
from minsheng.report.latest import latest_text
from minsheng.report.results import ranks
from minsheng.views import bulletin_cycle, bulletin_funds
from minsheng.views.bulletin import BY_CATEGORY, BY_UNIT, basis_words, units_text

# --- CSV: one tidy table, numbers as numbers ----------------------------------------------


def _count_columns() -> list[Column]:
    return [Column(s.value, STATUS_WORDS[s], "right", whole=True) for s in Status]


def csv_table(report: Report, by: str | None) -> Table:
    """One row per item (the default), per unit or per category."""
    if by == BY_UNIT:
        return _unit_rows(report)
    if by == BY_CATEGORY:
        return _category_rows(report)
    return _item_rows(report)


def _item_rows(report: Report) -> Table:
    columns = [
        Column("id", "序号"),
        Column("category", "类别"),
        Column("title", "事项"),
        Column("units", "牵头单位"),
        Column("status", "状态"),
        Column("status_code", "状态代码"),
        Column("completion", "完成进度(%)"),
        Column("expected", f"序时进度(%,{basis_words(report)})"),
        Column("gap", "落后(百分点)"),
        Column("latest_date", "最新报送日期"),
        Column("latest_note", "最新进展"),
    ]
    since = report.since
    if since is not None:
        columns += [
            Column("since_completion", f"{since.as_of} 完成进度(%)"),
            Column("since_status", f"{since.as_of} 状态"),
        ]
    money = report.funds is not None  # the funds columns, only where a funds file exists
    if money:
        columns += bulletin_funds.ITEM_COLUMNS
    table = Table(columns)
    for index, result in enumerate(report.now.items):
        latest = result.latest
        row: list[Any] = [
            result.item.id,
            category_name(report, result.item.category),
            inert(result.item.title),
            units_text(result),
            STATUS_WORDS[result.status],
            result.status.value,
            None if result.completion is None else points(result.completion),
            None if result.completion is None else points(result.expected),
            result.gap,
            latest.date.isoformat() if latest else None,
            latest_text(result) or None,
        ]
        if since is not None:
            then = since.items[index]
            completion = None if then.completion is None else points(then.completion)
            row += [completion, STATUS_WORDS[then.status]]
        if money:
            row += bulletin_funds.item_csv_cells(report, result.item.id)
        table.rows.append(row)
    return table


def _unit_rows(report: Report) -> Table:
    table = Table(
        [
            Column("rank", "名次"),
            Column("unit", "牵头单位"),
            Column("items", "事项数"),
            Column("completion", "平均完成进度(%)"),
            *_count_columns()[:-1],
            Column("unreported_items", "从未报送事项"),
        ]
    )
    returns = bulletin_cycle.rates(report) if bulletin_cycle.has_returns(report) else {}
    if returns:
        table.columns += [
            Column("return", "本月报送"),
            Column("missing_items", "本月未报送事项"),
            Column("late_items", "本月逾期事项"),
            Column("pending_items", "待报送事项"),
            Column("on_time_rate", "按时报送率(%)"),
        ]
    if report.funds is not None:
        table.columns += bulletin_funds.MONEY_COLUMNS
    units = report.now.units
    for rank, unit in zip(ranks(units), units, strict=True):
        row: list[Any] = [
            rank,
            unit.name,
            len(unit.items),
            None if unit.completion is None else points(unit.completion),
            *(unit.counts[s] for s in ACTIVE_STATUSES),
            "、".join(str(r.item.id) for r in unit.unreported),
        ]
        returned = returns.get(unit.name)
        if returned is not None and returned.current is not None:
            current, rate = returned.current, returned.on_time_rate
            row += [
                RETURN_WORDS[current.status],
                "、".join(str(n) for n in current.items_missing),
                "、".join(str(n) for n in current.items_late),
                "、".join(str(n) for n in current.items_pending),
                None if rate is None else points(rate),
            ]
        elif returns:  # a co-lead that reports no target of its items has no returns
            row += [None] * 5
        if report.funds is not None:  # the money in its own columns, after the returns'
            row += bulletin_funds.group_csv_cells(report, unit.name, by_unit=True)
        table.rows.append(row)
    return table


def _category_rows(report: Report) -> Table:
    table = Table(
        [
            Column("no", "序号"),
            Column("category", "类别"),
            Column("items", "事项数"),
            Column("completion", "平均完成进度(%)"),
            *_count_columns(),
        ]
    )
    if report.funds is not None:
        table.columns += bulletin_funds.MONEY_COLUMNS
    for category, group in zip(report.plan.categories, report.now.categories, strict=True):
        completion = None if group.completion is None else points(group.completion)
        counts = [group.counts[s] for s in Status]
        row: list[Any] = [category.id, group.name, len(group.items), completion, *counts]
        if report.funds is not None:
            row += bulletin_funds.group_csv_cells(report, group.name, by_unit=False)
        table.rows.append(row)
    return table
