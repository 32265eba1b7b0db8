"""A progress entry (进度记录): its model, and which entries count on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NamedTuple, TypeVar

from pydantic import BeforeValidator, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from minsheng.core.dates import BEIJING
from minsheng.plan.models import (
    IsoDate,
    Number,
    Slug,
    Strict,
    Text,
)
from minsheng.progress import fastparse


class Stage(StrEnum):
    """The stage of a milestone target."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"


IN_PROGRESS_DEFAULT = Decimal("0.5")  # 推进中 without a percent: half way


def milestone_share(stage: Stage | None, percent: Decimal | None) -> Decimal:
    """How far a milestone stands, as a fraction: 未启动 0, 推进中 its percent (half way
    without one), 已完成 1. The report's completion and the rule that a milestone never
    goes back both read it."""
    if stage is Stage.DONE:
        return Decimal(1)
    if stage is Stage.IN_PROGRESS:
        return percent / 100 if percent is not None else IN_PROGRESS_DEFAULT
    return Decimal(0)


def parse_timestamp(value: Any) -> Any:
    """An ISO 8601 timestamp with its UTC offset, as the tool writes it."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            if not fastparse.STAMP.fullmatch(value):  # fromisoformat alone takes 2025-01-1000…02
                raise ValueError(value)
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "bad_date", "时间格式不对:{value}", {"value": value}
            ) from None
        if stamp.tzinfo is None:
            raise PydanticCustomError("bad_date", "时间需带时区:{value}", {"value": value})
        return stamp
    raise PydanticCustomError("date_type", "需要时间,格式为 ISO 8601")


Timestamp = Annotated[dt.datetime, BeforeValidator(parse_timestamp)]


@dataclass(frozen=True)
class Where:
    """Where an entry was read: its file, the line of its `---`, and each key's position."""

    file: str = ""  # as shown in messages
    path: Path | None = None
    line: int = 0
    order: int = 0  # reading order across all files: the last tie-break of "latest"
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)


class ProgressEntry(Strict):
    """On `date`, target `target` of item `item` stood at `value` (累计完成) or `stage`."""

    id: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")]
    item: Annotated[int, Field(ge=1)]
    target: Slug
    date: IsoDate
    value: Annotated[Number, Field(ge=0)] | None = None  # in the target's unit of measure
    stage: Annotated[Stage | None, Field(strict=False)] = None
    percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    unit: Text  # the reporting lead unit, canonical name
    note: str | None = None
    source: str | None = None
    reporter: Text | None = None  # 填报人 of the return the entry came in
    phone: Text | None = None  # 联系电话 of that 填报人
    corrects: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")] | None = None
    # The day the office received the return (报送表收到日期), when it was recorded later:
    # lateness is judged by it (report.cycle), not by when the office got round to importing.
    received: IsoDate | None = None
    recorded_at: Timestamp

    _where: Where = PrivateAttr(default_factory=Where)

    @property
    def where(self) -> Where:
        return self._where

    @property
    def order(self) -> int:
        return self._where.order

    def located(self, where: Where) -> ProgressEntry:
        """This entry, knowing where it was read (or is about to be written)."""
        self._where = where
        return self


@dataclass(frozen=True)
class Origin:
    """The file entries were read from: as shown in messages, and its path."""

    file: str
    path: Path | None


