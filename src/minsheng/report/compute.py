"""Completion, expected progress and status (完成进度、序时进度、状态): pure functions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Protocol

from minsheng.core.percent import points
from minsheng.core.status import Status
from minsheng.plan.funds import LoadedFunds, is_funds_target
from minsheng.plan.models import (
    Basis,
    Comparator,
    Item,
    Kind,
    Period,
    Plan,
    ScheduleStep,
    Target,
    Thresholds,
    reporter_of,
)
from minsheng.progress.entry import (
    AnyEntry,
    E,
    Stage,
    effective_entries,
    first_returns,
    latest,
    milestone_share,
    sort_key,
    tells_progress,
)
from minsheng.progress.rollup import actual_of, rolled_up
from minsheng.report.cycle import (
    Cycle,
    Point,
    Returns,
    cycle_months,
    escalations,
    history_days,
    last_day,
    reported_months,
    reporting,
)
from minsheng.report.document import Report
from minsheng.report.funds import funds_report
from minsheng.report.results import (
    GroupResult,
    ItemResult,
    Snapshot,
    TargetResult,
    rank_key,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
APPROX_TOLERANCE = Decimal("0.95")  # 左右: within 5% below the value counts as met


def default_as_of(period: Period, today: dt.date) -> dt.date:
    """The as-of date when none is given: today, or the period's end once it is over."""
    return min(today, period.end)


# --- one target -------------------------------------------------------------------------


class Reading(Protocol):
    """What a target's completion is computed from: an entry, or a sum of entries (合计)."""

    @property
    def value(self) -> Decimal | None: ...
    @property
    def stage(self) -> Stage | None: ...
    @property
    def percent(self) -> Decimal | None: ...


def is_met(target: Target, entry: Reading | None) -> bool:
    """Whether the entry meets the target by its comparator (or its stage, for a milestone)."""
    if entry is None:
        return False
    if target.kind is Kind.MILESTONE:
        return entry.stage is Stage.DONE
    if entry.value is None or target.value is None:
        return False
    if target.comparator is Comparator.AT_MOST:
        return entry.value <= target.value
    if target.comparator is Comparator.APPROX:
        return entry.value >= target.value * APPROX_TOLERANCE
    return entry.value >= target.value


def target_completion(target: Target, entry: Reading | None) -> Decimal:
    """The completion of one target as a fraction (over-achievement kept, never below 0)."""
    if entry is None:
        return ZERO
    if target.kind is Kind.MILESTONE:
        return milestone_share(entry.stage, entry.percent)
    met = is_met(target, entry)
    if target.kind is Kind.STANDARD or entry.value is None or target.value is None:
        return ONE if met else ZERO
    actual, value = entry.value, target.value
    if target.baseline is not None:
        if target.baseline == value:
            return ONE if met else ZERO
        return max(ZERO, (actual - target.baseline) / (value - target.baseline))
    if target.comparator is Comparator.AT_MOST:
        return ONE if actual <= value else value / actual
    return actual / value if value else (ONE if met else ZERO)


# --- expected progress (序时进度) ---------------------------------------------------------


def expected_at(
    period: Period, schedule: Sequence[ScheduleStep], as_of: dt.date, *, basis: Basis
) -> Decimal:
    """The share of the work expected done by `as_of`, in [0, 1].

    Without a schedule this is the elapsed share of the period by `basis`: by days,
    (as_of - start + 1 day) / (end - start + 1 day), the as-of day itself counted; by months,
    the months over (Period.months_over) / the period's months. With a schedule, linear between
    the day before the start (0), its steps and the end (1), on the same count of time.
    """
    if as_of < period.start:
        return ZERO
    marks = [(0, ZERO)]
    marks += [
        (elapsed(period, step.date, basis), step.expected)
        for step in sorted(schedule, key=lambda step: step.date)
    ]
    marks.append((elapsed(period, period.end, basis), ONE))
    # By months two dates of one month are the same time, so the marks are looked up by the
    # time elapsed and not by the date: the value is the same all month, until its last day.
    now = elapsed(period, as_of, basis)
    before = [mark for mark in marks if mark[0] <= now]
    after = [mark for mark in marks if mark[0] > now]
    if not after:
        return _clamp(before[-1][1])
    (t0, e0), (t1, e1) = before[-1], after[0]
    share = Decimal(now - t0) / Decimal(t1 - t0)
    return _clamp(e0 + (e1 - e0) * share)


