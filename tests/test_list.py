"""`minsheng list`: each filter and their combinations, each format (golden files), the empty
result, names that are unknown or ambiguous, shell completion, and the real 2024 plan.

Golden files live in tests/golden/list/; after an intended change of output, regenerate them
with `MINSHENG_UPDATE_GOLDEN=1 pytest tests/test_list.py tests/test_show.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import ROOT, SMALL_PLAN, check_golden, run_cli
from minsheng.core.measure import json_number
from minsheng.core.typography import typeset
from minsheng.plan.load import LoadedPlan, load_plan
from minsheng.plan.models import Item, Target
from minsheng.views import browse

GOLDEN = Path(__file__).parent / "golden" / "list"
CONTRACT_ITEM = {
    "id",
    "category",
    "category_no",
    "title",
    "units",
    "no_task",
    "targets",
    "measures",
    "notes",
}
CONTRACT_TARGET = {"id", "name", "kind", "comparator", "value", "unit", "baseline"}


def list_ids(data: Path, *args: str) -> list[int]:
    result = run_cli("list", "--data-dir", str(data), "--format", "json", *args)
    assert result.code == 0, result.stderr
    return [item["id"] for item in json.loads(result.stdout)]


@pytest.fixture
def small() -> LoadedPlan:
    loaded, issues = load_plan(SMALL_PLAN)
    assert loaded is not None, issues
    return loaded


# --- filters -------------------------------------------------------------------------------


def test_without_filters_every_item_is_listed(small_data: Path) -> None:
    assert list_ids(small_data) == [1, 2, 3]


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("区人社局", [1]),
        ("区民政局", [3]),
        ("民政", [3]),  # an unambiguous part of a name
        ("区城管局", [3]),  # canonical name; item 3 writes the alias 区城市管理局
        ("区城市管理局", [3]),  # the alias finds the same items
        ("城市管理", [3]),  # a part of the alias
        (" 区人社局 ", [1]),  # stray spaces from a copy and paste
    ],
)
def test_unit_filter(small_data: Path, unit: str, expected: list[int]) -> None:
    assert list_ids(small_data, "--unit", unit) == expected


def test_alias_and_canonical_name_find_the_same_items(real_data: Path) -> None:
    by_alias = list_ids(real_data, "--unit", "区城市管理局")
    assert by_alias == list_ids(real_data, "--unit", "区城管局")
    assert by_alias == [30, 32, 36]


def test_co_led_item_is_found_by_each_lead_unit(small_data: Path) -> None:
    assert 3 in list_ids(small_data, "--unit", "区民政局")
    assert 3 in list_ids(small_data, "--unit", "区城管局")


@pytest.mark.parametrize(
    ("category", "expected"),
    [("1", [1, 2]), ("促进就业", [1, 2]), ("2", [3]), ("社会保障", [3]), ("社保", [3])],
)
def test_category_filter(small_data: Path, category: str, expected: list[int]) -> None:
    assert list_ids(small_data, "--category", category) == expected


def test_active_leaves_out_no_task_items(small_data: Path) -> None:
    assert list_ids(small_data, "--active") == [1, 3]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("no_task", [2]), ("无任务", [2]), ("active", [1, 3]), ("有任务", [1, 3])],
)
def test_status_filter_from_the_plan(small_data: Path, status: str, expected: list[int]) -> None:
    assert list_ids(small_data, "--status", status) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--category", "1", "--active"], [1]),
        (["--unit", "民政", "--category", "社会保障"], [3]),
        (["--unit", "区城市管理局", "--status", "active"], [3]),
        (["--category", "1", "--status", "no_task", "--active"], []),
        (["--unit", "人社", "--category", "2"], []),
    ],
)
def test_filters_combine(small_data: Path, args: list[str], expected: list[int]) -> None:
    assert list_ids(small_data, *args) == expected


# --- statuses from the progress entries ----------------------------------------------------

ENTRY = """\
---
id: {id}
item: {item}
target: {target}
date: 2024-06-30
value: {value}
unit: {unit}
note: 测试
recorded_at: 2024-07-01T09:00:00+08:00
...
"""


def add_progress(data: Path, unit_id: str, *entries: dict[str, object]) -> None:
    folder = data / "progress" / "2024-06"
    folder.mkdir(parents=True, exist_ok=True)
    text = "# 测试用进度记录\n" + "".join(ENTRY.format(**entry) for entry in entries)
    (folder / f"{unit_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def reported_data(small_data: Path) -> Path:
    """Item 1 met in full; item 3 far behind (the plan period is over, so 序时进度 is 100%)."""
    add_progress(
        small_data,
        "rsj",
        {"id": "a1a1a1a1a1", "item": 1, "target": "jobs", "value": "0.57", "unit": "区人社局"},
        {"id": "b2b2b2b2b2", "item": 1, "target": "training", "value": 1865, "unit": "区人社局"},
    )
    add_progress(
        small_data,
        "cgj",
        {"id": "c3c3c3c3c3", "item": 3, "target": "rate", "value": 50, "unit": "区城管局"},
    )
    return small_data


@pytest.mark.parametrize(
    ("status", "expected"),
    [("done", [1]), ("已完成", [1]), ("lagging", [3]), ("unreported", []), ("no_task", [2])],
)
def test_status_filter_from_progress(reported_data: Path, status: str, expected: list[int]) -> None:
    assert list_ids(reported_data, "--status", status) == expected


def test_status_column_shows_the_computed_status(reported_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(reported_data), "--status", "严重滞后")
    assert result.code == 0, result.stderr
    assert "严重滞后" in result.stdout and "状态 严重滞后" in result.stdout


def test_plan_filters_do_not_read_the_progress(small_data: Path) -> None:
    bad = small_data / "progress" / "2024-06"
    bad.mkdir(parents=True)
    (bad / "rsj.yaml").write_text("---\nid: [\n", encoding="utf-8")
    assert list_ids(small_data, "--status", "no_task") == [2]
    result = run_cli("list", "--data-dir", str(small_data), "--status", "done")
    assert result.code == 1
    assert result.stdout == ""
    assert "rsj.yaml" in result.stderr


def test_status_words_are_the_reports() -> None:
    from minsheng.core.status import WORDS

    for status, word in WORDS.items():
        assert browse.status_word(status.value) == word
        assert browse.parse_status(word) == browse.parse_status(status.value) == status.value
    assert browse.parse_status("有任务") == browse.ACTIVE


# --- unknown and ambiguous names: exit 2 with the closest names ----------------------------


def test_ambiguous_unit_lists_the_candidates(small_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--unit", "局")
    assert result.code == 2
    assert result.stdout == ""
    assert "ambiguous-unit" in result.stderr
    for name in ("区人社局", "区城管局", "区民政局"):
        assert name in result.stderr


def test_part_matching_two_real_units_is_ambiguous(real_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(real_data), "--unit", "区住")
    assert result.code == 2
    assert "区住建交运局" in result.stderr and "区住管中心" in result.stderr


def test_unknown_unit_suggests_close_names(small_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--unit", "区民正局")
    assert result.code == 2
    assert result.stdout == ""
    assert "unknown-unit" in result.stderr and "区民政局" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("category", ["99", "社会保险"])
def test_unknown_category(small_data: Path, category: str) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--category", category)
    assert result.code == 2
    assert "unknown-category" in result.stderr


def test_unknown_format_is_a_usage_error(small_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--format", "xlsx")
    assert (result.code, result.stdout) == (2, "")
    assert "内部错误" not in result.stderr


def test_unknown_status(small_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--status", "late")
    assert result.code == 2
    assert "unknown-status" in result.stderr and "on_track" in result.stderr


# --- the empty result is not an error ------------------------------------------------------


@pytest.mark.parametrize(("format", "stdout"), [("table", ""), ("markdown", ""), ("json", "[]\n")])
def test_empty_result(small_data: Path, format: str, stdout: str) -> None:
    args = ["--unit", "人社", "--category", "2", "--format", format]
    result = run_cli("list", "--data-dir", str(small_data), *args)
    assert result.code == 0
    assert result.stdout == stdout
    assert "no-items" in result.stderr and "没有符合条件的事项" in result.stderr


def test_empty_csv_keeps_its_header(small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    args = ["--status", "no_task", "--active", "--format", "csv", "--output", str(out)]
    result = run_cli("list", "--data-dir", str(small_data), *args)
    assert result.code == 0
    assert out.read_bytes() == "\ufeff序号,类别,事项,牵头单位,状态\r\n".encode()


# --- formats: golden files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("all.txt", []),
        ("all.md", ["--format", "markdown"]),
        ("all.json", ["--format", "json"]),
        ("unit_mzj.txt", ["--unit", "民政"]),
        ("category_1_active.md", ["--category", "1", "--active", "--format", "markdown"]),
    ],
)
def test_golden_stdout(small_data: Path, name: str, args: list[str]) -> None:
    result = run_cli("list", "--data-dir", str(small_data), *args)
    assert result.code == 0, result.stderr
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    check_golden(GOLDEN / name, result.stdout)


@pytest.mark.parametrize(("name", "format"), [("all.csv", "csv"), ("all_output.txt", "table")])
def test_golden_output_file(small_data: Path, tmp_path: Path, name: str, format: str) -> None:
    out = tmp_path / name
    args = ["--format", format, "--output", str(out)]
    result = run_cli("list", "--data-dir", str(small_data), *args, COLUMNS="60")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    # A file gets the renderer's fixed width whatever the terminal, and never colour.
    check_golden(GOLDEN / name, out.read_bytes())


def test_json_has_the_contract_fields(small_data: Path) -> None:
    result = run_cli("list", "--data-dir", str(small_data), "--format", "json")
    items = json.loads(result.stdout)
    for item in items:
        assert set(item) >= CONTRACT_ITEM
        for target in item["targets"] + [t for m in item["measures"] for t in m["targets"]]:
            assert set(target) >= CONTRACT_TARGET
    first, _, third = items
    assert first["category"] == "促进就业" and first["category_no"] == 1
    jobs, training = first["targets"]
    assert (jobs["value"], jobs["unit"], jobs["comparator"]) == (0.57, "万人", "approx")
    assert training["value"] == 1865 and isinstance(training["value"], int)
    assert third["units"] == ["区城管局", "区民政局"]  # canonical names, not the alias
    power = next(t for t in third["targets"] if t["id"] == "power")
    assert (power["value"], power["baseline"]) == (99.93, 99.9)
    dibao = next(t for t in third["targets"] if t["id"] == "dibao")
    assert (dibao["kind"], dibao["comparator"], dibao["value"]) == ("milestone", None, None)


def test_json_carries_every_field_of_the_models(small: LoadedPlan) -> None:
    """A field added to the models must not be silently missing from the JSON."""
    data = browse.item_json(small, small.item(1))
    assert set(Item.model_fields) <= set(data)
    assert set(Target.model_fields) <= set(data["targets"][0])


def test_json_numbers() -> None:
    from decimal import Decimal

    assert json_number(Decimal("0.57")) == 0.57
    assert repr(json_number(Decimal("99.90"))) == "99.9"
    assert json_number(Decimal("1865")) == 1865
    assert isinstance(json_number(Decimal("10.0")), int)
    assert json_number(None) is None


def test_csv_is_formula_safe_and_markdown_inert(small_data: Path, tmp_path: Path) -> None:
    plan = small_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("title: 支持毕业生求职创业。", 'title: "=HYPERLINK(1)|<b>[x](y)"'),
        encoding="utf-8",
    )
    out = tmp_path / "list.csv"
    run_cli("list", "--data-dir", str(small_data), "--format", "csv", "--output", str(out))
    assert "\r\n2,促进就业,'=HYPERLINK(1)|<b>[x](y),,无任务\r\n" in out.read_bytes().decode("utf-8")
    result = run_cli("list", "--data-dir", str(small_data), "--format", "markdown")
    assert r"=HYPERLINK(1)\|&lt;b&gt;\[x\](y)" in result.stdout


# --- the terminal: colour only there, wrapping by display width ----------------------------


def run_in_terminal(*args: str, **env: str) -> tuple[int, str]:
    """Run the CLI with stdout on a pseudo-terminal; return the exit code and what it shows."""
    import pty
    import subprocess
    import sys

    from conftest import cli_env

    environment = cli_env(**env)
    environment.pop("NO_COLOR")
    environment.update(env)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "minsheng", *args],
        cwd=ROOT,
        env=environment,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8")


def test_colour_only_on_a_terminal(small_data: Path, tmp_path: Path) -> None:
    code, shown = run_in_terminal("list", "--data-dir", str(small_data))
    assert code == 0
    assert "\x1b[" in shown and "无任务" in shown
    code, shown = run_in_terminal("list", "--data-dir", str(small_data), NO_COLOR="1")
    assert "\x1b[" not in shown
    out = tmp_path / "list.txt"
    run_in_terminal("list", "--data-dir", str(small_data), "--output", str(out))
    assert "\x1b[" not in out.read_bytes().decode("utf-8")


def test_long_text_wraps_by_display_width(real_data: Path) -> None:
    from rich.cells import cell_len

    result = run_cli("list", "--data-dir", str(real_data), "--unit", "民政", COLUMNS="70")
    assert result.code == 0
    assert all(cell_len(line) <= 70 for line in result.stdout.splitlines())
    title = "加强城乡低保人员和特困人员生活保障,规范确定和调整低保标准。"
    assert title not in result.stdout  # it had to wrap
    # Wrapped, never cut: every character of every title is there, in order.
    shown = iter("".join(result.stdout.split()))
    for item in json.loads(list_json(real_data, "--unit", "民政")):
        assert all(char in shown for char in typeset(item["title"])), item["id"]


def list_json(data: Path, *args: str) -> str:
    return run_cli("list", "--data-dir", str(data), "--format", "json", *args).stdout


# --- shell completion ----------------------------------------------------------------------


def test_completion_suggestions(small: LoadedPlan) -> None:
    assert browse.complete_units(small, "区城") == [
        ("区城管局", ""),
        ("区城市管理局", "即 区城管局"),
    ]
    assert [name for name, _ in browse.complete_units(small, "")] == [
        "区人社局",
        "区城管局",
        "区城市管理局",
        "区民政局",
    ]
    assert browse.complete_items(small, "") == [
        (str(item.id), item.title) for item in small.plan.items
    ]
    assert browse.complete_items(small, "3") == [(str(3), small.item(3).title)]
    assert browse.complete_categories(small, "") == [("1", "促进就业"), ("2", "社会保障")]
    assert browse.complete_categories(small, "社") == [("社会保障", ""), ("社保", "")]
    assert browse.complete_statuses("on") == [("on_track", "正常推进")]


def complete(words: str, data: Path | None = None) -> tuple[int, str, str]:
    env = {"_MINSHENG_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split(" ")) - 1)
    if data is not None:
        env["MINSHENG_DATA_DIR"] = str(data)
    result = run_cli(**env)
    return result.code, result.stdout, result.stderr


def test_shell_completion_of_unit_and_category(small_data: Path) -> None:
    assert complete("minsheng list --unit 区民", small_data)[1] == "区民政局\n"
    assert complete("minsheng list --category 社", small_data)[1] == "社会保障\n社保\n"
    words = f"minsheng list --data-dir {small_data} --unit 区人"
    assert complete(words)[1] == "区人社局\n"


def test_shell_completion_is_silent_on_invalid_data(small_data: Path) -> None:
    (small_data / "tasks_2024.yaml").write_text("items: [\n", encoding="utf-8")
    code, stdout, stderr = complete("minsheng list --unit 区", small_data)
    assert (code, stdout.strip(), stderr) == (0, "", "")


# --- the real 2024 plan --------------------------------------------------------------------


def notice_lead_units() -> dict[int, list[str]]:
    """Each item's lead units, read straight from the notice: "N.…(牵头单位:A、B)"."""
    notice = (ROOT / "tests" / "fixtures" / "notice_2024.txt").read_text(encoding="utf-8")
    body = notice.partition("\n附件\n")[0]
    pattern = re.compile(r"^(\d+)\..*\(牵头单位:([^()]+)\)$", re.M)
    return {int(m[1]): m[2].split("、") for m in pattern.finditer(body)}


