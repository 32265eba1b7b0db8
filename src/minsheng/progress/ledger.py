"""The checked ledger (台账快照): every progress entry read and checked once, kept small.

`report`, `validate` and `list --status` need two things from a year of entries: the problems
found in them, and, for a date, the entries that decide each item on that date. Reading and
checking a million entries takes seconds even from the cache of parsed files, so the result
of both is kept whole in the user's cache folder (minsheng.core.cache), keyed by everything it
depends on:

- minsheng's code and Python (`cache.fingerprint`), the plan's bytes, the data folder;
- every progress file read: its path, its name as shown, and the hash of its bytes;
- things outside the files, checked again each time the ledger is used: no entry is dated
  or recorded after today (the checks that depend on the day), and every source that names
  a file in the repository still exists or still does not, as when the ledger was made.

What decides an item on a date D: for each (item, target), its latest effective entry dated
on or before D; and for each item, its latest such entry with a note, among its own targets
and among all. In data without problems a correction carries the date of the entry it
corrects (check_corrects), so the entries effective on D are exactly the entries effective
over the whole year that are dated up to D. (Data with problems gets no series: nothing is
reported from it.)
The ledger therefore keeps, per target and per item, one entry per date (the latest of that
date) with the dates in order, and answers a date by bisection. That is at most a few
hundred series of at most a year of days each, whatever the number of entries.
`entries_at(D)` gives those entries, and `compute.compute` over them gives the same report
as over every entry (tests/test_ledger.py proves it on generated data).

The monthly cycle (report.cycle) also needs when each unit first returned each item and
month, whatever entry decides it: `returns` keeps that, one timestamp per (unit, item, month).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import os
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minsheng.core import cache as cache_module
from minsheng.core.cache import RECORD_FIELDS, Cache, Hashes, Known, digest, fingerprint
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code, Issue
from minsheng.core.readfile import read_stable, signature
from minsheng.core.yamlio import MAX_BYTES
from minsheng.plan.funds import is_funds_target
from minsheng.plan.load import LoadedPlan
from minsheng.progress.checks import VALIDATE_SLACK, check_files
from minsheng.progress.entry import (
    Entry,
    Origin,
    effective_entries,
    first_returns,
    tells_progress,
)
from minsheng.progress.files import (
    ProgressFile,
    entries_of,
    progress_files,
    read_files,
    record_of,
)
from minsheng.progress.sources import source_path, source_problem

_ORDER = 14  # where a record (progress.record_of) holds the entry's order

# Ledgers kept in the cache folder, the newest (one per data folder, working folder and
# content): at least KEEP, and more while they fit in KEEP_BYTES, so that a city's roll-up of
# a hundred districts (about half a megabyte each for a year of 2,000 entries) finds every
# district's ledger kept from the last run.
KEEP = 8
KEEP_BYTES = 256 * 2**20

# An entry in plain values (progress.record_of) and its origin, an index into `origins`.
Record = tuple[tuple[Any, ...], int]
Series = tuple[tuple[int, ...], tuple[Record, ...]]  # date ordinals ascending, an entry each


@dataclass(frozen=True)
class Ledger:
    """The problems in the progress entries, and what answers `entries_at` a date."""

    count: int  # entries read
    issues: list[Issue]
    latest: int | None  # the ordinal of the latest date or recorded day of any entry
    sources: tuple[tuple[str, str | None], ...]  # each source naming a path, and its problem
    origins: tuple[tuple[str, str | None], ...]  # files, as shown and their paths
    series: tuple[Series, ...]
    # (unit, item, the month's first day as an ordinal, the first recorded_at in ISO 8601)
    returns: tuple[tuple[str, int, int, str], ...] = ()

    def first_returns(self) -> dict[tuple[str, int, dt.date], dt.datetime]:
        """When each unit first returned figures for each item and month (first_returns)."""
        return {
            (unit, item, dt.date.fromordinal(month)): dt.datetime.fromisoformat(stamp)
            for unit, item, month, stamp in self.returns
        }

    def entries_at(self, *days: dt.date) -> list[Entry]:
        """The entries that decide the report at each of `days`, oldest first, each once."""
        chosen: dict[int, Record] = {}  # by the entry's order, unique
        for day in days:
            ordinal = day.toordinal()
            for dates, records in self.series:
                index = bisect_right(dates, ordinal) - 1
                if index >= 0:
                    record = records[index]
                    chosen[record[0][_ORDER]] = record
        by_origin: dict[int, list[Any]] = {}
        for plain, origin in chosen.values():
            by_origin.setdefault(origin, []).append(plain)
        found = []
        for origin, plains in by_origin.items():
            file, path = self.origins[origin]
            found.extend(entries_of(plains, Origin(file, _path(path))))
        return sorted(found)

    def holds(self, today: dt.date, repo_root: Path) -> bool:
        """Whether the checks would find the same today: no entry is dated or stamped in the
        future, and every source path is found (or not) as before."""
        if self.latest is not None and self.latest > (today + VALIDATE_SLACK).toordinal():
            return False
        return all(source_problem(text, repo_root) == was for text, was in self.sources)


def open_ledger(
    folder: DataDir, loaded: LoadedPlan, cache: Cache | None, today: dt.date | None = None
) -> Ledger:
    """The checked ledger of the progress entries of the plan's year, from the cache when
    nothing it depends on has changed; else read (through the cache of parsed files), checked,
    and kept for next time. Without a cache (`--no-cache`) it is always read afresh."""
    today = today or dt.date.today()
    repo_root = folder.root.parent  # where sources are looked up
    period = loaded.plan.document.period
    paths, folder_issues = progress_files(folder.progress, folder.display, period)
    key = None
    if cache is not None:
        key = _key(folder, loaded, paths, cache=cache)
        payload = None if key is None else cache.ledgers.get(key)
        found = None if payload is None else _decode(payload)
        if found is not None and found.holds(today, repo_root):
            return _with(found, folder_issues)
    files, folder_issues = read_files(folder, cache, period=period)
    # Kept only if the files parsed are the files hashed above, byte for byte: a file that
    # changed in between gets its turn next time.
    read = [file.path for file in files], [file.digest for file in files]
    ledger = _build(files, folder, loaded, today)
    unchanged = read[0] == paths and key == _key(folder, loaded, paths, read[1])
    if cache is not None and key is not None and unchanged and ledger.holds(today, repo_root):
        cache.ledgers.put(key, _encode(ledger))
        cache.ledgers.keep_newest(KEEP, KEEP_BYTES)
    elif cache is not None and key is not None and read[0] == paths:
        # The same files, other bytes than the digests said: one changed as it was read, or
        # changed unseen (Known.answers). None of the folder's digests is trusted again
        # until each file is read anew.
        Hashes(cache, folder.progress).forget()
    return _with(ledger, folder_issues)


def _with(ledger: Ledger, folder_issues: list[Issue]) -> Ledger:
    """The ledger with the problems of the folders (listed afresh each time) first."""
    if not folder_issues:
        return ledger
    return dataclasses.replace(ledger, issues=folder_issues + ledger.issues)


def _key(
    folder: DataDir,
    loaded: LoadedPlan,
    paths: list[Path],
    digests: list[bytes] | None = None,
    cache: Cache | None = None,
) -> str | None:
    """The ledger's name: what it depends on, hashed; None when a file cannot be read (the
    full reading reports it). The files' digests are those given, else each file's as
    remembered in `cache` while the file is unchanged (Known), else read and hashed."""
    if digests is None:
        try:
            digests = _digests(paths, None if cache is None else Hashes(cache, folder.progress))
        except OSError:
            return None
    key = hashlib.sha256(fingerprint())
    key.update(loaded.digest)
    key.update(f"\0{folder.root.parent}\0{folder.progress}\0".encode("utf-8", "surrogatepass"))
    for path, name, content in zip(paths, folder.displays(paths), digests, strict=True):
        shown = f"{path}\0{name}\0".encode("utf-8", "surrogatepass")
        key.update(shown + content)
    return key.hexdigest()


# Below this many bytes in all, a thread pool costs more than it saves (a year of 2,000
# entries in 188 files hashes in half the time without one).
THREADED_BYTES = 8 * 2**20


def _digests(paths: list[Path], hashes: Hashes | None = None) -> list[bytes]:
    """Each file's content hash: remembered in `hashes` for a file unchanged since it was
    hashed (Known.answers: its signature, and times older than the hashing), else read and
    hashed, and remembered for next time. Reading and hashing release the interpreter's lock,
    so many megabytes are hashed on every core."""
    known = {} if hashes is None else hashes.load()
    names = [os.fspath(path) for path in paths]
    found: dict[str, bytes] = {}
    for name in names:
        was = known.get(name)
        if was is not None and was.answers(os.stat(name, follow_symlinks=False)):
            found[name] = was.digest
    missing = [name for name in names if name not in found]
    if missing:
        hashed = _hash([Path(name) for name in missing])
        for name, (content, now) in zip(missing, hashed, strict=True):
            found[name] = content
            if now is not None:
                known[name] = now
            else:  # changed while it was read: hashed again next time
                known.pop(name, None)
    if hashes is not None and (missing or len(known) != len(names)):
        listed = set(names)
        hashes.store({name: one for name, one in known.items() if name in listed})
    return [found[name] for name in names]


def _hash(paths: list[Path]) -> list[tuple[bytes, Known | None]]:
    """Each file read and hashed, with what to remember of it (None if it changed as it was
    read)."""
    if len(paths) < 8 or sum(_size(path) for path in paths) < THREADED_BYTES:
        return [_hash_one(path) for path in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return list(pool.map(_hash_one, paths))


def _hash_one(path: Path) -> tuple[bytes, Known | None]:
    taken = cache_module.clock()  # before it is opened: a change after it is stamped later
    raw, status = read_stable(path, MAX_BYTES, follow=False)
    content = digest(raw)
    return content, None if status is None else Known(signature(status), taken, content)


def _size(path: Path) -> int:
    try:
        return path.stat(follow_symlinks=False).st_size
    except OSError:
        return 0  # the reading says what is wrong


def _build(
    files: list[ProgressFile], folder: DataDir, loaded: LoadedPlan, today: dt.date
) -> Ledger:
    """Check the files' entries and index what decides each item on each date."""
    origin_index: dict[Origin, int] = {}
    for read in files:
        origin_index.setdefault(Origin(read.display, read.path), len(origin_index))
    judged: dict[str, str | None] = {}
    entries, issues = check_files(files, folder, loaded, today, judged)
    # The latest day any entry speaks of, its date or the day it was recorded (where it was
    # recorded): past today, the ledger is not kept, as its problems change with the day.
    latest = max((max(entry.date, entry.recorded_at.date()) for entry in entries), default=None)
    latest_day = None if latest is None else latest.toordinal()
    # The judgements the checks made, not new ones: a file that appeared or went away since
    # would otherwise be kept as found while the problems say otherwise.
    found_sources = tuple(
        (text, was) for text, was in judged.items() if source_path(text) is not None
    )
    if issues:  # nothing is reported from entries with problems: only the problems count
        return Ledger(len(entries), issues, latest_day, found_sources, (), ())
    own = {item.id: {target.id for target in item.targets} for item in loaded.plan.items}
    # Per series, the dates (ordinals) and each date's latest entry: entries come oldest
    # first, so the last one seen on a date is that date's latest. Only the entries kept
    # are turned into records, at the end: a few per target and day, not every entry.
    by_key: dict[tuple[Any, ...], tuple[list[int], list[Entry]]] = {}
    ordinals: dict[dt.date, int] = {}
    for entry in effective_entries(entries):
        ordinal = ordinals.get(entry.date)
        if ordinal is None:
            ordinal = ordinals[entry.date] = entry.date.toordinal()
        keys: list[tuple[Any, ...]] = [("target", entry.item, entry.target)]
        # A note on money (省级资金未下达) is no news of the work: it is the funds' reason.
        if tells_progress(entry) and not is_funds_target(entry.target):
            keys.append(("noted", entry.item))
            if entry.target in own.get(entry.item, ()):
                keys.append(("noted-own", entry.item))
        for name in keys:
            dates, kept = by_key.setdefault(name, ([], []))
            if dates and dates[-1] == ordinal:
                kept[-1] = entry
            else:
                dates.append(ordinal)
                kept.append(entry)
    # One record per entry, shared by the series it is in (marshal writes a repeat as a
    # reference): an entry with a note is in three.
    made: dict[int, Record] = {}

    def record(entry: Entry) -> Record:
        found = made.get(entry.order)
        if found is None:
            found = made[entry.order] = (record_of(entry), origin_index[entry.origin])
        return found

    series = tuple(
        (tuple(dates), tuple(record(entry) for entry in kept)) for dates, kept in by_key.values()
    )
    origins = tuple(
        (origin.file, None if origin.path is None else str(origin.path)) for origin in origin_index
    )
    returns = tuple(
        (unit, item, month.toordinal(), stamp.isoformat())
        for (unit, item, month), stamp in first_returns(entries).items()
    )
    return Ledger(len(entries), issues, latest_day, found_sources, origins, series, returns)


