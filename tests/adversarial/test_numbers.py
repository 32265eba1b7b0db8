"""Numbers beyond any use in a plan or a progress file, or typed on the command line: each is
refused with its location and a short message, never an internal error. (Found by this
suite: a 5000-digit integer stopped the YAML reader, and 1e999999999 overflowed the decimal
arithmetic of the roll-up check and of the report.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adversarial.harness import assert_clear_refusal, files_only, run_main, snapshot
from conftest import SMALL_PLAN

PLAN = SMALL_PLAN.read_text(encoding="utf-8")
HUGE_INT = "9" * 5000  # past Python's 4300-digit limit on int()


@pytest.mark.parametrize(
    ("old", "new", "code", "line"),
    [
        ("year: 2024", f"year: {HUGE_INT}", "wrong-type", 8),
        ("  - id: 3\n", f"  - id: {HUGE_INT}\n", "wrong-type", 38),
        ("value: 0.57", "value: 0.57e999999999", "bad-value", 24),
        ("value: 1000, unit: 人次", "value: 1.0e999999999, unit: 人次", "bad-value", 30),
        ("value: 1000, unit: 人次", f"value: {HUGE_INT}, unit: 人次", "bad-value", 30),
        ("value: 0.57", "value: 1.0e-999999", "bad-value", 24),
        ("value: 0.57", "value: 1000000000000000", "bad-value", 24),
        ("behind: 10", "behind: 1.0e999999999", "bad-value", 10),
    ],
    ids=[
        "year",
        "item-id",
        "value-1e999999999",
        "rolled-up-part",
        "value-5000-digits",
        "value-1e-999999",
        "value-10^15",
        "threshold",
    ],
)
def test_a_number_beyond_any_use_in_the_plan_is_refused_where_it_is(
    workspace: Path, old: str, new: str, code: str, line: int
) -> None:
    assert old in PLAN
    (workspace / "tasks_2024.yaml").write_text(PLAN.replace(old, new, 1), encoding="utf-8")
    for args in (["validate"], ["report", "--as-of", "2024-06-30"], ["list"]):
        done = run_main(args)
        assert_clear_refusal(done)
        said = done.text + done.stderr
        assert f"tasks_2024.yaml:{line}:" in said and f": {code}: " in said, said
        assert max(len(row) for row in said.splitlines()) < 300  # the value is cut short


BEYOND = ["1.0e999999999", HUGE_INT, "1" + "0" * 40, "1000000000000000", "0.0000000000001"]


@pytest.mark.parametrize("target", ["training", "jobs"])  # jobs is in 万人: a scaled unit
@pytest.mark.parametrize("value", BEYOND)
def test_a_number_beyond_any_use_in_a_progress_file_is_refused_where_it_is(
    workspace: Path, value: str, target: str
) -> None:
    month = workspace / "progress" / "2024-06"
    month.mkdir()
    (month / "rsj.yaml").write_text(
        f"---\nid: 1a2b3c4d5e\nitem: 1\ntarget: {target}\ndate: 2024-06-30\n"
        f"value: {value}\nunit: 区人社局\nrecorded_at: 2024-07-01T09:00:00+08:00\n...\n",
        encoding="utf-8",
    )
    for args in (["validate"], ["report", "--as-of", "2024-06-30"]):
        done = run_main(args)
        assert_clear_refusal(done)
        assert "rsj.yaml:6:" in done.text + done.stderr


@pytest.mark.parametrize("target", ["training", "jobs"])
@pytest.mark.parametrize(
    "value", ["99999999999999999999", "9" * 50, "0.0000000000001", "9" * 5000, "1" + "0" * 15]
)
def test_a_number_beyond_any_use_on_the_command_line_is_refused(
    workspace: Path, value: str, target: str
) -> None:
    before = files_only(snapshot(workspace))
    args = ["1", "--target", target, "--value", value, "--date", "2024-06-30", "--yes"]
    done = run_main(["progress", "add", *args])
    assert_clear_refusal(done)
    assert "value" in done.stderr
    assert files_only(snapshot(workspace)) == before


def test_the_shipped_plan_is_far_inside_the_bounds() -> None:
    """The bounds (10^15, 10^-12, 16 MB, 200,000 nodes) leave the real data room to grow."""
    from minsheng.core.yamlio import MAX_BYTES, MAX_NODES, load_documents
    from minsheng.plan.load import load_plan
    from minsheng.plan.models import FINEST, LARGEST

    real = SMALL_PLAN.parents[2].parent / "data" / "tasks_2024.yaml"
    loaded, issues = load_plan(real)
    assert loaded is not None, issues
    values = [t.value for i in loaded.plan.items for t in i.all_targets() if t.value]
    assert all(FINEST + 4 <= v.adjusted() < LARGEST - 4 for v in values)
    text = real.read_text(encoding="utf-8")
    assert len(text.encode()) * 50 < MAX_BYTES
    assert load_documents(text, "plan") and len(text) < MAX_NODES
