"""The library's front door (docs/api.md): load_plan, load_progress, build_report, to_dict."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import minsheng
from conftest import EXAMPLE_DIR, ROOT

JUNE = dt.date(2024, 6, 30)
MADE_ON = {"SOURCE_DATE_EPOCH": "1720573200"}  # 2024-07-10 09:00 in Beijing


def example_report(monkeypatch: pytest.MonkeyPatch, **options: object) -> minsheng.Report:
    for name, value in MADE_ON.items():
        monkeypatch.setenv(name, value)
    plan = minsheng.load_plan(data_dir=ROOT / "data", year=2024)
    progress = minsheng.load_progress(plan, progress_dir=EXAMPLE_DIR / "progress", cache=False)
    return minsheng.build_report(plan, progress, as_of=JUNE, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("since", [None, "2024-05-31"])
def test_to_dict_is_the_json_the_command_line_prints(
    since: str | None, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example month, with its funds file beside its progress folder: the library's
    document and the CLI's JSON are one document, key for key and value for value."""
    args = ["report", "--as-of", "2024-06-30", "--progress-dir", "examples/2024-06/progress"]
    args += ["--since", since] if since else []
    printed = cli(*args, "--format", "json", **MADE_ON)
    assert printed.code == 0, printed.stderr
    when = dt.date.fromisoformat(since) if since else None
    document = example_report(monkeypatch, since=when).to_dict()
    assert json.loads(json.dumps(document, ensure_ascii=False)) == json.loads(printed.stdout)
    assert "funds" in document["summary"]  # the funds file beside examples/2024-06/progress
    assert document["generated_at"] == "2024-07-10T09:00:00+08:00"


def test_the_summary_counts_the_items_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    report = example_report(monkeypatch)
    statuses = [result.status.value for result in report.now.items]
    summary = report.to_dict()["summary"]
    assert report.now.as_of == JUNE
    assert sum(summary[status] for status in set(statuses)) == 50
    assert all(summary[status] == statuses.count(status) for status in set(statuses))
    assert report.cycle is not None


def test_without_the_monthly_cycle_the_statuses_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = example_report(monkeypatch)
    quick = example_report(monkeypatch, monthly=False)
    assert quick.cycle is None
    assert [r.status for r in quick.now.items] == [r.status for r in full.now.items]
    assert [r.completion for r in quick.now.items] == [r.completion for r in full.now.items]


def test_as_of_defaults_to_the_plan_periods_end_once_it_is_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = example_report(monkeypatch)
    plan = minsheng.load_plan(data_dir=ROOT / "data", year=2024)
    progress = minsheng.load_progress(plan, progress_dir=EXAMPLE_DIR / "progress", cache=False)
    later = minsheng.build_report(plan, progress)
    assert dt.date.today() > plan.plan.document.period.end  # the 2024 plan is over
    assert later.now.as_of == plan.plan.document.period.end
    assert later.now.as_of != report.now.as_of


def test_progress_from_the_data_folder_has_its_own_funds(real_data: Path) -> None:
    """Without `progress_dir` the entries are the data folder's, and no funds file there
    means no money in the report."""
    plan = minsheng.load_plan(data_dir=real_data)
    progress = minsheng.load_progress(plan, cache=False)
    assert progress.count == 0
    document = minsheng.build_report(plan, progress, as_of=JUNE).to_dict()
    assert "funds" not in document["summary"]
    assert document["summary"]["unreported"] == len(
        [item for item in plan.plan.items if not item.no_task]
    )


def test_a_bad_plan_raises_data_error_with_located_issues(real_data: Path) -> None:
    path = real_data / "tasks_2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2024", "year: 二〇二四", 1))
    with pytest.raises(minsheng.DataError) as raised:
        minsheng.load_plan(data_dir=real_data)
    issue = raised.value.issues[0]
    assert issue.file.endswith("tasks_2024.yaml")
    assert issue.line > 0
    assert issue.code.value  # a stable English code


