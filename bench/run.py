"""The benchmark: minsheng against the parsers' floors, on synthetic data of growing size.

    python bench/run.py [--sizes 10000,100000,1000000] [--work DIR] [--runs 5]

For each size it generates the data once (bench/generate.py; kept in --work and reused),
then times `minsheng validate` and `minsheng report --format json`, cold (`--no-cache`),
warm (after one run has filled a cache of its own) and after one file changed; and the
floors on the same files: PyYAML's C loader over every progress file, and rapidyaml's
parse plus a walk into dicts.
Then the startup of `minsheng --help` and `minsheng list --format json` against a bare
`python -c "import typer, pydantic, yaml, rich"` (median of --runs). Every figure is a
whole child process: wall time, and its peak resident memory from wait4(). Ratios are
printed beside the figures, so they hold on a noisy machine. Output is Markdown.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# A progress file holds at most 200,000 YAML nodes on either parse path (about 9,000 records):
# a million entries in 12 months × 16 units' files would break it, half a million does not.
DEFAULT_SIZES = (10_000, 100_000, 500_000)
AS_OF = "2024-12-31"
GOAL_WARM_REPORT = 1.0  # seconds, at the largest size
GOAL_COLD_RATIO = 2.0  # cold report within 2x the rapidyaml floor
GOAL_MEMORY_MB = 1024.0  # at the largest size


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds and peak resident memory in MB."""

    seconds: float
    peak_mb: float
    code: int


def run(args: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run a child to completion; its own peak RSS comes from wait4, not from the family."""
    start = time.perf_counter()
    child = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    child.stderr.close()
    if child.returncode != 0:
        shown = errors.decode("utf-8", "replace").strip().splitlines()[-3:]
        print(f"warning: {' '.join(args[1:4])} exited {child.returncode}: {shown}", file=sys.stderr)
    return Run(seconds, usage.ru_maxrss / 1024, child.returncode)  # ru_maxrss is in KB


def environment(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINSHENG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["MINSHENG_CACHE_DIR"] = str(cache)
    env.update(extra)
    return env


def minsheng(*args: str) -> list[str]:
    return [sys.executable, "-m", "minsheng", *args]


# --- the data -------------------------------------------------------------------------------


def data_for(size: int, work: Path, seed: int) -> tuple[Path, float | None]:
    """The data folder for `size` entries, generated unless a finished one is there (made by
    this generator from this plan: their hash is in the folder's name)."""
    made_by = (ROOT / "bench" / "generate.py").read_bytes() + (
        ROOT / "data" / "tasks_2024.yaml"
    ).read_bytes()
    folder = work / f"n{size}-s{seed}-{hashlib.sha256(made_by).hexdigest()[:8]}"
    done = folder / ".complete"
    if done.exists():
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    generated = run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--entries",
            str(size),
            "--out",
            str(folder),
            "--seed",
            str(seed),
        ]
    )
    if generated.code != 0:
        raise SystemExit(f"generating {size} entries failed")
    done.touch()
    return folder, generated.seconds


def files_of(folder: Path) -> list[Path]:
    return sorted((folder / "progress").glob("*/*.yaml"))


# --- the floors: run as `run.py --floor NAME DIR` in a child --------------------------------


def floor_pyyaml(folder: Path) -> int:
    import yaml

    count = 0
    for path in files_of(folder):
        count += sum(1 for _ in yaml.load_all(path.read_bytes(), Loader=yaml.CSafeLoader))
    return count


def floor_ryml(folder: Path) -> int:
    import ryml

    count = 0
    for path in files_of(folder):
        tree = ryml.parse_in_arena(path.read_bytes())
        docs = _walk(tree, tree.root_id())
        count += len(docs) if isinstance(docs, list) else 1
    return count


def _walk(tree: Any, node: int) -> object:
    """A rapidyaml node as plain Python data: dicts, lists and strings (or None)."""
    import ryml

    if tree.is_map(node) or tree.is_seq(node) or tree.is_stream(node):
        children = []
        child = tree.first_child(node)
        while child != ryml.NONE:
            children.append(child)
            child = tree.next_sibling(child)
        if tree.is_map(node):
            return {bytes(tree.key(c)).decode(): _walk(tree, c) for c in children}
        return [_walk(tree, c) for c in children]
    value = tree.val(node)
    return None if value is None else bytes(value).decode()


