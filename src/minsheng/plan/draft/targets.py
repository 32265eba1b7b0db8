"""Guessing targets (指标) from a text: every number with its unit of measure, its kind and
comparator read from the phrase around it, by the conventions at the top of the 2024 plan."""

from __future__ import annotations

import re
from dataclasses import dataclass

from minsheng.plan.draft.model import DraftTarget

_RATE = r"元/(?:月|年|人次|人|家|户|次|天|个|名|亩|吨)"
_COUNTED = (
    r"人次|人|名|户|个月|个|家|件|所|场|分钟|小时|公里|千米|平方米|米|亩|吨|台|辆|间|床|张|套|座"
    r"|处|条|项|批次|次|期|班|支|位|块|盏|棵|株|册|本|元"
)
_UNIT = re.compile(rf"(?:(?:万|亿)?(?:{_RATE}|{_COUNTED})|%)")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
# Numbers that are no commitment: years, dates, ages, ranges, ordinals
_NOT_TARGET = re.compile(r"年|月|日|岁|周岁|[-~]\d|级|倍|届")
# Quoted names (“15分钟阅读圈”, “3·15”), titles of documents and document numbers
_MASKED = re.compile(r"“[^”]*”|《[^》]*》|\S{0,12}〔\d{4}〕\d+号|\d+[-~]\d+")
_CLAUSE = re.compile(r"[^,;。!?]+")
_AT_MOST = ("不超过", "不高于", "控制在", "低于", "以内")
_STANDARD_WORDS = ("按照", "按", "每")
_LEVEL_WORDS = ("千人口", "每千人", "万人口", "每万人", "人均", "率")
_JOINERS = {"、", "和", "及", "与", ""}
_FROM_TO = re.compile(
    rf"从(\d+(?:\.\d+)?)({_UNIT.pattern})?(提高|提升|增加|增长|降低|下降|减少)到(\d+(?:\.\d+)?)({_UNIT.pattern})"
)
_NAME_NOISE = re.compile(
    r"^(?:为|对|向|全区|全年|确保|实现|其中|分别|共|约)+|"
    r"(?:不少于|不低于|不超过|不高于|达到|达|提高到|提升到|稳定在|保持在|控制在|分别|全部|按照|按|一般|的|为)+$"
)
_LENGTHY = ("公里", "千米", "米", "平方米", "亩", "吨")


@dataclass
class Guess:
    targets: list[DraftTarget]
    unclassified: list[str]  # numbers with no unit of measure the drafter knows, in context


def guess(text: str) -> Guess:
    """The quantified targets of one text (an item's title or a measure)."""
    masked = _MASKED.sub(lambda m: "□" * len(m.group()), text)
    found: list[DraftTarget] = []
    unclassified: list[str] = []
    for clause in _CLAUSE.finditer(masked):
        found.extend(_clause(text, masked, clause.start(), clause.end(), unclassified))
    return Guess(found, unclassified)


