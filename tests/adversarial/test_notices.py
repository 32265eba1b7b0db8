"""Round 3 of hostile input on the drafter: notices at volume (adversarial/notices.py) and
what is no notice at all. Each notice is drafted by the real command line in a child under the
harness's own limits (`harness.run_limited`: CPU seconds, past which the kernel kills the
child, and an address-space cap; a killed child fails the test), its peak memory under
PEAK_MB. Nothing is timed by the test itself; the peaks are printed for the record.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from adversarial.harness import CRASH_MARKS, KNOWN_CODES, PEAK_MB, run_limited
from adversarial.notices import GENERATORS, NEAR, mixture


def draft_limited(*args: str, cwd: Path) -> tuple[int, str, int]:
    """Exit code, what was said, and peak memory in MB of `minsheng plan draft ARGS` under
    the harness's limits; the draft itself goes to a file, so all that is said is messages."""
    done = run_limited("plan", "draft", *args, cwd=cwd)
    return done.code, done.said, done.peak_mb


def assert_drafted_or_refused(code: int, said: str, peak: int) -> None:
    """Exit 0 (a draft and its summary) or 1 (one coded refusal); never a crash or a memory
    error; a summary of bounded length whatever the notice held; memory under the bound."""
    assert code in {0, 1}, (code, said[-2000:])
    for mark in (*CRASH_MARKS, "MemoryError"):
        assert mark not in said, said[-2000:]
    if code == 1:
        refusal = re.search(r"拒绝 \[([a-z-]+)\][:：]", said)
        assert refusal, said[-2000:]
        assert refusal.group(1) in KNOWN_CODES, refusal.group(1)
    else:
        assert "起草" in said
    assert len(said) < 64 * 1024, len(said)
    assert peak < PEAK_MB, f"peak memory {peak} MB"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENERATORS))
def test_a_notice_at_volume_is_drafted_or_refused_within_the_limits(
    name: str, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS[name](), encoding="utf-8")
    output = tmp_path / "tasks_2025.yaml"
    code, said, peak = draft_limited(str(notice), "-o", str(output), cwd=tmp_path)
    assert_drafted_or_refused(code, said, peak)
    assert output.exists() == (code == 0)
    print(f"{name}: {notice.stat().st_size // 1024} KB, exit {code}, peak {peak} MB")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_a_hostile_attachment_is_drafted_or_refused_within_the_limits(
    seed: int, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS["100k-digits-in-a-figure"](), encoding="utf-8")
    attachment = tmp_path / "attachment.txt"
    attachment.write_text(mixture(100 + seed), encoding="utf-8")
    output = tmp_path / "draft.json"
    code, said, peak = draft_limited(
        str(notice), "--attachment", str(attachment), "-f", "json", "-o", str(output), cwd=tmp_path
    )
    assert_drafted_or_refused(code, said, peak)
    print(f"attachment mixture-{100 + seed}: exit {code}, peak {peak} MB")


def test_100k_digits_in_a_row_draft_within_the_limits(tmp_path: Path) -> None:
    """The quick part's one case: the run of digits that once took over a minute."""
    notice = tmp_path / "notice.txt"
    notice.write_text(GENERATORS["100k-digits-in-a-figure"](), encoding="utf-8")
    output = tmp_path / "draft.json"
    code, said, peak = draft_limited(str(notice), "-f", "json", "-o", str(output), cwd=tmp_path)
    assert_drafted_or_refused(code, said, peak)
    assert code == 0 and "无法归类的数字 1 个" in said
    print(f"100k digits: peak {peak} MB")


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
    code, said, peak = draft_limited(*args, cwd=tmp_path)
    assert_drafted_or_refused(code, said, peak)
    assert code == 1 and "[not-a-file]" in said, said


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
