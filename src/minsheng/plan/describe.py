"""How a target is said (指标表述): in words as the notice reads (不少于776名) and as JSON."""

from __future__ import annotations

import re
from typing import Any

from minsheng.core.measure import format_decimal, json_number
from minsheng.plan.funds import is_funds_target
from minsheng.plan.models import COMPARATOR_WORDS, Comparator, Item, Kind, Target

SHORT_TITLE = 20  # characters of an item's short title


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
        "by": target.by,
        "note": target.note,
    }


def requirement_words(target: Target) -> str:
    """The commitment as it reads: 不少于776名, 0.57万人左右, 不少于99.93%(基线99.90%)."""
    if target.comparator is None or target.value is None:
        return "定性任务"  # a milestone (节点): progress is reported by stage
    # The plan's Decimal keeps the digits as written (0.57, 99.90).
    amount = f"{format_decimal(target.value)}{target.unit or ''}"
    if is_funds_target(target.id):  # aimed at the year's plan, as the funds file gives it
        return f"年度计划投资{amount}"
    words = COMPARATOR_WORDS[target.comparator]
    text = f"{amount}{words}" if target.comparator is Comparator.APPROX else f"{words}{amount}"
    if target.baseline is not None:
        text += f"(基线{format_decimal(target.baseline)}{target.unit or ''})"
    return text


def target_words(target: Target) -> str:
    """A target with its commitment, as `progress add` and the return form's clerk read it:
    城镇新增就业(0.57万人左右), 规范确定低保标准(定性节点)."""
    if target.kind is Kind.MILESTONE:
        return f"{target.name}(定性节点)"
    return f"{target.name}({requirement_words(target)})"


def task_words(item: Item) -> str | None:
    """目标任务: the item's own targets (not its measures' detail) in words, `;` between
    them; None for an item with no task or no target of its own."""
    if item.no_task or not item.targets:
        return None
    return ";".join(target_words(target) for target in item.targets)


# A first clause that only frames the action (依托…建设,围绕…) does not name the item.
_FRAMING = ("依托", "围绕", "按照", "根据", "结合", "通过")


def short_title(item: Item) -> str:
    """The item's first clause that names the action, at most SHORT_TITLE characters."""
    clauses = [c for c in re.split(r"[,;。,;]", item.title) if c]
    naming = [c for c in clauses if not c.startswith(_FRAMING)]
    title = (naming or clauses or [item.title])[0]
    return title if len(title) <= SHORT_TITLE else title[: SHORT_TITLE - 1] + "…"