class Entry(NamedTuple):
    """An entry as read from a progress file: ProgressEntry's fields, already validated.

    A plain tuple rather than a pydantic model: a million of them must load in seconds and
    fit in memory. Where it was read is kept compactly (the `Origin` is shared by the
    entries of a file); `where` unfolds it. The first three fields are `sort_key`, and
    `order` is unique, so entries sort as tuples without a key (and without a million keys).
    """

    date: dt.date
    recorded_at: dt.datetime
    order: int  # reading order across all files: the last tie-break of "latest"
    id: str
    item: int
    target: str
    value: Decimal | None
    stage: Stage | None
    percent: Decimal | None
    unit: str
    note: str | None
    source: str | None
    corrects: str | None
    reporter: str | None
    phone: str | None
    origin: Origin
    line: int  # of its `---`
    marks: tuple[Any, ...]  # its keys in order, one a line after `---`; or (key, line, column)s
    received: dt.date | None  # the day the office received the return, when recorded apart

    @property
    def where(self) -> Where:
        return Where(self.origin.file, self.origin.path, self.line, self.order, self.fields())

    def fields(self) -> dict[str, tuple[int, int]]:
        """Each key's line and column."""
        marks = self.marks
        if marks and isinstance(marks[0], str):
            return {key: (self.line + 1 + index, 1) for index, key in enumerate(marks)}
        return {key: (line, column) for key, line, column in marks}


# An entry read (Entry) or about to be written (ProgressEntry): the checks take both.
AnyEntry = ProgressEntry | Entry
E = TypeVar("E", bound=AnyEntry)


def sort_key(entry: AnyEntry) -> tuple[dt.date, dt.datetime, int]:
    """Oldest first: by date, then by when it was recorded, then by file order."""
    return (entry.date, entry.recorded_at, entry.order)


def has_note(entry: AnyEntry) -> bool:
    """Whether the entry says something in its note (a note of spaces says nothing)."""
    return bool(entry.note and entry.note.strip())


def tells_progress(entry: AnyEntry) -> bool:
    """Whether the entry's note may stand as the item's 最新进展: it says something, and the
    entry is not a correction. A correction fixes a figure and its note says why
    (“更正:误写为0.5万”), which is no news of the work; the entry it corrects no longer
    counts, so the latest progress note is the latest one among the entries that count."""
    return entry.corrects is None and has_note(entry)


def effective_entries(entries: Iterable[E], as_of: dt.date | None = None) -> list[E]:
    """The entries that count on `as_of` (all of them without it), in the order given.

    That is every entry dated up to `as_of` that no correction dated up to `as_of` names
    (a correction carries the date of the entry it corrects, so a snapshot never changes
    when a later month is corrected). This is the one place that rule is written.
    """
    entries = list(entries)
    if as_of is not None:
        entries = [entry for entry in entries if entry.date <= as_of]
    corrected = {entry.corrects for entry in entries if entry.corrects}
    return [entry for entry in entries if entry.id not in corrected]


def latest(entries: Iterable[E], as_of: dt.date | None = None) -> dict[tuple[int, str], E]:
    """The entry that counts for each (item, target) on `as_of`: of the effective entries,
    the latest by date (then recorded_at, then file order)."""
    found: dict[tuple[int, str], E] = {}
    for entry in sorted(effective_entries(entries, as_of), key=sort_key):
        found[(entry.item, entry.target)] = entry
    return found


# Deadlines and the days returns were received are the office's, in Beijing time (BEIJING).


def returned_at(entry: AnyEntry) -> dt.datetime:
    """When the office had the entry's return: the start of the day it was received (in
    Beijing time) where that is recorded, else the moment it was recorded (`recorded_at`)."""
    if entry.received is not None:
        return dt.datetime.combine(entry.received, dt.time(0), BEIJING)
    return entry.recorded_at


def first_returns(entries: Iterable[AnyEntry]) -> dict[tuple[str, int, dt.date], dt.datetime]:
    """When each unit first returned figures for each item and month: the earliest moment
    the office had one of its entries dated in that month (returned_at), keyed by (unit,
    item, the month's first day). Every entry counts, a corrected one too: it was returned,
    whatever it said."""
    found: dict[tuple[str, int, dt.date], dt.datetime] = {}
    for entry in entries:
        key = (entry.unit, entry.item, entry.date.replace(day=1))
        known = found.get(key)
        when = returned_at(entry)
        if known is None or when < known:
            found[key] = when
    return found
