"""Faults while recording: a clerk's process killed at random moments, a full disk, a
read-only progress folder, a lock left behind by a dead process. Afterwards every file
validates, nothing recorded earlier is lost, and the clerk was told, in Chinese with a code,
without a traceback. Where the machine allows it (root, mount), the disk really is full or
read-only (a tiny tmpfs, a read-only bind mount); everywhere the same faults are injected.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from adversarial.budget import cases
from adversarial.harness import (
    assert_clear_refusal,
    assert_no_crash,
    files_only,
    run_main,
    snapshot,
)
from conftest import SMALL_PLAN, assert_progress_whole, chance_seed, cli_env
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress import store
from minsheng.progress.checks import read_progress

ADD = ["progress", "add", "1", "--target", "training", "--yes"]


def add_args(value: int, day: str = "2024-06-30") -> list[str]:
    return [*ADD, "--value", str(value), "--date", day]


def entries(data: Path) -> tuple[dict[str, Any], list[str]]:
    plan, problems = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, problems
    found, issues = read_progress(DataDir(data), plan)
    return {entry.id: entry for entry in found}, [str(issue) for issue in issues]


def assert_all_whole(data: Path) -> None:
    """Every progress file parses, every record ends with `...`, no temporary file is left,
    and the whole folder validates."""
    assert_progress_whole(data)
    _, issues = entries(data)
    assert issues == []
    assert run_main(["validate", "--data-dir", str(data)]).code == 0


@pytest.fixture
def data(workspace: Path) -> Path:
    """The workspace's data folder with two entries already recorded."""
    for value, day in ((10, "2024-05-31"), (20, "2024-06-15")):
        done = run_main(add_args(value, day))
        assert done.code == 0, done.stderr
    return workspace


# --- killed at random moments ----------------------------------------------------------------


ROUNDS = cases(6, 30)


@pytest.mark.slow
@pytest.mark.parametrize("rounds", [pytest.param(ROUNDS, id=f"{ROUNDS}-rounds")])
def test_a_clerk_killed_at_a_random_moment_loses_nothing(data: Path, rounds: int) -> None:
    """Two clerks add to the same file at once; one is killed (SIGKILL) at a random moment,
    from start-up to after its write. The other always lands; nothing earlier is lost; the
    killed one's entry is there whole or not at all."""
    chance = random.Random(chance_seed())  # MINSHENG_TEST_SEED tries other moments
    known, _ = entries(data)
    outcomes = {"landed": 0, "lost": 0}
    for number in range(1, rounds + 1):
        day = f"2024-07-{number:02d}"
        victim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "minsheng",
                "progress",
                "add",
                "1",
                "--target",
                "a",
                "--value",
                str(number),
                "--date",
                day,
                "--yes",
            ],
            cwd=data.parent,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        survivor = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "minsheng",
                "progress",
                "add",
                "1",
                "--target",
                "b",
                "--value",
                str(number),
                "--date",
                day,
                "--yes",
            ],
            cwd=data.parent,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(chance.uniform(0.0, 1.2))
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=120)
        _, errors = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, errors.decode()
        found, issues = entries(data)
        assert issues == []
        assert set(known) <= set(found)  # nothing recorded earlier is lost
        fresh = [found[i] for i in set(found) - set(known)]
        assert sorted(e.target for e in fresh) in (["b"], ["a", "b"])
        outcomes["landed" if len(fresh) == 2 else "lost"] += 1
        assert_all_whole(data)
        known = found
    print(f"killed clerk's entry after {rounds} rounds: {outcomes}")


# --- a full disk, a read-only folder: injected -----------------------------------------------


