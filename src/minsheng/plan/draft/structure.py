"""The notice's structure (结构), read from evidence rather than from one numbering style:
the items are the numbered lines that name their lead units (牵头单位:…) or 无任务, or own a
推进措施 block, or sit under a heading with a count; a category heading is a line with a count
of items (3项), or a short title without units numbered otherwise than the items; measures
are the lines under 推进措施. Also the title and 文号, and what is left over.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from minsheng.plan.draft import marks
from minsheng.plan.draft.clean import Line
from minsheng.plan.draft.marks import Mark
from minsheng.plan.draft.model import DraftCategory, DraftDocument, DraftItem, DraftMeasure

# A heading's name: short, and no sentence (no figures, no punctuation but 、)
_HEADING_NAME = re.compile(r"[^,。;:()0-9!?]{2,20}")
_TITLE_ENDS = ("通知", "意见", "清单", "方案", "办法", "计划")


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


@dataclass
class _Evidence:
    """What the lines of a body or an attachment say about how its items are numbered."""

    style: str | None  # the items' numbering
    closed: set[int]  # numbered lines whose text ends with the units' tail or 无任务
    tails: bool  # the items of that style name their units: a line without is no item


def _evidence(lines: list[Line]) -> _Evidence:
    """Votes for each numbering style: a numbered line whose text ends with a tail, and a
    推进措施 block under a numbered line. Lines inside a 推进措施 block (numbered otherwise
    than the line above the block) are measures and do not vote."""
    votes: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    first: dict[str, int] = {}
    closed: set[int] = set()
    block: int | None = None  # the numbered line whose text the current line continues
    block_style: str | None = None
    counted_block = False  # the block is a measure's: it does not vote
    owner: str | None = None  # the style of the last numbered line outside measures
    measures_of: str | None = None  # inside a 推进措施 block under a line of this style
    after_count: str | None = None  # the style first seen just after a heading's count
    previous_counted = False
    for index, line in enumerate(lines):
        text = line.text
        if marks.measures_rest(text) is not None:
            if owner is not None:
                votes[owner] += 1
                measures_of = owner
            block = None
            continue
        tail = marks.closes_item(text)
        if not tail and marks.has_count(text) is not None:
            measures_of, block, previous_counted = None, None, True
            continue
        mark = marks.marker(text)
        if mark is not None:
            inside = measures_of is not None and mark.style != measures_of
            if not inside:
                measures_of, owner = None, mark.style
                seen[mark.style] += 1
                first.setdefault(mark.style, index)
                if previous_counted and after_count is None:
                    after_count = mark.style
            block, block_style, counted_block = index, mark.style, not inside
        previous_counted = False
        if tail and block is not None and block_style is not None:
            closed.add(block)
            if counted_block:
                votes[block_style] += 1
            block = None
    if votes:
        style = max(votes, key=lambda s: (votes[s], -first.get(s, 0)))
    elif after_count is not None:
        style = after_count
    elif seen:
        style = max(seen, key=lambda s: (seen[s], -first[s]))
    else:
        style = None
    return _Evidence(style, closed, bool(votes.get(style or "")))


class _Text:
    """A text that grows line by line, joined once at the end (adding to a str each time
    would copy it each time), with its last stretch at hand to see how it ends."""

    def __init__(self, first: str) -> None:
        self.parts = [first]
        self.end = first[-marks.TAIL_WINDOW :]

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.end = (self.end + text)[-marks.TAIL_WINDOW :]

    def value(self) -> str:
        return "".join(self.parts)


class _Walk:
    """One walk over the lines of a body or an attachment, its items' numbering known."""

    def __init__(
        self, found: Structure, lines: list[Line], evidence: _Evidence, attachment: bool
    ) -> None:
        self.found = found
        self.lines = lines
        self.evidence = evidence
        self.style = evidence.style
        self.attachment = attachment
        self.item: DraftItem | None = None
        self.title: _Text | None = None
        self.measure: _Text | None = None
        self.texts: list[tuple[DraftItem | DraftMeasure, _Text]] = []
        self.mode = "none"  # title | measures | closed
        self.measure_style: str | None = None  # how the current block numbers its measures
        self.heading_style: str | None = None  # how headings without a count are numbered
        self.under_count = False  # the current heading declares a count
        self.last_number = 0
        self.seen_structure = False

    @property
    def target(self) -> list[DraftItem]:
        return self.found.sections if self.attachment else self.found.items

    def run(self) -> None:
        index = 0
        while index < len(self.lines):
            index = self.step(index)
        for holder, text in self.texts:
            holder.text = text.value()
            if isinstance(holder, DraftItem):
                holder.tail_closed = marks.closes_item(text.end)

    def step(self, index: int) -> int:
        line = self.lines[index]
        text = line.text
        rest = marks.measures_rest(text)
        if rest is not None and self.item is not None:
            self.item.has_measures_block = True
            self.mode, self.measure, self.measure_style = "measures", None, None
            if rest:
                self.measure_line(Line(line.no, rest))
            return index + 1
        heading = self.heading_at(index)
        if heading is not None:
            return heading
        mark = marks.marker(text)
        if mark is not None and self.opens_item(index, mark):
            self.open_item(line, mark)
            return index + 1
        if self.mode == "title" and self.title is not None:
            if not marks.closes_item(self.title.end) and (
                not self.title.end.endswith(marks.SENTENCE_END) or text.startswith("(")
            ):
                self.title.add(text)
                return index + 1
            self.mode = "closed"
        if self.mode == "measures":
            if self.measure_line(line):
                return index + 1
            self.mode = "closed"
        self.leftover(line)
        return index + 1

    def opens_item(self, index: int, mark: Mark) -> bool:
        if mark.style != self.style:
            return False
        if index in self.evidence.closed:
            return True
        if self.mode == "measures" and self.measure_style == self.style:
            return False  # the measures are numbered as the items are: only a tail tells
        if self.under_count or not self.evidence.tails:
            return True
        # an item whose units are missing still continues the numbering; a numbered
        # paragraph after the list (三、保障措施 (一)…) starts it again
        return mark.number == self.last_number + 1

    def open_item(self, line: Line, mark: Mark) -> None:
        self.item = DraftItem(number=mark.number, line=line.no)
        self.item.category = self.current_category()
        self.title = _Text(mark.rest)
        self.texts.append((self.item, self.title))
        self.target.append(self.item)
        self.mode, self.measure = "title", None
        self.last_number = mark.number
        self.seen_structure = True

    def leftover(self, line: Line) -> None:
        if not self.seen_structure and not self.attachment:
            self.found.head.append(line)
        elif not self.attachment and self.mode == "closed":
            self.found.closing.append(line)
            self.found.skipped.append((line.no, line.text))
        else:
            self.found.skipped.append((line.no, line.text))

    def measure_line(self, line: Line) -> bool:
        """Add a line to the current item's measures; False if it is not one."""
        assert self.item is not None
        mark = marks.marker(line.text)
        measures = self.item.measures
        if mark is not None:
            self.new_measure(line.no, mark.rest, numbered=True)
            self.measure_style = self.measure_style or mark.style
            return True
        if not measures or self.measure is None:
            self.new_measure(line.no, line.text, numbered=False)
            return True
        if measures[-1].numbered and self.measure.end.endswith(marks.SENTENCE_END):
            return False  # a new paragraph after numbered measures: the closing text
        self.measure.add(line.text)
        return True

    def new_measure(self, no: int, text: str, numbered: bool) -> None:
        assert self.item is not None
        measure = DraftMeasure(text=text, line=no, numbered=numbered)
        self.item.measures.append(measure)
        self.measure = _Text(text)
        self.texts.append((measure, self.measure))

    def heading_at(self, index: int) -> int | None:
        """If a category heading starts at `index`, record it and return the next index."""
        text = self.lines[index].text
        if marks.closes_item(text):
            return None
        mark = marks.marker(text)
        name = mark.rest if mark is not None else text
        count = marks.has_count(name)
        consumed = 1
        following = self.lines[index + 1].text if index + 1 < len(self.lines) else ""
        if count is not None:
            name = marks.strip_count(name)
        elif count_line := marks.COUNT_LINE.fullmatch(following):
            count, consumed = int(count_line.group(1)), 2
        name = name.strip()
        if not _HEADING_NAME.fullmatch(name):
            return None
        if count is None and not self.uncounted_heading(mark, following):
            return None
        if mark is not None and count is None:
            self.heading_style = mark.style
        number = mark.number if mark is not None else self.category_count() + 1
        if self.attachment:
            self.found.attachment_categories[number] = name
        else:
            line = self.lines[index].no
            self.found.categories.append(DraftCategory(number, name, count, line))
        self.item, self.title, self.mode = None, None, "none"
        self.under_count = count is not None
        self.seen_structure = True
        return index + consumed

    def uncounted_heading(self, mark: Mark | None, following: str) -> bool:
        """A short title without a count is a heading when it is numbered otherwise than the
        items (and than the measures it might be among), and an item follows it."""
        if mark is None or mark.style == self.style:
            return False
        if self.heading_style is not None and mark.style != self.heading_style:
            return False
        if self.mode == "measures" and mark.style != self.heading_style:
            return False  # among measures, only a numbering already seen on headings
        after = marks.marker(following)
        return after is not None and after.style == self.style

    def category_count(self) -> int:
        if self.attachment:
            return len(self.found.attachment_categories)
        return len(self.found.categories)

    def current_category(self) -> int:
        return self.found.categories[-1].no if self.found.categories else 0


