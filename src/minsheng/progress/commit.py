"""Committing progress files (提交写入): all or none, even across files, failures and kills.

A write that changes several files (one import: several units, several months) goes in
three steps, under the store's lock:

1. every new file is staged: written whole to a temporary file beside its place, synced;
2. the journal `progress/.journal` is written (to a temporary name, synced, renamed): what
   each file holds before and after, by size and hash. From here on the write is decided;
3. each staged file is renamed into place, then the journal is removed.

A failure before the journal leaves nothing but temporary files, removed at once. A failure
at a rename undoes the renames already made (the files are append-only: the old content is
the new content's prefix) and removes the journal. A process killed at any step leaves its
temporary files and perhaps the journal: the next command that takes the lock (`settle`)
completes the renames when every staged file is intact, else undoes them, and says which.
A single file needs no journal: its one rename is all or none by itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from minsheng.core.issues import Code, Issue, os_reason
from minsheng.core.readfile import read_bounded
from minsheng.core.yamlio import MAX_BYTES

JOURNAL = ".journal"
JOURNAL_LIMIT = 1 << 20  # a journal names a few hundred files at most
_MONTH = r"[0-9]{4}-(?:0[1-9]|1[0-2])"
_NAME = r"[a-z][a-z0-9-]{0,39}\.yaml"
_FILE = re.compile(rf"({_MONTH})/({_NAME})")
STAGED = re.compile(rf"\.({_NAME})\.[A-Za-z0-9_]+\.tmp")  # a staged file: .<name>.<random>.tmp
_JOURNAL_TEMP = re.compile(r"\.journal\.[A-Za-z0-9_]+\.tmp")
_MONTH_NAME = re.compile(_MONTH)


@dataclass(frozen=True)
class Change:
    """One progress file of a write: its place, what it holds now (None: nothing yet), and
    what it will hold."""

    path: Path
    old: bytes | None
    new: bytes


class PartlyWritten(OSError):
    """A rename failed and the ones already made could not be undone: `written` hold their
    new content, `pending` their old; the journal stays for the next command to settle."""

    def __init__(self, cause: OSError, written: list[Path], pending: list[Path]) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.filename = cause.filename
        self.cause = cause
        self.written = written
        self.pending = pending


class Unsettled(Exception):
    """A journal that can be neither completed nor undone (or read): left as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the write --------------------------------------------------------------------------------


def commit(progress: Path, changes: list[Change]) -> None:
    """Write every change, all or none (the caller holds the lock and has settled what an
    earlier write left). OSError when nothing was written; PartlyWritten when some was."""
    created: list[Path] = []
    staged: list[tuple[Change, Path]] = []
    try:
        for change in changes:
            month = change.path.parent
            if not month.exists():
                month.mkdir()
                created.append(month)
            staged.append((change, _stage(change)))
        journal = _write_journal(progress, staged, created) if len(staged) > 1 else None
    except BaseException:
        _discard(staged, created)
        raise
    done: list[Change] = []
    try:
        for change, temp in staged:
            os.replace(temp, change.path)
            done.append(change)
    except OSError as error:
        _undo_or_keep(progress, staged, created, done, error)
        raise
    # The entries are in place and their bytes are on disk. A folder that then cannot be
    # synced must not make the clerk believe nothing was written, and add them a second time.
    with contextlib.suppress(OSError):
        for month in dict.fromkeys(change.path.parent for change in changes):
            fsync_folder(month)
        if created:
            fsync_folder(progress)
        if journal is not None:
            journal.unlink()
            fsync_folder(progress)


def _undo_or_keep(
    progress: Path,
    staged: list[tuple[Change, Path]],
    created: list[Path],
    done: list[Change],
    error: OSError,
) -> None:
    """After a failed rename: put back the files already renamed, so that nothing was
    written; if that fails too, PartlyWritten says what holds what (the journal stays)."""
    try:
        for change in reversed(done):
            _restore(change.path, change.old)
    except OSError:
        pending = [change.path for change, _ in staged if change not in done]
        raise PartlyWritten(error, [change.path for change in done], pending) from error
    _discard(staged, created)
    with contextlib.suppress(OSError):
        (progress / JOURNAL).unlink(missing_ok=True)
        fsync_folder(progress)


def _discard(staged: list[tuple[Change, Path]], created: list[Path]) -> None:
    """Remove the staged files and the month folders made for them (if still empty)."""
    for _, temp in staged:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    for month in created:
        with contextlib.suppress(OSError):
            month.rmdir()


