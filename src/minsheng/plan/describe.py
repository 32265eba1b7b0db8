"""How a target is said (指标表述): in words as the notice reads (不少于776名) and as JSON."""

from __future__ import annotations

from typing import Any

from minsheng.core.measure import format_decimal, json_number
from minsheng.plan.models import COMPARATOR_WORDS, Comparator, Target


def target_json(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "name": target.name,
        "kind": target.kind.value,
        "comparator": target.comparator.value if target.comparator else None,
        "value": json_number(target.value),
        "unit": target.unit,
        "baseline": json_number(target.baseline),
        "sum_of": list(target.sum_of),
        "note": target.note,
    }


def requirement_words(target: Target) -> str:
    """The commitment as it reads: 不少于776名, 0.57万人左右, 不少于99.93%(基线99.90%)."""
    if target.comparator is None or target.value is None:
        return "定性任务"  # a milestone (节点): progress is reported by stage
    # The plan's Decimal keeps the digits as written (0.57, 99.90).
    amount = f"{format_decimal(target.value)}{target.unit or ''}"
    words = COMPARATOR_WORDS[target.comparator]
    text = f"{amount}{words}" if target.comparator is Comparator.APPROX else f"{words}{amount}"
    if target.baseline is not None:
        text += f"(基线{format_decimal(target.baseline)}{target.unit or ''})"
    return text