def test_real_plan_unit_filter_matches_the_notice(real_data: Path) -> None:
    leads = notice_lead_units()
    expected = sorted(number for number, units in leads.items() if "区民政局" in units)
    assert expected == [4, 13, 14, 15, 18, 20]  # the regex itself read the notice right
    result = run_cli("list", "--data-dir", str(real_data), "--unit", "区民政局", "--format", "json")
    assert result.code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == expected
    for item in items:
        assert set(item) >= CONTRACT_ITEM
        assert "区民政局" in item["units"]
    table = run_cli("list", "--data-dir", str(real_data), "--unit", "区民政局")
    assert table.code == 0
    shown = {int(m[1]) for m in re.finditer(r"^\s+(\d+)\s", table.stdout, re.M)}
    assert shown == set(expected)


def test_real_plan_every_unit_finds_the_items_the_notice_gives_it(real_data: Path) -> None:
    loaded, issues = load_plan(real_data / "tasks_2024.yaml")
    assert loaded is not None, issues
    leads = notice_lead_units()
    for name in {name for units in leads.values() for name in units}:
        selection = browse.make_selection(loaded, unit=name)
        found = [item.id for item in browse.select_items(loaded, selection)]
        assert found == sorted(n for n, units in leads.items() if name in units), name


def test_real_plan_counts(real_data: Path) -> None:
    assert len(list_ids(real_data)) == 50
    assert len(list_ids(real_data, "--active")) == 33
    assert len(list_ids(real_data, "--status", "no_task")) == 17
    assert list_ids(real_data, "--category", "文体服务") == list_ids(real_data, "--category", "8")


# --- startup: what a plain listing does not import (docs/list.md has the timings) ----------


@pytest.mark.parametrize("format", ["json", "markdown", "csv"])
def test_listing_without_a_terminal_table_does_not_import_rich(
    small_data: Path, format: str
) -> None:
    import subprocess
    import sys

    from conftest import cli_env

    args = ["-X", "importtime", "-m", "minsheng", "list", "--data-dir", str(small_data)]
    done = subprocess.run(
        [sys.executable, *args, "--format", format],
        env=cli_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "minsheng.cli.browse" in imported and "城镇新增就业" in done.stdout
    # (minsheng.views.browse may not be imported at all: JSON answers from minsheng.cli.answers)
    assert not {name for name in imported if name == "rich" or name.startswith("rich.")}
    assert "minsheng.report.compute" not in imported