def elapsed(period: Period, day: dt.date, basis: Basis) -> int:
    """The time of the period over at the end of `day`: days (0 the day before the start, and
    past the end still counting), or whole months."""
    if basis is Basis.MONTH:
        return period.months_over(day)
    return (day - period.start).days + 1


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


# --- the computation --------------------------------------------------------------------

UnitsOf = Callable[[Item], list[str]]  # an item's lead units by canonical name


def item_result(
    plan: Plan,
    item: Item,
    units: list[str],
    history: Sequence[E],
    as_of: dt.date,
) -> ItemResult:
    """One item's completion, expected progress and status from its effective entries."""
    found = latest(history)
    numbered = _numbered_targets(item)
    by_id = {target.id: target for _, target in numbered}
    targets = []
    for measure, target in numbered:
        entry = found.get((item.id, target.id))
        parts = [(by_id[p], found.get((item.id, p))) for p in target.sum_of if p in by_id]
        actual = actual_of(target, entry, rolled_up(target, parts) if parts else None)
        completion, met = target_completion(target, actual), is_met(target, actual)
        targets.append(TargetResult(target, measure, entry, actual, completion, met))
    basis = plan.schedule.basis
    expected = expected_at(plan.document.period, item.schedule, as_of, basis=basis)
    own_ids = {target.id for target in item.targets}
    # Of the targets reported on the latest day, the one the plan lists first describes the
    # item (a household count before the one facility still being built), not whichever
    # the clerk happened to type last; and its own note goes with its figure.
    rank = {target.id: index for index, (_, target) in enumerate(numbered)}
    latest_own = [e for e in found.values() if e.target in own_ids]
    news = _describing(latest_own, rank) or _describing(list(found.values()), rank)
    noted = [e for e in history if tells_progress(e)]
    note = _most_recent([e for e in noted if e.target in own_ids], noted)
    if news is not None and tells_progress(news):
        note = news
    by_unit = [news] if news is not None else []
    if len(units) > 1:
        by_unit = []
        for unit in units:
            mine = [
                e
                for e in found.values()
                if e.target in by_id and reporter_of(item, by_id[e.target], units) == unit
            ]
            pick = _describing([e for e in mine if e.target in own_ids], rank)
            pick = pick or _describing(mine, rank)
            if pick is not None:
                by_unit.append(pick)
    if item.no_task:
        return ItemResult(item, units, targets, None, expected, Status.NO_TASK, news, note)
    own = [t for t in targets if t.measure is None]
    completion = sum((min(t.completion, ONE) for t in own), ZERO) / len(own) if own else ZERO
    status = _status(own, completion, expected, news is not None, plan.thresholds)
    return ItemResult(item, units, targets, completion, expected, status, news, note, by_unit)


def _describing(pool: Sequence[E], rank: dict[str, int]) -> E | None:
    """The entry of the latest day; of several that day, the first target in the plan."""
    if not pool:
        return None
    day = max(entry.date for entry in pool)
    that_day = [entry for entry in pool if entry.date == day]
    first = min(rank.get(entry.target, len(rank)) for entry in that_day)
    return max(
        (entry for entry in that_day if rank.get(entry.target, len(rank)) == first),
        key=sort_key,
    )


def _most_recent(*pools: Sequence[AnyEntry]) -> AnyEntry | None:
    """The latest entry of the first pool that has any (the item's own targets come first)."""
    for pool in pools:
        if pool:
            return max(pool, key=sort_key)
    return None


def _numbered_targets(item: Item) -> list[tuple[int | None, Target]]:
    found: list[tuple[int | None, Target]] = [(None, t) for t in item.targets]
    for number, measure in enumerate(item.measures, start=1):
        found.extend((number, t) for t in measure.targets)
    return found


