"""Money beside the work (资金到位和拨付): each funded item's 到位率, 拨付率 and 完成投资率, its
status against 序时进度 and its stage target, and their sums by lead unit, by category, in
total and by source: pure functions over the entries that count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from minsheng.core.percent import points
from minsheng.core.percent import ranks as competition_ranks
from minsheng.core.status import Status
from minsheng.plan.funds import (
    ARRIVED,
    FUNDS_TARGETS,
    INVESTED,
    PAID,
    FundsItem,
    FundsStage,
    LoadedFunds,
    PaidBasis,
    due_stage,
)
from minsheng.plan.models import Item, Plan, reporter_of
from minsheng.progress.entry import AnyEntry, latest, sort_key, tells_progress

ZERO = Decimal(0)
SOURCE_LEVELS = ("中央", "省", "市", "区", "县", "乡镇")


def rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` over `whole` as a fraction; None where the part was never reported or there is
    nothing to divide by."""
    if part is None or not whole:
        return None
    return part / whole


@dataclass(frozen=True)
class Money:
    """Amounts (in the funds file's unit) and rates of an item or of a group of items.

    An amount never reported is None for an item and counts 0 in a sum."""

    planned: Decimal
    arrived: Decimal | None
    paid: Decimal | None
    invested: Decimal | None
    basis: PaidBasis

    @property
    def arrived_rate(self) -> Decimal | None:
        """到位率 = 到位 ÷ 年度计划投资."""
        return rate(self.arrived, self.planned)

    @property
    def paid_rate(self) -> Decimal | None:
        """拨付率 = 拨付 ÷ 年度计划投资, or ÷ 到位 (paid_basis: arrived; None while nothing
        has arrived)."""
        whole = self.planned if self.basis is PaidBasis.PLANNED else self.arrived
        return rate(self.paid, whole)

    @property
    def invested_rate(self) -> Decimal | None:
        """完成投资率 = 完成投资 ÷ 年度计划投资."""
        return rate(self.invested, self.planned)

    def rate_of(self, target: str) -> Decimal | None:
        """The rate of a reserved target (funds-paid is 拨付率)."""
        return {ARRIVED: self.arrived_rate, PAID: self.paid_rate,
                INVESTED: self.invested_rate}[target]  # fmt: skip


def total(parts: Iterable[Money], basis: PaidBasis) -> Money:
    """The sum of several items' money: an amount not reported counts 0."""
    listed = list(parts)

    def add(amounts: Iterable[Decimal | None]) -> Decimal:
        return sum((amount or ZERO for amount in amounts), ZERO)

    return Money(
        add(part.planned for part in listed),
        add(part.arrived for part in listed),
        add(part.paid for part in listed),
        add(part.invested for part in listed),
        basis,
    )


@dataclass(frozen=True)
class StageCheck:
    """A stage target due by the as-of date, and for each rate it sets: required, actual."""

    stage: FundsStage
    rates: dict[str, tuple[Decimal, Decimal | None]]

    @property
    def missed(self) -> list[str]:
        """The rates below what the stage requires (by reserved target id)."""
        return [key for key, (need, have) in self.rates.items() if (have or ZERO) < need]


@dataclass(frozen=True)
class ItemFunds:
    """One funded item at the as-of date."""

    item: Item
    units: list[str]  # canonical names of the lead units
    funded: FundsItem
    money: Money
    expected: Decimal  # 序时进度 of the plan period
    status: Status
    stage: StageCheck | None  # the latest stage target due, if any
    reason: AnyEntry | None  # the latest note among the funds figures that count

    @property
    def gap(self) -> Decimal:
        """Points of 拨付率 below 序时进度 (negative when ahead), from the rounded points."""
        return points(self.expected) - points(self.money.paid_rate or ZERO)


@dataclass(frozen=True)
class FundsGroup:
    """A lead unit's, a category's or all funded items: their money summed, counts by status."""

    name: str
    items: list[ItemFunds]
    money: Money
    counts: dict[Status, int]


@dataclass(frozen=True)
class FundsReport:
    """Every funded item and its sums at one as-of date."""

    unit: str  # of every amount: the funds file's
    basis: PaidBasis
    expected: Decimal
    behind: Decimal
    lagging: Decimal
    items: list[ItemFunds]  # in plan order
    total: FundsGroup
    units: list[FundsGroup]  # ranked by 拨付率, then name
    categories: list[FundsGroup]  # in plan order, those with a funded item
    sources: list[tuple[str, Decimal]]  # planned investment by source (SOURCE_LEVELS first)

    def item(self, number: int) -> ItemFunds | None:
        return next((found for found in self.items if found.item.id == number), None)

    @property
    def lagging_items(self) -> list[ItemFunds]:
        """The items whose 拨付 lags 序时进度 (or a stage target), furthest behind first."""
        behind = [i for i in self.items if i.status in {Status.BEHIND, Status.LAGGING}]
        return sorted(behind, key=lambda found: (-found.gap, found.item.id))