def _restore(path: Path, old: bytes | None) -> None:
    """Put a file back as it was: its old content, or no file."""
    if old is None:
        path.unlink(missing_ok=True)
        return
    temp = _stage(Change(path, old, old))
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _stage(change: Change) -> Path:
    """The file's new content in a temporary file beside it, synced to disk: its path."""
    path = change.path
    mode = _file_mode(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(change.new)
            stream.flush()
            os.fchmod(stream.fileno(), mode)  # mkstemp makes 0600
            os.fsync(stream.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


Mark = tuple[int, str]  # a content's size and SHA-256


def _mark(content: bytes | None) -> Mark | None:
    return None if content is None else (len(content), hashlib.sha256(content).hexdigest())


def _fingerprint(content: bytes | None) -> dict[str, object] | None:
    mark = _mark(content)
    return None if mark is None else {"size": mark[0], "sha256": mark[1]}


def _write_journal(progress: Path, staged: list[tuple[Change, Path]], created: list[Path]) -> Path:
    """The journal, whole and synced, under its name: from now on the write is decided."""
    record = {
        "files": [
            {
                "file": f"{change.path.parent.name}/{change.path.name}",
                "temp": temp.name,
                "old": _fingerprint(change.old),
                "new": _fingerprint(change.new),
            }
            for change, temp in staged
        ],
        "months": [month.name for month in created],
    }
    handle, temp = tempfile.mkstemp(prefix=f"{JOURNAL}.", suffix=".tmp", dir=progress)
    journal = progress / JOURNAL
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, ensure_ascii=False, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, journal)
        fsync_folder(progress)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        journal.unlink(missing_ok=True)
        raise
    return journal


# --- what an interrupted write left -------------------------------------------------------------


def unsettled(progress: Path) -> bool:
    """Whether an earlier write left something (a journal, a staged file): a quick look,
    without the lock (a write in progress looks the same; `settle` under the lock tells)."""
    try:
        if (progress / JOURNAL).exists():
            return True
        for month in progress.iterdir():
            if _JOURNAL_TEMP.fullmatch(month.name):
                return True
            if _is_month(month) and any(STAGED.fullmatch(p.name) for p in month.iterdir()):
                return True
    except OSError:
        return False  # nothing can be looked at: the reading says why
    return False


def interrupted(progress: Path, shown: str) -> Issue | None:
    """The problem a reader reports for a journal no live writer holds (one that could not be
    settled: a folder that cannot be written to); None while its writer is at work."""
    journal = progress / JOURNAL
    if not (journal.exists() or journal.is_symlink()) or _held(progress / ".lock"):
        return None
    message = (
        "上次写入在提交中途被中断,尚未补完或撤销,各月进度文件可能只写入了一部分;"
        "在可写入的数据目录中运行任意 minsheng 命令(如 minsheng validate)会补完或撤销它"
    )
    return Issue(shown, 1, 1, Code.INTERRUPTED, message)


def _held(lock_path: Path) -> bool:
    """Whether a live writer holds the store's lock (a lock that cannot be taken at all is no
    writer's)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


@dataclass(frozen=True)
class _Planned:
    path: Path
    temp: Path
    old: Mark | None
    new: Mark


def settle(progress: Path, display: str) -> str | None:
    """Complete or undo what an interrupted write left (the caller holds the lock), and say
    which; None when there was nothing. Unsettled when the journal can be neither."""
    said = None
    journal = progress / JOURNAL
    if journal.exists() or journal.is_symlink():
        planned, months = _read_journal(journal, display)
        said = _finish(planned, months, display)
        journal.unlink()
        with contextlib.suppress(OSError):
            fsync_folder(progress)
    cleared = _clear_leftovers(progress)
    if cleared and said is None:
        said = (
            f"清除了上次中断的写入留下的 {cleared} 个临时文件(那次写入没有完成,"
            "已登记的记录没有改动)"
        )
    return said


def _read_journal(journal: Path, display: str) -> tuple[list[_Planned], list[str]]:
    """The journal's records, trusted only for names a write gives: `<YYYY-MM>/<id>.yaml`
    and a staged file beside it; anything else is Unsettled."""
    shown = f"{display}/{JOURNAL}"
    try:
        record = json.loads(read_bounded(journal, JOURNAL_LIMIT, follow=False))
        planned = []
        for entry in record["files"]:
            found = _FILE.fullmatch(entry["file"])
            staged = STAGED.fullmatch(entry["temp"])
            if found is None or staged is None or staged.group(1) != found.group(2):
                raise ValueError(entry)
            path = journal.parent / found.group(1) / found.group(2)
            old = None if entry["old"] is None else _read_mark(entry["old"])
            planned.append(
                _Planned(path, path.parent / entry["temp"], old, _read_mark(entry["new"]))
            )
        months = [name for name in record["months"] if _MONTH_NAME.fullmatch(name)]
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = os_reason(error) if isinstance(error, OSError) else "内容不是写入时的样子"
        message = (
            f"{shown} 记录了一次中途被中断的写入,但无法读取({reason}),没有改动任何文件;"
            "请核对该目录下各月进度文件后删除它"
        )
        raise Unsettled(message) from None
    return planned, months


def _read_mark(mark: dict[str, object]) -> Mark:
    size, sha = mark["size"], mark["sha256"]
    if not isinstance(size, int) or not isinstance(sha, str) or size < 0:
        raise ValueError(mark)
    return size, sha


def _content(path: Path) -> bytes | None:
    """A file's bytes (None when there is none), never through a link nor past the bound."""
    try:
        return read_bounded(path, MAX_BYTES + JOURNAL_LIMIT, follow=False)
    except FileNotFoundError:
        return None


def _is(content: bytes | None, mark: Mark | None) -> bool:
    return _mark(content) == mark


def _finish(planned: list[_Planned], months: list[str], display: str) -> str:
    """Complete the journal's write if every file is in place or staged intact; else undo it
    if every file is as before or after it; else Unsettled."""
    now = {plan.path: _content(plan.path) for plan in planned}
    names = "、".join(f"{display}/{plan.path.parent.name}/{plan.path.name}" for plan in planned)
    staged = {plan.path: _is(_content(plan.temp), plan.new) for plan in planned}
    if all(_is(now[plan.path], plan.new) or staged[plan.path] for plan in planned):
        for plan in planned:
            if not _is(now[plan.path], plan.new):
                os.replace(plan.temp, plan.path)
        _sync(planned)
        return f"上次中断的写入已补完:{names} 现在都是那次写入后的内容"
    olds: dict[Path, bytes | None] = {}
    for plan in planned:
        content = now[plan.path]
        if _is(content, plan.old):
            continue
        before = None if content is None or plan.old is None else content[: plan.old[0]]
        if not _is(content, plan.new) or (plan.old is not None and not _is(before, plan.old)):
            message = (
                f"{display}/{plan.path.parent.name}/{plan.path.name} 在一次中途被中断的写入之后"
                f"又被改动过,无法补完也无法撤销那次写入(记录在 {display}/{JOURNAL});"
                "请核对该文件后删除这个记录"
            )
            raise Unsettled(message)
        olds[plan.path] = before if plan.old is not None else None
    for path, old in olds.items():
        _restore(path, old)
    for plan in planned:
        plan.temp.unlink(missing_ok=True)
    for name in months:
        with contextlib.suppress(OSError):
            (planned[0].path.parent.parent / name).rmdir()
    _sync(planned)
    return f"上次中断的写入已撤销:{names} 恢复为写入前的内容(那次没有写入任何内容)"


def _sync(planned: list[_Planned]) -> None:
    with contextlib.suppress(OSError):
        for month in dict.fromkeys(plan.path.parent for plan in planned):
            fsync_folder(month)


def _clear_leftovers(progress: Path) -> int:
    """Under the lock every staged file is a dead writer's: remove them, and a month folder
    that held nothing else (made for that write)."""
    cleared = 0
    for child in progress.iterdir():
        if _JOURNAL_TEMP.fullmatch(child.name):
            child.unlink(missing_ok=True)
            cleared += 1
            continue
        if not _is_month(child):
            continue
        found = [path for path in child.iterdir() if STAGED.fullmatch(path.name)]
        for path in found:
            path.unlink(missing_ok=True)
        cleared += len(found)
        if found and not any(child.iterdir()):
            child.rmdir()
    return cleared


def _is_month(path: Path) -> bool:
    return bool(_MONTH_NAME.fullmatch(path.name)) and path.is_dir() and not path.is_symlink()


# --- files and folders -------------------------------------------------------------------------


def _file_mode(path: Path) -> int:
    """The permissions of the file written: its own read and write bits if it exists; else
    those of another progress file in the same month folder, without write for others; else
    the default a new file gets (0666 less the umask). Never an execute, setuid, setgid or
    sticky bit: a stray 04777 file must not make every new month file 04777."""
    candidates = chain([path], sorted(path.parent.glob("*.yaml")))
    for number, candidate in enumerate(candidates):
        try:
            status = os.lstat(candidate)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(status.st_mode):
            bits = stat.S_IMODE(status.st_mode) & 0o666
            return bits if number == 0 else bits & ~0o002
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in this folder survive a crash."""
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
