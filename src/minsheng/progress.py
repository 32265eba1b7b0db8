"""Progress entries (进度记录): the model, reading every file under data/progress/, the checks."""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NamedTuple, TypeVar

from pydantic import BeforeValidator, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from minsheng import fastparse
from minsheng.cache import Cache, Parsed, digest
from minsheng.datadir import DataDir
from minsheng.issues import Code, Issue
from minsheng.measure import format_decimal, is_bare, is_percent, parse_amount, split_unit
from minsheng.models import (
    OUT_OF_RANGE,
    IsoDate,
    Item,
    Kind,
    Number,
    Period,
    Slug,
    Strict,
    Target,
    Text,
    in_range,
)
from minsheng.plan import LoadedPlan
from minsheng.schema import validate
from minsheng.yamlio import decode, load_documents


class Stage(StrEnum):
    """The stage of a milestone target."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"


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
    corrects: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")] | None = None
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
    origin: Origin
    line: int  # of its `---`
    marks: tuple[Any, ...]  # its keys in order, one a line after `---`; or (key, line, column)s

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


# --- reading -------------------------------------------------------------------------------


def read_bytes_nofollow(path: Path) -> bytes:
    """A file's bytes; a symlink raises OSError (ELOOP) instead of being followed."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


_MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_FILE_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}\.yaml")  # a unit id (models.Slug) and .yaml


def in_period(month: str, period: Period | None) -> bool:
    """Whether the month `YYYY-MM` has days inside the plan period (any month without one)."""
    if period is None:
        return True
    year, number = int(month[:4]), int(month[5:])
    if year < 1:  # 0000-01: no such month, nor any plan's
        return False
    first = dt.date(year, number, 1)
    last = first.replace(day=calendar.monthrange(year, number)[1])
    return first <= period.end and last >= period.start


def progress_files(
    root: Path, display: Callable[[Path], str], period: Period | None = None
) -> tuple[list[Path], list[Issue]]:
    """Every `<YYYY-MM>/<unit-id>.yaml` under root whose month is in `period`, in order.

    Month folders outside the period belong to another year's plan and are left alone. Any
    other name is reported, shown with repr() so that a control character in a file name
    never reaches the terminal; symlinks are reported, not read. Names starting with a dot
    (the lock, a writer's temporary file, .gitkeep) are not progress files.
    """
    files: list[Path] = []
    issues: list[Issue] = []
    message = "是符号链接,出于安全不予读取;进度文件和文件夹必须是普通文件和文件夹"
    if root.is_symlink():
        return [], [Issue(display(root), 1, 1, Code.SYMLINK, message)]
    if not root.is_dir():
        return [], []
    for month in sorted(root.iterdir()):
        if month.name.startswith("."):
            continue
        if not _MONTH.fullmatch(month.name):
            issues.append(_odd_name(display(root), month.name, _NOT_A_MONTH))
            continue
        if not in_period(month.name, period):
            continue
        if month.is_symlink():
            issues.append(Issue(display(month), 1, 1, Code.SYMLINK, message))
            continue
        if not month.is_dir():
            issues.append(_odd_name(display(root), month.name, _NOT_A_MONTH))
            continue
        for path in sorted(month.iterdir()):
            if path.name.startswith("."):
                continue
            if not _FILE_NAME.fullmatch(path.name):
                issues.append(_odd_name(display(month), path.name, _NOT_A_FILE_NAME))
            elif path.is_symlink():
                issues.append(Issue(display(path), 1, 1, Code.SYMLINK, message))
            elif path.is_file():
                files.append(path)
            else:
                issues.append(_odd_name(display(month), path.name, _NOT_A_FILE_NAME))
    return files, issues


_NOT_A_MONTH = (
    "不是月份文件夹,其中的内容不予读取;进度记录应放在 progress/<年-月>/<单位 id>.yaml"
    "(如 progress/2024-06/rsj.yaml)"
)
_NOT_A_FILE_NAME = (
    "不是进度文件,不予读取;月份文件夹里只放 <单位 id>.yaml(单位名录中的英文 id,如 rsj.yaml)"
)


def _odd_name(folder: str, name: str, why: str) -> Issue:
    return Issue(folder, 1, 1, Code.MISPLACED, f"{name!r} {why}")


