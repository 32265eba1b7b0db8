"""Synthetic progress data for the benchmark: the real plan and N realistic entries.

    python bench/generate.py --entries 100000 --out /tmp/minsheng-bench/100k [--seed 2024]

DIR gets a copy of data/tasks_2024.yaml and progress/<YYYY-MM>/<unit-id>.yaml files written
exactly as `minsheng progress add` writes them (the store's own header and record text).
Every active item's targets get entries spread over the plan period, each reported by the
unit that reports it (its `by`, else the item's first lead unit): cumulative values that
never go down, milestone stages that move from 未启动 through 推进中 to 已完成, Chinese
notes, sources, and a few corrections.
The result passes `minsheng validate --data-dir DIR`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data" / "tasks_2024.yaml"
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

from minsheng.core.measure import is_counted, is_percent, split_unit  # noqa: E402
from minsheng.plan.load import LoadedPlan, load_plan  # noqa: E402
from minsheng.plan.models import Item, Kind, Target, Unit  # noqa: E402
from minsheng.progress.entry import ProgressEntry, Stage  # noqa: E402
from minsheng.progress.store import entry_text, header_text  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
CORRECTION_RATE = 0.002  # share of quantity entries recorded wrong and later corrected
STAGE_NOTES = {
    Stage.NOT_STARTED: ["方案正在起草", "已召开专题会议部署", "正在摸底调查"],
    Stage.IN_PROGRESS: ["正在组织实施", "已完成招标,正在施工", "已印发实施方案,正在推进"],
    Stage.DONE: ["已全部完成并通过验收", "已按要求完成", "已完成,正在总结"],
}


@dataclass(frozen=True)
class Plan:
    """What the generator needs from the plan: each active target with its reporting unit."""

    loaded: LoadedPlan
    targets: list[tuple[Item, Target, Unit]]


def read_plan(path: Path) -> Plan:
    loaded, issues = load_plan(path)
    if loaded is None:
        raise SystemExit("\n".join(str(issue) for issue in issues))
    targets = []
    for item in loaded.plan.items:
        if item.no_task:
            continue
        # Each target from the unit that reports it (its `by`, else the first lead unit), so a
        # target's cumulative series is one unit's own.
        for target in item.all_targets():
            unit = loaded.unit_named(loaded.reporter(item, target))
            assert unit is not None  # a valid plan names only units of its registry
            targets.append((item, target, unit))
    return Plan(loaded, targets)


class Ids:
    """Random 10-digit hex ids, unique, never all digits (YAML would read a number)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> str:
        while True:
            token = f"{self.rng.getrandbits(40):010x}"
            if not token.isdigit() and token not in self.used:
                self.used.add(token)
                return token


