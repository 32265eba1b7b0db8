"""The cache of parsed progress files (解析缓存), by content, in the user's cache folder.

Like beancount's: reading YAML is the slow part, so each progress file's parse (its entries
as plain values and its problems) is kept under the hash of its bytes, together with the
cache format, Python's and minsheng's versions and minsheng's code; a changed file, or
another build of the tool, never finds a stale entry. The folder is $MINSHENG_CACHE_DIR,
else $XDG_CACHE_HOME/minsheng, else ~/.cache/minsheng: never inside the data repository.
(`Blobs`, the storage below, also keeps minsheng.cli.answers's answers.)

Each entry is written to a temporary file and renamed into place, so a reader (or a second
process writing the same entry) only ever sees a whole one. An entry starts with a checksum
of its key and the rest; one that does not match (truncated, corrupt, from another format,
copied under another name) is ignored, rebuilt and overwritten. Entries are `marshal`-ed
tuples of strings and numbers, loaded only after the checksum matches: nothing is unpickled.

An entry is read like a data file: never through a symlink, only if it is a regular file
(a named pipe at a key would hang the reader, a link to /dev/zero exhaust its memory), and
never past MAX_BLOB; anything else is a miss, and the entry is rebuilt. The folder may be
one the user already had (MINSHENG_CACHE_DIR): entries are pruned only from a folder the
cache marked as its own (CACHEDIR.TAG, bford.info/cachedir), and only under the names the
cache gives its entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minsheng import __version__
from minsheng.core.readfile import Signature, read_bounded, signature

ENV_DIR = "MINSHENG_CACHE_DIR"
ENV_OFF = "MINSHENG_NO_CACHE"
FORMAT = 1
MAGIC = b"minsheng-cache\n"
KEEP_DAYS = 30  # an entry not used for this long is removed (a file's old versions)
_DIGEST = 32  # bytes of every hash here: sha256, and BLAKE2b cut to the same size
# An entry of a 16 MB progress file (the most a file may weigh) takes about 40 MB; anything
# much larger at a key is not one of ours.
MAX_BLOB = 256 * 1024 * 1024
# The names the cache gives: an entry is a key (a sha256 in hex), a file being written a
# temporary name made from it (Blobs.put). Nothing else in a folder is ever removed.
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}")
_TEMP_NAME = re.compile(r"\.[0-9a-f]{16}\.[A-Za-z0-9_]+\.tmp")
# A folder the cache made (or found holding nothing but its entries) carries this file: the
# Cache Directory Tagging convention, which backup tools also honour.
MARKER = "CACHEDIR.TAG"
_MARKER_TEXT = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This folder holds minsheng's cache of parsed files; it is rebuilt when removed.\n"
)

Issue = tuple[int, int, str, str, str]  # line, column, code, message, path
RECORD_FIELDS = 18  # the fields of an entry in plain values (progress.fastparse.Record)


@dataclass(frozen=True)
class Parsed:
    """One progress file as read, in plain values: what the cache keeps for it."""

    records: tuple[tuple[Any, ...], ...]  # fastparse.Record each
    issues: tuple[Issue, ...]
    whole: bool  # every record parsed and closed by `...`
    size: int  # documents read (the file order of the next file starts after them)


def default_folder() -> Path | None:
    """$MINSHENG_CACHE_DIR, else $XDG_CACHE_HOME/minsheng, else ~/.cache/minsheng; None where
    there is no home folder to find (a container's user without one): then nothing is kept."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "minsheng"
    try:
        return Path.home() / ".cache" / "minsheng"
    except (RuntimeError, KeyError, OSError):
        return None


def user_cache(off: bool = False) -> Cache | None:
    """The cache in the user's cache folder; None with `--no-cache`, MINSHENG_NO_CACHE set, or
    no cache folder to be found."""
    if off or os.environ.get(ENV_OFF):
        return None
    folder = default_folder()
    return None if folder is None else Cache(folder)


_fingerprint: bytes | None = None


def fingerprint() -> bytes:
    """What, besides the data, a cached result depends on: Python, minsheng and its code, and
    the libraries that parse and validate (each by where it is installed, its size and time).

    The code is hashed whole, so a change anywhere (a message reworded, a rule added, while
    the version number stays) is never answered from an old entry.
    """
    global _fingerprint
    if _fingerprint is None:
        digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
        package = Path(__file__).resolve().parents[1]  # every module of every subpackage
        for path in sorted(package.rglob("*.py")):
            with contextlib.suppress(OSError):
                name = path.relative_to(package).as_posix()
                digest.update(name.encode() + b"\0" + path.read_bytes())
        digest.update(_libraries())
        _fingerprint = digest.digest()
    return _fingerprint


# typer and click parse the command line (pydantic converts its options); PyYAML, pydantic
# and rapidyaml read and check the files.
LIBRARIES = ("typer", "click", "pydantic", "pydantic_core", "yaml", "ryml")


def _libraries() -> bytes:
    """Each library's installed __init__ (found without importing it): path, size and time."""
    from importlib.util import find_spec

    stamp = []
    for name in LIBRARIES:
        try:
            spec = find_spec(name)
            origin = spec.origin if spec is not None else None
            found = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            continue
        if found is not None:
            stamp.append(f"{name}\0{origin}\0{found.st_size}\0{found.st_mtime_ns}\0")
    return "".join(stamp).encode("utf-8", "surrogatepass")


class Blobs:
    """Checksummed blobs by key in one folder: each whole or absent; any failure is a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pruned = False

    def get(self, key: str) -> bytes | None:
        """The payload under `key` if its checksum (over the key and the payload) matches."""
        path = self.folder / key
        try:
            blob = read_bounded(path, MAX_BLOB, follow=False)
            age = time.time() - os.lstat(path).st_mtime
        except OSError:  # absent, a symlink, a pipe, a device, too large: a miss
            return None
        head = len(MAGIC) + _DIGEST
        payload = blob[head:]
        if (
            not blob.startswith(MAGIC)
            or len(blob) < head
            or blob[len(MAGIC) : head] != _sum(key, payload)
        ):
            return None
        if age > 86400:  # in use: keep it from being pruned
            with contextlib.suppress(OSError):
                os.utime(path, follow_symlinks=False)
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Write atomically (a temporary file renamed into place); unwritable is no error."""
        try:
            import tempfile  # only a write needs it: an answer read from the cache does not

            if len(payload) > MAX_BLOB - len(MAGIC) - _DIGEST or not self._own():
                return  # it could not be read back; or the folder is not the cache's
            handle, temp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(MAGIC + _sum(key, payload) + payload)
                os.replace(temp, self.folder / key)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        if not self._pruned:
            self._pruned = True
            self.prune()

    def _own(self) -> bool:
        """Whether the folder is the cache's, making and marking it if need be: one it
        created, or one that holds nothing but entries (the cache's before it was marked).
        A folder of the user's (MINSHENG_CACHE_DIR pointing at one) is left alone."""
        marker = self.folder / MARKER
        if os.path.isfile(marker):
            return True
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                self.folder.mkdir(mode=0o700)
            except FileExistsError:
                names = [child.name for child in os.scandir(self.folder)]
                if not all(_cache_made(name) for name in names):
                    return False
            with open(marker, "xb") as stream:
                stream.write(_MARKER_TEXT)
        except FileExistsError:  # another process marked it first
            return True
        except OSError:
            return False
        return True

    def _entries(self) -> list[os.DirEntry[str]]:
        """The cache's own files here: none unless the folder is marked as the cache's."""
        if not os.path.isfile(self.folder / MARKER):
            return []
        try:
            return [child for child in os.scandir(self.folder) if _cache_made(child.name)]
        except OSError:
            return []

    def keep_newest(self, count: int, most_bytes: int = 0) -> None:
        """Remove all but the newest entries, by modification time (when written, or when `get`
        last touched it, which it does only a day or more after): the `count` newest, and
        after them as many more as fit, with those, in `most_bytes`."""
        try:
            children = [c for c in self._entries() if _ENTRY_NAME.fullmatch(c.name)]
            sized = [(c, c.stat(follow_symlinks=False)) for c in children]
        except OSError:
            return
        sized.sort(key=lambda pair: pair[1].st_mtime_ns, reverse=True)
        total = 0
        for kept, (child, found) in enumerate(sized):
            total += found.st_size
            if kept < count or total <= most_bytes:
                continue
            with contextlib.suppress(OSError):
                os.unlink(child.path)

    def prune(self, now: float | None = None) -> None:
        """Remove entries unused for KEEP_DAYS, and temporary files a killed writer left."""
        now = time.time() if now is None else now
        for child in self._entries():
            try:
                age = now - child.stat(follow_symlinks=False).st_mtime
                stale = age > 3600 if child.name.endswith(".tmp") else age > KEEP_DAYS * 86400
                if stale and child.is_file(follow_symlinks=False):
                    os.unlink(child.path)
            except OSError:
                continue


def _cache_made(name: str) -> bool:
    return name == MARKER or bool(_ENTRY_NAME.fullmatch(name) or _TEMP_NAME.fullmatch(name))


def digest(raw: bytes) -> bytes:
    """A file's content hash: BLAKE2b, the quickest of hashlib's secure hashes here (about
    0.8 GB/s, where SHA-256 does 0.45 GB/s): a warm report hashes every progress file."""
    return hashlib.blake2b(raw, digest_size=_DIGEST).digest()


def _sum(key: str, payload: bytes) -> bytes:
    return hashlib.sha256(key.encode() + b"\0" + payload).digest()


class Cache:
    """Parsed progress files by content."""

    def __init__(self, folder: Path) -> None:
        self.blobs = Blobs(folder / "progress")
        self.ledgers = Blobs(folder / "ledger")  # minsheng.progress.ledger's checked results
        self.hashes = Blobs(folder / "hashes")  # Known: files' digests by their signature
        self.plans = Blobs(folder / "plans")  # plan.load: valid plans' parses by content

    def key(self, raw: bytes) -> str:
        """The name of a file's entry: its bytes and everything else its parse depends on."""
        return self.key_of(digest(raw))

    def key_of(self, content: bytes) -> str:
        """The name of the entry of a file whose bytes have this `digest`."""
        return hashlib.sha256(fingerprint() + content).hexdigest()

    def load(self, key: str) -> Parsed | None:
        """The entry under `key` if it is whole and well formed, else None."""
        payload = self.blobs.get(key)
        return None if payload is None else _decode(payload)

    def store(self, key: str, parsed: Parsed) -> None:
        self.blobs.put(key, _encode(parsed))

    def prune(self, now: float | None = None) -> None:
        self.blobs.prune(now)


def _encode(parsed: Parsed) -> bytes:
    return marshal.dumps((parsed.records, parsed.issues, parsed.whole, parsed.size))


def _decode(payload: bytes) -> Parsed | None:
    """The entry, or None unless it is the shape this cache writes (its checksum matched)."""
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(data, tuple) and len(data) == 4):
        return None
    records, issues, whole, size = data
    shaped = (
        isinstance(records, tuple)
        and all(type(record) is tuple and len(record) == RECORD_FIELDS for record in records)
        and isinstance(issues, tuple)
        and all(type(issue) is tuple and len(issue) == 5 for issue in issues)
        and type(whole) is bool
        and type(size) is int
    )
    return Parsed(records, issues, whole, size) if shaped else None


