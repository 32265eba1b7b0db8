"""Nothing a person types leads a write out of its place: a unit name, an item number, a
source or an output path never turns into a path under data/progress/ other than
`<YYYY-MM>/<unit-id>.yaml` (the id a slug from the plan's registry), nor anywhere else.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings

from adversarial.budget import cases
from adversarial.generate import dump, seeded_plans
from adversarial.harness import assert_clear_refusal, assert_no_crash, run_main, snapshot
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan

ESCAPES = [
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    ".",
    "区人社局/../..",
    "data/progress/../../x",
    "区人社局\\..\\..",
    "~",
    "$HOME",
    "*",
    "rsj",
    "RSJ",
    "rsj\x00",
    "区人社局\x00../x",
    "\u202e区人社局",
    "区人社局\n../x",
    "",
]


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The files (not folders) made, changed or removed."""
    names = set(before) | set(after)
    return {
        n
        for n in names
        if before.get(n) != after.get(n) and "dir" not in (before.get(n), after.get(n))
    }


def add(*args: str) -> list[str]:
    return ["progress", "add", *args, "--yes"]


@pytest.mark.parametrize("unit", ESCAPES, ids=[repr(u) for u in ESCAPES])
def test_a_unit_name_never_becomes_a_path(workspace: Path, unit: str) -> None:
    root = workspace.parent.parent
    before = snapshot(root)
    done = run_main(
        add("1", "--target", "jobs", "--value", "0.3", "--date", "2024-06-30", "--unit", unit)
    )
    assert_no_crash(done)
    assert done.code in {1, 2}, done.stderr
    assert changed(before, snapshot(root)) == set()


@pytest.mark.parametrize(
    "item",
    [
        "../1",
        "1/..",
        "-1",
        "0",
        "4",
        "2",
        "1e3",
        "1.0",
        "0x1",
        "99999999999999999999",
        "１",
        " 1",
        "1\x00",
    ],
)
def test_an_item_number_never_becomes_a_path(workspace: Path, item: str) -> None:
    root = workspace.parent.parent
    before = snapshot(root)
    done = run_main(add(item, "--target", "jobs", "--value", "0.3", "--date", "2024-06-30"))
    assert_no_crash(done)
    after = snapshot(root)
    if done.code == 0:  # the same number in another spelling (full-width, spaces)
        assert changed(before, after) == {"repo/data/progress/2024-06/rsj.yaml"}
    else:
        assert changed(before, after) == set()


@pytest.mark.parametrize(
    ("source", "accepted"),
    [
        ("../../etc/passwd", False),
        ("/etc/passwd", False),
        ("data/../../x.pdf", False),
        ("data/../data/tasks_2024.yaml", False),
        ("C:\\Windows\\win.ini", False),
        ("docs/missing.pdf", False),
        ("data/tasks_2024.yaml", True),  # a file in the repository: evidence
        ("https://example.org/a.pdf", True),
        ("file:///etc/passwd", True),  # a URL, kept as text: never opened
        ("花残联〔2024〕12号", True),
    ],
)
def test_a_source_outside_the_repository_is_refused(
    workspace: Path, source: str, accepted: bool
) -> None:
    root = workspace.parent.parent
    before = snapshot(root)
    done = run_main(
        add("1", "--target", "jobs", "--value", "0.3", "--date", "2024-06-30", "--source", source)
    )
    if accepted:
        assert done.code == 0, done.stderr
        assert changed(before, snapshot(root)) == {"repo/data/progress/2024-06/rsj.yaml"}
    else:
        assert_clear_refusal(done)
        assert "[missing-source]" in done.stderr
        assert changed(before, snapshot(root)) == set()


@pytest.mark.parametrize(
    "output", ["../escape.csv", "out/../report.csv", "报告 (6月).csv", "deeper/new/report.csv"]
)
def test_an_output_path_writes_exactly_that_file(workspace: Path, output: str) -> None:
    root = workspace.parent.parent
    before = snapshot(root)
    done = run_main(["report", "--as-of", "2024-06-30", "--format", "csv", "--output", output])
    assert_no_crash(done)
    target = (workspace.parent / output).resolve()
    if done.code == 0:
        assert changed(before, snapshot(root)) == {str(target.relative_to(root))}
        assert target.read_bytes().startswith("\ufeff".encode())
    else:
        assert_clear_refusal(done, done.code)
        assert changed(before, snapshot(root)) == set()


