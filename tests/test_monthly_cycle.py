"""The monthly cycle end to end: hand-written progress files with chosen `recorded_at` prove
on_time, late and missing, the on-time rate, the history and the escalation, through the JSON
and the rendered bulletin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL_PLAN

AS_OF = ["--as-of", "2024-07-31"]

# The small plan, counted by months, with returns due on the 5th from May.
CYCLE = "schedule: {basis: month}\nreporting: {from: 2024-05, due_day: 5}\n"

# (folder month, unit id, unit, item, target, date, value or stage, recorded_at)
ENTRIES = [
    # 区人社局, item 1: May on time to the last second, June's first record a moment after the
    # due day's end (16:00 UTC is midnight in Beijing), nothing in July. 16.8% at the end of May
    # (序时 41.7%), 21.3% at the end of June (50.0%) and of July (58.3%): behind, behind, lagging.
    ("2024-05", "rsj", "区人社局", 1, "jobs", "2024-05-31", "0.1", "2024-06-05T23:59:59+08:00"),
    ("2024-05", "rsj", "区人社局", 1, "training", "2024-05-31", "300", "2024-06-05T10:00:00+08:00"),
    ("2024-06", "rsj", "区人社局", 1, "jobs", "2024-06-30", "0.12", "2024-07-05T16:00:00+00:00"),
    ("2024-06", "rsj", "区人社局", 1, "training", "2024-06-30", "400", "2024-07-06T09:00:00+08:00"),
    # Item 3 is co-led: 区城管局 reports all but the 低保 milestone, 区民政局's (by). 区城管局
    # returns every month on time; everything is met from May on.
    ("2024-05", "cgj", "区城管局", 3, "rate", "2024-05-31", "96", "2024-06-03T09:00:00+08:00"),
    ("2024-05", "cgj", "区城管局", 3, "subsidy", "2024-05-31", "86", "2024-06-03T09:00:00+08:00"),
    ("2024-05", "cgj", "区城管局", 3, "power", "2024-05-31", "99.93", "2024-06-03T09:00:00+08:00"),
    ("2024-06", "cgj", "区城管局", 3, "rate", "2024-06-28", "96.2", "2024-07-02T09:00:00+08:00"),
    ("2024-07", "cgj", "区城管局", 3, "rate", "2024-07-31", "96.5", "2024-07-31T18:00:00+08:00"),
    # 区民政局 returns May on time (its 低保 milestone met), then nothing.
    ("2024-05", "mzj", "区民政局", 3, "dibao", "2024-05-30", "已完成", "2024-06-02T09:00:00+08:00"),
]


@pytest.fixture
def cycle_data(small_data: Path) -> Path:
    plan = SMALL_PLAN.read_text(encoding="utf-8")
    (small_data / "tasks_2024.yaml").write_text(
        plan.replace("thresholds:", CYCLE + "thresholds:", 1), encoding="utf-8"
    )
    files: dict[Path, str] = {}
    for number, (month, unit_id, unit, item, target, date, reading, stamp) in enumerate(ENTRIES):
        field = f"stage: {reading}" if reading == "已完成" else f"value: {reading}"
        record = (
            f"---\nid: e{number:07d}\nitem: {item}\ntarget: {target}\ndate: {date}\n"
            f"{field}\nunit: {unit}\nrecorded_at: {stamp}\n...\n"
        )
        path = small_data / "progress" / month / f"{unit_id}.yaml"
        files[path] = files.get(path, "") + record
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return small_data


# The bulletin for 31 July made on 6 August, the day after July's returns were due.
MADE_ON = {"SOURCE_DATE_EPOCH": "1722906000"}  # 2024-08-06 09:00 in Beijing


def report(cli: Any, folder: Path, *args: str) -> str:
    result = cli("report", "--data-dir", str(folder), *AS_OF, *args, **MADE_ON)
    assert result.code == 0, result.stderr
    return str(result.stdout)


def test_the_data_is_valid(cli: Any, cycle_data: Path) -> None:
    result = cli("validate", "--data-dir", str(cycle_data))
    assert result.code == 0, result.stderr


def test_the_json_says_who_returned_on_time_late_or_not_at_all(cli: Any, cycle_data: Path) -> None:
    found = json.loads(report(cli, cycle_data, "--format", "json"))
    by_unit = {unit["unit"]: unit for unit in found["reporting"]}
    assert list(by_unit) == ["区人社局", "区城管局", "区民政局"]
    assert [
        (p["period"], p["due"], p["status"], p["items_missing"], p["items_late"])
        for p in by_unit["区人社局"]["periods"]
    ] == [
        ("2024-05", "2024-06-05", "on_time", [], []),
        ("2024-06", "2024-07-05", "late", [], [1]),
        ("2024-07", "2024-08-05", "missing", [1], []),
    ]
    assert [p["status"] for p in by_unit["区城管局"]["periods"]] == ["on_time"] * 3
    assert [p["status"] for p in by_unit["区民政局"]["periods"]] == [
        "on_time",
        "missing",
        "missing",
    ]
    # May, June and July are due by 6 August: each counts, the bulletin's July included.
    rates = {name: unit["on_time_rate"] for name, unit in by_unit.items()}
    assert rates == {"区人社局": 0.3333, "区城管局": 1, "区民政局": 0.3333}
    assert found["generated_at"] == "2024-08-06T09:00:00+08:00"


def test_the_json_gives_each_items_history_and_the_escalation(cli: Any, cycle_data: Path) -> None:
    found = json.loads(report(cli, cycle_data, "--format", "json"))
    items = {item["id"]: item for item in found["items"]}
    history = items[1]["history"]
    assert [(p["as_of"], p["status"]) for p in history] == [
        ("2024-05-31", "behind"),
        ("2024-06-30", "behind"),
        ("2024-07-31", "lagging"),
    ]
    assert history[0]["completion"] < history[1]["completion"] == history[2]["completion"]
    assert history[-1]["completion"] == items[1]["completion"]
    assert [p["status"] for p in items[3]["history"]] == ["done"] * 3
    assert [p["status"] for p in items[2]["history"]] == ["no_task"] * 3
    assert found["escalations"] == [
        {"id": 1, "units": ["区人社局"], "months": 3, "status": "lagging"}
    ]


def test_the_bulletin_shows_returns_escalation_and_trend(cli: Any, cycle_data: Path) -> None:
    text = report(cli, cycle_data, "--format", "markdown")
    assert "### 本月报送情况（2024-07，2024-08-05 前报送）" in text
    assert "| 区人社局 | 未报送 |  | 1 | 33.3%(1/3) |" in text
    assert "| 区城管局 | 按时 |  |  | 100.0%(3/3) |" in text
    assert "| 区民政局 | 未报送 |  | 3 | 33.3%(1/3) |" in text
    # The ranking shows the on-time rate beside the completion.
    assert "| 平均完成进度 | 按时报送率 |" in text
    escalated = text.split("### 连续滞后事项")[1].split("###")[0]
    assert "| 1 | 城镇新增就业0.57万人左右 | 区人社局 | 3 | 严重滞后 |" in escalated
    assert "\n| 3 |" not in escalated
    missing = text.split("### 本月未报送（2024-07）")[1].split("###")[0]
    assert "| 区人社局 | 1 |" in missing and "| 区民政局 | 3 |" in missing
    assert "区城管局" not in missing
    assert "### 从未报送的单位" not in text
    trend = text.split("### 各项趋势")[1]
    assert "| 05-31 | 06-30 | 07-31 |" in trend
    assert "| 3 |" in trend and "| ███ | 100.0% | 100.0% | 100.0% | 已完成 |" in trend


def test_the_terminal_bulletin_shows_the_same(cli: Any, cycle_data: Path) -> None:
    text = report(cli, cycle_data)
    for heading in ("本月报送情况", "连续滞后事项", "本月未报送（2024-07）", "各项趋势"):
        assert heading in text
    assert "33.3%(1/3)" in text


def test_without_a_reporting_section_the_units_never_heard_from_are_listed(
    cli: Any, small_data: Path
) -> None:
    text = report(cli, small_data, "--format", "markdown")
    assert "本月报送情况" not in text and "按时报送率" not in text
    assert "### 从未报送的单位" in text
    found = json.loads(report(cli, small_data, "--format", "json"))
    assert found["reporting"] == []
    assert all(item["history"] for item in found["items"])


def test_the_page_shows_the_grid_in_words_and_each_trend_in_svg(
    cli: Any, cycle_data: Path, tmp_path: Path
) -> None:
    page = tmp_path / "index.html"
    report(cli, cycle_data, "--format", "html", "--since", "2024-05-31", "--output", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    grid = html.split('<table class="returns">')[1].split("</table>")[0]
    assert (
        '<th scope="col">2024-05</th><th scope="col">2024-06</th><th scope="col">2024-07</th>'
        in grid
    )
    row = grid.split("区人社局</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[1].split("<")[0] for cell in row.split("<td")[1:4]] == [
        "按时",
        "逾期",
        "未报送",
    ]
    assert 'class="ret ret-late"' in row  # the colour beside the word
    assert '<polyline class="trend-line"' in html
    assert "2024-07-31 21.3% 严重滞后" in html
    assert "连续滞后事项" in html and "2024-05-31 以来的变化" in html


def test_the_workbook_has_the_returns_grid_and_the_trend_sheet(
    cli: Any, cycle_data: Path, tmp_path: Path
) -> None:
    import openpyxl

    path = tmp_path / "report.xlsx"
    report(cli, cycle_data, "--format", "xlsx", "--since", "2024-05-31", "--output", str(path))
    book = openpyxl.load_workbook(path)
    # Each sheet as the other views print: a title and the as-of line above its header (row 3).
    returns = [list(row) for row in book["报送"].iter_rows(min_row=3, values_only=True)]
    assert book["报送"]["A1"].value == "2024年民生实事完成情况：各单位按月报送情况"
    assert returns[0][:5] == ["牵头单位", "2024-05", "2024-06", "2024-07", "按时报送率"]
    assert returns[1][:5] == ["区人社局", "按时", "逾期", "未报送", 0.333]
    assert book["报送"]["C4"].fill.fgColor.rgb.endswith("FFF8C5")
    trend = [list(row) for row in book["趋势"].iter_rows(min_row=3, values_only=True)]
    assert trend[0][3:6] == ["2024-05-31", "2024-06-30", "2024-07-31"]
    assert [row[0] for row in trend[1:]] == [1, 3]
    assert [row[0] for row in book["连续滞后"].iter_rows(min_row=4, values_only=True)] == [1]
    assert "变化" in book.sheetnames


def test_list_by_status_on_a_chosen_date_says_which(cli: Any, cycle_data: Path) -> None:
    folder = ["--data-dir", str(cycle_data)]
    june = cli("list", *folder, "--status", "behind", "--as-of", "2024-06-30", "--format", "csv")
    assert june.code == 0, june.stderr
    assert [row.split(",")[0] for row in june.stdout.splitlines()[1:]] == ["1"]
    july = cli("list", *folder, "--status", "严重滞后", "--as-of", "2024-07-31")
    assert july.code == 0, july.stderr
    assert "状态截至 2024-07-31" in july.stdout and "城镇新增就业" in july.stdout
    alone = cli("list", *folder, "--as-of", "2024-07-31")
    assert alone.code == 2 and "as-of-without-status" in alone.stderr and alone.stdout == ""
    bad = cli("list", *folder, "--status", "behind", "--as-of", "2024-02-30")
    assert bad.code == 2 and "日期不存在" in bad.stderr
