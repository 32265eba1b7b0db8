"""Round 3 of hostile input on the drafter: notices at volume (adversarial/notices.py) and
what is no notice at all. Each notice is drafted by the real command line in a child process
held by the harness's own limits: CPU seconds (RLIMIT_CPU: past them the system kills the
child) and address space (RLIMIT_AS: past it an allocation fails). A killed child, a crash
or a memory error is a failure; nothing is timed by the test itself. The figures (CPU
seconds, peak memory) are printed for the record.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from adversarial.harness import CRASH_MARKS, KNOWN_CODES
from adversarial.notices import GENERATORS, NEAR, mixture
from conftest import cli_env

# A notice drafts in well under a second of CPU; this is "a few seconds", with a slow
# machine's margin. The child's whole address space (Python and its libraries included:
# about 100 MB for the 2024 notice) stays under the bound the issue set.
CPU_SECONDS = 10
ADDRESS_SPACE_MB = 300
# Only a hang (a pipe read for ever, which costs no CPU) gets near this
HANG_SECONDS = 120

# The command line, reporting its CPU time and peak resident memory on stderr
MEASURED = """
import re, resource, sys
from minsheng.cli.app import main
sys.argv = ["minsheng", *sys.argv[1:]]
try:
    main()
finally:
    used = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/status") as status:
        peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
    sys.stderr.write(f"\\ncpu={used.ru_utime + used.ru_stime:.2f} peak-kib={peak}\\n")
"""


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    space = ADDRESS_SPACE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (space, space))


def draft_limited(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Exit code, stderr, and the figures line of `minsheng plan draft ARGS` in a child held
    by the limits; the test fails if the child was killed (by a signal, or at the hang
    timeout)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "plan", "draft", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        timeout=HANG_SECONDS,
        preexec_fn=_limits,
    )
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {stderr[-2000:]}"
    figures = re.search(r"cpu=\S+ peak-kib=(\d+)", stderr)
    assert figures, stderr[-2000:]
    return done.returncode, stderr[: figures.start()], figures.group()


def assert_drafted_or_refused(code: int, stderr: str) -> None:
    """Exit 0 (a draft and its summary) or 1 (one coded refusal); never a crash or a memory
    error, and a summary of bounded length whatever the notice held."""
    assert code in {0, 1}, (code, stderr[-2000:])
    for mark in (*CRASH_MARKS, "MemoryError"):
        assert mark not in stderr, stderr[-2000:]
    if code == 1:
        refusal = re.search(r"拒绝 \[([a-z-]+)\]:", stderr)
        assert refusal, stderr[-2000:]
        assert refusal.group(1) in KNOWN_CODES | _NOTICE_CODES, refusal.group(1)
    else:
        assert "起草" in stderr
    assert len(stderr) < 64 * 1024, len(stderr)


# The drafter's own refusals (a notice is no plan data, so they are not issues of Code)
_NOTICE_CODES = frozenset(
    {
        "empty-notice",
        "binary-notice",
        "pdf-notice",
        "notice-format",
        "notice-encoding",
        "notice-too-large",
        "no-items",
        "too-many-items",
        "too-many-categories",
        "too-many-units",
        "too-many-measures",
        "too-many-targets",
        "not-a-file",
    }
)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENERATORS))
def test_a_notice_at_volume_is_drafted_or_refused_within_the_limits(
    name: str, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS[name](), encoding="utf-8")
    output = tmp_path / "tasks_2025.yaml"
    code, stderr, figures = draft_limited(str(notice), "-o", str(output), cwd=tmp_path)
    assert_drafted_or_refused(code, stderr)
    assert output.exists() == (code == 0)
    print(f"{name}: {notice.stat().st_size // 1024} KB, exit {code}, {figures}")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_a_hostile_attachment_is_drafted_or_refused_within_the_limits(
    seed: int, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS["100k-digits-in-a-figure"](), encoding="utf-8")
    attachment = tmp_path / "attachment.txt"
    attachment.write_text(mixture(100 + seed), encoding="utf-8")
    code, stderr, figures = draft_limited(
        str(notice), "--attachment", str(attachment), "--format", "json", cwd=tmp_path
    )
    assert_drafted_or_refused(code, stderr)
    print(f"attachment mixture-{100 + seed}: exit {code}, {figures}")


def test_100k_digits_in_a_row_draft_within_the_limits(tmp_path: Path) -> None:
    """The quick part's one case: the run of digits that once took over a minute."""
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS["100k-digits-in-a-figure"](), encoding="utf-8")
    code, stderr, figures = draft_limited(str(notice), "--format", "json", cwd=tmp_path)
    assert_drafted_or_refused(code, stderr)
    assert code == 0 and "无法归类的数字 1 个" in stderr
    print(f"100k digits: {figures}")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom", "folder"])
@pytest.mark.parametrize("role", ["notice", "attachment"])
def test_what_is_no_regular_file_is_refused_within_the_limits(
    kind: str, role: str, tmp_path: Path
) -> None:
    """A pipe hung `plan draft` for ever (no writer comes); a device would be read on. The
    hang timeout is the harness's limit for the one failure that costs no CPU."""
    path = tmp_path / "in.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to("/dev/" + kind.removeprefix("dev-"))
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS["100k-digits-in-a-figure"](), encoding="utf-8")
    args = [str(path)] if role == "notice" else [str(notice), "--attachment", str(path)]
    code, stderr, _ = draft_limited(*args, cwd=tmp_path)
    assert_drafted_or_refused(code, stderr)
    assert code == 1 and "[not-a-file]" in stderr, stderr


def test_the_generators_are_what_they_say() -> None:
    """The cases are near the size bound (and under it) where they claim to be, and the
    same on every run."""
    near = [name for name in GENERATORS if name.endswith(("at-the-bound", "to-the-bound"))]
    assert len(near) >= 6
    for name in near:
        assert 0.9 * NEAR <= len(GENERATORS[name]().encode("utf-8")) < 1024 * 1024, name
    assert GENERATORS["mixture-0"]() == mixture(0, 100 * 1024)
    assert "7" * 100_000 in GENERATORS["100k-digits-in-a-figure"]()
    assert "\n" not in GENERATORS["2024-notice-without-line-breaks"]()
