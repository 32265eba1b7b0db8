"""Restoring a PDF's text (修复): lines glued together split again at an item's end, page
furniture (page numbers, the 文号 or a header repeated on every page) taken out, and lines
broken inside a sentence, a figure or a unit's name joined again.

Text copied from a web page comes through unchanged: its lines end where its paragraphs do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from minsheng.plan.draft import marks
from minsheng.plan.draft.clean import Line

# The title, the 文号 and the salutation come first: the 文号 there is the document's own,
# anywhere later it is a page's header or footer.
HEAD_LINES = 6


@dataclass
class Mended:
    """The lines restored, and what was done to them (said in the draft's header)."""

    lines: list[Line]
    removed: list[tuple[int, str]] = field(default_factory=list)  # (line, text) of furniture
    joined: int = 0  # line breaks inside a sentence taken out
    split: int = 0  # lines glued together split again


def mend(lines: list[Line], doc_number: str | None = None) -> Mended:
    """The notice's lines as written before the PDF broke them. `doc_number` is the 文号
    where a web page's index table gives it; else it is looked for in the head."""
    lines, split = _split_glued(lines)
    number = doc_number or next(
        (m.group() for line in lines[:HEAD_LINES] if (m := marks.DOC_NUMBER.search(line.text))),
        None,
    )
    kept, removed = _drop_furniture(lines, number)
    restored, joined = _join_broken(kept)
    return Mended(restored, removed, joined, split)


# After a sentence or a heading's count, a numbering that opens an item, a measure or a
# heading: two lines glued together
_SENTENCE_THEN_MARK = re.compile(
    r"(?:。|\(\d{1,3}项\))"
    r"(?=\((?:\d{1,3}|[一二三四五六七八九十]{1,3})\)|\d{1,3}[.、)](?!\d)|[一二三四五六七八九十]{1,3}、)"
)


def _split_glued(lines: list[Line]) -> tuple[list[Line], int]:
    """Split a line after the lead units' tail, a sentence or a heading's count, where the
    next item, measure or heading follows on the same line (pages glued together, or a paste
    without breaks)."""
    out: list[Line] = []
    split = 0
    for line in lines:
        text = line.text
        points = [m.end() for m in marks.TAIL_INSIDE.finditer(text) if m.end() < len(text)]
        points += [m.end() for m in _SENTENCE_THEN_MARK.finditer(text)]
        if not points:
            out.append(line)
            continue
        start = 0
        for point in sorted(set(points)):
            piece = text[start:point].strip()
            if piece:
                out.append(Line(line.no, piece))
            start = point
        rest = text[start:].strip()
        if rest:
            out.append(Line(line.no, rest))
        split += len(points)
    return out, split


_PAGE_WORDS = re.compile(r"第\d{1,4}页(?:共\d{1,4}页)?|共\d{1,4}页第\d{1,4}页|\d{1,4}/\d{1,4}")
# A page number glued after the end of a sentence or an item (…完成。12, …(无任务)- 3 -)
_GLUED_PAGE = re.compile(r"(?<=[。)]) ?[-—–]? ?\d{1,3} ?[-—–]?$")
_DASHES = "-—–─_· "


def is_page_number(text: str) -> bool:
    """`3`, `- 3 -`, `— 3 —`, `第3页`, `第3页共12页`, `3/12`."""
    bare = text.replace(" ", "").strip(_DASHES)
    if bare.isascii() and bare.isdigit():
        return len(bare) <= 3
    return bool(_PAGE_WORDS.fullmatch(bare))


def _drop_furniture(
    lines: list[Line], doc_number: str | None
) -> tuple[list[Line], list[tuple[int, str]]]:
    counts = Counter(line.text for line in lines)
    kept: list[Line] = []
    removed: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        pieces = _doc_number_pieces(lines, index, doc_number) if index >= HEAD_LINES else 0
        if pieces:
            shown = "".join(piece.text for piece in lines[index : index + pieces])
            removed.append((line.no, shown))
            index += pieces
            continue
        if is_page_number(line.text) or _running(line.text, counts[line.text]):
            removed.append((line.no, line.text))
            index += 1
            continue
        glued = _GLUED_PAGE.search(line.text[-12:])
        if glued:
            removed.append((line.no, glued.group().strip()))
            line = Line(line.no, line.text[: len(line.text) - len(glued.group())])
        kept.append(line)
        index += 1
    return kept, removed


def _doc_number_pieces(lines: list[Line], index: int, doc_number: str | None) -> int:
    """How many lines from `index` (one to three) spell the 文号 of a running header: the
    document's own, or any 文号 alone on a line; 0 if they do not."""
    if doc_number is None:
        return 1 if marks.DOC_NUMBER.fullmatch(lines[index].text) else 0
    spelled = ""
    for count, line in enumerate(lines[index : index + 3], start=1):
        spelled += line.text.replace(" ", "")
        if spelled == doc_number:
            return count
        if not doc_number.startswith(spelled):
            break
    return 0


def _running(text: str, times: int) -> bool:
    """A short line repeated on three pages or more that is no part of the structure: a
    running header or footer."""
    return (
        times >= 3
        and len(text) <= 30
        and not text.endswith(("。", ";", ":", ",", ")"))
        and marks.marker(text) is None
        and marks.measures_rest(text) is None
        and not text.startswith("附件")
        and not text[0].isdigit()
    )


# A line never starts with these unless it goes on from the line before
_CONTINUING = (",", ";", "。", "、", ")", ":", "%")
# What a title line ends with: the title is complete there
_TITLE_ENDS = ("通知", "意见", "方案", "清单", "办法", "规划", "计划")


def _join_broken(lines: list[Line]) -> tuple[list[Line], int]:
    """Join a line to the one before when that one stops inside a sentence and this one
    does not open anything of the structure."""
    out: list[Line] = []
    parts: list[str] = []
    start = 0
    whole = False  # the line being built is whole by itself (附件…, a date, a 文号)
    window = ""  # the end of the line being built: enough to see how it ends
    joined = 0
    for index, line in enumerate(lines):
        after = lines[index + 1].text if index + 1 < len(lines) else ""
        if parts and not whole and _goes_on(window, line.text, after):
            parts.append(line.text)
            window = (window + line.text)[-marks.TAIL_WINDOW :]
            joined += 1
            continue
        if parts:
            out.append(Line(start, "".join(parts)))
        parts, start, whole = [line.text], line.no, _standalone(line.text)
        window = line.text[-marks.TAIL_WINDOW :]
    if parts:
        out.append(Line(start, "".join(parts)))
    return out, joined


def _goes_on(before: str, text: str, after: str) -> bool:
    """`text` continues the line ending in `before` (`after` is the line after `text`)."""
    if text.startswith(_CONTINUING):
        return True
    if _ends(before):
        return False
    return not (
        marks.marker(text) is not None
        or marks.measures_rest(text) is not None
        or _standalone(text)
        or marks.is_date(after)  # `text` signs the notice: the date follows
    )


def _standalone(text: str) -> bool:
    """A line that is whole by itself: 附件…, a date, a 文号."""
    return text.startswith("附件") or marks.is_date(text) or bool(marks.DOC_NUMBER.fullmatch(text))


def _ends(text: str) -> bool:
    """The line ends a sentence, an item, a heading or a title."""
    return (
        text.endswith(("。", "!", "?", ":"))
        or marks.closes_item(text)
        or marks.has_count(text) is not None
        or text.endswith(_TITLE_ENDS)
    )
