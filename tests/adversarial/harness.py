"""Running the command line in-process (thousands of times a minute) and checking its answer."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import cli_env, files_only, snapshot
from inprocess import Outcome, run_main
from minsheng.core.issues import Code

__all__ = ["Outcome", "files_only", "run_limited", "run_main", "snapshot"]

KNOWN_CODES = frozenset(str(code) for code in Code)
# What a person sees when something escaped the error handling: never acceptable.
CRASH_MARKS = ("Traceback", "[internal]", "内部错误")
# `错误 [code]:…`, `拒绝 [code]:…` or a located issue `file:line:column: code: …`.
_CODED = re.compile(r"\[[a-z][a-z0-9-]*\]|:\d+:\d+: [a-z][a-z0-9-]*: ")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_no_crash(outcome: Outcome, allowed: frozenset[int] = frozenset({0, 1, 2})) -> None:
    """An exit code from the contract and no trace of an unhandled exception."""
    assert outcome.code in allowed, (outcome.code, outcome.stderr)
    for mark in CRASH_MARKS:
        assert mark not in outcome.stderr, outcome.stderr


def assert_clear_refusal(outcome: Outcome, code: int = 1) -> None:
    """The exit code, and a message in Chinese that carries a stable code."""
    assert_no_crash(outcome)
    assert outcome.code == code, (outcome.code, outcome.stderr)
    said = outcome.text + outcome.stderr  # validate's product (stdout) is the problems
    assert _CODED.search(said), said
    assert _CJK.search(outcome.stderr), outcome.stderr


# --- a real process under limits ---------------------------------------------------------------

# Runs the command line and reports its peak resident memory (VmHWM) on stderr.
MEASURED = """
import re, sys
from minsheng.cli.app import main
sys.argv = ["minsheng", *sys.argv[1:]]
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
    sys.stderr.write(f"\\npeak-kib={peak}\\n")
"""
CPU_SECONDS = 10  # a hostile input answered in a few seconds; past this the kernel kills it
ADDRESS_SPACE = 2 << 30  # a reader gone wrong fails alone, not the machine
PEAK_MB = 300


@dataclass
class Limited:
    code: int
    said: str  # stdout and stderr
    peak_mb: int


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(*args: str, cwd: Path) -> Limited:
    """`minsheng ARGS` in a process of its own, under the harness's limits: at most
    CPU_SECONDS of processor time (the kernel kills it past them: SIGXCPU) and ADDRESS_SPACE
    of memory. A child killed by a limit, or one that never ends (a wait on a pipe), is a
    failure here; its peak memory is reported for the caller to bound (PEAK_MB)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        timeout=300,  # only a hang (not a slow machine) gets near it
        preexec_fn=_limits,
    )
    said = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    assert done.returncode >= 0, f"killed by signal {-done.returncode} (a limit): {said[-2000:]}"
    found = re.search(r"peak-kib=(\d+)", said)
    assert found, said[-2000:]
    return Limited(done.returncode, said, int(found.group(1)) // 1024)