def parse(lines: list[Line], attachment: list[Line] | None = None) -> Structure:
    """The structure of a notice; `attachment` is a separate attachment's lines, if any. The
    body ends at a line `附件`; what follows is the attachment. A notice whose body holds no
    items but whose attachment does (通知 + 附件: the list) is read from its attachment."""
    found = Structure(DraftDocument())
    start = next((i for i, line in enumerate(lines) if marks.is_attachment(line.text)), None)
    body, rest = (lines, []) if start is None else (lines[:start], lines[start + 1 :])
    evidence = _evidence(body)
    _Walk(found, body, evidence, attachment=False).run()
    found.numbering = evidence.style or ""
    parts = [part for part in (rest, attachment or []) if part]
    if not found.items and parts:
        # 通知 + 附件: the list is the attachment; the body introduces and signs it
        found = Structure(DraftDocument(), head=list(body), closing=list(body))
        found.skipped = [(line.no, line.text) for line in body]
        evidence = _evidence(parts[0])
        walk = _Walk(found, parts[0], evidence, attachment=False)
        walk.seen_structure = True
        walk.run()
        found.numbering = evidence.style or ""
        parts = parts[1:]
    for part in parts:
        _Walk(found, part, _evidence(part), attachment=True).run()
    for item in (*found.items, *found.sections):
        split_tail(item)
    return found


