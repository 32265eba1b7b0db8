"""Units of measure (计量单位): 万 scales by 10,000, and a value may carry its unit."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER_WITH_UNIT = re.compile(r"\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*(.*?)\s*")


def split_unit(unit: str) -> tuple[Decimal, str]:
    """`万人` is (10000, `人`); `人次` is (1, `人次`); a bare `万` is (10000, ``)."""
    if unit[:1] in _SCALES:
        return _SCALES[unit[0]], unit[1:]
    return Decimal(1), unit


def is_percent(unit: str | None) -> bool:
    return unit in {"%", "\uff05"}  # half- and full-width


def parse_amount(text: str, unit: str | None) -> Decimal:
    """A value typed by a person, in the target's unit: `0.3`, `0.3万`, `3000人`, `45%`.

    Full-width digits are folded to ASCII. A value written with another scale of the same
    unit is converted (`3000人` for a target in 万人 is 0.3). Raises ValueError in Chinese.
    """
    folded = unicodedata.normalize("NFKC", text)
    match = _NUMBER_WITH_UNIT.fullmatch(folded)
    if not match:
        raise ValueError(f"无法识别的数值 {text!r},应为数字,可带单位,如 320、0.3万、45%")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        raise ValueError(f"无法识别的数值 {text!r}") from None
    written = match.group(2)
    if not written:
        return number
    target_scale, target_base = split_unit(unit) if unit else (Decimal(1), "")
    scale, base = split_unit(written)
    if base and base != target_base and not (is_percent(base) and is_percent(target_base)):
        raise ValueError(f"数值的单位 {written} 与目标的单位 {unit or '(无)'} 不一致")
    return number * scale / target_scale
