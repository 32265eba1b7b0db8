"""The draft's data model: what was read from the notice, each guess and problem marked."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """Something a person must look at: where in the notice (line 0: the whole text)."""

    line: int
    code: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行:" if self.line else ""
        return f"{where}{self.message} [{self.code}]"


@dataclass
class DraftTarget:
    """A target guessed from the text: every field but `source` is a guess to confirm."""

    name: str
    kind: str
    comparator: str | None = None
    value: str | None = None  # as written in the notice: 0.57, 99.90
    unit: str | None = None
    baseline: str | None = None
    source: str = ""  # the phrase it was read from
    id: str = ""


@dataclass
class DraftMeasure:
    text: str
    line: int
    numbered: bool = False  # opened by its own number (1.), so a new paragraph ends it
    targets: list[DraftTarget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class DraftItem:
    number: int
    line: int
    text: str = ""  # the item's text with its numbering, before the tail is split off
    title: str = ""
    units: list[str] = field(default_factory=list)
    no_task: bool = False
    tail_closed: bool = False  # the (牵头单位:…) or (无任务) parenthesis was seen whole
    category: int = 0
    attachment_title: str | None = None
    attachment_units: list[str] = field(default_factory=list)
    measures: list[DraftMeasure] = field(default_factory=list)
    has_measures_block: bool = False
    targets: list[DraftTarget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the person: each is 待核对
    problems: list[str] = field(default_factory=list)


@dataclass
class DraftCategory:
    no: int
    name: str
    count: int | None
    line: int
    aliases: list[str] = field(default_factory=list)


@dataclass
class DraftDocument:
    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    date: str | None = None  # YYYY-MM-DD
    index_no: str | None = None
    year: int | None = None


@dataclass
class DraftUnit:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """Everything the drafter found, and what it could not place."""

    document: DraftDocument = field(default_factory=DraftDocument)
    categories: list[DraftCategory] = field(default_factory=list)
    items: list[DraftItem] = field(default_factory=list)
    units: list[DraftUnit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, text) not used
    unclassified: list[tuple[int, str]] = field(default_factory=list)  # (item, number+context)
    encoding: str = "utf-8"
    numbering: str = ""  # how the items were numbered: "1.", "(1)", "一、"
    removed: list[tuple[int, str]] = field(default_factory=list)  # page furniture taken out
    joined: int = 0  # line breaks inside a sentence taken out (text extracted from a PDF)
    split: int = 0  # lines glued together split again at an item's end

    @property
    def doubtful(self) -> bool:
        """A person must settle something before the draft can be trusted: a problem, or a
        number the drafter could not place (what `--strict` fails on)."""
        return bool(self.problems or self.unclassified)
