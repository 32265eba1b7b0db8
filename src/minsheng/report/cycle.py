"""The monthly cycle (月调度): returns on time or not, each item's history, what to escalate.

Pure functions over the plan, the first return of each unit for each item and month, and the
snapshots at month ends; docs/report.md says the same rules for people.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from minsheng.core.status import Status
from minsheng.plan.models import Item, Plan, reporter_of
from minsheng.progress.entry import BEIJING

BEHIND_STATUSES = frozenset({Status.BEHIND, Status.LAGGING})

# (unit, item, first day of the month the entry is dated in) -> its earliest recorded_at
Returns = Mapping[tuple[str, int, dt.date], dt.datetime]


class Return(StrEnum):
    """How a unit's return for one month stands."""

    ON_TIME = "on_time"  # every item in, all recorded by the due day's end
    LATE = "late"  # every item in, some after the due day
    MISSING = "missing"  # some item with no entry dated in the month


RETURN_WORDS: dict[Return, str] = {
    Return.ON_TIME: "按时",
    Return.LATE: "逾期",
    Return.MISSING: "未报送",
}
RETURN_STYLES: dict[Return, str] = {
    Return.ON_TIME: "green",
    Return.LATE: "yellow",
    Return.MISSING: "red",
}


@dataclass(frozen=True)
class UnitPeriod:
    """One unit's return for one month."""

    month: dt.date  # its first day
    due: dt.date
    status: Return
    items_missing: list[int]
    items_late: list[int]

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class UnitReporting:
    """One lead unit's returns, month by month, and its on-time rate (按时报送率)."""

    unit: str
    periods: list[UnitPeriod]  # oldest first, up to the as-of month
    on_time_rate: Decimal | None  # over the months already due; None when none is

    @property
    def current(self) -> UnitPeriod | None:
        """The as-of month's return."""
        return self.periods[-1] if self.periods else None


@dataclass(frozen=True)
class Point:
    """An item at one point of its history: a month end, or the as-of date."""

    as_of: dt.date
    completion: Decimal | None
    status: Status


@dataclass(frozen=True)
class Escalation:
    """An item behind at each of the last `months` points of its history (连续滞后)."""

    item: int
    units: list[str]
    months: int
    status: Status  # at the as-of date


@dataclass(frozen=True)
class Cycle:
    """The monthly cycle at the as-of date."""

    months: list[dt.date]  # the reported months up to the as-of month, first days
    reporting: list[UnitReporting]  # lead units in the plan's order; [] without `reporting`
    history: dict[int, list[Point]]  # by item id, oldest first
    escalations: list[Escalation]  # the longest run first

    @property
    def has_reporting(self) -> bool:
        return bool(self.months) and bool(self.reporting)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    found: list[dt.date] = []
    month = month_of(first)
    while month <= last:
        found.append(month)
        if month_end(month) == dt.date.max:  # December 9999: no month after it
            break
        month = month_end(month) + dt.timedelta(days=1)
    return found


def deadline(due: dt.date) -> dt.datetime:
    """The first moment after the due day, in Beijing time: a return recorded before it is on
    time (the due day's 23:59:59.999999 still is)."""
    return dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), BEIJING)


def first_month(plan: Plan) -> dt.date:
    """The first month of the cycle: `reporting.from`, or the plan period's first month."""
    if plan.reporting is not None:
        return plan.reporting.first
    return month_of(plan.document.period.start)


def reported_months(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """The months of the cycle up to the as-of month (none before `from`, none after the
    plan period: an as-of date of 9999-12-31 asks for no month of the year 9999)."""
    return months_between(first_month(plan), min(as_of, plan.document.period.end))


def history_days(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """Each month end of the cycle before the as-of date, then the as-of date itself."""
    ends = [month_end(month) for month in reported_months(plan, as_of)]
    return [day for day in ends if day < as_of] + [as_of]


def reporting(
    plan: Plan,
    units_of: Callable[[Item], list[str]],
    returns: Returns,
    as_of: dt.date,
) -> list[UnitReporting]:
    """Each lead unit's returns for each month from `reporting.from` to the as-of month.

    A month is on_time when every item the unit reports on (an item with a task where it
    reports some target: Target.by) has an entry from that unit dated in that month, the
    first of them recorded by the due day's end in +08:00; late when all are there but some
    item's first came after; missing when some item has none. The
    on-time rate is on-time months over the months whose due date is on or before the as-of
    date (None when there is none yet).
    """
    rules = plan.reporting
    if rules is None:
        return []
    months = reported_months(plan, as_of)
    led: dict[str, list[int]] = {unit.name: [] for unit in plan.units}
    for item in plan.items:
        if not item.no_task:
            # A unit is expected for an item only where it reports some target of it.
            units = units_of(item)
            for name in dict.fromkeys(reporter_of(item, t, units) for t in item.all_targets()):
                led[name].append(item.id)
    found = []
    for unit, items in led.items():
        if not items:
            continue
        periods = []
        for month in months:
            due = rules.due(month)
            last = deadline(due)
            firsts = {number: returns.get((unit, number, month)) for number in items}
            missing = [number for number, stamp in firsts.items() if stamp is None]
            late = [n for n, stamp in firsts.items() if stamp is not None and stamp >= last]
            status = Return.MISSING if missing else Return.LATE if late else Return.ON_TIME
            periods.append(UnitPeriod(month, due, status, missing, late))
        closed = [period for period in periods if period.due <= as_of]
        on_time = sum(1 for period in closed if period.status is Return.ON_TIME)
        rate = Decimal(on_time) / Decimal(len(closed)) if closed else None
        found.append(UnitReporting(unit, periods, rate))
    return found


def trailing_run(points: Sequence[Point]) -> int:
    """How many of the last points in a row are 滞后 or 严重滞后."""
    run = 0
    for point in reversed(points):
        if point.status not in BEHIND_STATUSES:
            break
        run += 1
    return run


def escalations(
    history: Mapping[int, Sequence[Point]],
    units: Mapping[int, list[str]],
    after: int,
) -> list[Escalation]:
    """Items behind or lagging at each of the last `after` points of their history or more,
    the longest run first, then the lagging ones, then by number."""
    found = []
    for number, points in history.items():
        run = trailing_run(points)
        if run >= after:
            found.append(Escalation(number, units[number], run, points[-1].status))
    return sorted(found, key=lambda e: (-e.months, e.status is not Status.LAGGING, e.item))