def _fail(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@contextmanager
def failing(monkeypatch: pytest.MonkeyPatch, where: str, code: int) -> Iterator[None]:
    """The system call at `where` fails with `code` while recording, as on a full disk."""
    real_fsync, real_fdopen, real_mkdir = os.fsync, os.fdopen, Path.mkdir

    def fsync(fd: int) -> None:
        is_folder = stat.S_ISDIR(os.fstat(fd).st_mode)
        if (where == "fsync-folder") == is_folder:
            raise _fail(code)
        real_fsync(fd)

    class Full:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            raise _fail(code)

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if "progress" in self.parts:
            raise _fail(code)
        real_mkdir(self, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise _fail(code)

    patches: dict[str, Callable[[], None]] = {
        "mkdir": lambda: monkeypatch.setattr(Path, "mkdir", mkdir),
        "mkstemp": lambda: monkeypatch.setattr(tempfile, "mkstemp", refuse),
        "write": lambda: monkeypatch.setattr(
            os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k))
        ),
        "fsync-file": lambda: monkeypatch.setattr(os, "fsync", fsync),
        "replace": lambda: monkeypatch.setattr(os, "replace", refuse),
        "fsync-folder": lambda: monkeypatch.setattr(os, "fsync", fsync),
    }
    with monkeypatch.context() as scoped:
        monkeypatch = scoped
        patches[where]()
        yield


CODES = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO)
# What the clerk reads for each (the system's own words are English).
REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "只读",
    errno.EACCES: "没有权限",
    errno.EIO: "读写设备出错",
}
BEFORE_RENAME = [
    (where, code)
    for where in ("mkdir", "mkstemp", "write", "fsync-file", "replace")
    for code in CODES
]


def fault_ids(faults: list[tuple[str, int]]) -> list[str]:
    return [f"{where}-{errno.errorcode[code]}" for where, code in faults]


@pytest.mark.parametrize(("where", "code"), BEFORE_RENAME, ids=fault_ids(BEFORE_RENAME))
def test_a_write_failing_before_its_rename_is_refused_and_changes_nothing(
    data: Path, monkeypatch: pytest.MonkeyPatch, where: str, code: int
) -> None:
    before = snapshot(data.parent)
    known, _ = entries(data)
    day = "2024-08-31" if where == "mkdir" else "2024-06-30"  # mkdir: a month not there yet
    with failing(monkeypatch, where, code):
        done = run_main(add_args(30, day))
    assert_clear_refusal(done)
    assert "[write-failed]" in done.stderr and REASONS[code] in done.stderr, done.stderr
    assert files_only(snapshot(data.parent)) == files_only(before)
    assert_all_whole(data)
    assert set(entries(data)[0]) == set(known)
    again = run_main(add_args(30, day))  # the disk has room again: the same entry lands
    assert again.code == 0, again.stderr
    assert_all_whole(data)


@pytest.mark.parametrize("code", CODES, ids=[errno.errorcode[code] for code in CODES])
def test_a_folder_sync_failing_after_the_rename_still_says_it_was_written(
    data: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """Once renamed into place the entry is recorded: telling the clerk "nothing was
    written" would have them add it twice (found by this suite; store._write fixed)."""
    known, _ = entries(data)
    with failing(monkeypatch, "fsync-folder", code):
        done = run_main(add_args(30))
    assert_no_crash(done)
    assert done.code == 0, done.stderr
    found, _ = entries(data)
    assert set(known) < set(found)
    assert_all_whole(data)


# --- a full disk, a read-only folder: for real, where mount is allowed ------------------------


def _mount(*args: str) -> bool:
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", *args], capture_output=True, timeout=60)
    return done.returncode == 0


@contextmanager
def mounted(target: Path, *args: str) -> Iterator[None]:
    """`mount ARGS TARGET` for the duration, or skip the test where mounting is not allowed."""
    if not _mount(*args, str(target)):
        pytest.skip("mount is not allowed here (needs root); the injected faults cover this")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=60)


