"""The marks a notice's lines carry (标记): numbering (1. 1) (1) 一、 (一)), the lead units'
tail (牵头单位:…) or (无任务), a heading's count (3项), a date, a 文号, 推进措施, 附件.

Every pattern here looks at a bounded stretch of text or is anchored where it starts, so
reading a line costs time in proportion to its length, whatever the line holds.
"""

from __future__ import annotations

import re
from typing import NamedTuple

CN = "一二三四五六七八九十"
# 一 … 九, 十, 十一 … 十九, 二十 … 九十九: the forms a list's numbers take
_CN_NUM = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 二十一 → 21, 五十 → 50 (`text` is one of _CN_NUM's forms)."""
    tens, ten, ones = text.rpartition("十")
    if not ten:
        return CN.index(ones) + 1
    high = CN.index(tens) + 1 if tens else 1
    return high * 10 + (CN.index(ones) + 1 if ones else 0)


class Mark(NamedTuple):
    """The numbering that opens a line: its style, its number, and the text after it."""

    style: str
    number: int
    rest: str


# How a line can open a numbered item, by style. "1." and "1、" are one style; full-width
# marks were folded to these by the cleaning. "1.3月底前" is measure 1 and a date, not 1.3.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("(1)", re.compile(r"\((\d{1,3})\) ?")),
    ("1)", re.compile(r"(\d{1,3})\) ?")),
    ("1.", re.compile(r"(\d{1,3})(?:、|\.(?!\d)|\.(?=\d{1,2}月)) ?")),
    ("(一)", re.compile(rf"\(({_CN_NUM})\) ?")),
    ("一、", re.compile(rf"({_CN_NUM})、 ?")),
)
STYLES = tuple(style for style, _ in _MARKERS)


def marker(text: str) -> Mark | None:
    """The numbering that opens a line, or None."""
    for style, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            raw = match.group(1)
            number = int(raw) if raw.isdigit() else cn_number(raw)
            return Mark(style, number, text[match.end() :])
    return None


_UNIT_WORDS = "(?:牵头单位|牵头部门|责任单位|责任部门)"
# The tail that closes an item: its lead units, or 无任务 (我区/本省/… 无任务)
TAIL = re.compile(rf"\({_UNIT_WORDS} ?: ?([^()]*)\)$")
NO_TASK = re.compile(r"\((?:我|本)?[省市县区镇乡]?无任务\)$")
OPEN_TAIL = re.compile(rf"\({_UNIT_WORDS} ?: ?([^()]*)$")
# A tail is never longer than this: looking at a line's last stretch is enough to see one
TAIL_WINDOW = 1100
# Anywhere in a line, for splitting glued lines: a tail and whatever follows it
TAIL_INSIDE = re.compile(
    rf"\({_UNIT_WORDS} ?:[^()]{{0,{TAIL_WINDOW - 20}}}\)|\((?:我|本)?[省市县区镇乡]?无任务\)"
)

_COUNT_END = re.compile(r"\((\d{1,3}) ?项\)$")
COUNT_LINE = re.compile(r"\((\d{1,3}) ?项\)")
DATE_LINE = re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日")
DOC_NUMBER = re.compile(r"[^\s〔〕]{1,12}〔\d{4}〕\d{1,4}号")
MEASURES = re.compile(r"(?:推进|工作|主要|具体)措施 ?(?::|$)")
ATTACHMENT = re.compile(r"附 ?件 ?\d{0,2}")
SENTENCE_END = ("。", "!", "?")


def closes_item(text: str) -> bool:
    """The text ends with the lead units' tail or 无任务."""
    end = text[-TAIL_WINDOW:]
    return bool(TAIL.search(end) or NO_TASK.search(end))


def has_count(text: str) -> int | None:
    """The count of a heading's last parenthesis, (3项) → 3."""
    match = _COUNT_END.search(text[-12:])
    return int(match.group(1)) if match else None


def strip_count(text: str) -> str:
    match = _COUNT_END.search(text[-12:])
    return text[: len(text) - len(match.group())] if match else text


def is_date(text: str) -> bool:
    return bool(DATE_LINE.fullmatch(text))


def measures_rest(text: str) -> str | None:
    """The text after `推进措施:` when the line opens with it, else None."""
    match = MEASURES.match(text)
    return None if match is None else text[match.end() :].lstrip()


def is_attachment(text: str) -> bool:
    return bool(ATTACHMENT.fullmatch(text))
