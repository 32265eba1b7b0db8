"""YAML bombs: aliases (billion laughs), deep nesting, and files that make a parser build far
more than they weigh. Each is refused with a located problem, exit 1, and the process's peak
memory (measured inside the real command line with getrusage) stays under a generous bound.
Times are never asserted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from adversarial.harness import snapshot
from conftest import SMALL_PLAN, cli_env

# Bombs build hundreds of megabytes on purpose: in the slow run (`pytest -m slow`).
pytestmark = pytest.mark.slow

PEAK_LIMIT_MB = 300
# Runs the command line in this process and reports its peak resident memory on stderr.
# getrusage's ru_maxrss also counts the memory of the process that started this one (Linux
# keeps the larger of the two across exec, and pytest is large), so where /proc exists its
# VmHWM, the peak of this program alone, is what is reported.
MEASURED = """
import re, resource, sys
from minsheng.cli.app import main
sys.argv = ["minsheng", *sys.argv[1:]]
try:
    main()
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    try:
        with open("/proc/self/status") as status:
            peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
    except OSError:
        pass
    sys.stderr.write(f"\\npeak-kib={peak}\\n")
"""


def laughs(levels: int = 9, fan: int = 10) -> str:
    """The billion laughs: 10^9 "lol" if aliases were expanded."""
    lines = ['lol0: &lol0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * fan)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "\n".join(lines) + "\n"


def merge_laughs() -> str:
    """The same through merge keys (<<), the other way PyYAML expands aliases."""
    lines = ["a0: &a0 {x: lol}"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} {{<<: [{', '.join([f'*a{level - 1}'] * 10)}]}}")
    return "\n".join(lines) + "\n"


BOMBS: dict[str, tuple[Callable[[], str], str]] = {
    "billion-laughs": (laughs, "yaml-alias"),
    "merge-key-laughs": (merge_laughs, "yaml-alias"),
    "300k-aliases": (lambda: "a: &a 1\nx: [" + ",".join(["*a"] * 300_000) + "]\n", "yaml-alias"),
    "100k-nested-brackets": (lambda: "x: " + "[" * 100_000 + "]" * 100_000 + "\n", "too-deep"),
    "3000-nested-mappings": (lambda: "".join(" " * i + "a:\n" for i in range(3000)), "too-deep"),
    "1m-element-list": (lambda: "x: [" + ",".join(["1"] * 1_000_000) + "]\n", "too-large"),
    "300k-keys": (lambda: "".join(f"k{i}: 1\n" for i in range(300_000)), "too-large"),
    "300k-duplicate-keys": (lambda: "".join(f"k: {i}\n" for i in range(300_000)), "too-large"),
    "20-mb-string": (lambda: "x: " + "长" * 7_000_000 + "\n", "too-large"),
}


def measured(*args: str, cwd: Path) -> tuple[int, str, int]:
    """Exit code, what it printed, and its peak memory in MB, of `minsheng ARGS`."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        timeout=120,  # only a hang gets near it
    )
    stderr = done.stderr.decode("utf-8", errors="replace")
    found = re.search(r"peak-kib=(\d+)", stderr)
    assert found, stderr
    # validate prints the problems on stdout (its product), the others on stderr.
    return done.returncode, done.stdout.decode() + stderr, int(found.group(1)) // 1024


def assert_refused(code: int, stderr: str, peak: int, expected: str) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr and "[internal]" not in stderr, stderr
    assert f": {expected}: " in stderr, stderr[-2000:]
    assert peak < PEAK_LIMIT_MB, f"peak memory {peak} MB"


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_as_the_plan_is_refused_with_bounded_memory(name: str, tmp_path: Path) -> None:
    make, expected = BOMBS[name]
    data = tmp_path / "data"
    (data / "progress").mkdir(parents=True)
    (data / "tasks_2024.yaml").write_text(make(), encoding="utf-8")
    code, stderr, peak = measured("validate", cwd=tmp_path)
    assert_refused(code, stderr, peak, expected)
    print(f"{name}: peak {peak} MB")


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_as_a_progress_file_is_refused_and_never_garbled(name: str, tmp_path: Path) -> None:
    """validate and report refuse it; `progress add` either refuses (the file cannot be read
    whole) or appends after it (aliases are parsed, never expanded), keeping every byte."""
    make, expected = BOMBS[name]
    data = tmp_path / "data"
    month = data / "progress" / "2024-06"
    month.mkdir(parents=True)
    shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
    bomb = ("---\n" + make() + "...\n").encode("utf-8")
    (month / "rsj.yaml").write_bytes(bomb)
    for args in (["validate"], ["report", "--as-of", "2024-06-30"]):
        code, said, peak = measured(*args, cwd=tmp_path)
        assert_refused(code, said, peak, expected)
    before = snapshot(tmp_path)
    add = ["progress", "add", "1", "--target", "a", "--value", "1", "--date", "2024-06-30"]
    code, said, peak = measured(*add, cwd=tmp_path)
    assert code in {0, 1} and "Traceback" not in said and "[internal]" not in said, said
    assert peak < PEAK_LIMIT_MB, f"peak memory {peak} MB"
    if code == 1 or expected != "yaml-alias":
        assert code == 1 and snapshot(tmp_path) == before, said
    else:
        assert (month / "rsj.yaml").read_bytes().startswith(bomb)


def test_a_file_larger_than_the_limit_is_not_even_read_whole(tmp_path: Path) -> None:
    """64 MB of spaces: refused after reading the first 16 MB of it."""
    data = tmp_path / "data"
    (data / "progress").mkdir(parents=True)
    with (data / "tasks_2024.yaml").open("wb") as stream:
        stream.write(b"x: 1\n" + b" " * (64 * 1024 * 1024))
    code, stderr, peak = measured("validate", cwd=tmp_path)
    assert_refused(code, stderr, peak, "too-large")
    assert peak < 150, peak


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom"])
@pytest.mark.parametrize("where", ["plan", "progress"])
def test_a_pipe_or_a_device_in_a_files_place_is_refused_not_read(
    kind: str, where: str, tmp_path: Path
) -> None:
    """A named pipe would block the reader for ever, /dev/zero never ends (found by this
    suite: a pipe as the plan hung `validate`, `list --format json` and `show --format json`).
    The subprocess timeout only catches a hang."""
    data = tmp_path / "data"
    month = data / "progress" / "2024-06"
    month.mkdir(parents=True)
    shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
    path = data / "tasks_2024.yaml" if where == "plan" else month / "rsj.yaml"
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/" + kind.removeprefix("dev-"))
    add = ["progress", "add", "1", "--target", "a", "--value", "1", "--date", "2024-06-30"]
    listings = [["list", "--format", "json"], ["show", "1", "--format", "json"], ["report"]]
    for args in [["validate"], add, *(listings if where == "plan" else [])]:
        code, said, peak = measured(*args, cwd=tmp_path)
        assert code == 1, said
        assert "Traceback" not in said and "[internal]" not in said, said
        assert peak < PEAK_LIMIT_MB, peak