def _clause(
    text: str, masked: str, start: int, end: int, unclassified: list[str]
) -> list[DraftTarget]:
    part = masked[start:end]
    shown = text[start:end]
    if m := _FROM_TO.search(part):
        up = m.group(3) in {"提高", "提升", "增加", "增长"}
        unit = m.group(5)
        name = _name(shown[: m.start()], "")
        kind = "level" if unit == "%" or _has(part[: m.start()], _LEVEL_WORDS) else "standard"
        return [
            DraftTarget(
                name=name,
                kind=kind,
                comparator="at_least" if up else "at_most",
                value=m.group(4),
                unit=unit,
                baseline=m.group(1),
                source=shown.strip(),
            )
        ]
    targets: list[DraftTarget] = []
    previous_end = 0
    previous: DraftTarget | None = None
    for number in _NUMBER.finditer(part):
        after = part[number.end() :]
        unit_match = _UNIT.match(after)
        if not unit_match:
            if not _NOT_TARGET.match(after):
                unclassified.append(_context(shown, number.start(), number.end()))
            continue
        unit = unit_match.group()
        rest = after[unit_match.end() :]
        if part[: number.start()].endswith("第"):
            continue  # an ordinal (第30项), not a figure
        if rest.startswith(("以下的", "以上的", "以内的")):
            continue  # a condition on whom the item serves (收益20万元以下的村), not a target
        before = part[previous_end : number.start()]
        joined = before.strip() in _JOINERS and previous is not None
        comparator = _comparator(before, rest, previous if joined else None)
        kind = _kind(part[: number.start()] if not joined else before, number.group(), unit)
        if joined and previous is not None:
            kind = previous.kind if kind != "standard" else kind
            name = previous.name
        else:
            # the name from the text as written (the mask hid quoted names from the figures)
            name = _name(
                shown[previous_end : number.start()],
                _up_to_figure(shown[number.end() + len(unit) :]),
            )
        target = DraftTarget(
            name=name,
            kind=kind,
            comparator=comparator,
            value=number.group(),
            unit=unit,
            source=shown.strip(),
        )
        if joined and previous is not None and rest.startswith("以上"):
            previous.comparator = "at_least"
        targets.append(target)
        previous = target
        previous_end = number.end() + len(unit)
    if len(targets) == 1:
        targets = _each_of_two(shown[: part.find(targets[0].value or "")], targets[0])
    return targets


def _each_of_two(before: str, target: DraftTarget) -> list[DraftTarget]:
    """`A和B…分别覆盖22%` / `A和B标准全部提高到86元/月`: one figure, two targets."""
    words = re.search(r"(分别|全部|均)", before)
    if not words or "和" not in before[: words.start()]:
        return [target]
    subject = before[: words.start()]
    first, _, second = subject.partition("和")
    if not first or not second:
        return [target]
    return [
        DraftTarget(**{**target.__dict__, "name": _name(first, "")}),
        DraftTarget(**{**target.__dict__, "name": _name(second, "")}),
    ]


def _comparator(before: str, rest: str, previous: DraftTarget | None) -> str:
    if rest.startswith("左右"):
        return "approx"
    if rest.startswith("以上"):
        return "at_least"
    if rest.startswith(("以下", "以内")):
        return "at_most"
    if previous is not None:
        return previous.comparator or "at_least"
    plain = before.replace("不低于", "")
    if _has(plain, _AT_MOST):
        return "at_most"
    return "at_least"


def _kind(before: str, value: str, unit: str) -> str:
    if "/" in unit or "元" in unit or _has(before, _STANDARD_WORDS):
        return "standard"
    if unit == "%" or _has(before, _LEVEL_WORDS):
        return "level"
    if "." in value and not unit.startswith(("万", "亿")) and unit not in _LENGTHY:
        return "level"  # 5.27个: a count cannot be a fraction, so it is a level (千人口托位数)
    return "quantity"


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _name(before: str, rest: str) -> str:
    """A short name: the words before the figure, or the noun after it (为776名残疾人…)."""
    name = before.strip(" □、")
    for _ in range(3):
        name = _NAME_NOISE.sub("", name).strip(" □、")
    if len(name) < 2:
        tail = re.sub(r"^(?:左右|以上|的)+", "", rest)
        name = tail.strip(" □、")[:30]
    return name.replace("□", "") or "指标"


def _up_to_figure(text: str) -> str:
    return re.split(r"\d", text, maxsplit=1)[0]


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start - 8) : min(len(text), end + 8)].strip()


def milestones(title: str) -> list[DraftTarget]:
    """The qualitative commitments of an item: each clause after the first (the first says
    what the item is about) that holds no figure, as the 2024 plan sets them."""
    clauses = [c.strip() for c in _CLAUSE.findall(title) if c.strip()]
    return [
        DraftTarget(name=clause, kind="milestone", source=clause)
        for clause in clauses[1:]
        if not re.search(r"\d", clause)
    ]
