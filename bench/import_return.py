"""The monthly return into a year of records: `progress import` of about 30 rows, warm.

    python bench/import_return.py [--runs 7] [--work DIR]

The records are the example's (examples/2024-06/progress) scaled to a year: each target's
figure that stands on 30 June is recorded again at every month end from January to
November (a quantity scaled with the month, whole things kept whole; a level, a standard
or a stage as it was), each month's entries recorded early in the next month, in the
unit's file of that month, as `progress add` writes them. December's returns are then
made with `progress template` and filled as a clerk would (every row: the last figure or
the target, whichever is higher; a total as the sum of its parts; a milestone 已完成), and
imported in one command: 区残联's (23 rows, the largest of the plan), 区人社局's (5) and
区公安分局's (2), 30 rows in all; and 区残联's alone.

Each run starts from a fresh copy of the year (made outside the timing) with the cache of
parsed files already filled (`validate` run once on the same bytes): warm, as the office's
machine is after the day's first command. Every figure is a whole child process, as in
bench/run.py: interpreter start, imports, reading the year, the checks, the write.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import statistics
import sys
import tempfile
import time
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from run import environment, minsheng, run  # noqa: E402

from minsheng.core.datadir import DataDir  # noqa: E402
from minsheng.core.measure import is_counted, split_unit  # noqa: E402
from minsheng.plan.load import LoadedPlan, load_plan  # noqa: E402
from minsheng.plan.models import Kind, Target  # noqa: E402
from minsheng.progress.checks import read_progress  # noqa: E402
from minsheng.progress.entry import BEIJING, ProgressEntry, latest  # noqa: E402
from minsheng.progress.store import entry_text, header_text, new_id  # noqa: E402

EXAMPLE = ROOT / "examples" / "2024-06" / "progress"
RETURNS = ("区残联", "区人社局", "区公安分局")  # 23 + 5 + 2 rows
GOAL = 1.0  # seconds, warm


def month_end(year: int, month: int) -> dt.date:
    first = dt.date(year + month // 12, month % 12 + 1, 1)
    return first - dt.timedelta(days=1)


def whole(target: Target, value: Decimal) -> Decimal:
    """A scaled figure as the target counts it: whole things stay whole (0.0001 of 万)."""
    scale, base = split_unit(target.unit or "")
    step = (
        Decimal(1) / scale if is_counted(base) and target.kind is Kind.QUANTITY else Decimal("0.01")
    )
    return value.quantize(step, ROUND_FLOOR)


def year_of(data: Path, plan: LoadedPlan) -> int:
    """The example's figures of 30 June, recorded at each month end from January to
    November; returns the number of entries written."""
    progress = data / "progress"
    shutil.rmtree(progress, ignore_errors=True)
    entries, issues = read_progress(DataDir(_example_folder(data)), plan)
    assert not issues, issues[:3]
    june = latest(entries, dt.date(2024, 6, 30))
    targets = {
        (item.id, target.id): target for item in plan.plan.items for target in item.all_targets()
    }
    files: dict[Path, list[str]] = {}
    count = 0
    for month in range(1, 12):
        day = month_end(2024, month)
        stamp = dt.datetime.combine(day + dt.timedelta(days=3), dt.time(9), BEIJING)
        for (item, target_id), entry in sorted(june.items()):
            target = targets[(item, target_id)]
            value = entry.value
            if value is not None and target.kind is Kind.QUANTITY:
                value = whole(target, value * month / 6)
            record = ProgressEntry.model_validate({
                "id": new_id(), "item": item, "target": target_id, "date": day,
                "value": value, "stage": entry.stage, "percent": entry.percent,
                "unit": entry.unit, "note": entry.note, "recorded_at": stamp,
            })  # fmt: skip
            unit = plan.unit_named(entry.unit)
            assert unit is not None
            path = progress / f"{day:%Y-%m}" / f"{unit.id}.yaml"
            if path not in files:
                files[path] = [header_text(unit, f"{day:%Y-%m}")]
            files[path].append(entry_text(record))
            count += 1
    for path, parts in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(parts), encoding="utf-8")
    return count


def _example_folder(data: Path) -> Path:
    """A data folder holding the plan and the example's progress, to read it from."""
    folder = data.parent / "example-data"
    if not folder.exists():
        folder.mkdir()
        shutil.copy(data / "tasks_2024.yaml", folder / "tasks_2024.yaml")
        shutil.copytree(EXAMPLE, folder / "progress")
    return folder


