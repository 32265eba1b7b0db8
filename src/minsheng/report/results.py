"""What the computation finds (report.compute): each target, item, unit and category at one
date, and the ranking of units. Data only, with the few rules that read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from minsheng.core.percent import points
from minsheng.core.percent import ranks as competition_ranks
from minsheng.core.status import Status
from minsheng.plan.models import Item, Target, Thresholds
from minsheng.progress.entry import AnyEntry
from minsheng.progress.rollup import Actual

ZERO = Decimal(0)


@dataclass(frozen=True)
class TargetResult:
    """One target at the as-of date: what counts as its actual, completion and whether met."""

    target: Target
    measure: int | None  # 1-based number of the measure it belongs to; None: the item's own
    entry: AnyEntry | None  # its own latest entry
    actual: Actual | None  # that entry, or the 合计 of its parts (sum_of) when more recent
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
    latest: AnyEntry | None  # the most recent entry that counts (own targets first)
    note: AnyEntry | None  # the most recent one with a note (own targets first)
    # 最新进展: the entry that describes the item, one per lead unit of a co-led item (each
    # unit's own targets), each shown with its own figure, note and date, never mixed.
    latest_by_unit: Sequence[AnyEntry] = ()

    @property
    def gap(self) -> Decimal | None:
        """Points below expected progress (negative when ahead), from the rounded points."""
        if self.completion is None:
            return None
        return points(self.expected) - points(self.completion)


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


def ranks(groups: Sequence[GroupResult]) -> list[int]:
    """Competition ranking (1, 2, 2, 4) of ranked groups: equal points shown, equal rank."""
    return competition_ranks([rank_key(unit)[0] for unit in groups])


def rank_key(unit: GroupResult) -> tuple[Decimal, str]:
    """Units in ranked order: completion in points descending, then name."""
    return (-points(unit.completion or ZERO), unit.name)
