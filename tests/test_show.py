"""`minsheng show N`: the item in full, in each format (golden files in tests/golden/show/;
regenerate with MINSHENG_UPDATE_GOLDEN=1, see tests/test_list.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SMALL_PLAN, check_golden, run_cli
from minsheng.core.typography import typeset
from minsheng.plan.load import load_plan
from minsheng.views import browse
from test_list import CONTRACT_ITEM, CONTRACT_TARGET

GOLDEN = Path(__file__).parent / "golden" / "show"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("item1.txt", ["1"]),  # measures with sub-targets, a roll-up (sum_of)
        ("item2.txt", ["2"]),  # 我区无任务
        ("item3.txt", ["3"]),  # co-led, written with an alias; baseline; milestone; notes
        ("item3.md", ["3", "--format", "markdown"]),
        ("item3.json", ["3", "--format", "json"]),
    ],
)
def test_golden_stdout(small_data: Path, name: str, args: list[str]) -> None:
    result = run_cli("show", *args, "--data-dir", str(small_data))
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout
    check_golden(GOLDEN / name, result.stdout)


def test_golden_csv(small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "item1.csv"
    result = run_cli("show", "1", "--data-dir", str(small_data), "-f", "csv", "-o", str(out))
    assert result.code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode()) and data.count("\ufeff".encode()) == 1
    check_golden(GOLDEN / "item1.csv", data)


def test_targets_in_words(small_data: Path) -> None:
    shown = run_cli("show", "3", "--data-dir", str(small_data)).stdout
    assert "不少于95%" in shown
    assert "不少于99.93%（基线99.90%）" in shown  # the values as written, 99.90 not 99.9
    for word in ("水平", "标准", "节点"):
        assert word in shown
    jobs = run_cli("show", "1", "--data-dir", str(small_data)).stdout
    assert "0.57万人左右" in jobs and "数量" in jobs
    assert "合计：a + b" in jobs


def test_co_led_item_shows_both_canonical_units(small_data: Path) -> None:
    shown = run_cli("show", "3", "--data-dir", str(small_data)).stdout
    assert "区城管局、区民政局" in shown
    assert "区城市管理局" not in shown


def test_no_task_item(small_data: Path) -> None:
    result = run_cli("show", "2", "--data-dir", str(small_data), "--format", "json")
    item = json.loads(result.stdout)
    assert (item["no_task"], item["units"], item["targets"], item["measures"]) == (
        True,
        [],
        [],
        [],
    )
    assert "我区无任务" in run_cli("show", "2", "--data-dir", str(small_data)).stdout


def test_json_is_one_object_with_the_contract_fields(small_data: Path) -> None:
    result = run_cli("show", "1", "--data-dir", str(small_data), "--format", "json")
    item = json.loads(result.stdout)
    assert set(item) >= CONTRACT_ITEM
    measure_targets = [t for m in item["measures"] for t in m["targets"]]
    assert [t["id"] for t in measure_targets] == ["a", "b"]
    assert all(set(t) >= CONTRACT_TARGET for t in item["targets"] + measure_targets)
    assert item["targets"][1]["sum_of"] == ["a", "b"]


def test_json_equals_the_list_entry(small_data: Path) -> None:
    listed = json.loads(run_cli("list", "--data-dir", str(small_data), "-f", "json").stdout)
    for item in listed:
        shown = run_cli("show", str(item["id"]), "--data-dir", str(small_data), "-f", "json")
        assert json.loads(shown.stdout) == item


def test_unknown_item_is_a_usage_error(small_data: Path) -> None:
    result = run_cli("show", "4", "--data-dir", str(small_data))
    assert result.code == 2
    assert result.stdout == ""
    assert "unknown-item" in result.stderr and "共 3 项" in result.stderr


def test_item_that_is_not_a_number_is_a_usage_error(small_data: Path) -> None:
    result = run_cli("show", "十", "--data-dir", str(small_data))
    assert (result.code, result.stdout) == (2, "")
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr


def test_long_text_wraps_without_losing_a_character(real_data: Path) -> None:
    from rich.cells import cell_len

    result = run_cli("show", "20", "--data-dir", str(real_data), COLUMNS="50")
    assert result.code == 0
    # Text wraps to the terminal; a table whose ids would not fit runs over instead of
    # splitting one (the targets table here), so the facts table is the one measured.
    facts = result.stdout.split("\n目标")[0]
    assert all(cell_len(line) <= 50 for line in facts.splitlines())
    assert all(f" {target} " in result.stdout for target in ("scattered", "centralized"))
    loaded, _ = load_plan(real_data / "tasks_2024.yaml")
    assert loaded is not None
    title = loaded.item(20).title
    assert title not in result.stdout
    # The facts table has the label column empty on continuation lines: the wrapped
    # pieces, joined, are exactly the title.
    assert typeset(title) in "".join(result.stdout.split())


def test_output_file_has_no_colour_and_stdout_stays_empty(small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "show.md"
    result = run_cli("show", "3", "--data-dir", str(small_data), "-f", "markdown", "-o", str(out))
    assert (result.code, result.stdout) == (0, "")
    assert out.read_text("utf-8").startswith("### 第 3 项")


def test_real_plan_co_led_item(real_data: Path) -> None:
    result = run_cli("show", "21", "--data-dir", str(real_data), "--format", "json")
    item = json.loads(result.stdout)
    assert item["units"] == ["区教育局", "区卫生健康委"]
    assert item["category"] == "教育惠民" and item["category_no"] == 4
    table = run_cli("show", "21", "--data-dir", str(real_data)).stdout
    assert "区教育局、区卫生健康委" in table


def test_real_plan_every_item_shows(real_data: Path) -> None:
    loaded, issues = load_plan(real_data / "tasks_2024.yaml")
    assert loaded is not None, issues
    for item in loaded.plan.items:
        tables = browse.show_tables(loaded, item)
        text = browse.render_tables(tables, "markdown", color=False, width=None)
        assert typeset(item.title).replace("*", "\\*") in text
        for target in item.all_targets():
            assert target.id in text


def test_show_completion_offers_item_numbers(small_data: Path) -> None:
    env = {
        "_MINSHENG_COMPLETE": "complete_bash",
        "COMP_WORDS": "minsheng show ",
        "COMP_CWORD": "2",
        "MINSHENG_DATA_DIR": str(small_data),
    }
    assert run_cli(**env).stdout == "1\n2\n3\n"


def test_show_tables_from_the_library() -> None:
    loaded, _ = load_plan(SMALL_PLAN)
    assert loaded is not None
    titles = [t.title for t in browse.show_tables(loaded, loaded.item(3))]
    assert titles == ["第 3 项", "目标", "备注"]
    titles = [t.title for t in browse.show_tables(loaded, loaded.item(1))]
    assert titles == ["第 1 项", "目标", "推进措施"]