def december(data: Path, plan: LoadedPlan, unit: str, out: Path) -> int:
    """The unit's December return as a CSV, every row filled; its number of rows."""
    asked = minsheng("progress", "template", "--unit", unit, "--as-of", "2024-12-31",
                     "--output", str(out), "--data-dir", str(data))  # fmt: skip
    done = run(asked, environment(out.parent))
    assert done.code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    top = next(index for index, line in enumerate(lines) if line.startswith("序号,"))
    rows = list(csv.reader(lines[top:]))
    header, body = rows[0], rows[1:]
    at = {name: index for index, name in enumerate(header)}
    targets = {(item.id, t.id): t for item in plan.plan.items for t in item.all_targets()}
    filled: dict[tuple[int, str], Decimal] = {}
    for row in body:
        target = targets[(int(row[at["序号"]]), row[at["指标编号"]])]
        if target.kind is Kind.MILESTONE:
            row[at["阶段"]] = "已完成"
            continue
        if target.sum_of:
            continue  # below, from its parts
        last = Decimal(row[at["上次报送"]]) if row[at["上次报送"]] else Decimal(0)
        figure = max(last, target.value or Decimal(0))
        filled[(int(row[at["序号"]]), target.id)] = figure
        row[at["本期累计完成"]] = format(figure, "f")
    for row in body:
        item, target = int(row[at["序号"]]), targets[(int(row[at["序号"]]), row[at["指标编号"]])]
        if target.sum_of:
            parts = (filled.get((item, part), Decimal(0)) for part in target.sum_of)
            total = sum(parts, Decimal(0))
            row[at["本期累计完成"]] = format(total, "f")
        row[at["进展说明"]] = "十二月进展"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *body])
    out.write_text("\r\n".join(lines[:top]) + "\r\n" + buffer.getvalue(), encoding="utf-8")
    return len(body)


def warm_environment(cache: Path) -> dict[str, str]:
    """The children's environment: their own cache folder, and bytecode written and reused
    as an installed minsheng has it (a shell with PYTHONDONTWRITEBYTECODE set would have
    every module compiled again on every run, a fifth of a second that no office pays)."""
    env = environment(cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(work: Path, year: Path, files: list[Path], runs: int) -> list[float]:
    """`progress import FILES --yes`, each run on a fresh copy of the year, the cache warm."""
    times = []
    cache = work / "cache"
    for number in range(runs):
        data = work / f"run-{number}"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(year, data)
        env = warm_environment(cache)
        assert run(minsheng("validate", "--data-dir", str(data)), env).code == 0  # warm
        start = time.perf_counter()
        done = run(minsheng("progress", "import", *map(str, files), "--yes",
                            "--data-dir", str(data)), env)  # fmt: skip
        times.append(time.perf_counter() - start)
        assert done.code == 0, "the import was refused"
        shutil.rmtree(data)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="minsheng-import-"))
    year = work / "year"
    shutil.rmtree(year, ignore_errors=True)
    year.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "tasks_2024.yaml", year / "tasks_2024.yaml")
    plan, issues = load_plan(year / "tasks_2024.yaml")
    assert plan is not None, issues
    entries = year_of(year, plan)
    returns = []
    rows = 0
    for index, unit in enumerate(RETURNS):
        path = work / f"return-{index}.csv"
        rows += december(year, plan, unit, path)
        returns.append(path)
    all_three = timed(work, year, returns, args.runs)
    largest = timed(work, year, returns[:1], args.runs)
    print(f"A year of records: {entries} entries (the example's June figures at each month end,")
    print("January to November); imported in one command, warm (median of "
          f"{args.runs} whole processes):")  # fmt: skip
    print(f"- {rows} rows ({', '.join(RETURNS)}): {statistics.median(all_three):.2f} s "
          f"(min {min(all_three):.2f} s, max {max(all_three):.2f} s)")  # fmt: skip
    print(f"- 23 rows ({RETURNS[0]}): {statistics.median(largest):.2f} s "
          f"(min {min(largest):.2f} s, max {max(largest):.2f} s)")  # fmt: skip
    met = statistics.median(all_three) < GOAL
    print(f"Goal: under {GOAL:.0f} s warm: {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    main()