def test_a_really_full_disk(tmp_path: Path) -> None:
    """The data folder on a 64 KB tmpfs, filled up: the add is refused, nothing changes;
    with room again, it lands."""
    repo = tmp_path / "repo"
    repo.mkdir()
    with mounted(repo, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        data = repo / "data"
        (data / "progress").mkdir(parents=True)
        shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
        first = subprocess.run(
            [sys.executable, "-m", "minsheng", *add_args(10)],
            cwd=repo,
            env=cli_env(),
            capture_output=True,
            text=True,
        )
        assert first.returncode == 0, first.stderr
        filler = repo / "filler"
        handle = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(handle, b"\0" * 1024)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        finally:
            os.close(handle)
        before = files_only(snapshot(repo))
        done = subprocess.run(
            [sys.executable, "-m", "minsheng", *add_args(20)],
            cwd=repo,
            env=cli_env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1, done.stderr
        assert "[write-failed]" in done.stderr and "磁盘空间不足" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert files_only(snapshot(repo)) == before
        filler.unlink()
        assert_all_whole(data)
        again = subprocess.run(
            [sys.executable, "-m", "minsheng", *add_args(20)],
            cwd=repo,
            env=cli_env(),
            capture_output=True,
            text=True,
        )
        assert again.returncode == 0, again.stderr
        assert len(entries(data)[0]) == 2


def test_a_really_read_only_progress_folder(data: Path) -> None:
    """data/progress/ bind-mounted read-only (root ignores chmod): refused, unchanged."""
    progress = data / "progress"
    with mounted(progress, "--bind", str(progress)):
        if not _mount("-o", "remount,ro,bind", str(progress)):
            pytest.skip("a read-only remount is not allowed here")
        before = files_only(snapshot(data.parent))
        for args in (add_args(30), add_args(30, "2024-09-30")):  # the month exists, or not
            done = run_main(args)
            assert_clear_refusal(done)
            assert "[write-failed]" in done.stderr and "只读" in done.stderr, done.stderr
        assert files_only(snapshot(data.parent)) == before
        assert_all_whole(data)
        assert run_main(["report", "--as-of", "2024-06-30"]).code == 0  # reading still works


# --- the lock ----------------------------------------------------------------------------------

# Takes the progress lock the way the store does and keeps it until killed.
HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])  # kept: a FileLock lets go when it is garbage-collected
lock.acquire()
print("held", flush=True)
time.sleep(300)
"""


def hold_lock(data: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data / "progress" / store.LOCK_NAME)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


@pytest.mark.parametrize("content", [b"", b"4194303\n", b"\x00\xff garbage", b"#" * 10_000])
def test_a_lock_file_left_behind_does_not_block(data: Path, content: bytes) -> None:
    """A dead process's lock file (whatever it holds) is no lock: the lock is the kernel's."""
    (data / "progress" / store.LOCK_NAME).write_bytes(content)
    known, _ = entries(data)
    done = run_main(add_args(30))
    assert done.code == 0, done.stderr
    assert set(known) < set(entries(data)[0])
    assert_all_whole(data)


def test_a_clerk_waiting_for_a_lock_goes_on_when_its_holder_dies(data: Path) -> None:
    holder = hold_lock(data)
    known, _ = entries(data)
    waiting = subprocess.Popen(
        [sys.executable, "-m", "minsheng", *add_args(30)],
        cwd=data.parent,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(1.5)
        assert waiting.poll() is None  # still waiting: the lock is held
        assert set(entries(data)[0]) == set(known)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    _, errors = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, errors.decode()
    assert set(known) < set(entries(data)[0])
    assert_all_whole(data)


def test_a_lock_held_too_long_is_a_clear_refusal(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = hold_lock(data)
    try:
        before = files_only(snapshot(data.parent))
        # The store waits a minute for a colleague's write; here half a second is enough.
        monkeypatch.setattr(store.append, "__kwdefaults__", {"today": None, "timeout": 0.5})
        done = run_main(add_args(30))
        assert_clear_refusal(done)
        assert "[locked]" in done.stderr
        assert files_only(snapshot(data.parent)) == before
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    assert_all_whole(data)


def test_a_lock_that_is_a_folder_is_a_clear_refusal(data: Path) -> None:
    lock = data / "progress" / store.LOCK_NAME
    lock.unlink(missing_ok=True)
    lock.mkdir()
    before = files_only(snapshot(data.parent))
    done = run_main(add_args(30))
    assert_clear_refusal(done)
    assert files_only(snapshot(data.parent)) == before
    assert_all_whole(data)
