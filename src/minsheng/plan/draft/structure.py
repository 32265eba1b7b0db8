"""The notice's structure (结构): title and 文号, category headings, numbered items with their
lead units or 无任务, and the 推进措施 under each item, in the body or in the attachment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from minsheng.plan.draft.clean import Line
from minsheng.plan.draft.model import DraftCategory, DraftDocument, DraftItem, DraftMeasure

CN = "一二三四五六七八九十"
_CN_NUM = f"[{CN}]{{1,3}}"


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 二十一 → 21, 五十 → 50."""
    tens, ten, ones = text.rpartition("十")
    if not ten:
        return CN.index(ones) + 1
    high = CN.index(tens) + 1 if tens else 1
    return high * 10 + (CN.index(ones) + 1 if ones else 0)


# How a line can open a numbered item: style, pattern. "1." and "1、" are one style, so are
# "(1)" and "1)"; full-width marks were folded to these by the cleaning.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("(1)", re.compile(r"\((\d{1,3})\)\s*(.*)")),
    ("(1)", re.compile(r"(\d{1,3})\)\s*(.*)")),
    ("1.", re.compile(r"(\d{1,3})[.、](?!\d)\s*(.*)")),
    ("(一)", re.compile(rf"\(({_CN_NUM})\)\s*(.*)")),
    ("一、", re.compile(rf"({_CN_NUM})、\s*(.*)")),
)
_CATEGORY = re.compile(rf"({_CN_NUM})、([^,。;:()0-9]{{2,20}}?)(?:\((\d+)项\))?")
_COUNT_LINE = re.compile(r"\((\d+)项\)")
_MEASURES = re.compile(r"推进措施\s*:?\s*(.*)")
_ATTACHMENT = re.compile(r"附\s*件\s*\d*")
_UNIT_WORDS = r"(?:牵头单位|牵头部门|责任单位)\s*:"
_TAIL = re.compile(rf"\({_UNIT_WORDS}\s*([^()]*)\)$")
_NO_TASK = re.compile(r"\((?:我区|本区|我市|本市|我县|本县)?无任务\)$")
_OPEN_TAIL = re.compile(rf"\({_UNIT_WORDS}\s*([^()]*)$")
_SENTENCE_END = ("。", "!", "?")
_DATE_LINE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DOC_NUMBER = re.compile(r"\S{1,12}?〔\d{4}〕\d+号")


def marker(text: str) -> tuple[str, int, str] | None:
    """The numbering that opens a line: (style, number, the rest), or None."""
    for style, pattern in _MARKERS:
        match = pattern.fullmatch(text)
        if match:
            raw = match.group(1)
            number = int(raw) if raw.isdigit() else cn_number(raw)
            return style, number, match.group(2)
    return None