@dataclass
class ProgressFile:
    """One progress file as read: its bytes, entries and problems, and whether it is whole."""

    path: Path
    display: str
    raw: bytes | None = None  # None: it could not be read (or was not kept)
    entries: list[Entry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    whole: bool = True  # every record parsed and ended with `...`: safe to append to
    size: int = 0  # documents read, for the file order of the next file
    digest: bytes = b""  # of the bytes parsed (minsheng.cache.digest), when read with a cache


def parse_file(raw: bytes, display: str, *, fast: bool | None = None) -> Parsed:
    """One progress file's entries and problems, in plain values (what the cache keeps).

    The fast path (rapidyaml, minsheng.fastparse) takes the files in the store's own shape;
    any other file, and every file when it is off (`fast=False`, rapidyaml absent or
    MINSHENG_NO_FAST_PARSE set), goes to the reference loader, which alone words problems.
    """
    text, problems = decode(raw, display)
    if text is None:
        return Parsed((), tuple(_plain(issue) for issue in problems), False, 0)
    if fastparse.enabled() if fast is None else fast:
        records = fastparse.parse(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw, text)
        if records is not None:
            return Parsed(tuple(records), (), True, len(records))
    return _reference(text, display)


def _reference(text: str, file: str) -> Parsed:
    """The entries of one progress file; a record without its closing `...` is torn."""
    docs = load_documents(text, file)
    records = []
    issues: list[Issue] = []
    whole = True
    for number, doc in enumerate(docs):
        issues.extend(doc.issues)
        if doc.broken:
            whole = False
            break
        if not doc.explicit_end:
            message = (
                "这条记录没有以 ... 结尾,可能是写入中断或被截断,不予采用;"
                "请核对原始材料后补全结尾的 ...,或删除这条不完整的记录"
            )
            issues.append(Issue(file, doc.start_line, 1, Code.TORN_RECORD, message))
            whole = False
            continue
        if doc.issues:
            continue
        if not isinstance(doc.data, dict):
            message = "每条进度记录应是映射(键: 值),以 --- 开始、以 ... 结束"
            issues.append(Issue(file, doc.start_line, 1, Code.NOT_MAPPING, message))
            continue
        entry, found = validate(ProgressEntry, doc)
        issues.extend(found)
        if entry is None:
            continue
        fields = {str(loc[0]): pos for loc, pos in doc.marks.items() if len(loc) == 1}
        records.append(_record(entry, number, doc.start_line, fields))
    return Parsed(tuple(records), tuple(_plain(issue) for issue in issues), whole, len(docs))


def _record(
    entry: ProgressEntry, number: int, line: int, fields: dict[str, tuple[int, int]]
) -> fastparse.Record:
    keys = tuple(fields)
    in_order = all(fields[key] == (line + 1 + index, 1) for index, key in enumerate(keys))
    marks = keys if in_order else tuple((key, *fields[key]) for key in keys)
    return (
        entry.id, entry.item, entry.target, entry.date.isoformat(), _text(entry.value),
        None if entry.stage is None else entry.stage.value, _text(entry.percent), entry.unit,
        entry.note, entry.source, entry.corrects, entry.recorded_at.isoformat(), number, line,
        marks,
    )  # fmt: skip


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _plain(issue: Issue) -> tuple[int, int, str, str, str]:
    return (issue.line, issue.column, str(issue.code), issue.message, issue.path)


_STAGES = {stage.value: stage for stage in Stage}


class _Shared:
    """One object for each value that many entries repeat: less memory, faster comparisons."""

    def __init__(self) -> None:
        self.dates: dict[str, dt.date] = {}
        self.words: dict[str, str] = {}  # targets and units
        self.zones: dict[dt.tzinfo, dt.tzinfo] = {}

    def date(self, text: str) -> dt.date:
        found = self.dates.get(text)
        if found is None:
            found = self.dates[text] = dt.date.fromisoformat(text)
        return found

    def stamp(self, text: str) -> dt.datetime:
        """The time, its zone shared (an aware comparison is quick when the zone is the same)."""
        stamp = dt.datetime.fromisoformat(text)
        zone = stamp.tzinfo
        if zone is not None:
            same = self.zones.setdefault(zone, zone)
            if same is not zone:
                stamp = stamp.replace(tzinfo=same)
        return stamp


def entries_of(
    records: Iterable[fastparse.Record],
    origin: Origin,
    first_order: int = 0,
    shared: _Shared | None = None,
) -> list[Entry]:
    """Entries from records in plain values (as parsed, cached or kept in the ledger), read
    from `origin`; a record's number counts from `first_order`."""
    shared = shared or _Shared()
    make = Entry._make
    word = shared.words.setdefault
    entries = []
    for (entry_id, item, target, date, value, stage, percent, unit, note, source, corrects,
         recorded_at, number, line, marks) in records:  # fmt: skip
        entries.append(
            make((
                shared.date(date), shared.stamp(recorded_at), first_order + number, entry_id,
                item, word(target, target), None if value is None else Decimal(value),
                None if stage is None else _STAGES[stage],
                None if percent is None else Decimal(percent), word(unit, unit), note, source,
                corrects, origin, line, marks,
            ))
        )  # fmt: skip
    return entries


def record_of(entry: Entry) -> fastparse.Record:
    """An entry in plain values again, its number its order (entries_of with first_order 0
    gives it back)."""
    return (
        entry.id, entry.item, entry.target, entry.date.isoformat(), _text(entry.value),
        None if entry.stage is None else entry.stage.value, _text(entry.percent), entry.unit,
        entry.note, entry.source, entry.corrects, entry.recorded_at.isoformat(), entry.order,
        entry.line, entry.marks,
    )  # fmt: skip


def _take(parsed: Parsed, into: ProgressFile, first_order: int, shared: _Shared) -> None:
    """A parsed file's entries and problems, located in `into`."""
    into.entries = entries_of(parsed.records, Origin(into.display, into.path), first_order, shared)
    into.issues = [
        Issue(into.display, line, column, Code(code), message, path)
        for line, column, code, message, path in parsed.issues
    ]
    into.whole = parsed.whole
    into.size = parsed.size


def read_files(
    folder: DataDir,
    cache: Cache | None = None,
    *,
    keep_raw: Path | None = None,
    period: Period | None = None,
) -> tuple[list[ProgressFile], list[Issue]]:
    """Every progress file (of the months in `period`), parsed, in order; and the problems of
    the folders themselves.

    With a cache, a file whose bytes were parsed before is not parsed again. The bytes of the
    file `keep_raw` are kept in its ProgressFile (the store appends to them).
    """
    paths, issues = progress_files(folder.progress, folder.display, period)
    files = []
    order = 0
    fast = fastparse.enabled()
    shared = _Shared()
    with _no_cycle_collection():
        for path in paths:
            read = ProgressFile(path, folder.display(path))
            files.append(read)
            try:
                raw = read_bytes_nofollow(path)
            except OSError as error:
                message = f"无法读取文件:{error.strerror}"
                read.issues.append(Issue(read.display, 1, 1, Code.SYNTAX, message))
                read.whole = False
                continue
            _read_one(raw, read, cache, fast, order, shared)
            if path == keep_raw:
                read.raw = raw
            order += read.size
    return files, issues


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading makes a million objects that all live on, none in a cycle: without a pause,
    the cycle collector would walk them all again and again as they pile up."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _read_one(
    raw: bytes,
    into: ProgressFile,
    cache: Cache | None,
    fast: bool,
    order: int,
    shared: _Shared,
) -> None:
    key = ""
    if cache is not None:
        into.digest = digest(raw)
        key = cache.key_of(into.digest)
    parsed = cache.load(key) if cache is not None else None
    if parsed is not None:
        try:
            _take(parsed, into, order, shared)
            return
        except Exception:  # a cached entry that will not convert is rebuilt like a corrupt one
            pass
    parsed = parse_file(raw, into.display, fast=fast)
    if cache is not None:
        cache.store(key, parsed)
    _take(parsed, into, order, shared)


