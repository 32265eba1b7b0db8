"""What a target stands at (指标的实际完成):its own latest entry, or the sum of its parts
(合计, `sum_of`) when that is more recent; the report and the monthly return both read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from minsheng.core.measure import split_unit
from minsheng.plan.models import Target
from minsheng.progress.entry import AnyEntry, Stage

ZERO = Decimal(0)


@dataclass(frozen=True)
class Actual:
    """Where a target stood at the as-of date: its own latest entry, or its parts' 合计."""

    value: Decimal | None
    stage: Stage | None
    percent: Decimal | None
    date: dt.date
    parts: tuple[str, ...] = ()  # the sub-targets (sum_of) it adds up; () for its own entry

    @classmethod
    def reported(cls, entry: AnyEntry) -> Actual:
        return cls(entry.value, entry.stage, entry.percent, entry.date)


def rolled_up(target: Target, parts: Sequence[tuple[Target, AnyEntry | None]]) -> Actual | None:
    """The sum of the parts' latest values in the target's unit (0 for a part not reported),
    dated by the latest of them; None while no part has an entry."""
    reported = [entry for _, entry in parts if entry is not None]
    if not reported:
        return None
    scale = split_unit(target.unit or "")[0]
    total = sum(
        (
            (entry.value or ZERO) * split_unit(part.unit or "")[0] / scale
            for part, entry in parts
            if entry is not None
        ),
        ZERO,
    )
    date = max(entry.date for entry in reported)
    return Actual(total, None, None, date, tuple(part.id for part, _ in parts))


def actual_of(target: Target, entry: AnyEntry | None, summed: Actual | None) -> Actual | None:
    """A target's own latest entry, or the 合计 of its parts when that is more recent.

    On the same date the target's own entry wins: a figure reported for the whole is the
    unit's word for it; the sum of the parts only stands in for it.
    """
    if entry is not None and (summed is None or entry.date >= summed.date):
        return Actual.reported(entry)
    return summed
