"""The city's roll-up at a province's scale: N generated counties, each a year of returns.

    python bench/rollup.py [--counties 100] [--entries 2000] [--work DIR]

Each county is the shipped plan (its `document.area` renamed 县001…) with `--entries`
entries from bench/generate.py. Each measurement runs in a child process of its own and
prints its wall time and peak resident memory (`ru_maxrss`):

- rollup cold: `rollup(...)` of every county with `cache=False` (every file parsed, checked);
- rollup warm: the same after a run that filled the cache;
- singles cold / warm: one `build_report` per county in turn (load_plan, load_progress,
  build_report), the sum of the 100 single reports the roll-up is compared with;
- rollup warm over the first tenth and half of the counties: memory flat in their number;
- the parse floors of run.py over every county's progress files (PyYAML's C loader, and
  rapidyaml's parse and walk where it is installed): the cold roll-up against them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2024, 12, 31)
MADE_AT = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
CHILDREN = resource.RUSAGE_CHILDREN


def make_counties(work: Path, counties: int, entries: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    folders = []
    for number in range(1, counties + 1):
        folder = work / f"county{number:03d}"
        plan = folder / "tasks_2024.yaml"
        if not plan.is_file():
            generate(entries, folder, seed=number)
            text = plan.read_text(encoding="utf-8")
            plan.write_text(text.replace("area: 花山区", f"area: 县{number:03d}"), "utf-8")
        folders.append(folder)
    return folders


def measure(kind: str, folders: list[str]) -> dict[str, float]:
    """In this (child) process: one measurement, its time and this process's peak memory."""
    import minsheng
    from minsheng.rollup.compute import rollup

    cache = kind.endswith("warm")
    start = time.perf_counter()
    if kind.startswith("floor"):
        sys.path.insert(0, str(ROOT / "bench"))
        from run import FLOORS

        floor = FLOORS[kind.split()[1]]
        for folder in folders:
            floor(Path(folder))
    elif kind.startswith("rollup"):
        rollup(folders, as_of=AS_OF, made_at=MADE_AT, cache=cache)
    else:
        for folder in folders:
            plan = minsheng.load_plan(data_dir=folder, year=2024)
            progress = minsheng.load_progress(plan, cache=cache)
            minsheng.build_report(plan, progress, AS_OF, made_at=MADE_AT)
    seconds = time.perf_counter() - start
    # KB on Linux; the largest of this process and the roll-up's workers, each on its own
    # (a worker's memory is its own: the roll-up's is flat if each one's is).
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, CHILDREN)) / 1024
    return {"seconds": seconds, "peak_mb": peak}


def child(kind: str, folders: list[Path], cache_dir: Path) -> dict[str, float]:
    env = {**os.environ, "MINSHENG_CACHE_DIR": str(cache_dir)}
    env.pop("MINSHENG_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", kind, *map(str, folders)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--entries", type=int, default=2000)
    work = Path(tempfile.gettempdir()) / "minsheng-rollup"
    parser.add_argument("--work", type=Path, default=work)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.measure:
        print(json.dumps(measure(args.measure, rest)))
        return
    start = time.perf_counter()
    folders = make_counties(args.work, args.counties, args.entries)
    print(f"{len(folders)} counties of {args.entries} entries: {time.perf_counter() - start:.1f} s")
    cache = Path(tempfile.mkdtemp(prefix="minsheng-rollup-cache-"))
    figures = {
        "rollup cold": child("rollup cold", folders, cache),
        "singles cold": child("singles cold", folders, cache),
    }
    child("rollup warm", folders, cache)  # fills the cache
    figures["rollup warm"] = child("rollup warm", folders, cache)
    figures["singles warm"] = child("singles warm", folders, cache)
    for share in (10, 2):
        some = folders[: max(1, len(folders) // share)]
        figures[f"rollup warm, {len(some)} counties"] = child("rollup warm", some, cache)
    floors = ["pyyaml"] + (["ryml"] if importlib.util.find_spec("ryml") else [])
    for name in floors:
        figures[f"floor {name}"] = child(f"floor {name}", folders, cache)
    for name, figure in figures.items():
        print(f"{name:28} {figure['seconds']:7.2f} s  {figure['peak_mb']:7.0f} MB")
    for mode in ("cold", "warm"):
        ratio = figures[f"rollup {mode}"]["seconds"] / figures[f"singles {mode}"]["seconds"]
        print(f"rollup / sum of single reports, {mode}: {ratio:.2f}x")
    for name in floors:
        ratio = figures["rollup cold"]["seconds"] / figures[f"floor {name}"]["seconds"]
        print(f"rollup cold / {name} floor: {ratio:.2f}x")


if __name__ == "__main__":
    main()