@pytest.mark.parametrize("unit_id", ["../x", "a/b", "..", "X", "x\x00", "-x", "1x", "x" * 41])
def test_a_unit_id_that_is_not_a_slug_is_refused_by_the_plan(tmp_path: Path, unit_id: str) -> None:
    plan = tmp_path / "tasks_2024.yaml"
    text = (
        Path(__file__)
        .parents[1]
        .joinpath("data", "valid", "plan_small.yaml")
        .read_text(encoding="utf-8")
    )
    quoted = unit_id.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0")
    plan.write_text(text.replace("{id: rsj,", f'{{id: "{quoted}",'), encoding="utf-8")
    loaded, issues = load_plan(plan)
    assert loaded is None
    assert any(issue.path == "units[0].id" for issue in issues), issues


COUNT = cases(150, 1500)


@pytest.mark.slow
@pytest.mark.parametrize("count", [pytest.param(COUNT, id=f"{COUNT}-examples")])
def test_hostile_unit_names_in_a_plan_still_write_to_the_unit_id(count: int) -> None:
    """Generated plans whose unit names are hostile (`../../etc/passwd`, markup, formulas):
    an entry for a lead unit goes to progress/2024-06/<that unit's id>.yaml, and nowhere else."""
    tried, landed = 0, 0
    with tempfile.TemporaryDirectory(prefix="minsheng-paths-") as temp:
        root = Path(temp)

        @settings(max_examples=count)
        @given(seeded_plans)
        def check(plan: dict[str, Any]) -> None:
            nonlocal tried, landed
            tried += 1
            data = root / "repo" / "data"
            shutil.rmtree(root / "repo", ignore_errors=True)
            (data / "progress").mkdir(parents=True)
            (data / "tasks_2024.yaml").write_text(dump(plan), encoding="utf-8")
            loaded, issues = load_plan(data / "tasks_2024.yaml")
            assert loaded is not None, issues
            active = [item for item in loaded.plan.items if not item.no_task]
            if not active:
                return
            item, folder = active[0], DataDir(data)
            target = item.all_targets()[0]
            unit = loaded.unit_named(item.units[0])
            assert unit is not None
            reading = ["--stage", "推进中"] if target.kind == "milestone" else ["--value", "0"]
            before = snapshot(root)
            done = run_main(
                add(
                    str(item.id),
                    "--target",
                    target.id,
                    "--unit",
                    unit.name,
                    *reading,
                    "--date",
                    "2024-06-30",
                    "--data-dir",
                    str(data),
                )
            )
            note(f"{unit.name!r} -> {unit.id}: {done.stderr}")
            assert_no_crash(done)
            expected = {f"repo/data/progress/2024-06/{unit.id}.yaml"}
            made = changed(before, snapshot(root))
            assert made == (expected if done.code == 0 else set())
            for name in made:
                assert folder.progress.resolve() in (root / name).resolve().parents
            landed += done.code == 0

        check()
    assert tried == count
    assert landed > count // 2, landed


@pytest.mark.parametrize("output", ["长" * 300 + ".csv", "a-folder", "missing-file/x/../../y.csv"])
def test_an_output_the_system_refuses_is_a_message(workspace: Path, output: str) -> None:
    """A name too long for the file system, a folder: said in Chinese, never an internal
    error (found by this suite: an OSError from --output was an internal error)."""
    (workspace.parent / "a-folder").mkdir()
    root = workspace.parent.parent
    before = snapshot(root)
    done = run_main(["report", "--as-of", "2024-06-30", "--format", "csv", "--output", output])
    assert_no_crash(done)
    if done.code == 0:
        assert changed(before, snapshot(root)) == {
            str((workspace.parent / output).resolve().relative_to(root))
        }
    else:
        assert_clear_refusal(done, done.code)
        assert changed(before, snapshot(root)) == set()
