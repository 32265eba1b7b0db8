"""All or none, truly (round 3): one import of several units' returns and several months is
committed as one write. A failure injected at each rename, and a real process killed at each
step, leave every entry or none; the next command completes or undoes an interrupted write
and says which; every message says exactly what was written.

Found by the round-3 pass: two units' returns for one month were always refused (staging the
second file cleared the first's temporary file), an August file first was written while the
message said nothing was, and a rename failing after the first left 11 of 22 entries.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adversarial.harness import assert_clear_refusal, files_only, run_main, snapshot
from conftest import assert_progress_whole, cli_env
from minsheng.progress import commit

# Three returns: two units in June (two files of one month), and 区人社局 again in July (a
# month folder that does not exist yet): three files, two months, seven entries.
RETURNS = {
    "rsj-06.csv": ("区人社局", "2024-06-30", {"jobs": "0.1", "a": "100", "b": "50"}),
    "cgj-06.csv": ("区城管局", "2024-06-30", {"rate": "95.6", "subsidy": "86"}),
    "rsj-07.csv": ("区人社局", "2024-07-31", {"jobs": "0.2", "a": "200"}),
}
ENTRIES = sum(len(fills) for _, _, fills in RETURNS.values())
FILES = ["2024-06/cgj.yaml", "2024-06/rsj.yaml", "2024-07/rsj.yaml"]


def returns(root: Path) -> list[str]:
    """The three returns filled as a clerk would, in the working folder: their names."""
    for name, (unit, as_of, fills) in RETURNS.items():
        done = run_main(["progress", "template", "--unit", unit, "--as-of", as_of,
                         "--output", name])  # fmt: skip
        assert done.code == 0, done.stderr
        path = root / name
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        for index, line in enumerate(lines):
            cells = line.split(",")
            if len(cells) > 2 and cells[2] in fills:  # a target's row, under the form
                cells[7] = fills[cells[2]]
            lines[index] = ",".join(cells)
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return list(RETURNS)


def recorded(data: Path) -> list[str]:
    """The progress files there are, relative to progress/, and nothing else in it but the
    lock: no staged file, no journal, no empty month folder."""
    progress = data / "progress"
    found = sorted(str(p.relative_to(progress)) for p in progress.rglob("*") if p.is_file())
    left = [name for name in found if name != ".lock" and not name.endswith(".yaml")]
    assert not left, left
    empty = [p.name for p in progress.iterdir() if p.is_dir() and not any(p.iterdir())]
    assert not empty, empty
    return [name for name in found if name.endswith(".yaml")]


def count(data: Path) -> int:
    done = run_main(["progress", "list", "--format", "json", "--data-dir", str(data)])
    assert done.code == 0, done.stderr
    return len(json.loads(done.stdout))


def test_a_months_returns_of_several_units_and_months_import_in_one_command(
    workspace: Path,
) -> None:
    names = returns(workspace.parent)
    done = run_main(["progress", "import", *names, "--yes"])
    assert done.code == 0, done.stderr
    assert f"已登记 {ENTRIES} 条进度" in done.stderr
    for name in FILES:
        assert f"progress/{name}" in done.stderr, done.stderr
    assert recorded(workspace) == FILES
    assert count(workspace) == ENTRIES
    assert_progress_whole(workspace)
    again = run_main(["progress", "import", *names, "--yes"])  # nothing new: nothing written
    assert again.code == 0 and "没有新的进度" in again.stderr, again.stderr


def _renames(monkeypatch: pytest.MonkeyPatch, fails: Callable[[int], bool]) -> list[str]:
    """os.replace fails (EIO) at the renames of progress files for which `fails(n)` (n counts
    them from 1); the journal's own rename, and the cache's, go through. Returns the names
    renamed."""
    real = os.replace
    seen: list[str] = []

    def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(target).name != commit.JOURNAL and Path(target).suffix == ".yaml":
            seen.append(Path(target).name)
            if fails(len(seen)):
                raise OSError(errno.EIO, os.strerror(errno.EIO), str(target))
        real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return seen


@pytest.mark.parametrize("at", [1, 2, 3], ids=["first-rename", "second-rename", "third-rename"])
def test_a_failure_at_each_rename_leaves_nothing_and_says_so(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    names = returns(workspace.parent)
    before = files_only(snapshot(workspace))
    with monkeypatch.context() as scoped:
        _renames(scoped, lambda n: n == at)
        done = run_main(["progress", "import", *names, "--yes"])
    assert_clear_refusal(done)
    assert "[write-failed]" in done.stderr and "没有写入任何内容" in done.stderr, done.stderr
    assert files_only(snapshot(workspace)) == before
    assert recorded(workspace) == []
    again = run_main(["progress", "import", *names, "--yes"])  # the disk is well again
    assert again.code == 0, again.stderr
    assert count(workspace) == ENTRIES


@pytest.mark.parametrize("at", [2, 3], ids=["second-rename", "third-rename"])
def test_a_failure_that_cannot_be_undone_names_what_was_written_and_is_completed_next(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """From the `at`-th rename on, every rename fails, undoing too: the message names the
    files written and those not; the next command completes the write and says so."""
    names = returns(workspace.parent)
    real_unlink = Path.unlink

    def unlink(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.suffix == ".yaml":  # undoing a new file is removing it: that fails too
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        real_unlink(self, *args, **kwargs)

    with monkeypatch.context() as scoped:
        _renames(scoped, lambda n: n >= at)
        scoped.setattr(Path, "unlink", unlink)
        done = run_main(["progress", "import", *names, "--yes"])
    assert_clear_refusal(done)
    assert "已写入" in done.stderr and "未写入" in done.stderr, done.stderr
    assert "没有写入任何内容" not in done.stderr
    written, pending = done.stderr.split("已写入", 1)[1].split("未写入", 1)
    assert written.count(".yaml") == at - 1 and pending.count(".yaml") >= 1, done.stderr
    assert (workspace / "progress" / commit.JOURNAL).exists()
    shown = run_main(["progress", "list", "--format", "json"])  # settles first, says so
    assert shown.code == 0, shown.stderr
    assert "上次中断的写入已补完" in shown.stderr, shown.stderr
    assert len(json.loads(shown.stdout)) == ENTRIES
    assert recorded(workspace) == FILES


def test_a_failure_while_staging_a_new_month_leaves_no_month_folder(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third file goes to a month folder made for it; its staging fails (a full disk):
    nothing written, and the folder made for it is gone (round 3: an empty month was left)."""
    names = returns(workspace.parent)
    real = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    done = run_main(["progress", "import", *names, "--yes"])
    monkeypatch.undo()
    assert_clear_refusal(done)
    assert "磁盘空间不足" in done.stderr and "没有写入任何内容" in done.stderr, done.stderr
    assert recorded(workspace) == []
    assert not (workspace / "progress" / "2024-07").exists()