def _path(text: str | None) -> Path | None:
    return None if text is None else Path(text)


def _issue(file: str, line: int, column: int, code: str, message: str, path: str) -> Issue:
    return Issue(file, line, column, Code(code), message, path)


def _encode(ledger: Ledger) -> bytes:
    issues = tuple(
        (i.file, i.line, i.column, str(i.code), i.message, i.path) for i in ledger.issues
    )
    return marshal.dumps(
        (
            ledger.count,
            issues,
            ledger.latest,
            ledger.sources,
            ledger.origins,
            ledger.series,
            ledger.returns,
        )
    )


def _decode(payload: bytes) -> Ledger | None:
    """The ledger kept, or None if it is not one this code wrote (its checksum matched, so
    this only guards against another format under the same name)."""
    try:
        count, plain, latest, sources, origins, series, returns = marshal.loads(payload)
        issues = [_issue(*fields) for fields in plain]
    except (EOFError, ValueError, TypeError):
        return None
    checked: set[int] = set()  # records seen whole (_series), by id while `series` holds them
    shaped = (
        type(count) is int
        and (latest is None or type(latest) is int)
        and _pairs(sources)
        and _pairs(origins)
        and type(series) is tuple
        and all(_series(one, len(origins), checked) for one in series)
        and type(returns) is tuple
        and all(_return(one) for one in returns)
    )
    if not shaped:
        return None
    return Ledger(count, issues, latest, sources, origins, series, returns)


