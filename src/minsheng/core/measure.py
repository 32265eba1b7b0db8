"""Units of measure (计量单位): 万 scales by 10,000, and a value may carry its unit."""

from __future__ import annotations

import decimal
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER_WITH_UNIT = re.compile(r"\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*(.*?)\s*")
_THOUSANDS = re.compile(r"[0-9],[0-9]")  # after NFKC: a full-width comma too
_EXPONENT = re.compile(r"[eE][-+]?[0-9]")


def format_decimal(value: Decimal) -> str:
    """Plain digits, never an exponent, trailing zeros as written: 0.0000001, 0.30, 3000."""
    return format(value, "f")


def split_unit(unit: str) -> tuple[Decimal, str]:
    """`万人` is (10000, `人`); `人次` is (1, `人次`); a bare `万` is (10000, ``)."""
    if unit[:1] in _SCALES:
        return _SCALES[unit[0]], unit[1:]
    return Decimal(1), unit


def is_percent(unit: str | None) -> bool:
    return unit in {"%", "\uff05"}  # half- and full-width


# Other names of the same unit (计量单位的同义词), each to the name it stands for: a count
# of people is written 人 or 名 alike (320人 for a target in 名), of attendances 人次 or 名次.
SYNONYMS = {"名": "人", "名次": "人次", "\uff05": "%"}


def same_unit(one: str, other: str) -> bool:
    """Whether two units (without their 万) are the same: equal, or synonyms (人 and 名)."""
    return SYNONYMS.get(one, one) == SYNONYMS.get(other, other)


# Units that count whole things: a value in them is a whole number (after its 万, if any).
COUNTED = frozenset({
    "户", "人", "名", "个", "所", "家", "位", "例", "件", "次", "场", "批", "套", "座", "处",
    "台", "辆", "条", "张", "间", "册", "支", "项", "只", "头", "栋", "幢", "部", "本", "份",
    "人次", "户次", "批次", "场次", "班次", "车次", "架次", "台次",
})  # fmt: skip


def is_counted(unit: str | None) -> bool:
    """Whether a unit (without its 万) counts whole things: 户 and 人次 do, 公里 and 元 do not."""
    return unit in COUNTED


def is_rate(unit: str | None) -> bool:
    """A percentage or a per-something unit (元/月): 万 in front of a value makes no sense."""
    return unit is not None and (is_percent(unit) or "/" in unit)


def is_bare(text: str) -> bool:
    """A number typed without a unit (`3000`, not `3000人`): it is in the target's own unit."""
    match = _NUMBER_WITH_UNIT.fullmatch(unicodedata.normalize("NFKC", text))
    return match is not None and not match.group(2)


def parse_amount(text: str, unit: str | None) -> Decimal:
    """A value typed by a person, in the target's unit: `0.3`, `0.3万`, `3000人`, `45%`.

    Full-width digits are folded to ASCII. A value written with another scale of the same
    unit is converted (`3000人` for a target in 万人 is 0.3). Raises ValueError in Chinese.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    if _THOUSANDS.search(folded):
        plain = folded.replace(",", "")
        raise ValueError(f"数值 {text!r} 不能用千位分隔符(逗号),请写作 {plain}")
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
    if _EXPONENT.match(written):
        raise ValueError(f"数值 {text!r} 请写成普通数字(如 0.0001),不要用科学计数法")
    target_scale, target_base = split_unit(unit) if unit else (Decimal(1), "")
    scale, base = split_unit(written)
    if base and not same_unit(base, target_base):
        raise ValueError(f"数值的单位 {written} 与目标的单位 {unit or '(无)'} 不一致")
    if scale != 1 and written != unit and is_rate(unit):
        raise ValueError(f"目标的计量单位是 {unit},数值不能带“{written[0]}”,请直接按 {unit} 写数值")
    if scale == target_scale:
        return number
    return _tidy(number * scale / target_scale)


def _tidy(number: Decimal) -> Decimal:
    """A converted number without the zeros the conversion added (0.5万人 is 5000, not 5000.0)."""
    tidy = number.normalize()
    exponent = tidy.as_tuple().exponent
    return tidy.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else tidy


def json_number(value: Decimal | None, places: int | None = None) -> int | float | None:
    """An exact decimal as a JSON number, never NaN: an int when integral; otherwise the
    float whose shortest form has the same digits (0.57 stays 0.57; 99.90 becomes 99.9).

    `places` rounds half up first (a fraction to four places: 0.41237 is 0.4124).
    """
    if value is None:
        return None
    if places is not None:
        with decimal.localcontext() as context:
            context.prec = 60  # room for the largest numbers the ledger allows
            value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if value == value.to_integral_value():
        return int(value)
    return float(value)
