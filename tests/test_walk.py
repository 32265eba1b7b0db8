"""`progress add --unit U` on a terminal: every target of the unit in turn, one write."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, snapshot
from test_progress import run_on_terminal


def recorded(data: Path) -> list[tuple[int, str, str, object, object, str | None]]:
    done = run_cli("progress", "list", "--format", "json", "--data-dir", str(data))
    assert done.code == 0, done.stderr
    return [
        (e["item"], e["target"], e["date"], e["value"], e["stage"], e["note"])
        for e in json.loads(done.stdout)
    ]


def test_a_unit_walks_its_targets_skips_with_enter_and_writes_once(small_data: Path) -> None:
    # Item 3 is co-led: 区城管局 walks its three targets, 区民政局 its 低保 milestone (by).
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区城管局", "--data-dir", str(small_data)],
        [
            ("日期 [", "2024-06-30"),
            ("（回车跳过", "95.6"),  # [1/3] a level, with its note
            ("进展说明", "参保率稳定"),
            ("（回车跳过", ""),  # [2/3] Enter skips
            ("（回车跳过", "很高"),  # [3/3] not a number: asked again
            ("（回车跳过", "99.91"),
            ("进展说明", ""),
            ("确认写入这 2 条", "y"),
        ],
    )
    assert code == 0, shown
    assert "[1/3] 第 3 项" in shown and "[3/3]" in shown and "输入有误" in shown
    assert "规范确定低保标准" not in shown  # 区民政局's target is not asked of 区城管局
    assert "已登记 2 条" in shown
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区民政局", "--data-dir", str(small_data)],
        [
            ("日期 [", "2024-06-30"),
            ("阶段（1", "2"),  # [1/1] a milestone: the stage by its number
            ("完成百分比", "40"),
            ("进展说明", "方案已报区政府"),
            ("确认写入这 1 条", "y"),
        ],
    )
    assert code == 0, shown
    assert "[1/1] 第 3 项" in shown
    assert sorted(recorded(small_data), key=lambda e: e[1]) == [
        (3, "dibao", "2024-06-30", None, "推进中", "方案已报区政府"),
        (3, "power", "2024-06-30", 99.91, None, None),
        (3, "rate", "2024-06-30", 95.6, None, "参保率稳定"),
    ]


def test_a_walk_cancelled_at_the_end_writes_nothing(small_data: Path) -> None:
    before = snapshot(small_data.parent)
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区城管局", "--data-dir", str(small_data)],
        [
            ("日期 [", "2024-06-30"),
            ("（回车跳过", "95.6"),
            ("进展说明", ""),
            ("（回车跳过", ""),
            ("（回车跳过", ""),
            ("确认写入这 1 条", "n"),
        ],
    )
    assert code == 1, shown
    assert "已取消" in shown
    assert snapshot(small_data.parent) == before


def test_a_figure_lower_than_one_recorded_is_asked_again_in_the_walk(small_data: Path) -> None:
    first = run_cli("progress", "add", "1", "--target", "jobs", "--value", "0.3", "--date",
                    "2024-05-31", "--data-dir", str(small_data))  # fmt: skip
    assert first.code == 0, first.stderr
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区人社局", "--data-dir", str(small_data)],
        [
            ("日期 [", "2024-06-30"),
            ("（回车跳过", "0.2"),  # jobs: lower than May's 0.3 万人, a cumulative figure
            ("（回车跳过", "0.35"),
            ("进展说明", ""),
            ("（回车跳过", ""),  # training, and the two measures' targets
            ("（回车跳过", ""),
            ("（回车跳过", ""),
            ("确认写入这 1 条", "y"),
        ],
    )
    assert code == 0, shown
    assert "上次 0.3,2024-05-31" in shown and "输入有误" in shown
    assert [e[3] for e in recorded(small_data)] == [0.3, 0.35]


def test_without_a_terminal_the_unit_alone_is_a_usage_error(small_data: Path) -> None:
    done = run_cli("progress", "add", "--unit", "区民政局", "--data-dir", str(small_data))
    assert done.code == 2 and "[missing-option]" in done.stderr


def test_a_nul_typed_at_a_prompt_is_refused_there_and_the_next_prompts_keep_step(
    small_data: Path,
) -> None:
    """Round 3: a NUL (Ctrl-@) cut the answer short (input() reads a C string), skipped the
    target and left the rest of the line to the next prompt."""
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区城管局", "--data-dir", str(small_data)],
        [
            ("日期 [", "2024-06-30"),
            ("（回车跳过", "9\x005.6"),  # [1/3]: refused at this prompt, asked again
            ("（回车跳过", "95.6"),
            ("进展说明", "参保率稳定"),  # the next prompt gets this answer, nothing left over
            ("（回车跳过", ""),
            ("（回车跳过", ""),
            ("确认写入这 1 条", "y"),
        ],
    )
    assert code == 0, shown
    assert "空字符（NUL）" in shown, shown
    assert recorded(small_data) == [(3, "rate", "2024-06-30", 95.6, None, "参保率稳定")]