def _status(
    own: list[TargetResult],
    completion: Decimal,
    expected: Decimal,
    reported: bool,
    thresholds: Thresholds,
) -> Status:
    if not reported:
        return Status.UNREPORTED
    if own and all(t.met for t in own):
        return Status.DONE
    gap = points(expected) - points(completion)  # as shown: 落后 10.0 is behind
    if gap > thresholds.lagging:
        return Status.LAGGING
    if gap >= thresholds.behind:
        return Status.BEHIND
    return Status.ON_TRACK


def unit_part(plan: Plan, result: ItemResult, unit: str) -> ItemResult:
    """A co-led item as one of its lead units answers for it in the ranking: the item's own
    targets that unit reports (Target.by), their completion and status alone, so that no unit
    is ranked on another unit's figures (a unit that reported nothing is 从未报送 there). A
    unit that reports none of the item's own targets answers for the whole item, as a single
    lead unit does."""
    if len(result.units) < 2:
        return result
    mine = [t for t in result.targets if reporter_of(result.item, t.target, result.units) == unit]
    own = [t for t in mine if t.measure is None]
    if not own or len(own) == sum(1 for t in result.targets if t.measure is None):
        return result
    completion = sum((min(t.completion, ONE) for t in own), ZERO) / len(own)
    rank = {t.target.id: index for index, t in enumerate(result.targets)}
    entries = [t.entry for t in mine if t.entry is not None]
    news = _describing([e for e in entries if e.target in {t.target.id for t in own}], rank)
    news = news or _describing(entries, rank)
    status = _status(own, completion, result.expected, news is not None, plan.thresholds)
    noted = news if news is not None and tells_progress(news) else None
    return replace(result, targets=mine, completion=completion, status=status, latest=news,
                   note=noted, latest_by_unit=[news] if news else [])  # fmt: skip


def group(name: str, items: list[ItemResult]) -> GroupResult:
    """Counts by status over all the items; completion over the active ones only."""
    counts = {status: 0 for status in Status}
    for result in items:
        counts[result.status] += 1
    active = [r.completion for r in items if r.completion is not None]
    completion = sum(active, ZERO) / len(active) if active else None
    return GroupResult(name, items, completion, counts)


def snapshot(plan: Plan, units_of: UnitsOf, entries: Sequence[E], as_of: dt.date) -> Snapshot:
    """Every item, unit and category at one date, from the entries that count on it."""
    history: dict[int, list[E]] = defaultdict(list)
    for entry in entries:
        # Money is reported beside the work, never as part of it (report.funds).
        if not is_funds_target(entry.target):
            history[entry.item].append(entry)
    items = [
        item_result(plan, item, units_of(item), history.get(item.id, []), as_of)
        for item in plan.items
    ]
    by_unit: dict[str, list[ItemResult]] = {unit.name: [] for unit in plan.units}
    for result in items:
        if result.status is not Status.NO_TASK:
            for name in result.units:
                by_unit[name].append(unit_part(plan, result, name))
    units = sorted((group(name, held) for name, held in by_unit.items() if held), key=rank_key)
    categories = [
        group(category.name, [r for r in items if r.item.category == category.id])
        for category in plan.categories
    ]
    expected = expected_at(plan.document.period, [], as_of, basis=plan.schedule.basis)
    summary = group("", items).counts
    return Snapshot(as_of, expected, plan.thresholds, items, units, categories, summary)