FLOORS = {"pyyaml": floor_pyyaml, "ryml": floor_ryml}


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    size: int
    files: int
    megabytes: float
    generated: float | None
    cells: dict[str, Run]

    def per_entry(self, name: str, base: Run) -> str:
        """Peak memory above a process with no entries, per entry."""
        return f"{(self.cells[name].peak_mb - base.peak_mb) * 1e6 / self.size / 1000:.2f} KB"


COMMANDS = {
    "validate": ["validate"],
    "report": ["report", "--format", "json", "--as-of", AS_OF],
}


def median(args: Sequence[str], env: dict[str, str], repeat: int) -> Run:
    """The run of median wall time among `repeat` runs."""
    return middle([run(args, env) for _ in range(repeat)])


def middle(runs: list[Run]) -> Run:
    """The run of median wall time."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def measure(size: int, work: Path, seed: int, reference_up_to: int, repeat: int) -> Size:
    folder, generated = data_for(size, work, seed)
    files = files_of(folder)
    megabytes = sum(path.stat().st_size for path in files) / 1e6
    cache = work / "cache"
    cells: dict[str, Run] = {}
    for name, args in COMMANDS.items():
        command = minsheng(*args, "--data-dir", str(folder))
        cells[f"{name} cold"] = median([*command, "--no-cache"], environment(cache), repeat)
        if size <= reference_up_to:  # without rapidyaml: the reference loader for every file
            slow = environment(cache, MINSHENG_NO_FAST_PARSE="1")
            cells[f"{name} reference"] = median([*command, "--no-cache"], slow, 1)
        shutil.rmtree(cache, ignore_errors=True)
        cells[f"{name} filling"] = run(command, environment(cache))  # the first, cache empty
        cells[f"{name} warm"] = median(command, environment(cache), repeat)
        cells[f"{name} one changed"] = one_changed(command, environment(cache), files[0], repeat)
    shutil.rmtree(cache, ignore_errors=True)
    for name in FLOORS:
        me = [sys.executable, str(Path(__file__).resolve()), "--floor", name, str(folder)]
        cells[f"floor {name}"] = median(me, environment(cache), repeat)
    return Size(size, len(files), megabytes, generated, cells)


def one_changed(args: Sequence[str], env: dict[str, str], path: Path, repeat: int) -> Run:
    """The run of median wall time after one progress file changed (a comment appended, a
    different one each time), the rest as in the cache: the run after a clerk's entry."""
    original = path.read_bytes()
    runs = []
    try:
        for number in range(repeat):
            path.write_bytes(original + f"# 第 {number + 1} 次改动 {time.time()}\n".encode())
            runs.append(run(args, env))
    finally:
        path.write_bytes(original)
    return middle(runs)


def baseline(work: Path) -> Run:
    """`minsheng validate` over the plan and no entry: what a process takes before any entry."""
    folder = plan_only(work)
    return median(minsheng("validate", "--data-dir", str(folder)), environment(work / "x"), 3)


def plan_only(work: Path) -> Path:
    folder = work / "plan-only"
    (folder / "progress").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "data" / "tasks_2024.yaml", folder / "tasks_2024.yaml")
    return folder


# A typer command with list's options and nothing else: what typer itself costs to run one.
# Typer (0.2x) builds a pydantic TypeAdapter for every parameter of the command it runs.
TYPER_FLOOR = """
import enum, pathlib, typer
class F(str, enum.Enum):
    table = "table"
    json = "json"
app = typer.Typer()
@app.command()
def list_items(unit: str | None = None, category: str | None = None, status: str | None = None,
               active: bool = False, format: F = F.table, output: pathlib.Path | None = None,
               data_dir: pathlib.Path | None = None, year: int | None = None) -> None:
    print("[]")
app(["--format", "json"], standalone_mode=False)
"""


def startup(runs: int, work: Path) -> dict[str, float]:
    """Median wall seconds of each startup command over `runs` runs (after one warm-up)."""
    folder = str(plan_only(work))
    cache = work / "cache-startup"
    listing = minsheng("list", "--format", "json", "--data-dir", folder)
    commands = {
        "bare import": ([sys.executable, "-c", "import typer, pydantic, yaml, rich"], {}),
        "a bare typer command (list's options)": ([sys.executable, "-c", TYPER_FLOOR], {}),
        "minsheng --help": (minsheng("--help"), {}),
        "minsheng list --format json": (listing, {}),
        "minsheng list --format json, no cache": (listing, {"MINSHENG_NO_CACHE": "1"}),
    }
    found = {}
    for name, (command, extra) in commands.items():
        env = environment(cache, **extra)
        run(command, env)  # warm the file system and the cache
        found[name] = statistics.median(run(command, env).seconds for _ in range(runs))
    return found


