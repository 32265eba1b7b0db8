"""Guessing targets (指标) from a text: every number with its unit of measure, its kind and
comparator read from the phrase around it, by the conventions at the top of the 2024 plan.

Linear in the text whatever it holds: a run of digits is looked at once (the number pattern
cannot start inside one), the words around a figure are read from a bounded stretch, and
reading stops at the figure past the caller's limit.
"""

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
_FIGURE = r"\d++(?:\.\d++)?"
# Never inside a run of digits: the pattern starts only where a run does
_NUMBER = re.compile(rf"(?<![\d.]){_FIGURE}(?![\d.])")
# A figure has at most this many digits (10^12): a longer run is no commitment
_LONGEST = 13
# Numbers that are no commitment: years, dates, ages, ranges, ordinals
_NOT_TARGET = re.compile(r"年|月|日|岁|周岁|[-~]\d|级|倍|届")
# Quoted names (“15分钟阅读圈”, “3·15”), titles of documents, document numbers, ranges (2-3岁).
# A quotation stops at the next opening mark, so an unclosed one is not scanned again.
_MASKED = re.compile(
    rf"“[^“”]*”|《[^《》]*》|[^\s〔〕]{{0,12}}〔\d{{4}}〕\d{{1,4}}号|(?<![\d.]){_FIGURE}[-~]{_FIGURE}"
)
_CLAUSE = re.compile(r"[^,;。!?]+")
_AT_MOST = ("不超过", "不高于", "控制在", "低于", "以内")
_STANDARD_WORDS = ("按照", "按", "每")
_LEVEL_WORDS = ("千人口", "每千人", "万人口", "每万人", "人均", "率")
_JOINERS = {"、", "和", "及", "与", ""}
# 从99.90%提高到99.93%, 由每人每月165元提高到每人每月188元: a baseline and a target
_FROM_TO = re.compile(
    rf"[从由]([^\d,;。]{{0,8}}?)({_FIGURE})({_UNIT.pattern})?"
    rf"(提高|提升|增加|增长|降低|下降|减少)(?:到|至)([^\d,;。]{{0,8}}?)({_FIGURE})({_UNIT.pattern})"
)
_NAME_NOISE = re.compile(
    r"^(?:为|对|向|全区|全年|确保|实现|其中|分别|共|约)+|"
    r"(?:不少于|不低于|不超过|不高于|达到|达|提高到|提升到|稳定在|保持在|控制在|分别|全部|按照|按|一般|的|为)+$"
)
_LENGTHY = ("公里", "千米", "米", "平方米", "亩", "吨")
# How far before a figure its kind and name are read: a clause's words, not a page's
_NAME_REACH = 40
_KIND_REACH = 80
_UP = {"提高", "提升", "增加", "增长"}


@dataclass
class Guess:
    targets: list[DraftTarget]
    unclassified: list[str]  # numbers with no unit of measure the drafter knows, in context
    cut: bool = False  # the text held more figures than the limit; the rest was not read


def guess(text: str, limit: int) -> Guess:
    """The quantified targets of one text (an item's title or a measure), reading no more
    than `limit` figures (numbers with a unit or without)."""
    masked = _MASKED.sub(lambda m: "□" * len(m.group()), text)
    result = Guess([], [])
    for clause in _CLAUSE.finditer(masked):
        _clause(text, masked, clause.start(), clause.end(), result, limit)
        if result.cut:
            break
    return result