def test_bad_progress_raises_data_error_and_no_file_changes(real_data: Path) -> None:
    month = real_data / "progress" / "2024-06"
    month.mkdir()
    shutil.copy(EXAMPLE_DIR / "progress" / "2024-06" / "jyj.yaml", month / "jyj.yaml")
    broken = month / "jyj.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("item: ", "item: x", 1))
    before = broken.read_bytes()
    plan = minsheng.load_plan(data_dir=real_data)
    with pytest.raises(minsheng.DataError) as raised:
        minsheng.load_progress(plan, cache=False)
    assert any(issue.file.endswith("jyj.yaml") for issue in raised.value.issues)
    assert broken.read_bytes() == before


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda tmp: minsheng.load_plan(data_dir=tmp / "nowhere"), "no-data-dir"),
        (lambda tmp: minsheng.load_plan(data_dir=tmp, year=1999), "no-plan"),
    ],
)
def test_a_wrong_argument_raises_usage_error_with_its_code(call, code: str, tmp_path) -> None:
    with pytest.raises(minsheng.UsageError) as raised:
        call(tmp_path)
    assert raised.value.code.value == code
    assert re.search(r"[\u4e00-\u9fff]", raised.value.message)


def test_progress_of_another_plan_is_refused(real_data: Path) -> None:
    plan = minsheng.load_plan(data_dir=real_data)
    other = minsheng.load_plan(data_dir=real_data)
    progress = minsheng.load_progress(other, cache=False)
    with pytest.raises(ValueError, match="another plan"):
        minsheng.build_report(plan, progress, as_of=JUNE)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        minsheng.no_such_thing  # noqa: B018


def test_importing_the_package_loads_no_model() -> None:
    """`import minsheng` is the command line's first import: the front door's names load on
    first use, so `--help` does not pay for pydantic or the plan's models."""
    code = (
        "import sys, minsheng; print(*sorted(m for m in sys.modules if m.startswith('pydantic')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""


def test_the_example_in_docs_api_runs(tmp_path: Path) -> None:
    """Each Python block of docs/api.md runs from the project's root, as the page says."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 4
    printed = []
    for number, block in enumerate(blocks):
        script = tmp_path / f"block{number}.py"
        script.write_text(block, encoding="utf-8")
        ran = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert ran.returncode == 0, ran.stderr
        printed.append(ran.stdout)
    assert printed[0].startswith("{'done': ")  # the summary, then the lagging items
    # The units ranked as the bulletin's 牵头单位排名: first by place, then with its ties.
    ranked = printed[1].splitlines()
    assert ranked[0] == "1 区医保局 86.7% 1 项"
    assert "16 区公安分局 0" in ranked and "16 区退役军人事务局 0" in ranked
    assert printed[2].splitlines() == ["1 甲区 61.1%", "2 丙县 50.6%", "3 乙区 37.5%"]
    assert printed[3] == ""  # the shipped plan is valid: no issue to print


def test_without_the_history_the_returns_and_statuses_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """history=False (the roll-up's way) keeps every figure and the returns, and leaves out
    only the month-end history and the escalations drawn from it."""
    full = example_report(monkeypatch)
    light = example_report(monkeypatch, history=False)
    assert full.cycle is not None and light.cycle is not None
    assert full.cycle.history and full.cycle.escalations  # the example escalates items
    assert (light.cycle.history, light.cycle.escalations) == ({}, [])
    assert light.cycle.reporting == full.cycle.reporting
    assert [(r.status, r.completion) for r in light.now.items] == [
        (r.status, r.completion) for r in full.now.items
    ]
    document, whole = light.to_dict(), full.to_dict()
    assert all(item["history"] == [] for item in document["items"])
    for key in ("summary", "units", "categories", "reporting"):
        assert document[key] == whole[key]


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--as-of", "2024-06-30", "--progress-dir", "examples/2024-06/progress"],
        ["list", "--status", "lagging", "--as-of", "2024-06-30", "--format", "json"],
        ["list", "--status", "missing", "--as-of", "2024-06-30"],
        ["rollup", "examples/rollup/jiaqu", "examples/rollup/yiqu", "--as-of", "2024-06-30"],
    ],
    ids=["report", "list-status", "list-missing", "rollup"],
)
def test_every_command_that_reports_goes_through_the_front_door(
    args: list[str], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No command assembles the computation itself: each calls minsheng.api.build_report
    (the roll-up once per district), so a script computes what the command line prints."""
    import minsheng.api

    calls: list[object] = []
    real = minsheng.api.build_report

    def counted(*given: object, **options: object) -> object:
        calls.append(given)
        return real(*given, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(minsheng.api, "build_report", counted)
    done = cli(*args, "--no-cache", **MADE_ON)
    assert done.code == 0, done.stderr
    assert len(calls) == (2 if args[0] == "rollup" else 1)