def read_progress(
    folder: DataDir,
    plan: LoadedPlan,
    *,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> tuple[list[Entry], list[Issue]]:
    """Every entry under `folder.progress` in the plan's months, oldest first, and the problems
    found."""
    period = plan.plan.document.period
    files, issues = read_files(folder, cache, period=period)
    entries, found = check_files(files, folder, plan, today or dt.date.today())
    return entries, issues + found


def check_files(
    files: list[ProgressFile],
    folder: DataDir,
    plan: LoadedPlan,
    today: dt.date,
    sources: dict[str, str | None] | None = None,
) -> tuple[list[Entry], list[Issue]]:
    """The entries of the files read, oldest first, and the problems in and across them.

    The files' entries are taken out of them (the list of files is emptied), so that memory
    holds each entry once. `sources`, if given, receives each source's problem as judged
    (None where it has none)."""
    entries = [entry for read in files for entry in read.entries]
    issues = [issue for read in files for issue in read.issues]
    files.clear()
    ordered = sorted(entries)  # as by sort_key: see Entry
    judged = {} if sources is None else sources
    context = Context(plan, folder.root.parent, today, ordered, VALIDATE_SLACK, judged)
    for check in CHECKS:
        issues.extend(check(entries, context))
    return ordered, issues


# --- checks: each is (entries, context) -> problems ------------------------------------------

VALIDATE_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class Context:
    """What the checks look entries up in."""

    plan: LoadedPlan
    repo_root: Path  # where a `source` path is looked up: the data folder's parent
    today: dt.date
    ordered: Sequence[AnyEntry] | None = None  # the entries checked, sorted by sort_key
    # How far past `today` a date may be: `validate` allows a day, since "today" depends on
    # the time zone of the machine (CI runs in UTC); `progress add` uses the local date as is.
    slack: dt.timedelta = dt.timedelta(0)
    # Each source's problem, once judged (many entries cite the same document); the ledger
    # keeps the very judgements the checks used.
    sources: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def items(self) -> dict[int, Item]:
        """Each item by its number (the first, should the plan repeat one)."""
        found: dict[int, Item] = {}
        for item in self.plan.plan.items:
            found.setdefault(item.id, item)
        return found

    @cached_property
    def targets(self) -> dict[tuple[int, str], Target]:
        """Each target of the items with a task, by (item, target id)."""
        found: dict[tuple[int, str], Target] = {}
        for number, item in self.items.items():
            if not item.no_task:
                for target in item.all_targets():
                    found.setdefault((number, target.id), target)
        return found

    def in_order(self, entries: Sequence[AnyEntry]) -> Sequence[AnyEntry]:
        """`entries` sorted by sort_key (already done once by read_progress)."""
        return self.ordered if self.ordered is not None else sorted(entries, key=sort_key)


Check = Callable[[Sequence[AnyEntry], Context], list[Issue]]


def entry_issue(entry: AnyEntry, key: str, code: Code, message: str) -> Issue:
    where = entry.where
    line, column = where.fields.get(key, (where.line, 1))
    return Issue(where.file, line, column, code, message, key)


def find_item(plan: LoadedPlan, number: int) -> Item | None:
    return next((item for item in plan.plan.items if item.id == number), None)


def find_target(plan: LoadedPlan, entry: AnyEntry) -> Target | None:
    item = find_item(plan, entry.item)
    if item is None or item.no_task:
        return None
    return next((t for t in item.all_targets() if t.id == entry.target), None)


# --- the rules of one field: `validate`'s checks and `progress add`'s prompts share them ------

BARE_TIMES = 10  # a bare number above this many times a 万 target was typed in 人: refused
IMPLAUSIBLE_TIMES = 100  # a value above this many times a 万 target is reported by validate


class Problem(ValueError):
    """A field that breaks a rule: its key, the stable code, and why (in Chinese).

    The parse_* functions raise it, so a prompt can show it and ask again; the *_problem
    functions return it, and the checks locate it in its file.
    """

    def __init__(self, field: str, code: Code, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


def item_problem(plan: LoadedPlan, number: int) -> Problem | None:
    """An item that does not exist, or is marked 我区无任务, takes no progress."""
    item = find_item(plan, number)
    if item is None:
        message = f"没有第 {number} 项(共 {len(plan.plan.items)} 项)"
        return Problem("item", Code.UNKNOWN_ITEM, message)
    if item.no_task:
        return Problem("item", Code.NO_TASK_ENTRY, f"第 {number} 项标注“我区无任务”,不登记进度")
    return None


def target_problem(item: Item, target_id: str) -> Problem | None:
    """The target is one of the item's (its measures' included)."""
    if any(target.id == target_id for target in item.all_targets()):
        return None
    return _unknown_target(item, target_id)


def target_named(item: Item, text: str) -> Target:
    """The item's target with this id or name; Problem lists the ids otherwise."""
    for target in item.all_targets():
        if text.strip() in {target.id, target.name}:
            return target
    raise _unknown_target(item, text.strip())


def _unknown_target(item: Item, given: str) -> Problem:
    ids = "、".join(target.id for target in item.all_targets())
    message = f"第 {item.id} 项没有目标 {given!r}(可选:{ids})"
    return Problem("target", Code.UNKNOWN_TARGET, message)


def unit_problem(plan: LoadedPlan, item: Item, name: str) -> Problem | None:
    """The reporting unit is a lead unit of the item, written by its canonical name."""
    leads = plan.canonical_units(item)
    unit = plan.unit_named(name)
    if unit is None or unit.name not in leads:
        message = f"{name} 不是第 {item.id} 项的牵头单位(牵头单位:{'、'.join(leads)})"
        return Problem("unit", Code.NOT_LEAD_UNIT, message)
    if unit.name != name:
        message = f"填报单位请写规范名称 {unit.name},而不是别名 {name}"
        return Problem("unit", Code.NOT_LEAD_UNIT, message)
    return None


def date_problem(
    period: Period, day: dt.date, today: dt.date, slack: dt.timedelta = dt.timedelta(0)
) -> Problem | None:
    """The date is inside the plan period, and not after today (give or take `slack`)."""
    if not period.start <= day <= period.end:
        message = f"日期 {day} 不在计划期 {period.start} 至 {period.end} 内"
        return Problem("date", Code.OUT_OF_PERIOD, message)
    if day > today + slack:
        message = f"日期 {day} 晚于今天 {today},不能登记将来的进度"
        return Problem("date", Code.OUT_OF_PERIOD, message)
    return None


def shape_problem(
    target: Target, *, value: bool, stage: bool, percent: bool, complete: bool = True
) -> Problem | None:
    """A milestone reports a stage (and maybe a percent), every other kind a value: the
    field given that does not belong, else (when `complete`) the one missing."""
    name = f"目标 {target.id}({target.name})"
    if target.kind is Kind.MILESTONE:
        if value:
            message = f"{name}是定性节点,应登记阶段 stage(未启动/推进中/已完成),不能登记数值 value"
            return Problem("value", Code.STAGE_VALUE, message)
        if complete and not stage:
            message = f"{name}是定性节点,缺少阶段 stage(未启动/推进中/已完成)"
            return Problem("stage", Code.STAGE_VALUE, message)
        return None
    if stage:
        message = f"{name}应登记数值 value(单位:{target.unit}),不能登记阶段 stage"
        return Problem("stage", Code.STAGE_VALUE, message)
    if percent:
        message = f"百分比 percent 只用于定性节点目标,{name}应只登记数值 value"
        return Problem("percent", Code.STAGE_VALUE, message)
    if complete and not value:
        return Problem("value", Code.STAGE_VALUE, f"{name}缺少数值 value(单位:{target.unit})")
    return None


def stage_problem(stage: Stage, percent: Decimal | None) -> Problem | None:
    """A percentage agrees with its stage: 已完成 is 100, 未启动 is 0."""
    if percent is None:
        return None
    shown = format_decimal(percent)
    if stage is Stage.DONE and percent != 100:
        message = f"阶段为已完成,百分比应为 100,实际是 {shown}"
        return Problem("percent", Code.STAGE_VALUE, message)
    if stage is Stage.NOT_STARTED and percent != 0:
        message = f"阶段为未启动,百分比应为 0,实际是 {shown}"
        return Problem("percent", Code.STAGE_VALUE, message)
    return None


def value_problem(target: Target, value: Decimal) -> Problem | None:
    """A value the target cannot hold: negative; a share (a level or standard in %) above
    100; or, for a unit with a scale (万人), more than IMPLAUSIBLE_TIMES the target."""
    if not in_range(value):  # 10^40 would overflow the ratio below
        return Problem("value", Code.BAD_VALUE, OUT_OF_RANGE)
    unit = target.unit or ""
    shown = format_decimal(value)
    if value < 0:
        return Problem("value", Code.BAD_VALUE, f"数值不能为负数,实际是 {shown}")
    if target.kind in {Kind.LEVEL, Kind.STANDARD} and is_percent(unit) and value > 100:
        message = f"目标 {target.id}({target.name})是百分比,不能超过 100%,实际是 {shown}%"
        return Problem("value", Code.BAD_VALUE, message)
    if _times(target, value) > IMPLAUSIBLE_TIMES:
        return Problem("value", Code.IMPLAUSIBLE, _scale_message(target, value, "数值"))
    return None


def _times(target: Target, value: Decimal) -> Decimal:
    """How many times its target a value is, for a unit with a scale (万人); else 0."""
    if not target.value or target.value <= 0 or split_unit(target.unit or "")[0] == 1:
        return Decimal(0)
    return value / target.value


def _scale_message(target: Target, value: Decimal, what: str) -> str:
    """`3000` for a target of 0.57万人 is 3000万人: say so, and how to write 3000人."""
    unit = target.unit or ""
    scale, base = split_unit(unit)
    goal = format_decimal(target.value or Decimal(0))
    times = format_decimal(_times(target, value).quantize(Decimal(1)))
    meant = format_decimal(value / scale)
    return (
        f"{what} {format_decimal(value)} 按目标的计量单位是 {format_decimal(value)}{unit},"
        f"是目标 {goal}{unit} 的 {times} 倍;如指 {format_decimal(value)}{base},"
        f"请写 {format_decimal(value)}{base} 或 {meant}{unit}"
    )


def parse_value(text: str, target: Target) -> Decimal:
    """A value typed by a person, in the target's unit of measure; Problem says why not.

    A bare number for a unit with a scale is ambiguous when it is far above the target:
    `3000` for a target of 0.57万人 is most likely 3000人, so a bare number above BARE_TIMES
    the target is refused, with the two ways to write what was meant.
    """
    try:
        amount = parse_amount(text, target.unit)
    except ValueError as error:
        raise Problem("value", Code.BAD_VALUE, str(error)) from None
    problem = value_problem(target, amount)
    bare = is_bare(text) and _times(target, amount) > BARE_TIMES
    if bare and (problem is None or problem.code is Code.IMPLAUSIBLE):
        what = "没写单位的数值"
        problem = Problem("value", Code.IMPLAUSIBLE, _scale_message(target, amount, what))
    if problem is not None:
        raise problem
    return amount


def parse_stage(text: str) -> Stage:
    """A milestone's stage as typed: 未启动, 推进中 or 已完成."""
    for stage in Stage:
        if text.strip() == stage.value:
            return stage
    message = f"阶段 {text!r} 不对,应为 {'、'.join(s.value for s in Stage)}"
    raise Problem("stage", Code.BAD_VALUE, message)


def parse_percent(text: str) -> Decimal | None:
    """A milestone's percentage as typed (`40` or `40%`), or None when left empty."""
    if not text.strip():
        return None
    try:
        share = parse_amount(text, "%")
    except ValueError as error:
        raise Problem("percent", Code.BAD_VALUE, str(error)) from None
    if not 0 <= share <= 100:
        message = f"百分比应在 0 到 100 之间,实际是 {text.strip()}"
        raise Problem("percent", Code.BAD_VALUE, message)
    return share


def parse_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (full-width digits too); Problem says why not."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", folded):
        message = f"日期应写作 YYYY-MM-DD(如 2024-06-30),实际是 {text!r}"
        raise Problem("date", Code.BAD_DATE, message)
    try:
        return dt.date.fromisoformat(folded)
    except ValueError:
        raise Problem("date", Code.BAD_DATE, f"日期不存在:{folded}") from None


def parse_text(field: str, text: str) -> str | None:
    """A one-line text (note, source) as typed: stripped, None when empty; no line break or
    control character, which would not read back the same."""
    text = text.strip()
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] == "C" or kind in {"Zl", "Zp"}:
            message = f"不能含换行或控制字符(发现 U+{ord(char):04X})"
            raise Problem(field, Code.BAD_CHAR, message)
    return text or None