def _clause(text: str, masked: str, start: int, end: int, result: Guess, limit: int) -> None:
    part = masked[start:end]
    shown = text[start:end]
    if m := _FROM_TO.search(part):
        unit = m.group(7)
        before = part[max(0, m.start() - _KIND_REACH) : m.start()]
        kind = "level" if unit == "%" or _has(before, _LEVEL_WORDS) else "standard"
        result.targets.append(
            DraftTarget(
                name=_name(shown[max(0, m.start() - _NAME_REACH) : m.start()], ""),
                kind=kind,
                comparator="at_least" if m.group(4) in _UP else "at_most",
                value=m.group(6),
                unit=unit,
                baseline=m.group(2),
                source=_source(shown, m.start(), m.end()),
            )
        )
        return
    found: list[DraftTarget] = []
    previous_end = 0
    previous: DraftTarget | None = None
    for number in _NUMBER.finditer(part):
        if len(found) + len(result.targets) + len(result.unclassified) >= limit:
            result.cut = True
            break
        begin, finish = number.span()
        unit_match = _UNIT.match(part, finish)
        if not unit_match or len(number.group()) > _LONGEST:
            if not unit_match and _NOT_TARGET.match(part, finish):
                continue
            result.unclassified.append(_context(shown, begin, finish))
            continue
        unit = unit_match.group()
        after = unit_match.end()
        if begin and part[begin - 1] == "第":
            continue  # an ordinal (第30项), not a figure
        if part.startswith(("以下的", "以上的", "以内的"), after):
            continue  # a condition on whom the item serves (收益20万元以下的村), not a target
        before = part[previous_end:begin]
        joined = before.strip() in _JOINERS and previous is not None
        comparator = _comparator(before, part, after, previous if joined else None)
        reach = before if joined else part[max(0, begin - _KIND_REACH) : begin]
        kind = _kind(reach, number.group(), unit)
        if joined and previous is not None:
            kind = previous.kind if kind != "standard" else kind
            name = previous.name
        else:
            # the name from the text as written (the mask hid quoted names from the figures)
            name = _name(
                shown[max(previous_end, begin - _NAME_REACH) : begin],
                _up_to_figure(shown[after : after + _NAME_REACH]),
            )
        target = DraftTarget(
            name=name,
            kind=kind,
            comparator=comparator,
            value=number.group(),
            unit=unit,
            source=_source(shown, begin, after),
        )
        if joined and previous is not None and part.startswith("以上", after):
            previous.comparator = "at_least"
        found.append(target)
        previous = target
        previous_end = after
    if len(found) == 1:
        value_at = part.find(found[0].value or "")
        found = _each_of_two(shown[max(0, value_at - _KIND_REACH) : value_at], found[0])
    result.targets.extend(found)


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
        DraftTarget(**{**target.__dict__, "name": _name(first[-_NAME_REACH:], "")}),
        DraftTarget(**{**target.__dict__, "name": _name(second[-_NAME_REACH:], "")}),
    ]


def _comparator(before: str, part: str, after: int, previous: DraftTarget | None) -> str:
    if part.startswith("左右", after):
        return "approx"
    if part.startswith("以上", after):
        return "at_least"
    if part.startswith(("以下", "以内"), after):
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


def _source(shown: str, begin: int, end: int) -> str:
    """The phrase a figure was read from: its clause, or the words around it in a long one."""
    if len(shown) <= 120:
        return shown.strip()
    return shown[max(0, begin - _NAME_REACH) : end + _NAME_REACH].strip()


def _context(text: str, start: int, end: int) -> str:
    """A number with a few characters either side; a very long one is shortened."""
    if end - start > 20:
        return f"{text[max(0, start - 8) : start + 12]}…({end - start} 位数字)"
    return text[max(0, start - 8) : min(len(text), end + 8)].strip()


def milestones(title: str, limit: int) -> list[DraftTarget]:
    """The qualitative commitments of an item: each clause after the first (the first says
    what the item is about) that holds no figure, as the 2024 plan sets them; at most
    `limit` + 1 of them (one past the limit tells the caller it was reached)."""
    found: list[DraftTarget] = []
    first = True
    for match in _CLAUSE.finditer(title):
        clause = match.group().strip()
        if not clause:
            continue
        if first or re.search(r"\d", clause):
            first = False
            continue
        if len(found) > limit:
            break
        found.append(DraftTarget(name=clause, kind="milestone", source=clause))
    return found