@dataclass
class Structure:
    """What the structure pass found: items, attachment sections, and the lines left over."""

    document: DraftDocument
    categories: list[DraftCategory] = field(default_factory=list)
    items: list[DraftItem] = field(default_factory=list)
    sections: list[DraftItem] = field(default_factory=list)  # the attachment's items
    attachment_categories: dict[int, str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    head: list[Line] = field(default_factory=list)
    closing: list[Line] = field(default_factory=list)
    numbering: str = ""


class _Pass:
    """One walk over the lines of a body or an attachment."""

    def __init__(self, found: Structure, lines: list[Line], attachment: bool) -> None:
        self.found = found
        self.lines = lines
        self.attachment = attachment
        self.style: str | None = None
        self.item: DraftItem | None = None
        self.mode = "none"  # title | measures | closed
        self.seen_structure = False

    @property
    def target(self) -> list[DraftItem]:
        return self.found.sections if self.attachment else self.found.items

    def run(self, start: int = 0) -> int:
        """Walk from `start`; return where the attachment begins (len(lines) if nowhere)."""
        index = start
        while index < len(self.lines):
            line = self.lines[index]
            if not self.attachment and _ATTACHMENT.fullmatch(line.text):
                return index + 1
            index = self.step(index, line)
        return len(self.lines)

    def step(self, index: int, line: Line) -> int:
        text = line.text
        measures = _MEASURES.fullmatch(text)
        if measures and self.item is not None:
            self.item.has_measures_block = True
            self.mode = "measures"
            if measures.group(1):
                self.measure_line(Line(line.no, measures.group(1)))
            return index + 1
        category = self.category_at(index)
        if category is not None:
            return category
        mark = marker(text)
        if mark is not None and self.opens_item(mark[0]):
            self.style = self.style or mark[0]
            self.item = DraftItem(number=mark[1], line=line.no, text=mark[2])
            self.item.category = self.current_category()
            self.target.append(self.item)
            self.mode = "title"
            self.seen_structure = True
            self.close_tail(self.item)
            return index + 1
        if self.mode == "title" and self.item is not None:
            if not self.item.tail_closed and (
                not self.item.text.endswith(_SENTENCE_END) or text.startswith("(")
            ):
                self.item.text += text
                self.close_tail(self.item)
                return index + 1
            self.mode = "closed"
        if self.mode == "measures":
            if self.measure_line(line):
                return index + 1
            self.mode = "closed"
        self.leftover(line)
        return index + 1

    def leftover(self, line: Line) -> None:
        if not self.seen_structure and not self.attachment:
            self.found.head.append(line)
        elif not self.attachment and self.mode == "closed":
            self.found.closing.append(line)
            self.found.skipped.append((line.no, line.text))
        else:
            self.found.skipped.append((line.no, line.text))

    def opens_item(self, style: str) -> bool:
        if self.mode == "measures" and style in {"1.", "(1)"} and style != self.style:
            return False  # a numbered measure under an item numbered otherwise
        if self.style is None:
            return self.mode != "measures"
        return style == self.style

    def measure_line(self, line: Line) -> bool:
        """Add a line to the current item's measures; False if it is not one."""
        assert self.item is not None
        mark = marker(line.text)
        measures = self.item.measures
        if mark is not None and mark[0] in {"1.", "(1)"} and mark[0] != self.style:
            measures.append(DraftMeasure(text=mark[2], line=line.no, numbered=True))
            return True
        if not measures:
            measures.append(DraftMeasure(text=line.text, line=line.no))
            return True
        last = measures[-1]
        if last.numbered and last.text.endswith(_SENTENCE_END):
            return False  # a new paragraph after numbered measures: the closing text
        last.text += line.text
        return True

    def category_at(self, index: int) -> int | None:
        """If a category heading starts at `index`, record it and return the next index."""
        line = self.lines[index]
        match = _CATEGORY.fullmatch(line.text)
        if not match:
            return None
        following = self.lines[index + 1].text if index + 1 < len(self.lines) else ""
        count_line = _COUNT_LINE.fullmatch(following)
        next_mark = marker(following)
        if not (
            match.group(3)
            or count_line
            or (next_mark and next_mark[0] != "一、")
            or (self.style is not None and self.style != "一、")
        ):
            return None  # a list numbered 一、 without categories: this is an item
        number = cn_number(match.group(1))
        count = match.group(3) or (count_line.group(1) if count_line else None)
        name = match.group(2)
        if self.attachment:
            self.found.attachment_categories[number] = name
        else:
            self.found.categories.append(
                DraftCategory(number, name, int(count) if count else None, line.no)
            )
        self.item = None
        self.mode = "none"
        self.seen_structure = True
        return index + (2 if count_line else 1)

    def current_category(self) -> int:
        return self.found.categories[-1].no if self.found.categories else 0

    @staticmethod
    def close_tail(item: DraftItem) -> None:
        item.tail_closed = bool(_TAIL.search(item.text) or _NO_TASK.search(item.text))


def parse(lines: list[Line], attachment: list[Line] | None = None) -> Structure:
    """The structure of a notice; `attachment` is a separate attachment's lines, if any."""
    found = Structure(DraftDocument())
    body = _Pass(found, lines, attachment=False)
    start = body.run()
    found.numbering = body.style or ""
    if start < len(lines):
        _Pass(found, lines, attachment=True).run(start)
    if attachment:
        _Pass(found, attachment, attachment=True).run()
    for item in (*found.items, *found.sections):
        split_tail(item)
    return found


def split_tail(item: DraftItem) -> None:
    """Title, units and 无任务 from the item's text; an unclosed unit parenthesis is marked."""
    text = item.text
    if match := _TAIL.search(text):
        item.units = [unit.strip() for unit in re.split(r"[、,]", match.group(1)) if unit.strip()]
        item.title = text[: match.start()]
    elif match := _NO_TASK.search(text):
        item.no_task = True
        item.title = text[: match.start()]
    elif match := _OPEN_TAIL.search(text):
        item.units = [unit.strip() for unit in re.split(r"[、,]", match.group(1)) if unit.strip()]
        item.title = text[: match.start()]
        item.problems.append("牵头单位的括号没有闭合:单位名称取到这一项结束为止,请核对")
    else:
        item.title = text


def document_of(found: Structure, table: dict[str, str]) -> DraftDocument:
    """The notice's title, 文号, issuer, date and index number: from the web page's index
    table where there is one, else from the head and the signature."""
    head = [line.text for line in found.head]
    doc = DraftDocument()
    doc.title = table.get("名称") or next(
        (t for t in head if re.search(r"关于.+(?:通知|意见|清单|方案)$", t)), None
    )
    doc.number = table.get("文号") or next(
        (m.group() for t in head if (m := _DOC_NUMBER.search(t))), None
    )
    doc.index_no = table.get("索引号")
    doc.issuer = table.get("发布机构")
    date = table.get("成文日期")
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        doc.date = date
    closing = [line.text for line in found.closing]
    for position, text in enumerate(closing):
        if match := _DATE_LINE.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            doc.date = doc.date or f"{year:04d}-{month:02d}-{day:02d}"
            if position and not doc.issuer:
                doc.issuer = closing[position - 1]
    for source in (doc.title or "", doc.number or "", doc.date or ""):
        if match := re.search(r"(20\d\d)", source):
            doc.year = int(match.group(1))
            break
    return doc
