"""The progress files (进度文件): finding them under data/progress/ and parsing each."""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from minsheng.core.cache import Cache, Parsed, digest
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code, Issue
from minsheng.core.readfile import read_bounded
from minsheng.core.schema import validate
from minsheng.core.yamlio import MAX_BYTES, decode, load_documents, unreadable
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import (
    Period,
)
from minsheng.progress import commit, fastparse
from minsheng.progress.entry import Entry, Origin, ProgressEntry, Stage
from minsheng.progress.rules import Problem

# --- reading -------------------------------------------------------------------------------


def read_bytes_nofollow(path: Path) -> bytes:
    """A progress file's bytes, at most MAX_BYTES (its size is checked before reading); a
    symlink, a pipe or a device raises OSError instead of being followed or read."""
    return read_bounded(path, MAX_BYTES, follow=False)


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
    stuck = commit.interrupted(root, display(root / commit.JOURNAL))
    if stuck is not None:
        issues.append(stuck)
    # Listed with scandir: what each name is comes with the listing, without asking the
    # system once more for each file (a city's roll-up lists a hundred districts' files).
    for found in _listed(root):
        month = root / found.name
        if month.name.startswith("."):
            continue
        if not _MONTH.fullmatch(month.name):
            issues.append(_odd_name(display(root), month.name, _NOT_A_MONTH))
            continue
        if not in_period(month.name, period):
            continue
        if found.is_symlink():
            issues.append(Issue(display(month), 1, 1, Code.SYMLINK, message))
            continue
        if not found.is_dir():
            issues.append(_odd_name(display(root), month.name, _NOT_A_MONTH))
            continue
        for entry in _listed(month):
            path = month / entry.name
            if path.name.startswith("."):
                continue
            if not _FILE_NAME.fullmatch(path.name):
                issues.append(_odd_name(display(month), path.name, _NOT_A_FILE_NAME))
            elif entry.is_symlink():
                issues.append(Issue(display(path), 1, 1, Code.SYMLINK, message))
            elif entry.is_file():
                files.append(path)
            else:
                issues.append(_odd_name(display(month), path.name, _NOT_A_FILE_NAME))
    return files, issues


def _listed(folder: Path) -> list[os.DirEntry[str]]:
    """A folder's entries by name (as sorted Paths of one folder are)."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


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
    digest: bytes = b""  # of the bytes parsed (minsheng.core.cache.digest), when read with a cache


def parse_file(raw: bytes, display: str, *, fast: bool | None = None) -> Parsed:
    """One progress file's entries and problems, in plain values (what the cache keeps).

    The fast path (rapidyaml, minsheng.progress.fastparse) takes the files in the store's own shape;
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
        entry.note, entry.source, entry.corrects, entry.reporter, entry.phone,
        entry.recorded_at.isoformat(), number, line, marks,
        None if entry.received is None else entry.received.isoformat(),
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
         reporter, phone, recorded_at, number, line, marks, received) in records:  # fmt: skip
        entries.append(
            make((
                shared.date(date), shared.stamp(recorded_at), first_order + number, entry_id,
                item, word(target, target), None if value is None else Decimal(value),
                None if stage is None else _STAGES[stage],
                None if percent is None else Decimal(percent), word(unit, unit), note, source,
                corrects, reporter, phone, origin, line, marks,
                None if received is None else shared.date(received),
            ))
        )  # fmt: skip
    return entries


def record_of(entry: Entry) -> fastparse.Record:
    """An entry in plain values again, its number its order (entries_of with first_order 0
    gives it back)."""
    return (
        entry.id, entry.item, entry.target, entry.date.isoformat(), _text(entry.value),
        None if entry.stage is None else entry.stage.value, _text(entry.percent), entry.unit,
        entry.note, entry.source, entry.corrects, entry.reporter, entry.phone,
        entry.recorded_at.isoformat(), entry.order, entry.line, entry.marks,
        None if entry.received is None else entry.received.isoformat(),
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
    keep_raw: Path | Collection[Path] | None = None,
    period: Period | None = None,
) -> tuple[list[ProgressFile], list[Issue]]:
    """Every progress file (of the months in `period`), parsed, in order; and the problems of
    the folders themselves.

    With a cache, a file whose bytes were parsed before is not parsed again. The bytes of the
    file `keep_raw` (or files) are kept in its ProgressFile (the store appends to them).
    """
    keep = {keep_raw} if isinstance(keep_raw, Path) else set(keep_raw or ())
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
                read.issues.append(unreadable(error, read.display))
                read.whole = False
                continue
            _read_one(raw, read, cache, fast, order, shared)
            if path in keep:
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
    raise no_such_entry(entry_id)


def no_such_entry(entry_id: str) -> Problem:
    return Problem("corrects", Code.UNKNOWN_ENTRY, f"corrects 指向的记录 {entry_id} 不存在")