# --- the tables -----------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def tables(sizes: list[Size], start: dict[str, float], base: Run) -> str:
    names = [name for name in sizes[0].cells] if sizes else []
    out = ["## Time and peak memory (each a whole process)", ""]
    head = "| | " + " | ".join(f"N = {s.size:,}" for s in sizes) + " |"
    out += [head, "|---" * (len(sizes) + 1) + "|"]
    volume = [f"{s.files}, {s.megabytes:.0f} MB" for s in sizes]
    out.append("| files, MB | " + " | ".join(volume) + " |")
    made = [seconds(s.generated) if s.generated is not None else "(kept)" for s in sizes]
    out.append("| generating the data | " + " | ".join(made) + " |")
    for name in names:
        cells = [s.cells.get(name) for s in sizes]
        shown = [f"{seconds(c.seconds)}, {c.peak_mb:.0f} MB" if c else "–" for c in cells]
        out.append(f"| {name} | " + " | ".join(shown) + " |")
    out.append(
        f"\nA process with the plan and no entry: {seconds(base.seconds)}, {base.peak_mb:.0f} MB."
    )
    out += ["", "## Ratios", ""]
    out += ["| | " + " | ".join(f"N = {s.size:,}" for s in sizes) + " | goal |"]
    out += ["|---" * (len(sizes) + 2) + "|"]
    rows: dict[str, tuple[Callable[[Size], str], str]] = {
        "cold report / rapidyaml floor": (
            lambda s: ratio(s.cells["report cold"].seconds, s.cells["floor ryml"].seconds),
            f"≤ {GOAL_COLD_RATIO:.0f}×",
        ),
        "cold report / PyYAML floor": (
            lambda s: ratio(s.cells["report cold"].seconds, s.cells["floor pyyaml"].seconds),
            "",
        ),
        "warm report": (
            lambda s: seconds(s.cells["report warm"].seconds),
            f"< {GOAL_WARM_REPORT:.0f} s at the largest",
        ),
        "report after one file changed": (
            lambda s: seconds(s.cells["report one changed"].seconds),
            "",
        ),
        "warm / cold report": (
            lambda s: ratio(s.cells["report warm"].seconds, s.cells["report cold"].seconds),
            "",
        ),
        "peak memory, cold report": (
            lambda s: f"{s.cells['report cold'].peak_mb:.0f} MB",
            f"< {GOAL_MEMORY_MB:.0f} MB at the largest",
        ),
        "peak memory, warm report": (lambda s: f"{s.cells['report warm'].peak_mb:.0f} MB", ""),
        "per entry, above a process with none (cold)": (
            lambda s: s.per_entry("report cold", base),
            "linear",
        ),
        "per entry, above a process with none (warm)": (
            lambda s: s.per_entry("report warm", base),
            "",
        ),
    }
    for label, (cell, goal) in rows.items():
        out.append(f"| {label} | " + " | ".join(cell(s) for s in sizes) + f" | {goal} |")
    if start:
        bare = start["bare import"]
        out += ["", "## Startup (median wall time)", "", "| command | time | / bare import |"]
        out += ["|---|---|---|"]
        for name, value in start.items():
            out.append(f"| `{name}` | {seconds(value)} | {ratio(value, bare)} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="entries, comma separated (default 10000,100000,1000000)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "minsheng-bench",
        help="where the data and the cache go (kept between runs)",
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=5, help="runs per startup command")
    parser.add_argument(
        "--reference-up-to",
        type=int,
        default=100_000,
        help="also time the reference parser (no rapidyaml) up to this size",
    )
    parser.add_argument("--no-startup", action="store_true", help="skip the startup table")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per cold or warm figure, up to 100k (median)"
    )
    parser.add_argument("--floor", choices=sorted(FLOORS), help=argparse.SUPPRESS)
    parser.add_argument("data", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        FLOORS[args.floor](args.data)
        return
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    measured = []
    for size in sizes:
        print(f"measuring N = {size:,} …", file=sys.stderr)
        repeat = args.repeat if size <= 100_000 else 1
        measured.append(measure(size, args.work, args.seed, args.reference_up_to, repeat))
    base = baseline(args.work)
    start = {} if args.no_startup else startup(args.runs, args.work)
    print(tables(measured, start, base))


if __name__ == "__main__":
    main()