def correction_date_problem(corrected: AnyEntry, day: dt.date) -> Problem | None:
    """A correction carries the date of the entry it corrects: else a snapshot as of an
    earlier day would lose the entry it counted."""
    if corrected.date == day:
        return None
    message = (
        f"更正记录的日期应与被更正的记录 {corrected.id}({_at(corrected)})相同,"
        f"即 {corrected.date},实际是 {day}"
    )
    return Problem("date", Code.CORRECTION_DATE, message)


_ENTRY_ID = re.compile(r"[0-9a-z]{6,32}")


def find_corrected(
    folder: DataDir, plan: LoadedPlan, entry_id: str, cache: Cache | None = None
) -> Entry:
    """The entry a correction names, among the plan's months; Problem if there is none."""
    if not _ENTRY_ID.fullmatch(entry_id):
        raise Problem("corrects", Code.BAD_VALUE, f"记录编号 {entry_id!r} 格式不对")
    files, _ = read_files(folder, cache, period=plan.plan.document.period)
    for read in files:
        for entry in read.entries:
            if entry.id == entry_id:
                return entry
    raise _no_such_entry(entry_id)


def _no_such_entry(entry_id: str) -> Problem:
    return Problem("corrects", Code.UNKNOWN_ENTRY, f"corrects 指向的记录 {entry_id} 不存在")


