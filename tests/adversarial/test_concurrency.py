"""Real processes at once: N clerks each adding M entries through the command line, with
random pauses, while a reader runs `report` and `progress list` and another reads the files
in a tight loop. Every entry lands; no reader ever sees a half-written file (it may see fewer
entries than at the end, never a problem or an error).

tests/test_progress_concurrency.py already races two library writers (200 entries each) and
kills writers at chosen points; this adds the command line, readers, and more writers.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from adversarial.budget import cases
from adversarial.harness import CRASH_MARKS
from conftest import cli_env
from minsheng.core.datadir import DataDir
from minsheng.core.yamlio import load_documents
from minsheng.plan.load import load_plan
from minsheng.progress.checks import read_progress

# One writer per target of the small plan: (item, target, unit, how entry j is written).
WRITERS: list[tuple[int, str, str, str]] = [
    (1, "training", "区人社局", "--value={j}"),
    (1, "jobs", "区人社局", "--value={j}人"),
    (3, "rate", "区城管局", "--value={j}"),
    (3, "dibao", "区民政局", "--stage=推进中 --percent={j}"),
    (1, "a", "区人社局", "--value={j}"),
    (3, "power", "区城管局", "--value={j}"),
    (3, "subsidy", "区城管局", "--value={j}"),
    (1, "b", "区人社局", "--value={j}"),
]

# Reads every progress file as fast as it can until told to stop; any problem is a failure.
READER = """
import json, sys
from pathlib import Path
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress.checks import read_progress

folder = DataDir(Path(sys.argv[1]))
stop = Path(sys.argv[2])
plan, _ = load_plan(folder.plan_path())
reads, counts, problems = 0, [], []
while not stop.exists():
    entries, issues = read_progress(folder, plan)
    reads += 1
    counts.append(len(entries))
    problems.extend(str(issue) for issue in issues)
print(json.dumps({"reads": reads, "counts": counts, "problems": problems[:5]}))
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minsheng", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def clerk(data: Path, writer: int, entries: int, seed: int, done: list[Any]) -> None:
    """Add `entries` entries for one target, each later and larger than the one before."""
    item, target, unit, how = WRITERS[writer]
    chance = random.Random(seed)
    for j in range(1, entries + 1):
        time.sleep(chance.uniform(0, 0.15))
        day = f"2024-{1 + (j - 1) * 11 // max(entries - 1, 1):02d}-{1 + j % 28:02d}"
        reading = how.format(j=j).split()
        result = cli(
            "progress",
            "add",
            str(item),
            "--target",
            target,
            "--unit",
            unit,
            *reading,
            "--date",
            day,
            "--yes",
            cwd=data.parent,
        )
        done.append((writer, j, result.returncode, result.stderr))


def report_reader(data: Path, stop: threading.Event, seen: list[Any]) -> None:
    """`report` and `progress list` over and over while the clerks write."""
    while not stop.is_set():
        for args in (
            ["report", "--as-of", "2024-12-31", "--format", "json"],
            ["progress", "list", "--format", "json"],
        ):
            result = cli(*args, cwd=data.parent)
            seen.append((args[0], result.returncode, result.stdout, result.stderr))


def entries_on_disk(data: Path) -> tuple[list[Any], list[str]]:
    folder = DataDir(data)
    plan, problems = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, problems
    entries, issues = read_progress(folder, plan)
    return entries, [str(issue) for issue in issues]


N_WRITERS = cases(4, 8)
M_ENTRIES = cases(5, 25)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("writers", "entries"),
    [pytest.param(N_WRITERS, M_ENTRIES, id=f"{N_WRITERS}-writers-{M_ENTRIES}-entries-each")],
)
def test_concurrent_clerks_all_land_and_readers_never_see_half_a_file(
    small_data: Path, tmp_path: Path, writers: int, entries: int
) -> None:
    stop_file = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(small_data), str(stop_file)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop, seen, done = threading.Event(), list[Any](), list[Any]()
    watcher = threading.Thread(target=report_reader, args=(small_data, stop, seen))
    watcher.start()
    clerks = [
        threading.Thread(target=clerk, args=(small_data, w, entries, 1000 + w, done))
        for w in range(writers)
    ]
    for thread in clerks:
        thread.start()
    for thread in clerks:
        thread.join()
    stop.set()
    watcher.join()
    stop_file.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err

    # Every clerk's every entry landed, each with its own id.
    failed = [(w, j, stderr) for w, j, code, stderr in done if code != 0]
    assert failed == [] and len(done) == writers * entries
    recorded = {m.group(1) for *_, stderr in done for m in [re.search(r"编号 (\w+)", stderr)] if m}
    assert len(recorded) == writers * entries
    found, issues = entries_on_disk(small_data)
    assert issues == [] and {entry.id for entry in found} == recorded
    for path in sorted((small_data / "progress").glob("*/*.yaml")):
        docs = load_documents(path.read_text(encoding="utf-8"), str(path))
        assert all(doc.explicit_end and not doc.issues for doc in docs), path
    assert cli("validate", cwd=small_data.parent).returncode == 0

    # The readers saw whole files only: fewer entries at first, never a problem.
    assert seen, "the report reader never ran"
    counts = []
    for command, code, stdout, stderr in seen:
        assert code == 0, (command, stderr)
        assert not any(mark in stderr for mark in CRASH_MARKS), stderr
        document = json.loads(stdout)
        if command == "progress":
            counts.append(len(document))
    assert counts == sorted(counts) and counts[-1] <= writers * entries
    tight = json.loads(out)
    assert tight["problems"] == [] and tight["reads"] > 0
    assert tight["counts"] == sorted(tight["counts"])
    print(
        f"{writers}×{entries} entries; report/list runs {len(seen)}; tight reads {tight['reads']}"
    )
