"""Reading a file safely: only a regular file, never past a size, a symlink only if asked.

Light on purpose (the cache reads its entries with it before the command line is loaded).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegular(OSError):
    """Something other than a regular file (a pipe, a device, a folder) is in a file's place."""


class TooLarge(OSError):
    """A file over the size it may have: not read at all."""


def read_bounded(path: Path, limit: int, *, follow: bool = True) -> bytes:
    """A regular file's bytes, never more than `limit`: its size is looked at on the opened
    file before a byte is read. NotRegular or TooLarge (both OSError) say why not; with
    `follow=False` a symlink raises OSError (ELOOP) instead of being followed.

    Opened without blocking: a named pipe in the file's place must not hang the reader, and a
    device (/dev/zero) must not be read until memory runs out.
    """
    return read_stable(path, limit, follow=follow)[0]


def read_stable(
    path: Path, limit: int, *, follow: bool = True
) -> tuple[bytes, os.stat_result | None]:
    """read_bounded, with the status of the file read (on the opened file, before reading),
    or None if its size, times or identity changed while it was read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise NotRegular(f"not a regular file: {path}")
        if status.st_size > limit:
            raise TooLarge(f"over {limit} bytes: {path}")
        raw = stream.read(limit + 1)  # the file may have grown since: never more than this
        after = os.fstat(stream.fileno())
    if len(raw) > limit:
        raise TooLarge(f"over {limit} bytes: {path}")
    return raw, (status if signature(after) == signature(status) else None)


Signature = tuple[int, int, int, int, int]


def signature(status: os.stat_result) -> Signature:
    """What tells one state of a file from another without reading it: its device and inode
    (another file put in its place), size, modification and change times. The change time
    (ctime) is the system's own: no program sets it back, unlike the modification time."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
