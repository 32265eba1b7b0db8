"""The bulletin (完成情况通报) for people: its sentences and tables, built once as neutral
tables that any text format renders."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from minsheng.core.percent import percent_text as percent
from minsheng.core.percent import points
from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.core.status import STYLES as STATUS_STYLES
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.plan.describe import short_title
from minsheng.plan.models import BASIS_WORDS
from minsheng.render.tables import NONE, Cell, Column, Table
from minsheng.report.document import Report
from minsheng.report.latest import latest_text
from minsheng.report.results import ItemResult, Snapshot, ranks
from minsheng.views import bulletin_cycle
from minsheng.views.bulletin_funds import funds_tables

# `by` chooses the rows: None is the whole bulletin, "item" the items, or one of these.
BY_UNIT, BY_CATEGORY = "unit", "category"

BAR_CELLS = 10


# --- small formatting helpers -------------------------------------------------------------


def bar(fraction: Decimal) -> str:
    """A ten-cell text bar; a cell is filled only when fully earned (96% is not full)."""
    filled = int((min(fraction, Decimal(1)) * BAR_CELLS).to_integral_value(ROUND_FLOOR))
    filled = max(0, filled)
    return "█" * filled + "░" * (BAR_CELLS - filled)


def progress_cell(fraction: Decimal | None) -> str:
    return "" if fraction is None else f"{bar(fraction)} {percent(fraction)}"


def status_cell(status: Status) -> Cell:
    return Cell(STATUS_WORDS[status], STATUS_STYLES[status])


def gap_text(result: ItemResult) -> str:
    """Points below expected, one decimal kept (31.0, not 31)."""
    return "" if result.gap is None else str(result.gap)


def units_text(result: ItemResult) -> str:
    return "、".join(result.units)


def basis_words(report: Report) -> str:
    """How 序时进度 was counted (按月计 or 按天计): two counts can differ on a status."""
    return BASIS_WORDS[report.plan.schedule.basis]


def active(snapshot: Snapshot) -> list[ItemResult]:
    return [r for r in snapshot.items if r.status is not Status.NO_TASK]


# --- the text around the tables -----------------------------------------------------------


def heading(report: Report) -> str:
    return f"{report.plan.document.year}年民生实事完成情况通报(截至 {report.now.as_of})"


def summary_sentence(report: Report) -> str:
    """The bulletin's opening sentence, as a 督查室 would write it."""
    now = report.now
    counts = now.summary
    total = len(now.items)
    working = total - counts[Status.NO_TASK]
    parts = ",".join(f"{STATUS_WORDS[s]} {counts[s]} 项" for s in ACTIVE_STATUSES)
    return (
        f"依据{report.plan.document.number}。"
        f"序时进度 {percent(now.expected)}({basis_words(report)})。"
        f"全部 {total} 项中,有任务 {working} 项:{parts};无任务 {counts[Status.NO_TASK]} 项。"
    )


# --- the tables ---------------------------------------------------------------------------


def summary_table(report: Report) -> Table:
    table = Table(
        [Column("status", "状态"), Column("count", "项数", "right", whole=True)], title="按状态汇总"
    )
    for status in Status:
        table.rows.append([status_cell(status), report.now.summary[status]])
    table.rows.append(["合计", len(report.now.items)])
    return table


def item_table(report: Report) -> Table:
    table = Table(
        [
            Column("id", "序号", "right", whole=True),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("completion", "完成进度", whole=True),
            Column("expected", "序时进度", "right", whole=True),
            Column("status", "状态"),
        ],
        title="各项完成情况",
    )
    for result in active(report.now):
        table.rows.append(
            [
                result.item.id,
                short_title(result.item),
                units_text(result),
                progress_cell(result.completion),
                percent(result.expected),
                status_cell(result.status),
            ]
        )
    return table


def _status_columns() -> list[Column]:
    return [Column(s.value, STATUS_WORDS[s], "right", whole=True) for s in ACTIVE_STATUSES]


def unit_table(report: Report) -> Table:
    table = Table(
        [
            Column("rank", "名次", "right", whole=True),
            Column("unit", "牵头单位"),
            Column("items", "事项数", "right", whole=True),
            Column("completion", "平均完成进度", whole=True),
            *_status_columns(),
        ],
        title="牵头单位排名",
    )
    returns = bulletin_cycle.rates(report) if bulletin_cycle.has_returns(report) else {}
    if returns:  # how often on time, beside how far along: offices rank units on both
        table.columns.insert(4, Column("on_time_rate", "按时报送率", "right"))
    units = report.now.units
    for rank, unit in zip(ranks(units), units, strict=True):
        counts = [unit.counts[s] for s in ACTIVE_STATUSES]
        row: list[Any] = [rank, unit.name, len(unit.items), progress_cell(unit.completion)]
        if returns:
            # A co-lead that reports no target has no returns to be on time with: —.
            returned = returns.get(unit.name)
            row.append("—" if returned is None else bulletin_cycle.rate_text(returned))
        table.rows.append([*row, *counts])
    return table