def compute(
    plan: Plan,
    units_of: UnitsOf,
    entries: Iterable[E],
    as_of: dt.date,
    since: dt.date | None = None,
    *,
    monthly: bool = True,
    history: bool = True,
    returns: Returns | None = None,
    made_at: dt.datetime | None = None,
    funds: LoadedFunds | None = None,
) -> Report:
    """The report at `as_of`, at `since` too when given, and the monthly cycle (report.cycle)
    unless `monthly` is false, as it stands when made (`made_at`, which decides which returns
    are still 待报送; None: long after every due day); with the money (report.funds) when
    `funds` is given.

    The entries must include those that decide each month end of the cycle (cycle.history_days)
    as well as `as_of` and `since`; `returns` is when each unit first returned each item and
    month (progress.first_returns), computed from `entries` when not given.

    `units_of` gives an item's lead units by canonical name (LoadedPlan.canonical_units).
    The rules (docs/report.md says the same for people):

    - The entries that count on a date and a target's latest entry among them follow
      progress.effective_entries and progress.latest, the one statement of that rule: dated
      on or before it, not corrected by a correction dated on or before it; latest by date,
      ties by recorded_at, then by file order.
    - A target with `sum_of` (合计) and no entry of its own takes the sum of its parts' latest
      values (a part not reported counts 0) once any part is reported; with an entry of its
      own, the more recent of that entry and the parts' latest date wins, the entry on a tie.
      Values are in the target's own unit as written (万 scales by 10,000).
    - A target's completion is a fraction, over-achievement kept (1.879 is 187.9%), never below 0:
      quantity and level, at_least or approx: actual / value; with a baseline,
      (actual - baseline) / (value - baseline), and 1 or 0 by `met` when baseline equals value;
      at_most: 1 while actual <= value, else value / actual; standard: 1 if met, else 0;
      milestone: 未启动 0, 推进中 percent/100 (0.5 without a percent), 已完成 1.
    - A target is met: at_least when actual >= value; approx (左右) when actual >= 95% of value;
      at_most when actual <= value; a milestone when its stage is 已完成. No entry: not met.
    - An item's completion is the mean of its own targets' completions (measure sub-targets are
      detail only), each capped at 1 so one over-achieving target cannot hide another.
    - Expected progress (序时进度) is the elapsed share of the plan period, or the item's own
      schedule interpolated linearly between (start - 1 day, 0), its steps and (end, 1), time
      counted as the plan's `schedule.basis` says: days, the as-of day included (the default),
      or whole months, a month counted once the as-of date is its last day (Period.months_over).
    - Status: no_task; unreported when no target of the item (its own or a measure's) has an
      entry dated up to the as-of date; done when every one of the item's own targets is met;
      else by the gap in points, expected and completion each rounded half up to 0.1 point
      first: above `thresholds.lagging` lagging, from `thresholds.behind` up behind, else
      on_track.
    - A unit's and a category's completion is the mean completion of their active items; a
      co-led item counts for each of its lead units. Units rank by that completion rounded to
      0.1 point, equal points sharing a rank.
    """
    entries = list(entries)
    now = snapshot(plan, units_of, effective_entries(entries, as_of), as_of)
    then = None
    if since is not None:
        then = snapshot(plan, units_of, effective_entries(entries, since), since)
    money = None
    if funds is not None:
        money = funds_report(funds, plan, units_of, entries, as_of, now.expected)
    if not monthly:
        return Report(plan, now, then, generated_at=made_at, funds=money)
    cycle = monthly_cycle(plan, units_of, entries, now, returns, made_at, history=history)
    return Report(plan, now, then, cycle, made_at, money)


def monthly_cycle(
    plan: Plan,
    units_of: UnitsOf,
    entries: Sequence[E],
    now: Snapshot,
    returns: Returns | None,
    made_at: dt.datetime | None = None,
    *,
    history: bool = True,
) -> Cycle:
    """Returns by unit and month, each item's history at month ends and the as-of date, and
    the escalations (counted over month ends only); without `history`, the returns alone
    (the history empty, no escalation), which need no snapshot at the month ends."""
    as_of = now.as_of
    days = history_days(plan, as_of) if history else []
    snapshots = [
        now if day == as_of else snapshot(plan, units_of, effective_entries(entries, day), day)
        for day in days
    ]
    trend = {
        result.item.id: [
            Point(shot.as_of, past.completion, past.status)
            for shot in snapshots
            for past in (shot.items[index],)
        ]
        for index, result in enumerate(now.items)
        if snapshots
    }
    units = {result.item.id: result.units for result in now.items}
    returned = first_returns(entries) if returns is None else returns
    found = reporting(plan, units_of, returned, as_of, made_at)
    ends = frozenset(last_day(plan, month) for month in cycle_months(plan, as_of))
    escalated = escalations(trend, units, plan.thresholds.escalate_after, ends)
    return Cycle(reported_months(plan, as_of), found, trend, escalated)
