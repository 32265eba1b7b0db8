"""The monthly cycle in the bulletin (月调度): its tables (its part of the JSON document is in
minsheng.report.document)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minsheng.core.percent import percent_text as percent
from minsheng.core.status import STYLES as STATUS_STYLES
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.render.tables import NONE, Cell, Column, Table
from minsheng.report.cycle import RETURN_STYLES, RETURN_WORDS, Point, Return, UnitReporting
from minsheng.report.document import Report

SPARKS = "▁▂▃▄▅▆▇█"  # 0 to 100%, the same scale for every item: flat at the bottom is nothing


def sparkline(points_: list[Point]) -> str:
    """One character a point, its height the completion (capped at 100%)."""
    found = ""
    for point in points_:
        share = min(point.completion or Decimal(0), Decimal(1))
        found += SPARKS[int(share * (len(SPARKS) - 1))]
    return found


def has_returns(report: Report) -> bool:
    return report.cycle is not None and report.cycle.has_reporting


def rate_text(unit: UnitReporting) -> str:
    """The on-time rate with what it counts, 50.0%(1/2); — before any month is settled."""
    counted = unit.counted
    if unit.on_time_rate is None or not counted:
        return "—"
    on_time = sum(1 for period in counted if period.status is Return.ON_TIME)
    return f"{percent(unit.on_time_rate)}({on_time}/{len(counted)})"


def rates(report: Report) -> dict[str, UnitReporting]:
    cycle = report.cycle
    return {} if cycle is None else {unit.unit: unit for unit in cycle.reporting}


def _items_text(numbers: list[int]) -> str:
    return "、".join(str(number) for number in numbers)


def returns_table(report: Report) -> Table:
    """本月报送情况: each unit's return for the as-of month and its on-time rate."""
    cycle, rules = report.cycle, report.plan.reporting
    assert cycle is not None and rules is not None
    month = cycle.months[-1]
    due = rules.due(month)
    # Returns not due yet are named apart: 待报送 is not 未报送, and nobody is chased for them.
    pending = any(unit.current and unit.current.items_pending for unit in cycle.reporting)
    table = Table(
        [
            Column("unit", "牵头单位"),
            Column("status", "本月报送"),
            Column("late", "逾期事项"),
            Column("missing", "未报送事项"),
            *([Column("pending", "待报送事项")] if pending else []),
            Column("rate", "按时报送率", "right"),
        ],
        title=f"本月报送情况({month:%Y-%m}，{due} 前报送)",
    )
    for unit in cycle.reporting:
        period = unit.current
        assert period is not None
        table.rows.append(
            [
                unit.unit,
                Cell(RETURN_WORDS[period.status], RETURN_STYLES[period.status]),
                _items_text(period.items_late),
                _items_text(period.items_missing),
                *([_items_text(period.items_pending)] if pending else []),
                rate_text(unit),
            ]
        )
    return table


def missing_table(report: Report) -> Table:
    """This month's missing returns: which items, per unit."""
    cycle = report.cycle
    assert cycle is not None
    month = cycle.months[-1]
    table = Table(
        [Column("unit", "牵头单位"), Column("items", "本月未报送事项")],
        title=f"本月未报送({month:%Y-%m})",
        empty=NONE,
    )
    for unit in cycle.reporting:
        period = unit.current
        if period is not None and period.items_missing:
            table.rows.append([unit.unit, _items_text(period.items_missing)])
    return table


def escalation_table(report: Report, short_title: Any) -> Table:
    """连续滞后事项: the items to escalate, the longest run first."""
    cycle = report.cycle
    assert cycle is not None
    after = report.plan.thresholds.escalate_after
    table = Table(
        [
            Column("id", "序号", "right"),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("months", "连续滞后(月)", "right"),
            Column("status", "状态"),
            Column("completion", "完成进度", "right"),
        ],
        title=f"连续滞后事项(连续 {after} 个月及以上滞后或严重滞后,提请约谈、挂牌督办)",
        empty=NONE,
    )
    for escalation in cycle.escalations:
        result = report.now.item(escalation.item)
        table.rows.append(
            [
                escalation.item,
                short_title(result.item),
                "、".join(escalation.units),
                escalation.months,
                Cell(STATUS_WORDS[escalation.status], STATUS_STYLES[escalation.status]),
                percent(result.completion),
            ]
        )
    return table


def trend_table(report: Report, short_title: Any) -> Table:
    """各项趋势: each active item's completion at each month end and the as-of date."""
    cycle = report.cycle
    assert cycle is not None
    active = [r for r in report.now.items if r.status is not Status.NO_TASK]
    days = [point.as_of for point in cycle.history[active[0].item.id]] if active else []
    table = Table(
        [
            Column("id", "序号", "right"),
            Column("title", "事项", wrap=True),
            Column("trend", "趋势"),
            *(Column(day.isoformat(), f"{day:%m-%d}", "right") for day in days),
            Column("status", "状态"),
        ],
        title="各项趋势(各月末及统计日的完成进度)",
        empty=NONE,
    )
    for result in active:
        history = cycle.history[result.item.id]
        table.rows.append(
            [
                result.item.id,
                short_title(result.item),
                sparkline(history),
                *(percent(point.completion) for point in history),
                Cell(STATUS_WORDS[result.status], STATUS_STYLES[result.status]),
            ]
        )
    return table
