"""Percentages as people read them (百分比): a fraction rounded once, half up (四舍五入), from
the exact value, to one decimal of a point; every format shows that one figure."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from minsheng.core.measure import json_number

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def points(fraction: Decimal) -> Decimal:
    """A fraction as percentage points to one decimal, half up: 0.539473… is 53.9.

    This is the one rounding of a percentage. It is made from the exact value, never from a
    figure already rounded: 0.53947 rounded to 0.5395 first would read 54.0. Statuses and
    ranks are decided on these points, so what a reader sees (53.9%, 落后 4.4) is exactly
    what was compared.
    """
    # Room for the largest completion the ledger's numbers allow (10^15 / 10^-12) at 0.1.
    with decimal.localcontext() as context:
        context.prec = 60
        return (fraction * HUNDRED).quantize(TENTH, ROUND_HALF_UP)


def ranks(shown: Sequence[Decimal]) -> list[int]:
    """Competition ranking (1, 2, 2, 4) of figures in their order, best first: figures equal
    as shown (in `points`), equal rank."""
    found: list[int] = []
    for index, figure in enumerate(shown):
        found.append(found[-1] if index and figure == shown[index - 1] else index + 1)
    return found


def percent_text(fraction: Decimal | None, empty: str = "") -> str:
    """A fraction as shown: 53.9%; `empty` when there is none."""
    return empty if fraction is None else f"{points(fraction)}%"


def json_percent(fraction: Decimal | None) -> int | float | None:
    """The figure shown, for the JSON beside its fraction (`completion_pct` beside
    `completion`): a reader of the JSON then never rounds a rounded fraction again."""
    return None if fraction is None else json_number(points(fraction))


def exact_points(shown: object) -> Decimal | None:
    """Points already rounded by `points` and carried as a number (the JSON's `*_pct`), as
    the exact one-decimal Decimal it was: 53.9, never 53.899999; None for anything else."""
    if isinstance(shown, bool) or not isinstance(shown, int | float | Decimal):
        return None
    number = Decimal(str(shown))
    if not number.is_finite():
        return None
    return number.quantize(TENTH) if number == number.quantize(TENTH) else None


def shown_percent(shown: object, empty: str = "—") -> str:
    """Points already rounded (the JSON's `*_pct`) as a percentage: 53.9%; `empty` if none."""
    number = exact_points(shown)
    return empty if number is None else f"{number}%"


def shown_points(shown: object, empty: str = "") -> str:
    """Percentage points already rounded (a gap, 4.4) as shown; `empty` if none."""
    number = exact_points(shown)
    return empty if number is None else str(number)