def shares(rng: random.Random, total: int, count: int) -> list[int]:
    """`total` split into `count` uneven parts (some targets are reported far more often)."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(count)]
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    for index in range(total - sum(parts)):
        parts[index % count] += 1
    return parts


def whole_step(target: Target) -> Decimal | None:
    """The step of a quantity counted in whole things, in the target's unit (1 for 户, 0.0001
    for 万人); None for a target whose values may be any fraction."""
    scale, base = split_unit(target.unit or "")
    if target.kind is not Kind.QUANTITY or not is_counted(base):
        return None
    return Decimal(1) / scale


def most_entries(target: Target) -> int | None:
    """How many entries a counted target can take with no two equal: one whole step each from
    nothing to 70% of the target (the least a series reaches); None without a bound."""
    step = whole_step(target)
    if step is None:
        return None
    start = target.baseline or Decimal(0)
    return max(1, int((((target.value or Decimal(1)) * Decimal("0.7")) - start) / step))


def capped(parts: list[int], bounds: list[int | None]) -> list[int]:
    """`parts` with each bounded part at most its bound, the surplus shared among the rest."""
    found = [
        part if bound is None else min(part, bound)
        for part, bound in zip(parts, bounds, strict=True)
    ]
    surplus = sum(parts) - sum(found)
    free = [index for index, bound in enumerate(bounds) if bound is None]
    for turn in range(surplus if free else 0):
        found[free[turn % len(free)]] += 1
    return found


def ramp(start: Decimal, end: Decimal, count: int, quantum: Decimal | None = None) -> list[Decimal]:
    """`count` values moving steadily from just past `start` to `end`, no two equal.

    Rounded down to a quantum no larger than one step (or to `quantum`, a whole step of a
    counted unit, the caller allowing no more entries than steps), so two entries of a
    target on the same day never repeat each other (which would be a duplicate-entry).
    """
    if count < 1:
        return []
    step = (end - start) / count
    if quantum is None:
        quantum = min(Decimal(1).scaleb(abs(step).adjusted()), Decimal(1)) if step else Decimal(1)
    return [(start + step * (k + 1)).quantize(quantum, ROUND_FLOOR) for k in range(count)]


Reading = tuple[Decimal | None, Stage | None, Decimal | None]  # value, stage, percent


def series(rng: random.Random, target: Target, count: int) -> list[Reading]:
    """(value, stage, percent) for `count` entries of one target, oldest first."""
    if target.kind is Kind.MILESTONE:
        first: Reading = (None, Stage.NOT_STARTED, None)
        found = [first][:count]
        found += [(None, Stage.IN_PROGRESS, p) for p in ramp(Decimal(0), Decimal(99), count - 1)]
        if count > 1 and rng.random() < 0.6:  # most milestones are reached within the year
            found[-1] = (None, Stage.DONE, Decimal(100))
        return found
    value = target.value or Decimal(1)
    if target.baseline is not None:  # from A to B
        start = target.baseline
    elif target.kind is Kind.QUANTITY:  # cumulative: from nothing
        start = Decimal(0)
    else:  # a level or a standard starts near where it ends
        start = value * Decimal("0.8")
    end = value * Decimal(str(round(rng.uniform(0.7, 1.25), 2)))
    if target.kind is not Kind.QUANTITY and is_percent(target.unit or ""):
        end = min(end, Decimal(100))  # a share never passes 100%
    if end == start:
        end = start + value / 10
    return [(v, None, None) for v in ramp(start, end, count, whole_step(target))]


def spread(rng: random.Random, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    days = (last - first).days
    return sorted(first + dt.timedelta(days=rng.randint(0, days)) for _ in range(count))


def stamps(rng: random.Random, dates: list[dt.date]) -> list[dt.datetime]:
    """When each was recorded: a day or two after its date, in the same order as the dates."""
    found = []
    for date in dates:
        at = dt.datetime.combine(date, dt.time(8, 0), TZ)
        found.append(at + dt.timedelta(days=1, seconds=rng.randint(0, 2 * 86400)))
    return sorted(found)


def note(rng: random.Random, target: Target, reading: Reading, date: dt.date) -> str:
    value, stage, _ = reading
    if stage is not None:
        return f"{target.name}:{rng.choice(STAGE_NOTES[stage])}"
    shown = format(value.normalize(), "f") if value is not None else ""
    when = f"截至{date.month}月{date.day}日"
    if target.kind is Kind.QUANTITY:
        return f"{when}{target.name}累计完成{shown}{target.unit}"
    return f"{when}{target.name}为{shown}{target.unit}"


def source(unit: Unit, date: dt.date, entry_id: str, rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.3:
        return f"花{unit.name.removeprefix('区')[:2]}〔{date.year}〕{rng.randint(1, 199)}号"
    if roll < 0.4:
        return f"https://example.org/{unit.id}/{date:%Y%m}/{entry_id}.html"
    return None


def make_entry(**fields: Any) -> ProgressEntry:
    # The generator builds every field itself; validating a million entries would only
    # slow it down (the benchmark's `minsheng validate` checks them all).
    return ProgressEntry.model_construct(**fields)


@dataclass(frozen=True)
class Reporting:
    """One target as reported: its item, the unit that reports it, and the period."""

    item: Item
    target: Target
    unit: Unit
    first: dt.date
    last: dt.date


def entries_for(
    rng: random.Random, ids: Ids, of: Reporting, count: int, correct_first: bool = False
) -> list[ProgressEntry]:
    """`count` entries of one target, oldest first, a few of them corrections (the first
    reading among them when `correct_first`)."""
    dates = spread(rng, of.first, of.last, count)
    recorded = stamps(rng, dates)
    readings = series(rng, of.target, count)
    target, unit = of.target, of.unit
    found: list[ProgressEntry] = []
    for date, at, reading in zip(dates, recorded, readings, strict=True):
        if len(found) >= count:
            break
        value, stage, percent = reading
        common = {
            "item": of.item.id,
            "target": target.id,
            "date": date,
            "unit": unit.name,
            "stage": stage,
            "percent": percent,
        }
        wrong_at = (rng.random() < CORRECTION_RATE or (correct_first and not found)) and (
            len(found) + 2 <= count
        )
        if target.kind is Kind.QUANTITY and value is not None and wrong_at:
            # Recorded with one digit too many, then corrected: same date, same time, written
            # right after it (so no later entry of the day comes between them).
            wrong = make_entry(
                id=ids.new(),
                **common,
                value=value * 10,
                note=f"{target.name}累计完成{value * 10}{target.unit}",
                source=None,
                corrects=None,
                recorded_at=at,
            )
            fixed = make_entry(
                id=ids.new(),
                **common,
                value=value,
                note=f"更正:{value * 10}应为{value}",
                source=None,
                corrects=wrong.id,
                recorded_at=at,
            )
            found += [wrong, fixed]
            continue
        entry_id = ids.new()
        found.append(
            make_entry(
                id=entry_id,
                **common,
                value=value,
                note=note(rng, target, reading, date),
                source=source(unit, date, entry_id, rng),
                corrects=None,
                recorded_at=at,
            )
        )
    return found


def generate(count: int, out: Path, seed: int, plan_path: Path = PLAN) -> int:
    """Write the plan and `count` entries (corrections included) under `out`; files written."""
    rng = random.Random(seed)
    plan = read_plan(plan_path)
    period = plan.loaded.plan.document.period
    last = min(period.end, dt.date.today() - dt.timedelta(days=1))
    ids = Ids(rng)
    files: dict[tuple[str, str], list[ProgressEntry]] = defaultdict(list)
    units = {unit.name: unit for unit in plan.loaded.plan.units}
    bounds = [most_entries(target) for _, target, _ in plan.targets]
    counts = capped(shares(rng, count, len(plan.targets)), bounds)
    # Every data set has a correction, whatever the draw: counted targets take few entries.
    pairs = list(zip(plan.targets, counts, strict=True))
    first = next(
        (index for index, ((_, target, _), share) in enumerate(pairs)
         if target.kind is Kind.QUANTITY and share >= 2),
        None,
    )  # fmt: skip
    for index, ((item, target, unit), share) in enumerate(pairs):
        of = Reporting(item, target, unit, period.start, last)
        for entry in entries_for(rng, ids, of, share, correct_first=index == first):
            files[(f"{entry.date:%Y-%m}", unit.id)].append(entry)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plan_path, out / plan_path.name)
    progress = out / "progress"
    if progress.exists():
        shutil.rmtree(progress)
    progress.mkdir()
    for (month, unit_id), held in sorted(files.items()):
        held.sort(key=lambda entry: entry.recorded_at)  # appended as they were recorded
        unit = units[held[0].unit]
        text = header_text(unit, month) + "".join(entry_text(entry) for entry in held)
        folder = progress / month
        folder.mkdir(exist_ok=True)
        (folder / f"{unit_id}.yaml").write_text(text, encoding="utf-8")
    return len(files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, required=True, help="number of entries")
    parser.add_argument("--out", type=Path, required=True, help="the data folder to write")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    args = parser.parse_args(argv)
    if args.entries < 1:
        parser.error("--entries must be at least 1")
    written = generate(args.entries, args.out, args.seed)
    print(f"{args.entries} entries in {written} files under {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
