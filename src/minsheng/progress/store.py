"""The progress store (进度写入): atomic, locked appends to data/progress/<YYYY-MM>/<unit-id>.yaml.

A write takes the lock `data/progress/.lock`, settles what an interrupted write left,
re-reads the data and re-checks the rules under it, and commits every file it changes all
or none (progress.commit): a reader only ever sees a file old or new, and a write of several
files, failed or killed at any step, ends with all of them written or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from minsheng.core.cache import Cache
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code, Issue, RefusedError, os_reason
from minsheng.core.measure import format_decimal
from minsheng.core.schema import validate
from minsheng.core.yamlio import MAX_BYTES, MAX_NODES, load_documents, resolve_plain
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import Unit
from minsheng.progress import commit
from minsheng.progress.checks import Context, problems_adding_all
from minsheng.progress.entry import ProgressEntry, Where
from minsheng.progress.fastparse import KEYS
from minsheng.progress.files import ProgressFile, parse_file, read_bytes_nofollow, read_files

LOCK_NAME = ".lock"
LOCK_TIMEOUT = 60.0  # seconds to wait for another clerk's write before giving up
LOCK_POLL = 0.01  # a write takes milliseconds: waiting 50 ms a try would dominate
_LAST = 1 << 62  # the entry being added comes after every entry read, in file order
_PLAIN_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]")


@dataclass(frozen=True)
class Written:
    """What was recorded, and where."""

    entry: ProgressEntry
    path: Path
    line: int


def new_id() -> str:
    """A random id of 10 lowercase hex digits, never all digits (YAML would read a number)."""
    while True:
        token = secrets.token_hex(5)
        if not token.isdigit():
            return token


def now() -> dt.datetime:
    """This moment with the local UTC offset, to the second.

    An offset is written (and read back) in whole minutes, as ISO 8601 and the store's
    readers have it; a zone whose offset has seconds (LMT, or TZ=XXX-8:05:43) is stamped
    with the nearest whole-minute offset instead: the same instant, written another way.
    """
    stamp = dt.datetime.now().astimezone().replace(microsecond=0)
    offset = stamp.utcoffset() or dt.timedelta(0)
    if offset % dt.timedelta(minutes=1):
        minutes = round(offset / dt.timedelta(minutes=1))
        stamp = stamp.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))
    return stamp


# --- the text of a record ------------------------------------------------------------------


def _scalar(value: object) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, int):
        return text
    plain = (
        _PLAIN_START.match(text) is not None
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and isinstance(resolve_plain(text), str)
    )
    # JSON's string syntax is YAML's double-quoted style.
    return text if plain else json.dumps(text, ensure_ascii=False)


def entry_text(entry: ProgressEntry) -> str:
    """One record: `---`, the keys in their fixed order, and `...` so a torn end shows."""
    lines = ["---"]
    for key in KEYS:
        value = getattr(entry, key)
        if value is not None:
            lines.append(f"{key}: {_scalar(value)}")
    lines.append("...")
    return "\n".join(lines) + "\n"


def header_text(unit: Unit, month: str) -> str:
    return (
        f"# {unit.name} {month} 进度记录,由 minsheng progress add 追加写入。\n"
        "# 每条记录以 --- 开始、以 ... 结束。已有记录不要改动;更正请新增一条记录,\n"
        "# 并用 corrects 写明被更正记录的 id。\n"
    )


# --- where a record goes -------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """Records about to be appended to one file: the file, its whole new content, and the
    entries located where they will be."""

    path: Path
    old: bytes | None  # the file as read (None: there is none yet)
    new: bytes
    entries: list[ProgressEntry]

    @property
    def entry(self) -> ProgressEntry:
        return self.entries[0]


def _no_symlink(path: Path, display: str) -> None:
    if path.is_symlink():
        message = f"{display} 是符号链接,出于安全不会跟随它写入;请改为普通的文件夹或文件"
        raise RefusedError(Code.SYMLINK, message)


def progress_folder(folder: DataDir) -> Path:
    """The progress folder if it can be written to (it may not exist yet)."""
    if folder.shipped:
        message = (
            "当前用的是随程序安装的只读计划,不能在这里登记进度;请在数据仓库"
            "(含 data/tasks_<年份>.yaml 的目录)中运行,或用 --data-dir 指定数据目录"
        )
        raise RefusedError(Code.READ_ONLY_DATA, message)
    progress = folder.progress
    _no_symlink(progress, folder.display(progress))
    if progress.exists() and not progress.is_dir():
        message = f"{folder.display(progress)} 不是文件夹,无法写入进度记录"
        raise RefusedError(Code.NOT_A_FOLDER, message)
    return progress


def file_for(folder: DataDir, plan: LoadedPlan, entry: ProgressEntry) -> tuple[Path, Unit]:
    """progress/<YYYY-MM>/<unit-id>.yaml: the month from the date, the id from the registry."""
    unit = plan.unit_named(entry.unit)
    if unit is None:
        raise RefusedError(Code.NOT_LEAD_UNIT, f"字段 unit:{entry.unit} 不在单位登记表中")
    return folder.progress / f"{entry.date:%Y-%m}" / f"{unit.id}.yaml", unit


def _check_place(folder: DataDir, path: Path) -> None:
    """The month folder and the file are plain (or absent): never a symlink, never odd."""
    month, display = path.parent, folder.display(path)
    _no_symlink(month, folder.display(month))
    if month.exists() and not month.is_dir():
        message = f"{folder.display(month)} 不是文件夹,无法写入进度记录"
        raise RefusedError(Code.NOT_A_FOLDER, message)
    _no_symlink(path, display)
    if path.exists() and not path.is_file():
        raise RefusedError(Code.NOT_A_FILE, f"{display} 不是普通文件,无法写入进度记录")


def _require_whole(read: ProgressFile) -> None:
    """Refuse to append after garbage: every record of the file must be whole."""
    if read.whole:
        return
    torn = [issue for issue in read.issues if issue.code is Code.TORN_RECORD]
    if torn:
        message = (
            f"{read.display} 第 {torn[0].line} 行起的记录不完整(没有以 ... 结尾),"
            "可能是上次写入被中断;为免在残缺内容后追加,本次不写入。请先核对并修复"
            "该文件(补全或删除这条记录),再运行 minsheng validate"
        )
        raise RefusedError(Code.TORN_RECORD, message)
    issue = read.issues[-1]
    message = (
        f"{read.display} 第 {issue.line} 行有错误({issue.message}),"
        "为免在残缺内容后追加,本次不写入;请先修复该文件"
    )
    raise RefusedError(issue.code, message)


def _prepare(
    folder: DataDir, plan: LoadedPlan, entry: ProgressEntry, today: dt.date, cache: Cache | None
) -> tuple[Pending, list[Issue]]:
    """What appending `entry` would write, and the rules it breaks against the data."""
    pendings, found = _prepare_all(folder, plan, [entry], today, cache)
    return pendings[0], [issue for _, issue in found]


def _prepare_all(
    folder: DataDir,
    plan: LoadedPlan,
    entries: list[ProgressEntry],
    today: dt.date,
    cache: Cache | None,
) -> tuple[list[Pending], list[tuple[int | None, Issue]]]:
    """What appending all of `entries` would write (one Pending per file, holding every new
    record of that file, in the order given), and the rules they break against the data, each
    with the index of the entry it is about (None: an entry already recorded, which a new
    one contradicts).

    Where they cannot be written at all (a symlink, a torn file) is refused at once. The files
    are read through the cache of parsed files (safe under the lock: it is keyed by the bytes
    just read, and the append builds on those bytes).
    """
    progress_folder(folder)
    places = [file_for(folder, plan, entry) for entry in entries]
    for path in dict.fromkeys(path for path, _ in places):
        _check_place(folder, path)
    wanted = {path for path, _ in places}
    files, _ = read_files(folder, cache, keep_raw=wanted, period=plan.plan.document.period)
    olds: dict[Path, bytes] = {}
    for read in files:
        if read.path in wanted:
            _require_whole(read)
            olds[read.path] = read.raw or b""
    for path in wanted - olds.keys():  # not among the plan's months: its dates are refused
        with contextlib.suppress(FileNotFoundError):
            olds[path] = read_bytes_nofollow(path)
    news: dict[Path, bytes] = {}
    located: list[ProgressEntry] = []
    at: dict[tuple[str, int], int] = {}  # where each new record starts: its index
    for index, (entry, (path, unit)) in enumerate(zip(entries, places, strict=True)):
        display = folder.display(path)
        prefix = (
            news.get(path)
            or olds.get(path)
            or header_text(unit, f"{entry.date:%Y-%m}").encode("utf-8")
        )
        if not prefix.endswith(b"\n"):
            prefix += b"\n"
        line = prefix.count(b"\n") + 1
        record = entry_text(entry)
        _require_round_trip(entry, record, display)
        where = Where(display, path, line, _LAST + index)
        located.append(entry.model_copy().located(where))
        at[(display, line)] = index
        news[path] = prefix + record.encode("utf-8")
    for path, new in news.items():
        _require_readable(new, folder.display(path))
    existing = [entry for read in files for entry in read.entries]
    context = Context(plan, folder.root.parent, today)
    found = [
        (at.get((issue.file, _record_line(issue, located))), issue)
        for issue in problems_adding_all(located, existing, context)
    ]
    pendings = [
        Pending(path, olds.get(path), new, [e for e in located if e.where.path == path])
        for path, new in news.items()
    ]
    return pendings, found


def _record_line(issue: Issue, located: list[ProgressEntry]) -> int:
    """The line of the `---` of the new record an issue is about (issues name a key's line)."""
    starts = [entry.where.line for entry in located if entry.where.file == issue.file]
    return max((line for line in starts if line <= issue.line), default=0)


def _require_round_trip(entry: ProgressEntry, record: str, display: str) -> None:
    """What is written must read back as exactly this entry."""
    docs = load_documents(record, display)
    back = None
    if len(docs) == 1 and docs[0].explicit_end and not docs[0].issues:
        back, _ = validate(ProgressEntry, docs[0])
    if back is None or back.model_dump() != entry.model_dump():
        mine = entry.model_dump()
        differ = [
            key
            for key, value in (back.model_dump() if back else {}).items()
            if mine.get(key) != value
        ] or ["note", "source"]
        message = (
            f"这条记录的 {'、'.join(differ)} 含有无法原样保存的字符,请修改后再试(没有写入任何内容)"
        )
        raise RefusedError(Code.BAD_CHAR, message)


def _require_readable(new: bytes, display: str) -> None:
    """The file as it would be must be one the reader takes: within its bounds on bytes and
    on nodes (yamlio.MAX_BYTES, MAX_NODES), the same with rapidyaml or without. A file that
    small cannot reach the node bound (no byte makes 4 nodes), so only a large one is read
    again."""
    too_large = len(new) > MAX_BYTES
    if not too_large and len(new) * 4 + 8 > MAX_NODES:
        parsed = parse_file(new, display)
        too_large = any(issue[2] == Code.TOO_LARGE for issue in parsed.issues)
    if too_large:
        message = (
            f"{display} 再追加这条记录就会超过单个进度文件的读取上限"
            f"({MAX_BYTES // 1024 // 1024} MB 或 {MAX_NODES} 个节点,约七千至一万条记录),"
            "之后整个文件将无法读取;本次不写入,没有改动任何文件。一个单位一个月不应有这么多"
            "记录,请先核对是否重复登记"
        )
        raise RefusedError(Code.TOO_LARGE, message)


# --- the rules -----------------------------------------------------------------------------


def _refusal(issues: list[Issue]) -> RefusedError:
    message = ";".join(f"字段 {issue.path}：{issue.message}" for issue in issues)
    return RefusedError(issues[0].code, message)


def problems(
    folder: DataDir,
    plan: LoadedPlan,
    entry: ProgressEntry,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> tuple[Path, list[Issue]]:
    """The rules `entry` would break if recorded now (what `validate` would report of it, the
    data's old problems aside), and the file it would go to; refuses what cannot be written."""
    pending, found = _prepare(folder, plan, entry, today or dt.date.today(), cache)
    return pending.path, found


def problems_all(
    folder: DataDir,
    plan: LoadedPlan,
    entries: list[ProgressEntry],
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> list[tuple[int | None, Issue]]:
    """The rules recording all of `entries` at once would break now, each with the index of
    the entry it is about (None: an entry already recorded); refuses what cannot be written."""
    _, found = _prepare_all(folder, plan, entries, today or dt.date.today(), cache)
    return found


def check(
    folder: DataDir,
    plan: LoadedPlan,
    entry: ProgressEntry,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> Path:
    """Refuse now what `append` would refuse (without the lock); the file it would go to."""
    path, found = problems(folder, plan, entry, today, cache)
    if found:
        raise _refusal(found)
    return path


# --- the write -----------------------------------------------------------------------------


def append(
    folder: DataDir,
    plan: LoadedPlan,
    entry: ProgressEntry,
    *,
    today: dt.date | None = None,
    timeout: float = LOCK_TIMEOUT,
    cache: Cache | None = None,
) -> Written:
    """Append one entry, atomically and under the lock; RefusedError says why not."""
    (written,) = append_all(folder, plan, [entry], today=today, timeout=timeout, cache=cache)
    return written


def append_all(
    folder: DataDir,
    plan: LoadedPlan,
    entries: list[ProgressEntry],
    *,
    today: dt.date | None = None,
    timeout: float = LOCK_TIMEOUT,
    cache: Cache | None = None,
) -> list[Written]:
    """Append all of `entries` under one lock, as one step: every rule is checked for all of
    them (and between them) first, and if any is broken nothing is written (RefusedError).

    Every file changed is committed all or none (progress.commit), across units and months:
    a RefusedError says exactly what was written (nothing, but for a failure at a rename that
    could not be undone, whose files it names).
    """
    progress = progress_folder(folder)
    try:
        with contextlib.suppress(FileExistsError):  # another first writer made it first
            progress.mkdir()
            commit.fsync_folder(folder.root)
        with _locked(folder, progress, timeout):
            _settle_locked(folder, progress)
            stamp = now()
            stamped = [entry.model_copy(update={"recorded_at": stamp}) for entry in entries]
            day = today or dt.date.today()
            pendings, found = _prepare_all(folder, plan, stamped, day, cache)
            if found:
                raise _refusal([issue for _, issue in found])
            changes = [commit.Change(p.path, p.old, p.new) for p in pendings]
            commit.commit(progress, changes)
    except commit.PartlyWritten as error:
        raise RefusedError(Code.WRITE_FAILED, _partly(folder, error, pendings)) from None
    except OSError as error:
        where = error.filename or folder.display(progress)
        message = f"无法写入 {where}:{os_reason(error)}(没有写入任何内容)"
        raise RefusedError(Code.WRITE_FAILED, message) from None
    by_entry = {e.id: pending.path for pending in pendings for e in pending.entries}
    located = [e for pending in pendings for e in pending.entries]
    order = {entry.id: index for index, entry in enumerate(stamped)}
    located.sort(key=lambda e: order[e.id])
    return [Written(e, by_entry[e.id], e.where.line) for e in located]


def _partly(folder: DataDir, error: commit.PartlyWritten, pendings: list[Pending]) -> str:
    """What a failure half-way through the renames left, file by file, exactly."""
    count = {p.path: len(p.entries) for p in pendings}
    written = "、".join(f"{folder.display(p)}({count[p]} 条)" for p in error.written)
    pending = "、".join(folder.display(p) for p in error.pending)
    where = error.filename or pending
    return (
        f"写入中途失败:无法写入 {where}:{os_reason(error.cause)}。已写入 {written};"
        f"未写入 {pending}。这次写入记录在 {folder.display(folder.progress)}/{commit.JOURNAL},"
        "下次运行任何 minsheng 命令(如 minsheng validate)时会补完或撤销它,并说明结果"
    )


@contextlib.contextmanager
def _locked(folder: DataDir, progress: Path, timeout: float) -> Iterator[None]:
    """The store's lock on the progress folder; RefusedError after `timeout` seconds."""
    from filelock import FileLock, Timeout

    lock_path = progress / LOCK_NAME
    _no_symlink(lock_path, folder.display(lock_path))
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire(poll_interval=LOCK_POLL)
    except Timeout:
        message = "另一位同事正在登记,等待超时;请稍后再试(没有写入任何内容)"
        raise RefusedError(Code.LOCKED, message) from None
    try:
        yield
    finally:
        lock.release()


def _settle_locked(folder: DataDir, progress: Path) -> str | None:
    """commit.settle, its refusal in the store's words (nothing written by this command)."""
    try:
        return commit.settle(progress, folder.display(progress))
    except commit.Unsettled as error:
        raise RefusedError(Code.INTERRUPTED, error.message + "(本次没有写入任何内容)") from None


def settle(folder: DataDir, *, timeout: float = LOCK_TIMEOUT) -> str | None:
    """Complete or undo what an interrupted write left in the progress folder, under the
    lock, and say which (None: nothing was left). Every command runs it before reading; a
    folder that cannot be written to (or locked) is left as it is, for the reading to say."""
    if folder.shipped:
        return None
    progress = folder.progress
    if not commit.unsettled(progress):
        return None
    with _locked(folder, progress, timeout):
        return _settle_locked(folder, progress)