def test_a_journal_that_is_not_the_stores_own_is_never_followed(workspace: Path) -> None:
    """A journal names only `<YYYY-MM>/<id>.yaml` and a staged file beside it: one naming
    another path is refused, located, and nothing is touched."""
    progress = workspace / "progress"
    victim = workspace / "tasks_2024.yaml"
    planned = {"file": "../tasks_2024.yaml", "temp": ".x.yaml.a.tmp", "old": None,
               "new": {"size": 1, "sha256": "0"}}  # fmt: skip
    journal = {"files": [planned], "months": []}
    (progress / commit.JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
    before = snapshot(workspace)
    done = run_main(["validate"])
    assert done.code == 1
    assert "[interrupted-write]" in done.stderr and "interrupted-write" in done.text, done.text
    assert snapshot(workspace) == before and victim.exists()


# --- messages -------------------------------------------------------------------------------


def test_the_same_return_given_twice_is_refused_as_such(workspace: Path) -> None:
    """Round 3: refused "at a line" of a progress file that did not exist."""
    root = workspace.parent
    names = returns(root)
    (root / "copy.csv").write_bytes((root / names[0]).read_bytes())
    before = snapshot(workspace)
    for twice in ([names[0], names[0]], [names[0], names[1], "copy.csv"]):
        done = run_main(["progress", "import", *twice, "--yes"])
        assert done.code == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"{twice[-1]}: same-file: " in done.stderr and "给了两次" in done.stderr
        assert "progress/" not in done.stderr and "duplicate-entry" not in done.stderr
        assert snapshot(workspace) == before


HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_the_loser_of_two_identical_imports_at_once_says_unchanged(workspace: Path) -> None:
    """Both plan the same rows before either writes (the lock is held until both have shown
    what they would add); the one refused under the lock plans again: "unchanged", as a
    second import one after the other says (round 3: 22 `duplicate-entry` problems)."""
    root = workspace.parent
    names = returns(root)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workspace / "progress" / ".lock")],
        env=cli_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    clerks = [
        subprocess.Popen(
            [sys.executable, "-m", "minsheng", "progress", "import", *names, "--yes"],
            cwd=root,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for clerk in clerks:  # each has planned: its table of what it would add is out
            assert clerk.stdout is not None
            assert "将登记以下进度" in clerk.stdout.readline()
    finally:
        holder.kill()
        holder.communicate(timeout=60)
    said = []
    for clerk in clerks:
        _, errors = clerk.communicate(timeout=120)
        assert clerk.returncode == 0, errors
        said.append(errors)
    landed = f"已登记 {ENTRIES} 条进度"
    assert sorted(landed in text for text in said) == [False, True], said
    loser = next(text for text in said if landed not in text)
    assert "没有新的进度" in loser and f"{ENTRIES} 行与已登记的记录相同" in loser, loser
    assert "duplicate-entry" not in loser
    assert count(workspace) == ENTRIES


# --- killed for real, at each step ------------------------------------------------------------

# Runs the command line and, at the chosen step of the write, tells the test (a line on the
# descriptor PAUSE_FD) and sleeps until it is killed.
KILLED_AT = """
import os, pathlib, sys, time
step, fd = sys.argv[1], int(sys.argv[2])
def pause():
    os.write(fd, b"paused\\n"); time.sleep(600)
real_replace, real_unlink, real_fdopen = os.replace, pathlib.Path.unlink, os.fdopen
cache = os.path.realpath(os.environ["MINSHENG_CACHE_DIR"])
def cached(path):  # the cache's own writes are not the import's: they are not counted
    return os.path.realpath(path).startswith(cache + os.sep)
renames = []
def replace(source, target, *args, **kwargs):
    if not cached(target):
        renames.append(os.path.basename(target))
        if step == f"before-rename-{len(renames)}":
            pause()
    real_replace(source, target, *args, **kwargs)
def unlink(self, *args, **kwargs):
    if step == "after-renames" and self.name == ".journal":
        pause()
    real_unlink(self, *args, **kwargs)
staged = []
class Pausing:
    def __init__(self, stream): self.stream = stream
    def __enter__(self): return self
    def __exit__(self, *exc): self.stream.close()
    def __getattr__(self, name): return getattr(self.stream, name)
    def write(self, data):
        self.stream.write(data[: len(data) // 2]); self.stream.flush(); pause()
def fdopen(handle, mode="r", *args, **kwargs):
    stream = real_fdopen(handle, mode, *args, **kwargs)
    if mode == "wb" and not cached(f"/proc/self/fd/{handle}"):
        staged.append(handle)
        if step == f"staging-{len(staged)}":
            return Pausing(stream)
    return stream
os.replace, pathlib.Path.unlink, os.fdopen = replace, unlink, fdopen
from minsheng.cli.app import main
sys.argv = ["minsheng", *sys.argv[3:]]
main()
"""

# Renames: 1 is the journal's (the write is decided), 2-4 the three files'.
STEPS = {
    "staging-1": "none",
    "staging-3": "none",  # the new month's file: its folder goes too
    "before-rename-1": "none",
    "before-rename-2": "all",
    "before-rename-3": "all",
    "before-rename-4": "all",
    "after-renames": "all",
}


@pytest.mark.slow
@pytest.mark.parametrize("step", list(STEPS))
def test_an_import_killed_at_each_step_leaves_all_or_nothing(workspace: Path, step: str) -> None:
    root = workspace.parent
    names = returns(root)
    before = files_only(snapshot(workspace))
    read, write = os.pipe()
    victim = subprocess.Popen(
        [sys.executable, "-c", KILLED_AT, step, str(write), "progress", "import", *names, "--yes"],
        cwd=root,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=[write],
    )
    os.close(write)
    with os.fdopen(read, "rb") as told:
        line = told.readline()
    if line != b"paused\n":
        _, errors = victim.communicate(timeout=120)
        raise AssertionError(f"never reached {step}: {errors.decode()}")
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=120)
    assert victim.returncode == -signal.SIGKILL
    assert_progress_whole(workspace, killed=True)  # every file old or new, never torn
    left = [p.name for p in (workspace / "progress").rglob(".*") if p.name != ".lock"]
    assert left, step  # killed inside the write: its staged files (and journal) are left

    done = run_main(["validate"])  # the next command settles it, and says which
    assert done.code == 0, done.text + done.stderr
    if STEPS[step] == "all":
        assert "上次中断的写入已补完" in done.stderr, done.stderr
        assert recorded(workspace) == FILES and count(workspace) == ENTRIES
    else:
        assert "没有完成" in done.stderr or "已撤销" in done.stderr, done.stderr
        assert recorded(workspace) == [] and files_only(snapshot(workspace)) == before
    again = run_main(["progress", "import", *names, "--yes"])
    assert again.code == 0, again.stderr
    assert count(workspace) == ENTRIES and recorded(workspace) == FILES
