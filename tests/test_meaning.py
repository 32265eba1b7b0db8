"""Data that changes meaning: correction cycles, stamps in the future, implausible figures
and fractions of counted things, each refused where it is written or read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Result, run_cli, snapshot, write_records
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code
from minsheng.plan.load import load_plan
from minsheng.plan.models import Target
from minsheng.progress.checks import read_progress
from minsheng.progress.rules import Problem, parse_value

JULY = dt.date(2024, 7, 1)


def write(data: Path, relative: str, *records: dict[str, object]) -> str:
    """A progress file written by hand, its records recorded on 2024-06-30."""
    return write_records(data, relative, *records, recorded_on="2024-06-30")


def problems(data: Path, today: dt.date = JULY) -> set[tuple[int, str]]:
    """(line, code) of each problem `validate` finds in the progress files."""
    plan, issues = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, issues
    _, found = read_progress(DataDir(data), plan, today=today)
    return {(issue.line, str(issue.code)) for issue in found}


def line(text: str, wanted: str) -> int:
    return text.splitlines().index(wanted) + 1


def add(data: Path, *args: str) -> Result:
    return run_cli("progress", "add", "--data-dir", str(data), *args)


# --- 7. correction cycles ------------------------------------------------------------------


def test_corrections_that_name_each_other_are_refused(small_data: Path) -> None:
    text = write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 300},
        {"id": "aaaaaa0002", "date": "2024-06-20", "value": 400, "corrects": "aaaaaa0003"},
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 500, "corrects": "aaaaaa0002"},
    )  # fmt: skip
    # Before, both were void and the target stood at 300 without a word.
    assert problems(small_data) == {
        (line(text, "corrects: aaaaaa0003"), "correction-cycle"),
        (line(text, "corrects: aaaaaa0002"), "correction-cycle"),
    }


def test_a_longer_cycle_is_refused_and_a_chain_that_ends_is_not(small_data: Path) -> None:
    text = write(
        small_data, "2024-06/rsj.yaml",
        # a chain that ends: 0003 corrects 0002, which corrects 0001 (an entry that stands)
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 300},
        {"id": "aaaaaa0002", "date": "2024-06-20", "value": 310, "corrects": "aaaaaa0001"},
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 320, "corrects": "aaaaaa0002"},
        # a cycle of three, and one entry that leads into it
        {"id": "bbbbbb0001", "date": "2024-06-25", "value": 400, "corrects": "bbbbbb0002"},
        {"id": "bbbbbb0002", "date": "2024-06-25", "value": 410, "corrects": "bbbbbb0003"},
        {"id": "bbbbbb0003", "date": "2024-06-25", "value": 420, "corrects": "bbbbbb0001"},
        {"id": "bbbbbb0004", "date": "2024-06-25", "value": 430, "corrects": "bbbbbb0003"},
    )  # fmt: skip
    assert problems(small_data) == {
        (line(text, f"corrects: bbbbbb000{n}"), "correction-cycle") for n in (2, 3, 1)
    }


def test_report_refuses_a_correction_cycle(small_data: Path) -> None:
    write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0002", "date": "2024-06-20", "value": 400, "corrects": "aaaaaa0003"},
        {"id": "aaaaaa0003", "date": "2024-06-20", "value": 500, "corrects": "aaaaaa0002"},
    )  # fmt: skip
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30")
    assert done.code == 1 and "correction-cycle" in done.stderr


# --- 8. recorded_at ------------------------------------------------------------------------


def test_a_stamp_in_the_future_is_refused(small_data: Path) -> None:
    text = write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 300,
         "recorded_at": "2099-01-01T09:00:00+08:00"},
        {"id": "aaaaaa0002", "date": "2024-06-19", "value": 200},
        # a day ahead is allowed, as for dates: the machine's time zone decides "today"
        {"id": "aaaaaa0003", "date": "2024-06-21", "value": 500,
         "recorded_at": "2024-07-02T09:00:00+08:00"},
    )  # fmt: skip
    stamped = line(text, "recorded_at: 2099-01-01T09:00:00+08:00")
    assert problems(small_data) == {(stamped, "bad-recorded-at")}


@pytest.mark.parametrize("offset", ["+23:59", "-13:00", "+14:30"])
def test_a_stamp_with_an_offset_no_zone_has_is_refused(small_data: Path, offset: str) -> None:
    stamp = f"2024-06-20T09:00:00{offset}"
    text = write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 300, "recorded_at": stamp},
        {"id": "aaaaaa0002", "date": "2024-06-21", "value": 400,
         "recorded_at": "2024-06-21T09:00:00-12:00"},  # the farthest west: fine
    )  # fmt: skip
    assert problems(small_data) == {(line(text, f"recorded_at: {stamp}"), "bad-recorded-at")}


def test_report_refuses_a_stamp_in_the_future(small_data: Path) -> None:
    write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 300,
         "recorded_at": "2099-01-01T09:00:00+08:00"},
    )  # fmt: skip
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30")
    assert done.code == 1 and "bad-recorded-at" in done.stderr
    assert "2099-01-01T09:00:00+08:00" in done.stderr


# --- 10. implausible figures and fractions of counted things --------------------------------


def test_a_value_far_above_the_target_needs_the_clerks_word(small_data: Path) -> None:
    before = snapshot(small_data.parent)
    # 20000 人次 against a target of 1865: 11 times
    done = add(small_data, "1", "--target", "training", "--value", "20000", "--date", "2024-06-30")
    assert done.code == 1 and "[implausible-value]" in done.stderr
    assert "--allow-large" in done.stderr and "11 倍" in done.stderr
    assert snapshot(small_data.parent) == before
    done = add(small_data, "1", "--target", "training", "--value", "20000", "--date", "2024-06-30",
               "--allow-large")  # fmt: skip
    assert done.code == 0, done.stderr
    # ten times is still taken as typed
    assert (
        add(small_data, "1", "--target", "a", "--value", "10000", "--date", "2024-06-30").code == 0
    )


def test_a_value_over_a_hundred_times_is_refused_even_when_confirmed(small_data: Path) -> None:
    before = snapshot(small_data.parent)
    done = add(small_data, "1", "--target", "training", "--value", "300000", "--date",
               "2024-06-30", "--allow-large")  # fmt: skip
    assert done.code == 1 and "[implausible-value]" in done.stderr
    assert snapshot(small_data.parent) == before


def test_validate_reports_a_value_over_a_hundred_times_in_a_file(small_data: Path) -> None:
    text = write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 20000},  # 11×: confirmed, taken
        {"id": "aaaaaa0002", "date": "2024-06-21", "value": 300000},  # 161×
    )  # fmt: skip
    assert problems(small_data) == {(line(text, "value: 300000"), "implausible-value")}


def test_a_fraction_of_a_counted_unit_is_refused(small_data: Path) -> None:
    before = snapshot(small_data.parent)
    for typed, target in [("2.5", "training"), ("0.00005万", "jobs"), ("0.30001", "jobs")]:
        done = add(small_data, "1", "--target", target, "--value", typed, "--date", "2024-06-30")
        assert done.code == 1 and "[fractional-count]" in done.stderr, (typed, done.stderr)
    assert snapshot(small_data.parent) == before
    # 0.57万人 is 5700 people: a fraction in 万 is a whole number of people
    done = add(small_data, "1", "--target", "jobs", "--value", "0.3", "--date", "2024-06-30")
    assert done.code == 0, done.stderr


def test_validate_reports_a_fraction_of_a_counted_unit_in_a_file(small_data: Path) -> None:
    text = write(
        small_data, "2024-06/rsj.yaml",
        {"id": "aaaaaa0001", "date": "2024-06-20", "value": 2.5},
        {"id": "aaaaaa0002", "target": "jobs", "date": "2024-06-20", "value": 0.3},
    )  # fmt: skip
    assert problems(small_data) == {(line(text, "value: 2.5"), "fractional-count")}


HOMES = Target.model_validate(
    {"id": "homes", "name": "适老化改造", "kind": "quantity", "comparator": "at_least",
     "value": 6000, "unit": "户"}
)  # fmt: skip


def test_a_scaled_value_for_a_counted_unit_is_whole_after_its_scale() -> None:
    # 0.5万 on a 户 target is 5000 户: what was meant, in another scale
    assert parse_value("0.5万", HOMES) == Decimal(5000)
    with pytest.raises(Problem) as refused:
        parse_value("0.00005万", HOMES)  # half a household
    assert refused.value.code is Code.FRACTION
    level = Target.model_validate(
        {"id": "per-1000", "name": "千人口托位数", "kind": "level", "comparator": "at_least",
         "value": Decimal("4.5"), "unit": "个"}
    )  # fmt: skip
    assert parse_value("4.52", level) == Decimal("4.52")  # a ratio in 个: not a count


# --- 9. plan checks ------------------------------------------------------------------------


def plan_problems(data: Path, *edits: tuple[str, str], name: str = "tasks_2024.yaml") -> set[str]:
    """The codes and places (`code@path`) of the problems of the small plan, edited."""
    plan = data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    plan.unlink()
    (data / name).write_text(text, encoding="utf-8")
    loaded, issues = load_plan(data / name)
    assert (loaded is None) == bool(issues)
    return {f"{issue.code}@{issue.path}" for issue in issues}


def test_a_lead_unit_listed_twice_or_by_its_alias_is_refused(small_data: Path) -> None:
    found = plan_problems(
        small_data,
        ("    units: [区人社局]", "    units: [区人社局, 区人社局]"),
        ("units: [区城市管理局, 区民政局]", "units: [区城市管理局, 区民政局, 区城管局]"),
    )
    assert found == {"duplicate-unit@items[0].units[1]", "duplicate-unit@items[2].units[2]"}


@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u2060", "\u00a0", "\ufe0f", "\U000e0041"])
def test_a_unit_name_with_an_invisible_character_is_refused(small_data: Path, char: str) -> None:
    found = plan_problems(
        small_data,
        ("{id: mzj, name: 区民政局}", f'{{id: mzj, name: "区民政局{char}"}}'),
        ("units: [区城市管理局, 区民政局]", f'units: [区城市管理局, "区民政局{char}"]'),
        ("by: 区民政局}", f'by: "区民政局{char}"}}'),
    )
    assert found == {"bad-char@units[2].name"}


def test_a_unit_name_may_hold_a_space_between_words_but_not_at_an_end(small_data: Path) -> None:
    between = plan_problems(
        small_data,
        ("{id: mzj, name: 区民政局}", '{id: mzj, name: "区 民政局"}'),
        ("units: [区城市管理局, 区民政局]", 'units: [区城市管理局, "区 民政局"]'),
        ("by: 区民政局}", 'by: "区 民政局"}'),
    )
    assert between == set()
    at_the_end = plan_problems(
        small_data,
        ('{id: mzj, name: "区 民政局"}', '{id: mzj, name: "区民政局 "}'),
        ('units: [区城市管理局, "区 民政局"]', 'units: [区城市管理局, "区民政局 "]'),
        ('by: "区 民政局"}', 'by: "区民政局 "}'),
    )
    assert at_the_end == {"bad-char@units[2].name"}


def test_a_unit_name_that_looks_like_another_is_refused(small_data: Path) -> None:
    found = plan_problems(
        small_data, ("aliases: [区城市管理局]", "aliases: [区城市管理局, 区人社局]")
    )
    assert "duplicate-unit@units[1]" in found  # the same name twice (already refused)
    found = plan_problems(small_data, ("{id: mzj, name: 区民政局}", "{id: mzj, name: 区民政局A}"),
                          ("{id: rsj, name: 区人社局}", "{id: rsj, name: 区民政局Ａ}"))  # fmt: skip
    assert "duplicate-unit@units[2].name" in found


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        # at least 99.93 from a baseline above it: 3 of 30 would read as 100%
        (("value: 99.93, unit: \"%\",\n         baseline: 99.90",
          "value: 99.93, unit: \"%\",\n         baseline: 99.95"), "items[2].targets[2].baseline"),
        (("value: 99.93, unit: \"%\",\n         baseline: 99.90",
          "value: 99.93, unit: \"%\",\n         baseline: 99.93"), "items[2].targets[2].baseline"),
        (("{id: rate, name: 参保率, kind: level, comparator: at_least, value: 95, unit: \"%\"}",
          "{id: rate, name: 参保率, kind: level, comparator: at_most, value: 95, unit: \"%\","
          " baseline: 90}"), "items[2].targets[0].baseline"),
    ],
)  # fmt: skip
def test_a_baseline_on_the_far_side_of_the_target_is_refused(
    small_data: Path, edit: tuple[str, str], path: str
) -> None:
    assert plan_problems(small_data, edit) == {f"target-shape@{path}"}


@pytest.mark.parametrize(
    ("period", "where"),
    [
        ("{start: 0001-01-01, end: 2024-12-31}", "document.period.start"),
        ("{start: 2024-01-01, end: 9999-12-31}", "document.period.end"),
        ("{start: 2030-01-01, end: 2030-12-31}", "document.period"),  # not the plan's year
    ],
)
def test_a_period_of_absurd_years_is_refused(small_data: Path, period: str, where: str) -> None:
    found = plan_problems(
        small_data, ("period: {start: 2024-01-01, end: 2024-12-31}", f"period: {period}")
    )
    assert found == {f"bad-period@{where}"}


def test_report_never_overflows_at_the_ends_of_the_calendar(small_data: Path) -> None:
    for day in ["0001-01-01", "9999-12-31"]:
        for extra in [[], ["--since", day], ["--format", "json"], ["--format", "html"]]:
            done = run_cli("report", "--data-dir", str(small_data), "--as-of", day, *extra)
            assert done.code in {0, 1, 2} and "internal" not in done.stderr, (day, done.stderr)


def test_the_year_of_the_plan_matches_its_file_name(small_data: Path) -> None:
    assert plan_problems(small_data, name="tasks_2025.yaml") == {"year-mismatch@document.year"}
    (small_data / "tasks_2025.yaml").rename(small_data / "tasks_2024.yaml")
    assert plan_problems(small_data, name="plan.yaml") == set()  # any other name: no claim


@pytest.mark.parametrize(
    "edit",
    [
        ("sum_of: [a, b]", "sum_of: [training]"),  # itself: 1865 is 1865
        ("value: 865, unit: 人次}", "value: 865, unit: 元}"),  # 元 beside 人次
        (
            "kind: quantity, comparator: at_least, value: 865, unit: 人次}",
            'kind: level, comparator: at_least, value: 865, unit: "%"}',
        ),
    ],
)
def test_sum_of_adds_only_parts_of_the_same_measure(
    small_data: Path, edit: tuple[str, str]
) -> None:
    assert plan_problems(small_data, edit) == {"rollup-mismatch@items[0].targets[1].sum_of"}


def test_sum_of_adds_counts_of_different_things(small_data: Path) -> None:
    # The notice's 19人次 is 8户 + 8户 + 3户: counts add up whatever they count.
    assert plan_problems(small_data, ("value: 865, unit: 人次}", "value: 865, unit: 名}")) == set()


def test_an_imported_value_far_above_the_target_needs_the_clerks_word(small_data: Path) -> None:
    returned = small_data.parent / "return.csv"
    made = run_cli("progress", "template", "--data-dir", str(small_data), "--unit", "区人社局",
                   "--as-of", "2024-06-30", "--output", str(returned))  # fmt: skip
    assert made.code == 0, made.stderr
    rows = returned.read_text(encoding="utf-8-sig").splitlines()
    header = next(row for row in rows if row.startswith("序号,")).split(",")  # under the form
    for index, row in enumerate(rows):
        cells = row.split(",")
        if len(cells) == len(header) and cells[header.index("指标编号")] == "training":
            cells[header.index("本期累计完成")] = "20000"  # 11 times 1865
            rows[index] = ",".join(cells)
    returned.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    before = snapshot(small_data)
    done = run_cli("progress", "import", str(returned), "--yes", "--data-dir", str(small_data))
    assert done.code == 1 and "implausible-value" in done.stderr, done.stderr
    assert snapshot(small_data) == before
    done = run_cli("progress", "import", str(returned), "--yes", "--allow-large",
                   "--data-dir", str(small_data))  # fmt: skip
    assert done.code == 0, done.stderr