def _return(found: object) -> bool:
    """A unit, an item, a month's ordinal and an ISO timestamp."""
    return (
        type(found) is tuple
        and len(found) == 4
        and type(found[0]) is str
        and type(found[1]) is int
        and type(found[2]) is int
        and type(found[3]) is str
    )


def _pairs(found: object) -> bool:
    """A tuple of (text, text or None)."""
    return type(found) is tuple and all(
        type(pair) is tuple
        and len(pair) == 2
        and type(pair[0]) is str
        and (pair[1] is None or type(pair[1]) is str)
        for pair in found
    )


def _series(found: object, origins: int, checked: set[int] | None = None) -> bool:
    """Dates (ordinals) and as many records, each a record of progress.record_of's fields
    with its order a number, and an origin index. A record shared by several series
    (one object, as marshal writes a repeat) is looked at once: `checked` holds the ids of
    those that passed, while the payload that holds them is alive."""
    if not (type(found) is tuple and len(found) == 2):
        return False
    dates, records = found
    if not (type(dates) is tuple and type(records) is tuple and len(dates) == len(records)):
        return False
    if not all(type(day) is int for day in dates):
        return False
    checked = set() if checked is None else checked
    for record in records:
        if id(record) in checked:
            continue
        if not (type(record) is tuple and len(record) == 2):
            return False
        plain, origin = record
        if not (
            type(plain) is tuple
            and len(plain) == RECORD_FIELDS
            and type(plain[_ORDER]) is int
            and type(origin) is int
            and 0 <= origin < origins
        ):
            return False
        checked.add(id(record))
    return True