def split_tail(item: DraftItem) -> None:
    """Title, units and 无任务 from the item's text; an unclosed unit parenthesis is marked.
    Other units named in the tail after `;` (配合单位:…) are kept in a note."""
    text = item.text
    if match := marks.TAIL.search(text):
        lead, _, others = match.group(1).partition(";")
        item.units = _units(lead)
        item.title = text[: match.start()]
        if others.strip():
            item.notes.append(f"原文括号中还写了“{others.strip()}”,未作为牵头单位")
    elif match := marks.NO_TASK.search(text):
        item.no_task = True
        item.title = text[: match.start()]
    elif match := marks.OPEN_TAIL.search(text):
        item.units = _units(match.group(1).partition(";")[0])
        item.title = text[: match.start()]
        item.problems.append("牵头单位的括号没有闭合:单位名称取到这一项结束为止,请核对")
    else:
        item.title = text


def _units(text: str) -> list[str]:
    return [unit.strip() for unit in re.split(r"[、,]", text) if unit.strip()]


def document_of(found: Structure, table: dict[str, str]) -> DraftDocument:
    """The notice's title, 文号, issuer, date and index number: from the web page's index
    table where there is one, else from the head and the signature."""
    head = [line.text for line in found.head]
    doc = DraftDocument()
    doc.title = table.get("名称") or next(
        (t for t in head if len(t) <= 100 and t.endswith(_TITLE_ENDS) and "。" not in t), None
    )
    doc.number = table.get("文号") or next(
        (m.group() for t in head if (m := marks.DOC_NUMBER.search(t))), None
    )
    doc.index_no = table.get("索引号")
    doc.issuer = table.get("发布机构")
    date = table.get("成文日期")
    if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        doc.date = date
    closing = [line.text for line in found.closing]
    for position, text in enumerate(closing):
        if match := marks.DATE_LINE.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            doc.date = doc.date or f"{year:04d}-{month:02d}-{day:02d}"
            if position and not doc.issuer and len(closing[position - 1]) <= 40:
                doc.issuer = closing[position - 1]
    for source in (doc.title or "", doc.number or "", doc.date or ""):
        if match := re.search(r"(20\d\d)", source):
            doc.year = int(match.group(1))
            break
    return doc