def status_of(
    money: Money,
    expected: Decimal,
    stage: StageCheck | None,
    reported: bool,
    behind: Decimal,
    lagging: Decimal,
) -> Status:
    """未报送 without any figure; 已完成 once the year's plan is paid out; else by 拨付率's points
    below 序时进度 as completion is judged, and at least 滞后 while a stage target due is missed."""
    if not reported:
        return Status.UNREPORTED
    if money.paid is not None and money.paid >= money.planned:
        return Status.DONE
    gap = points(expected) - points(money.paid_rate or ZERO)
    if gap > lagging:
        return Status.LAGGING
    if gap >= behind or (stage is not None and stage.missed):
        return Status.BEHIND
    return Status.ON_TRACK


def _reason(figures: Sequence[AnyEntry]) -> AnyEntry | None:
    """The latest note among the figures that count (a correction's note says only why a
    number changed)."""
    noted = [entry for entry in figures if tells_progress(entry)]
    return max(noted, key=sort_key) if noted else None


def item_funds(
    item: Item,
    units: list[str],
    funded: FundsItem,
    figures: dict[str, AnyEntry],
    funds: LoadedFunds,
    as_of: dt.date,
    expected: Decimal,
) -> ItemFunds:
    """One item's money from the figure that counts for each reserved target (`figures`, by
    target id), held to 序时进度 (`expected`) and to its latest stage target due by `as_of`."""

    def amount(target: str) -> Decimal | None:
        entry = figures.get(target)
        return None if entry is None else entry.value

    basis = funds.funds.paid_basis
    money = Money(funded.planned, amount(ARRIVED), amount(PAID), amount(INVESTED), basis)
    due = due_stage(funded, as_of)
    stage = None
    if due is not None:
        rates = {key: (need, money.rate_of(key)) for key, need in due.rates().items()}
        stage = StageCheck(due, rates)
    status = status_of(money, expected, stage, bool(figures), funds.behind, funds.lagging)
    reason = _reason(list(figures.values()))
    return ItemFunds(item, units, funded, money, expected, status, stage, reason)


def group(name: str, items: list[ItemFunds], basis: PaidBasis) -> FundsGroup:
    counts: dict[Status, int] = {status: 0 for status in Status if status is not Status.NO_TASK}
    for found in items:
        counts[found.status] += 1
    return FundsGroup(name, items, total((found.money for found in items), basis), counts)


def rank_key(group: FundsGroup) -> tuple[Decimal, str]:
    """By 拨付率 as shown, highest first; then by name."""
    return (-points(group.money.paid_rate or ZERO), group.name)


def ranks(groups: Sequence[FundsGroup]) -> list[int]:
    """Competition ranking by 拨付率 as shown (1, 2, 2, 4)."""
    return competition_ranks([rank_key(group)[0] for group in groups])


def share(amount: Decimal, funds: FundsReport) -> Decimal | None:
    """A source's part of the year's planned investment."""
    planned = funds.total.money.planned
    return amount / planned if planned else None


def funds_report(
    funds: LoadedFunds,
    plan: Plan,
    units_of: Callable[[Item], list[str]],
    entries: Iterable[AnyEntry],
    as_of: dt.date,
    expected: Decimal,
) -> FundsReport:
    """Every funded item at `as_of` from `entries` (the ones that count are chosen here), with
    `expected` the plan period's 序时进度 on that day."""
    now = latest(entries, as_of)
    basis = funds.funds.paid_basis
    items = []
    for item in plan.items:
        funded = funds.item(item.id)
        if funded is None or item.no_task:
            continue
        figures = {key: now[(item.id, key)] for key in FUNDS_TARGETS if (item.id, key) in now}
        items.append(item_funds(item, units_of(item), funded, figures, funds, as_of, expected))
    # Each item's money counts for the unit that reports it (the first lead unit, 主责单位):
    # no unit is ranked on figures another unit gave, as in the ranking of the work.
    by_unit: dict[str, list[ItemFunds]] = {unit.name: [] for unit in plan.units}
    for found in items:
        reporter = reporter_of(found.item, funds.targets(found.item.id)[0], found.units)
        by_unit.setdefault(reporter, []).append(found)
    units = sorted(
        (group(name, held, basis) for name, held in by_unit.items() if held), key=rank_key
    )
    categories = [
        group(category.name, held, basis)
        for category in plan.categories
        if (held := [found for found in items if found.item.category == category.id])
    ]
    sources: dict[str, Decimal] = {}
    for found in items:
        for name, amount in found.funded.sources.items():
            sources[name] = sources.get(name, ZERO) + amount
    # From the top down as budgets are told (中央, 省, 市, 区), other names as first written.
    order = {name: index for index, name in enumerate(SOURCE_LEVELS)}
    ranked = sorted(sources.items(), key=lambda pair: order.get(pair[0], len(order)))
    return FundsReport(
        funds.unit,
        basis,
        expected,
        funds.behind,
        funds.lagging,
        items,
        group("合计", items, basis),
        units,
        categories,
        ranked,
    )