def category_table(report: Report) -> Table:
    table = Table(
        [
            Column("no", "序号", "right", whole=True),
            Column("category", "类别"),
            Column("items", "事项数", "right", whole=True),
            Column("completion", "平均完成进度", whole=True),
            *_status_columns(),
            Column("no_task", STATUS_WORDS[Status.NO_TASK], "right", whole=True),
        ],
        title="分类完成情况",
    )
    for category, group in zip(report.plan.categories, report.now.categories, strict=True):
        counts = [group.counts[s] for s in Status]
        table.rows.append(
            [category.id, group.name, len(group.items), progress_cell(group.completion), *counts]
        )
    return table


def lagging_items(snapshot: Snapshot) -> list[ItemResult]:
    """Behind and lagging items, the worst first."""
    found = [r for r in snapshot.items if r.status in {Status.LAGGING, Status.BEHIND}]
    return sorted(found, key=lambda r: (r.status is not Status.LAGGING, -(r.gap or 0), r.item.id))


def lagging_table(report: Report) -> Table:
    table = Table(
        [
            Column("id", "序号", "right", whole=True),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("status", "状态"),
            Column("completion", "完成进度", "right", whole=True),
            Column("gap", "落后(百分点)", "right", whole=True),
            Column("latest", "最新进展", wrap=True),
        ],
        title="滞后事项",
        empty=NONE,
    )
    for result in lagging_items(report.now):
        table.rows.append(
            [
                result.item.id,
                short_title(result.item),
                units_text(result),
                status_cell(result.status),
                percent(result.completion),
                gap_text(result),
                latest_text(result),
            ]
        )
    return table


def unreported_table(report: Report) -> Table:
    table = Table(
        [Column("unit", "牵头单位"), Column("items", "从未报送事项")],
        title="从未报送的单位",
        empty=NONE,
    )
    for name, numbers in unreported_units(report):
        table.rows.append([name, "、".join(str(n) for n in numbers)])
    return table


def unreported_units(report: Report) -> list[tuple[str, list[int]]]:
    """Units with an active item not reported, in registry order, with those items' numbers."""
    silent: dict[str, list[int]] = {unit.name: [] for unit in report.plan.units}
    for result in report.now.items:
        if result.status is Status.UNREPORTED:
            for name in result.units:
                silent[name].append(result.item.id)
    return [(name, numbers) for name, numbers in silent.items() if numbers]


def changes(report: Report) -> list[tuple[ItemResult, ItemResult]]:
    """Active items whose completion or status moved since `--since`: (then, now)."""
    if report.since is None:
        return []
    pairs = zip(report.since.items, report.now.items, strict=True)
    return [
        (then, now)
        for then, now in pairs
        if now.status is not Status.NO_TASK
        and (then.completion != now.completion or then.status is not now.status)
    ]


def changes_table(report: Report) -> Table:
    assert report.since is not None
    then_date, now_date = report.since.as_of, report.now.as_of
    table = Table(
        [
            Column("id", "序号", "right", whole=True),
            Column("title", "事项", wrap=True),
            Column("then", f"{then_date} 完成", "right", whole=True),
            Column("now", f"{now_date} 完成", "right", whole=True),
            Column("change", "变化(百分点)", "right", whole=True),
            Column("status", "状态变化", wrap=True),
        ],
        title=f"{then_date} 以来的变化",
        empty=NONE,
    )
    for then, now in changes(report):
        assert then.completion is not None and now.completion is not None
        change = points(now.completion) - points(then.completion)
        moved = STATUS_WORDS[now.status]
        if then.status is not now.status:
            moved = f"{STATUS_WORDS[then.status]} → {moved}"
        table.rows.append(
            [
                now.item.id,
                short_title(now.item),
                percent(then.completion),
                percent(now.completion),
                f"{change:+}",
                Cell(moved, STATUS_STYLES[now.status]),
            ]
        )
    return table


def bulletin_tables(report: Report) -> list[Table]:
    """The whole 通报: counts, this month's returns, items, ranking, lagging items, items to
    escalate, the money, this month's missing returns (or the units never heard from), trends,
    changes."""
    cycle = report.cycle
    tables = [summary_table(report)]
    if bulletin_cycle.has_returns(report):
        tables.append(bulletin_cycle.returns_table(report))
    tables += [item_table(report), unit_table(report), lagging_table(report)]
    if cycle is not None:
        tables.append(bulletin_cycle.escalation_table(report, short_title))
    tables += funds_tables(report)  # 资金到位和拨付情况, where a funds file exists
    # With a monthly cycle, silence is this month's: a unit that reported in May and stopped
    # is missing in June, though its items have an entry.
    if bulletin_cycle.has_returns(report):
        tables.append(bulletin_cycle.missing_table(report))
    else:
        tables.append(unreported_table(report))
    if cycle is not None:
        tables.append(bulletin_cycle.trend_table(report, short_title))
    if report.since is not None:
        tables.append(changes_table(report))
    return tables


def tables_by(report: Report, by: str | None) -> list[Table]:
    if by is None:
        return bulletin_tables(report)
    if by == BY_UNIT:
        return [unit_table(report)]
    if by == BY_CATEGORY:
        return [category_table(report)]
    tables = [item_table(report)]
    if report.since is not None:
        tables.append(changes_table(report))
    return tables
