"""Completion, expected progress and status (完成进度、序时进度、状态): pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from minsheng.models import (
    Comparator,
    Item,
    Kind,
    Period,
    Plan,
    ScheduleStep,
    Target,
    Thresholds,
)
from minsheng.plan import LoadedPlan
from minsheng.progress import ProgressEntry, Stage

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
APPROX_TOLERANCE = Decimal("0.95")  # 左右: within 5% below the value counts as met
IN_PROGRESS_DEFAULT = Decimal("0.5")  # 推进中 without a percent: half way


class Status(StrEnum):
    """An item's status at the as-of date; the values are the JSON codes."""

    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    LAGGING = "lagging"
    UNREPORTED = "unreported"
    NO_TASK = "no_task"


STATUS_WORDS: dict[Status, str] = {
    Status.DONE: "已完成",
    Status.ON_TRACK: "正常推进",
    Status.BEHIND: "滞后",
    Status.LAGGING: "严重滞后",
    Status.UNREPORTED: "未报送",
    Status.NO_TASK: "无任务",
}


# --- one target -------------------------------------------------------------------------


def is_met(target: Target, entry: ProgressEntry | None) -> bool:
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


def target_completion(target: Target, entry: ProgressEntry | None) -> Decimal:
    """The completion of one target as a fraction (over-achievement kept, never below 0)."""
    if entry is None:
        return ZERO
    if target.kind is Kind.MILESTONE:
        if entry.stage is Stage.DONE:
            return ONE
        if entry.stage is Stage.IN_PROGRESS:
            return entry.percent / HUNDRED if entry.percent is not None else IN_PROGRESS_DEFAULT
        return ZERO
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


def expected_at(period: Period, schedule: Sequence[ScheduleStep], as_of: dt.date) -> Decimal:
    """The share of the work expected done by `as_of`, in [0, 1].

    Without a schedule this is (as_of - start + 1 day) / (end - start + 1 day): the elapsed
    share of the period, counting the as-of day itself.
    """
    points = [(period.start - dt.timedelta(days=1), ZERO)]
    points += sorted(((step.date, step.expected) for step in schedule), key=lambda p: p[0])
    points.append((period.end, ONE))
    before = [p for p in points if p[0] <= as_of]
    after = [p for p in points if p[0] > as_of]
    if not before:
        return ZERO
    if not after:
        return _clamp(before[-1][1])
    (d0, e0), (d1, e1) = before[-1], after[0]
    share = Decimal((as_of - d0).days) / Decimal((d1 - d0).days)
    return _clamp(e0 + (e1 - e0) * share)


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetResult:
    """One target at the as-of date: its latest entry, completion and whether it is met."""

    target: Target
    measure: int | None  # 1-based number of the measure it belongs to; None: the item's own
    entry: ProgressEntry | None
    completion: Decimal
    met: bool


@dataclass(frozen=True)
class ItemResult:
    """One item at the as-of date."""

    item: Item
    units: list[str]  # canonical names of the lead units
    targets: list[TargetResult]
    completion: Decimal | None  # None for a 无任务 item
    expected: Decimal
    status: Status
    latest: ProgressEntry | None  # the most recent entry that counts (own targets first)

    @property
    def gap(self) -> Decimal | None:
        """Points below expected progress (negative when ahead)."""
        if self.completion is None:
            return None
        return (self.expected - self.completion) * HUNDRED

    @property
    def own_targets(self) -> list[TargetResult]:
        return [t for t in self.targets if t.measure is None]


@dataclass(frozen=True)
class GroupResult:
    """A unit's or a category's items: mean completion of the active ones, counts by status."""

    name: str
    items: list[ItemResult]
    completion: Decimal | None
    counts: dict[Status, int]

    @property
    def unreported(self) -> list[ItemResult]:
        return [r for r in self.items if r.status is Status.UNREPORTED]


@dataclass(frozen=True)
class Snapshot:
    """Everything at one as-of date."""

    as_of: dt.date
    expected: Decimal  # of the plan period, without any item's own schedule
    thresholds: Thresholds
    items: list[ItemResult]
    units: list[GroupResult]  # ranked: completion descending, then name
    categories: list[GroupResult]  # in plan order
    summary: dict[Status, int] = field(default_factory=dict)

    def item(self, number: int) -> ItemResult:
        return next(r for r in self.items if r.item.id == number)


@dataclass(frozen=True)
class Report:
    """The plan, its snapshot at the as-of date, and at `--since` when asked."""

    plan: Plan
    now: Snapshot
    since: Snapshot | None = None


# --- the computation --------------------------------------------------------------------

Key = tuple[int, str]  # (item, target)


def _newer(entry: ProgressEntry, than: ProgressEntry | None) -> bool:
    """Latest by date, then recorded_at; a full tie goes to the later one in file order."""
    return than is None or (entry.date, entry.recorded_at) >= (than.date, than.recorded_at)