# --- files' digests remembered by their signature ------------------------------------------

# A digest remembered for a file is trusted only while the file's modification and change
# times are older, by more than this, than the moment it was hashed. A file changed in the same
# tick of the clock as it was read (or of a coarse file system's: FAT keeps times to 2 s) can
# show the very size and times it had before: git's "racily clean" files. Such a file is read
# and hashed again, until it is older than that.
MARGIN_NS = 3 * 10**9

# When a file is hashed: the clock the file system stamps its times with (tests move it on).
clock = time.time_ns

# The margin holds only while the file system's clock is this process's: a network share whose
# server's clock is behind this computer's makes a file just written look old. Where times are
# kept to the nanosecond that does no harm (an edit after the hashing has another change time
# all the same), but where they are kept to the second (FAT, ext3, many shares) a second edit
# in the second of the hashing keeps every time it had. A change time of a whole second is
# taken for such a file system, and its files are read and hashed on every key.
WHOLE_SECOND = 10**9


@dataclass(frozen=True)
class Known:
    """A file's digest as hashed, the file's signature (readfile.signature) then, and when."""

    signature: Signature
    taken: int  # clock() just before the file was opened
    digest: bytes

    def answers(self, status: os.stat_result) -> bool:
        """Whether the file now in the place is the one hashed, unchanged: a regular file of
        the same signature, whose times were older than the hashing by more than MARGIN_NS,
        on a file system that keeps times finer than the second (WHOLE_SECOND)."""
        return (
            stat.S_ISREG(status.st_mode)
            and signature(status) == self.signature
            and max(status.st_mtime_ns, status.st_ctime_ns) < self.taken - MARGIN_NS
            and status.st_ctime_ns % WHOLE_SECOND != 0
        )


