"""The progress store under real concurrency: writers racing each other, writers killed mid-write.

Each writer is a real process that imports minsheng.progress.store and appends in a loop
(starting the CLI 400 times would measure Python's start-up, not the lock).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_progress_whole, chance_seed, cli_env, run_cli
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress.checks import read_progress

# Real processes racing and killed: in the slow run (`pytest -m slow`).
pytestmark = pytest.mark.slow

# Appends `count` entries for one target of item 1 (区人社局, all in one file), each value one
# more than the largest already recorded for it, so the order of writers never matters.
WRITER = """
import datetime as dt, sys
from decimal import Decimal
from pathlib import Path
from minsheng.progress import store
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress.entry import ProgressEntry
from minsheng.progress.checks import read_progress

folder = DataDir(Path(sys.argv[1]))
target, count = sys.argv[2], int(sys.argv[3])
plan, issues = load_plan(folder.plan_path())
assert plan is not None, issues
entries, _ = read_progress(folder, plan)
start = max((int(e.value) for e in entries if e.target == target and e.value), default=0)
print("ready", flush=True)
for value in range(start + 1, start + count + 1):
    entry = ProgressEntry(
        id=store.new_id(), item=1, target=target, date=dt.date(2024, 6, 30),
        value=Decimal(value), unit="区人社局", recorded_at=store.now(),
    )
    store.append(folder, plan, entry)
"""


# Stops a writer at a chosen point of its write, so the test can kill it exactly there: with
# half the new file written to the temporary file, or with all of it written but not renamed.
PAUSES = {
    "half-written": """
import os, time
real_fdopen = os.fdopen
class Half:
    def __init__(self, stream): self.stream = stream
    def __enter__(self): return self
    def __exit__(self, *exc): self.stream.close()
    def __getattr__(self, name): return getattr(self.stream, name)
    def write(self, data):
        self.stream.write(data[: len(data) // 2]); self.stream.flush()
        print("paused", flush=True); time.sleep(300)
os.fdopen = lambda fd, *args, **kwargs: Half(real_fdopen(fd, *args, **kwargs))
""",
    "before-rename": """
import os, time
def replace(*args):
    print("paused", flush=True); time.sleep(300)
os.replace = replace
""",
}


def start_writer(
    data: Path, target: str, count: int, pause: str | None = None
) -> subprocess.Popen[str]:
    script = (PAUSES[pause] if pause else "") + WRITER
    return subprocess.Popen(
        [sys.executable, "-c", script, str(data), target, str(count)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == "ready\n", process.stderr.read() if process.stderr else line


def read_all(data: Path) -> tuple[list[tuple[str, int]], list[str]]:
    folder = DataDir(data)
    plan, problems = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, problems
    entries, issues = read_progress(folder, plan)
    return [(e.target, int(e.value or 0)) for e in entries], [str(i) for i in issues]


def test_two_processes_adding_200_each_end_with_all_400(small_data: Path) -> None:
    writers = [start_writer(small_data, target, 200) for target in ("a", "b")]
    for writer in writers:
        wait_ready(writer)
    for writer in writers:
        _, errors = writer.communicate(timeout=300)
        assert writer.returncode == 0, errors
    entries, issues = read_all(small_data)
    assert issues == []
    assert sorted(v for t, v in entries if t == "a") == list(range(1, 201))
    assert sorted(v for t, v in entries if t == "b") == list(range(1, 201))
    files = sorted(p.name for p in (small_data / "progress").glob("*/*"))
    assert files == ["rsj.yaml"]  # both wrote the same file: the lock did the work
    assert_progress_whole(small_data)
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 0, done.stdout + done.stderr
    assert "进度记录 400 条" in done.stderr


def test_a_writer_killed_mid_write_leaves_every_file_whole(small_data: Path) -> None:
    # When to kill is drawn from a seed (conftest.chance_seed): MINSHENG_TEST_SEED tries other
    # moments, and the seed is printed on a failure so that the run can be replayed.
    seed = chance_seed()
    try:
        kill_writers_at_random(small_data, random.Random(seed))
    except AssertionError as error:
        raise AssertionError(
            f"{error}\n(seed {seed}: MINSHENG_TEST_SEED={seed} replays it)"
        ) from None


def kill_writers_at_random(small_data: Path, chance: random.Random) -> None:
    kept = 0
    for _ in range(6):
        writer = start_writer(small_data, "a", 100_000)
        wait_ready(writer)
        time.sleep(chance.uniform(0.05, 0.6))
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=60)
        assert writer.returncode == -signal.SIGKILL
        assert_progress_whole(small_data, killed=True)
        entries, issues = read_all(small_data)
        assert issues == []
        values = [v for _, v in entries]
        assert values == list(range(1, len(values) + 1))  # nothing lost, nothing torn
        assert len(values) >= kept
        kept = len(values)
    # After the kills the lock is free and a new writer appends as usual.
    survivor = start_writer(small_data, "a", 3)
    wait_ready(survivor)
    _, errors = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, errors
    entries, issues = read_all(small_data)
    assert issues == [] and len(entries) == kept + 3
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 0, done.stdout + done.stderr


@pytest.mark.parametrize("pause", sorted(PAUSES))
def test_a_writer_killed_at_a_chosen_point_changes_nothing(small_data: Path, pause: str) -> None:
    first = start_writer(small_data, "a", 2)
    wait_ready(first)
    assert first.wait(timeout=120) == 0
    month = small_data / "progress" / "2024-06"
    before = (month / "rsj.yaml").read_bytes()
    writer = start_writer(small_data, "a", 1, pause)
    wait_ready(writer)
    assert writer.stdout is not None and writer.stdout.readline() == "paused\n"
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=60)
    temps = [path.name for path in month.iterdir() if path.name.endswith(".tmp")]
    assert len(temps) == 1  # killed in the middle of the write, its temporary file left behind
    assert (month / "rsj.yaml").read_bytes() == before
    assert_progress_whole(small_data, killed=True)
    assert run_cli("validate", "--data-dir", str(small_data)).code == 0
    after = start_writer(small_data, "a", 1)
    wait_ready(after)
    assert after.wait(timeout=120) == 0
    assert [path.name for path in month.iterdir()] == ["rsj.yaml"]  # the leftover is cleared
    entries, issues = read_all(small_data)
    assert issues == [] and [v for _, v in entries] == [1, 2, 3]