# --- the checks: each (entries, context) -> issues, over the rules above ---------------------


def check_known(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The item exists and has a task; the target exists in the item."""
    found = []
    items, targets = context.items, context.targets
    problems: dict[tuple[int, str], Problem | None] = {}  # once per (item, target)
    for entry in entries:
        key = (entry.item, entry.target)
        if key in targets:
            continue
        if key not in problems:
            item = items.get(entry.item)
            problems[key] = item_problem(context.plan, entry.item) or (
                target_problem(item, entry.target) if item is not None else None
            )
        problem = problems[key]
        if problem is not None:
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
    return found


def check_dates(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The date is inside the plan period and not in the future."""
    found = []
    period = context.plan.plan.document.period
    problems: dict[dt.date, Problem | None] = {}  # once per date
    for entry in entries:
        if entry.date not in problems:
            problems[entry.date] = date_problem(period, entry.date, context.today, context.slack)
        problem = problems[entry.date]
        if problem is not None:
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
    return found


def check_stage_value(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A milestone reports a stage; every other kind a value in its unit of measure."""
    found = []
    targets = context.targets
    for entry in entries:
        target = targets.get((entry.item, entry.target))
        if target is None:
            continue
        given = {"value": entry.value is not None, "stage": entry.stage is not None,
                 "percent": entry.percent is not None}  # fmt: skip
        problem = shape_problem(target, **given)
        if problem is None and entry.stage is not None:
            problem = stage_problem(entry.stage, entry.percent)
        if problem is not None:
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
    return found


def check_values(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A value fits its target: not negative, a share not above 100%, not absurdly large."""
    found = []
    targets = context.targets
    for entry in entries:
        target = targets.get((entry.item, entry.target))
        if target is None or entry.value is None or target.kind is Kind.MILESTONE:
            continue
        problem = value_problem(target, entry.value)
        if problem is not None:
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
    return found


def check_units(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The reporting unit is a lead unit of the item, by its canonical name."""
    found = []
    items = context.items
    problems: dict[tuple[int, str], Problem | None] = {}  # once per (item, unit)
    for entry in entries:
        item = items.get(entry.item)
        if item is None or item.no_task:
            continue
        key = (entry.item, entry.unit)
        if key not in problems:
            problems[key] = unit_problem(context.plan, item, entry.unit)
        problem = problems[key]
        if problem is not None:
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
    return found


_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:|urn:)")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
_DOC_NUMBER = re.compile(r".*[〔\[(【(]\s*\d{4}\s*[〕\])】)].*号.*")


def source_path(source: str) -> str | None:
    """The repository path a source names, or None for a URL, a document number or text.

    `花残联〔2024〕12号` is a document number and `https://…` a URL; `docs/evidence/x.pdf`
    (with a folder or a file extension) is a path.
    """
    text = source.strip()
    if _URL.match(text) or _DOC_NUMBER.fullmatch(text):
        return None
    if "/" in text or "\\" in text or _EXTENSION.search(text):
        return text
    return None


def source_problem(source: str, repo_root: Path) -> str | None:
    """Why a source that names a path cannot be used as evidence, or None."""
    path = source_path(source)
    if path is None:
        return None
    if "\\" in path:
        return f"来源路径 {path} 请用 / 分隔"
    relative = Path(path)
    if relative.is_absolute() or ".." in relative.parts:
        return f"来源路径 {path} 应是仓库内的相对路径(不能以 / 开头,也不能含 ..)"
    if not (repo_root / relative).exists():
        return f"来源文件 {path} 在仓库中不存在(路径相对于仓库根目录,即 data/ 的上一级)"
    return None


def check_sources(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A source that is a path in the repository must exist there."""
    found = []
    problems = context.sources
    for entry in entries:
        if entry.source is None:
            continue
        if entry.source not in problems:
            problems[entry.source] = source_problem(entry.source, context.repo_root)
        message = problems[entry.source]
        if message:
            found.append(entry_issue(entry, "source", Code.MISSING_SOURCE, message))
    return found


def check_corrects(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A correction names an existing entry of the same item and target, of the same date."""
    found = []
    wanted = {entry.corrects for entry in entries if entry.corrects}  # index only these
    by_id = {entry.id: entry for entry in entries if entry.id in wanted}
    for entry in entries:
        if entry.corrects is None:
            continue
        named = by_id.get(entry.corrects)
        if named is None:
            message = _no_such_entry(entry.corrects).message
        elif named is entry:
            message = "一条记录不能更正它自己"
        elif (named.item, named.target) != (entry.item, entry.target):
            message = (
                f"corrects 指向的记录 {named.id} 属于第 {named.item} 项的 {named.target},"
                f"与本条(第 {entry.item} 项的 {entry.target})不是同一目标"
            )
        elif problem := correction_date_problem(named, entry.date):
            found.append(entry_issue(entry, problem.field, problem.code, problem.message))
            continue
        else:
            continue
        found.append(entry_issue(entry, "corrects", Code.UNKNOWN_ENTRY, message))
    return found


def _content(entry: AnyEntry) -> tuple[object, ...]:
    return (entry.item, entry.target, entry.date, entry.value, entry.stage, entry.percent,
            entry.unit)  # fmt: skip


def check_duplicates(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """No id twice; no entry that repeats another's item, target, date, value and unit."""
    found = []
    ids: dict[str, AnyEntry] = {}
    # A repeat has the same date, and the entries come in date order: one date at a time.
    contents: dict[tuple[object, ...], AnyEntry] = {}
    day = None
    for entry in context.in_order(entries):
        first = ids.setdefault(entry.id, entry)
        if first is not entry:
            message = f"记录编号 {entry.id} 与 {_at(first)} 的记录重复"
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
            continue
        if entry.date != day:
            day = entry.date
            contents.clear()
        same = contents.setdefault(_content(entry), entry)
        if same is not entry and same.id != entry.corrects and entry.id != same.corrects:
            message = f"与 {_at(same)} 的记录重复(同一事项、目标、日期、数值和填报单位)"
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
    return found


def check_decreasing(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A cumulative quantity never goes down: the entries that count (those no correction
    names, corrections included), in date order, never decrease for a target."""
    found = []
    previous: dict[tuple[int, str], AnyEntry] = {}
    targets = context.targets
    for entry in effective_entries(context.in_order(entries)):
        target = targets.get((entry.item, entry.target))
        if target is None or target.kind is not Kind.QUANTITY or entry.value is None:
            continue
        key = (entry.item, entry.target)
        before = previous.get(key)
        if before is not None and before.value is not None and entry.value < before.value:
            what = "更正后的累计完成" if entry.corrects else "累计完成"
            advice = (
                "请核对更正的数值(或一并更正那条记录)"
                if entry.corrects
                else "如是更正,请用 corrects 写明被更正记录的 id"
            )
            message = (
                f"{what} {format_decimal(entry.value)} 小于 {before.date} 登记的 "
                f"{format_decimal(before.value)}({_at(before)});累计值不应减少,{advice}"
            )
            found.append(entry_issue(entry, "value", Code.DECREASING, message))
            continue
        previous[key] = entry
    return found


def check_placement(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """An entry lives in progress/<its month>/<its unit's id>.yaml, where the tool puts it."""
    found = []
    places: dict[Path, tuple[str, str]] = {}  # a file's (folder, name), once per file
    months: dict[dt.date, str] = {}
    for entry in entries:
        path = entry.origin.path if isinstance(entry, Entry) else entry.where.path
        unit = context.plan.unit_named(entry.unit)
        if path is None or unit is None:
            continue
        place = places.get(path)
        if place is None:
            place = places[path] = (path.parent.name, path.name)
        month = months.get(entry.date)
        if month is None:
            month = months[entry.date] = f"{entry.date:%Y-%m}"
        if place != (month, f"{unit.id}.yaml"):
            message = f"这条记录应放在 progress/{month}/{unit.id}.yaml(按日期的月份和填报单位)"
            found.append(entry_issue(entry, "date", Code.MISPLACED, message))
    return found


def _at(entry: AnyEntry) -> str:
    return f"{entry.where.file}:{entry.where.line}" if entry.where.file else "本次登记"


# Checks on one entry against the plan, and checks across entries.
ENTRY_CHECKS: tuple[Check, ...] = (
    check_known,
    check_dates,
    check_stage_value,
    check_values,
    check_units,
    check_sources,
    check_placement,
)
CROSS_CHECKS: tuple[Check, ...] = (check_corrects, check_duplicates, check_decreasing)
CHECKS: tuple[Check, ...] = ENTRY_CHECKS + CROSS_CHECKS


def problems_adding(entry: AnyEntry, existing: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """What recording `entry` beside `existing` would break: the entry's own problems, and
    the problems across entries it brings (those the data already has are not its own)."""
    own = [issue for check in ENTRY_CHECKS for issue in check([entry], context)]
    if own:
        return own
    before = {issue for check in CROSS_CHECKS for issue in check(existing, context)}
    after = [issue for check in CROSS_CHECKS for issue in check([*existing, entry], context)]
    return [issue for issue in after if issue not in before]