class Hashes:
    """The digests of one folder's files by path (Known), kept as one entry of the cache, so
    that a warm report need not read every file to know that none has changed."""

    def __init__(self, cache: Cache, folder: Path) -> None:
        self.blobs = cache.hashes
        name = os.path.abspath(folder).encode("utf-8", "surrogatepass")
        # A file's digest is its bytes' whatever the rest of the code: one entry per folder,
        # rewritten in place, not one more for each build of the tool; another digest
        # function (its digest of nothing tells) is another entry.
        kind = f"hashes\0{FORMAT}\0".encode() + digest(b"")
        self.key = hashlib.sha256(kind + name).hexdigest()

    def load(self) -> dict[str, Known]:
        """The digests remembered, by path; none if the entry is missing or not of this shape."""
        payload = self.blobs.get(self.key)
        try:
            rows = () if payload is None else marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return {}
        if not (type(rows) is tuple and all(_known(row) for row in rows)):
            return {}
        return {path: Known(tuple(found), taken, content) for path, found, taken, content in rows}

    def forget(self) -> None:
        """Every digest of the folder: each file is read and hashed on the next key."""
        self.blobs.put(self.key, marshal.dumps(()))

    def store(self, known: dict[str, Known]) -> None:
        rows = tuple(
            (path, one.signature, one.taken, one.digest) for path, one in sorted(known.items())
        )
        self.blobs.put(self.key, marshal.dumps(rows))


def _known(row: object) -> bool:
    """A path, a signature of five whole numbers, a time and a digest."""
    return (
        type(row) is tuple
        and len(row) == 4
        and type(row[0]) is str
        and type(row[1]) is tuple
        and len(row[1]) == 5
        and all(type(number) is int for number in row[1])
        and type(row[2]) is int
        and type(row[3]) is bytes
        and len(row[3]) == _DIGEST
    )
