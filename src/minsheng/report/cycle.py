"""The monthly cycle (月调度): returns on time or not, each item's history, what to escalate.

Pure functions over the plan, the first return of each unit for each item and month, and the
snapshots at month ends; docs/report.md says the same rules for people.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from minsheng.core.dates import BEIJING
from minsheng.core.status import RETURN_WORDS as WORDS_BY_CODE
from minsheng.core.status import Status
from minsheng.plan.models import Item, Plan, reporter_of

BEHIND_STATUSES = frozenset({Status.BEHIND, Status.LAGGING})

# (unit, item, first day of the month the entry is dated in) -> when the office first had
# one of them (progress.returned_at: the day received, else the moment recorded)
Returns = Mapping[tuple[str, int, dt.date], dt.datetime]


class Return(StrEnum):
    """How a unit's return for one month stands, when the report is made."""

    ON_TIME = "on_time"  # every item in, all received by the due day's end
    LATE = "late"  # every item in, some after the due day
    MISSING = "missing"  # the due day is past and some item has no entry dated in the month
    PENDING = "pending"  # some item not in yet, and the due day not past when the report is made


RETURN_WORDS: dict[Return, str] = {status: WORDS_BY_CODE[status.value] for status in Return}
RETURN_STYLES: dict[Return, str] = {
    Return.ON_TIME: "green",
    Return.LATE: "yellow",
    Return.MISSING: "red",
    Return.PENDING: "dim",
}


@dataclass(frozen=True)
class UnitPeriod:
    """One unit's return for one month."""

    month: dt.date  # its first day
    due: dt.date
    status: Return
    items_missing: list[int]  # not in, the due day past
    items_late: list[int]
    items_pending: list[int] = field(default_factory=list)  # not in, the due day still ahead

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def settled(self) -> bool:
        """Whether its status is final: every item in, or the due day past."""
        return self.status is not Return.PENDING


@dataclass(frozen=True)
class UnitReporting:
    """One lead unit's returns, month by month, and its on-time rate (按时报送率)."""

    unit: str
    periods: list[UnitPeriod]  # oldest first, every month over by the as-of date
    on_time_rate: Decimal | None  # over the settled months; None when none is

    @property
    def current(self) -> UnitPeriod | None:
        """The latest month over by the as-of date: the bulletin's month."""
        return self.periods[-1] if self.periods else None

    @property
    def counted(self) -> list[UnitPeriod]:
        """The months the on-time rate counts: every settled one, the bulletin's included."""
        return [period for period in self.periods if period.settled]


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

    months: list[dt.date]  # the months of returns over by the as-of date, first days
    reporting: list[UnitReporting]  # lead units in the plan's order; [] without `reporting`
    history: dict[int, list[Point]]  # by item id, oldest first
    escalations: list[Escalation]  # the longest run first

    @property
    def has_reporting(self) -> bool:
        return bool(self.months) and bool(self.reporting)

    def missing_now(self) -> dict[int, list[str]]:
        """Each item whose return for the bulletin's month is missing (本月未报送), with the
        units that owe it."""
        found: dict[int, list[str]] = {}
        for unit in self.reporting:
            period = unit.current
            for number in period.items_missing if period is not None else []:
                found.setdefault(number, []).append(unit.unit)
        return found


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


def cycle_months(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """The months of the cycle up to the as-of month (none before `from`, none after the
    plan period: an as-of date of 9999-12-31 asks for no month of the year 9999)."""
    return months_between(first_month(plan), min(as_of, plan.document.period.end))


def last_day(plan: Plan, month: dt.date) -> dt.date:
    """The day a month of the cycle is over: its end, or the plan period's end."""
    return min(month_end(month), plan.document.period.end)


def reported_months(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """The months of returns judged at the as-of date: those over by then. A month not over
    has no figures to return yet: on 15 July, July is not judged, whatever is dated 07-31."""
    return [month for month in cycle_months(plan, as_of) if last_day(plan, month) <= as_of]


def history_days(plan: Plan, as_of: dt.date) -> list[dt.date]:
    """Each month end of the cycle before the as-of date, then the as-of date itself."""
    ends = [last_day(plan, month) for month in cycle_months(plan, as_of)]
    return [day for day in ends if day < as_of] + [as_of]


def reporting(
    plan: Plan,
    units_of: Callable[[Item], list[str]],
    returns: Returns,
    as_of: dt.date,
    made_at: dt.datetime | None = None,
) -> list[UnitReporting]:
    """Each lead unit's returns for each month from `reporting.from` that is over by the
    as-of date (reported_months), as they stand when the report is made (`made_at`; None:
    long after, every due day past).

    A month is on_time when every item the unit reports on (an item with a task where it
    reports some target: Target.by) has an entry from that unit dated in that month, the
    first of them received by the due day's end in +08:00 (progress.returned_at); late when
    all are there but some item's first came after; when some item has none (or none the
    office had when the report was made), missing if the due day is past when the report is
    made, else pending (待报送, never missing). The
    on-time rate is on-time months over the settled ones (every month but the pending), the
    bulletin's own month included, so that the rate and the month's status never disagree
    (None when none is settled yet).
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
            if made_at is not None:  # a return received after the report was made was not in
                firsts = {n: s if s is None or s <= made_at else None for n, s in firsts.items()}
            absent = [number for number, stamp in firsts.items() if stamp is None]
            late = [n for n, stamp in firsts.items() if stamp is not None and stamp >= last]
            if absent and made_at is not None and made_at < last:
                periods.append(UnitPeriod(month, due, Return.PENDING, [], [], absent))
                continue
            status = Return.MISSING if absent else Return.LATE if late else Return.ON_TIME
            periods.append(UnitPeriod(month, due, status, absent, late))
        counted = [period for period in periods if period.settled]
        on_time = sum(1 for period in counted if period.status is Return.ON_TIME)
        rate = Decimal(on_time) / Decimal(len(counted)) if counted else None
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
    month_ends: frozenset[dt.date] = frozenset(),
) -> list[Escalation]:
    """Items behind or lagging at each of the last `after` month ends of their history or
    more, the longest run first, then the lagging ones, then by number. Only the points in
    `month_ends` count (all of them when it is empty): a mid-month as-of date is shown in
    the trend, never counted as a month."""
    found = []
    for number, points in history.items():
        ends = [p for p in points if p.as_of in month_ends] if month_ends else list(points)
        run = trailing_run(ends)
        if run >= after:
            found.append(Escalation(number, units[number], run, points[-1].status))
    return sorted(found, key=lambda e: (-e.months, e.status is not Status.LAGGING, e.item))