def latest_entries(
    entries: Iterable[ProgressEntry], cutoffs: Sequence[dt.date]
) -> list[dict[Key, ProgressEntry]]:
    """For each cutoff date, the latest entry of each (item, target) dated up to it.

    Entries are taken in file order. Corrected entries are set aside first, so the work is
    two linear passes over the entries, whatever the number of items or cutoffs.
    """
    entries = list(entries)
    corrected = {entry.corrects for entry in entries if entry.corrects}
    found: list[dict[Key, ProgressEntry]] = [{} for _ in cutoffs]
    for entry in entries:
        if entry.id in corrected:
            continue
        key = (entry.item, entry.target)
        for cutoff, latest in zip(cutoffs, found, strict=True):
            if entry.date <= cutoff and _newer(entry, latest.get(key)):
                latest[key] = entry
    return found


def item_result(
    loaded: LoadedPlan, item: Item, latest: dict[Key, ProgressEntry], as_of: dt.date
) -> ItemResult:
    """One item's completion, expected progress and status from its targets' latest entries."""
    plan = loaded.plan
    targets = []
    for measure, target in _numbered_targets(item):
        entry = latest.get((item.id, target.id))
        completion = target_completion(target, entry)
        targets.append(TargetResult(target, measure, entry, completion, is_met(target, entry)))
    expected = expected_at(plan.document.period, item.schedule, as_of)
    units = loaded.canonical_units(item)
    news = _latest_news(targets)
    if item.no_task:
        return ItemResult(item, units, targets, None, expected, Status.NO_TASK, news)
    own = [t for t in targets if t.measure is None]
    completion = sum((min(t.completion, ONE) for t in own), ZERO) / len(own) if own else ZERO
    status = _status(own, completion, expected, news is not None, plan.thresholds)
    return ItemResult(item, units, targets, completion, expected, status, news)


def _latest_news(targets: list[TargetResult]) -> ProgressEntry | None:
    """The most recent entry of the item's own targets, else of its measures' targets."""
    for pool in ([t for t in targets if t.measure is None], targets):
        entries = [t.entry for t in pool if t.entry is not None]
        if entries:
            return max(entries, key=lambda e: (e.date, e.recorded_at))
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
    gap = (expected - completion) * HUNDRED
    if gap > thresholds.lagging:
        return Status.LAGGING
    if gap >= thresholds.behind:
        return Status.BEHIND
    return Status.ON_TRACK


def group(name: str, items: list[ItemResult]) -> GroupResult:
    """Counts by status over all the items; completion over the active ones only."""
    counts = {status: 0 for status in Status}
    for result in items:
        counts[result.status] += 1
    active = [r.completion for r in items if r.completion is not None]
    completion = sum(active, ZERO) / len(active) if active else None
    return GroupResult(name, items, completion, counts)


def snapshot(loaded: LoadedPlan, latest: dict[Key, ProgressEntry], as_of: dt.date) -> Snapshot:
    """Every item, unit and category at one date."""
    plan = loaded.plan
    items = [item_result(loaded, item, latest, as_of) for item in plan.items]
    by_unit: dict[str, list[ItemResult]] = {unit.name: [] for unit in plan.units}
    for result in items:
        if result.status is not Status.NO_TASK:
            for name in result.units:
                by_unit[name].append(result)
    units = [group(name, held) for name, held in by_unit.items() if held]
    units.sort(key=lambda g: (-(g.completion or ZERO), g.name))
    categories = [
        group(category.name, [r for r in items if r.item.category == category.no])
        for category in plan.categories
    ]
    expected = expected_at(plan.document.period, [], as_of)
    summary = group("", items).counts
    return Snapshot(as_of, expected, plan.thresholds, items, units, categories, summary)


def compute(
    loaded: LoadedPlan,
    entries: Iterable[ProgressEntry],
    as_of: dt.date,
    since: dt.date | None = None,
) -> Report:
    """The report at `as_of`, and at `since` too when given, in one pass over the entries.

    The rules (docs/report.md says the same for people):

    - A target's actual is its latest entry dated on or before the as-of date (by date, ties by
      recorded_at, then by file order). An entry named by another entry's `corrects` is replaced
      by that correction and never counts. Values are in the target's own unit as written.
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
      schedule interpolated linearly between (start - 1 day, 0), its steps and (end, 1).
    - Status: no_task; unreported when no target of the item (its own or a measure's) has an
      entry dated up to the as-of date; done when every one of the item's own targets is met;
      else by the gap (expected - completion) in points: above `thresholds.lagging` lagging,
      from `thresholds.behind` up behind, else on_track.
    - A unit's and a category's completion is the mean completion of their active items; a
      co-led item counts for each of its lead units.
    """
    cutoffs = [as_of] if since is None else [as_of, since]
    latest = latest_entries(entries, cutoffs)
    now = snapshot(loaded, latest[0], as_of)
    then = snapshot(loaded, latest[1], since) if since is not None else None
    return Report(loaded.plan, now, then)
