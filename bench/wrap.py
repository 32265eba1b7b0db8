"""How the wrapping of Chinese text grows with its length: linear is about 2x per doubling.

    python bench/wrap.py [--runs 5]

For texts that offer no break at all (a run of …, of 。, of “) and for ordinary prose, at
1,000 to 32,000 characters, it prints the median time of wrap_cjk at width 40 and the ratio
to the size before. Output is Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))

from minsheng.render.tables import wrap_cjk  # noqa: E402

SIZES = (1_000, 2_000, 4_000, 8_000, 16_000, 32_000)
PROSE = "为92名有康复需求的视力、听力、言语、肢体、智力和孤独症残疾儿童提供康复训练救助,"
TEXTS = {
    "…": lambda n: "…" * n,
    "。": lambda n: "。" * n,
    "“": lambda n: "“" * n,
    "prose": lambda n: (PROSE * (n // len(PROSE) + 1))[:n],
}


def median_seconds(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        wrap_cjk(text, 40)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print("| text | characters | median ms | × the size before |")
    print("|---|---:|---:|---:|")
    for name, make in TEXTS.items():
        before = None
        for size in SIZES:
            seconds = median_seconds(make(size), runs)
            ratio = f"{seconds / before:.2f}" if before else ""
            print(f"| {name} | {size:,} | {seconds * 1000:.1f} | {ratio} |")
            before = seconds


if __name__ == "__main__":
    main()
