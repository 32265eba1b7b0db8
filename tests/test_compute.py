"""Completion, expected progress and status: each target kind and comparator, on the edges."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL_PLAN
from minsheng.core.percent import points
from minsheng.core.status import Status
from minsheng.plan.load import LoadedPlan, load_plan
from minsheng.plan.models import Basis, Comparator, Kind, Period, ScheduleStep, Target
from minsheng.progress.entry import ProgressEntry, effective_entries, latest
from minsheng.report.compute import compute, default_as_of, expected_at, is_met, target_completion
from minsheng.report.document import Report
from minsheng.report.results import ranks

D = Decimal
AS_OF = dt.date(2024, 6, 30)
_ids = itertools.count(1)


def entry(
    item: int,
    target: str,
    value: Any = None,
    *,
    date: str = "2024-06-30",
    stage: str | None = None,
    percent: Any = None,
    unit: str = "区人社局",
    recorded_at: str = "2024-07-01T09:00:00+08:00",
    id: str | None = None,
    corrects: str | None = None,
) -> ProgressEntry:
    """A progress entry as read from a file (numbers as Decimal, like the YAML loader gives)."""
    data: dict[str, Any] = {
        "id": id or f"e{next(_ids):07d}",
        "item": item,
        "target": target,
        "date": date,
        "unit": unit,
        "recorded_at": recorded_at,
    }
    if value is not None:
        data["value"] = D(str(value))
    if stage is not None:
        data["stage"] = stage
    if percent is not None:
        data["percent"] = D(str(percent))
    if corrects is not None:
        data["corrects"] = corrects
    return ProgressEntry.model_validate(data)


def target(kind: str, comparator: str | None, value: Any, baseline: Any = None) -> Target:
    return Target(
        id="t",
        name="目标",
        kind=Kind(kind),
        comparator=Comparator(comparator) if comparator else None,
        value=D(str(value)) if value is not None else None,
        unit=None if kind == "milestone" else "个",
        baseline=D(str(baseline)) if baseline is not None else None,
    )


def value_entry(value: Any) -> ProgressEntry:
    return entry(1, "t", value)


def report_of(
    loaded: LoadedPlan, entries: list[ProgressEntry], as_of: dt.date, since: dt.date | None = None
) -> Report:
    return compute(loaded.plan, loaded.canonical_units, entries, as_of, since)


def load(text: str | None = None, tmp_path: Path | None = None) -> LoadedPlan:
    """The small test plan, or a variant of its text."""
    if text is None:
        loaded, issues = load_plan(SMALL_PLAN, "plan_small.yaml")
    else:
        assert tmp_path is not None
        path = tmp_path / "tasks_2024.yaml"
        path.write_text(text, encoding="utf-8")
        loaded, issues = load_plan(path, path.name)
    assert loaded is not None, issues
    return loaded


# --- one target ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "completion", "met"),
    [
        (0, D(0), False),
        (320, D(320) / D(776), False),
        (775, D(775) / D(776), False),
        (776, D(1), True),  # exactly on the target
        (1458, D(1458) / D(776), True),  # 187.9%: over-achievement is kept
    ],
)
def test_quantity_at_least(value: int, completion: Decimal, met: bool) -> None:
    rehab = target("quantity", "at_least", 776)
    assert target_completion(rehab, value_entry(value)) == completion
    assert is_met(rehab, value_entry(value)) is met


def test_over_achievement_reads_as_187_9_percent() -> None:
    rehab = target("quantity", "at_least", 776)
    completion = target_completion(rehab, value_entry(1458))
    assert (completion * 100).quantize(D("0.1")) == D("187.9")


@pytest.mark.parametrize(
    ("value", "met"),
    [("0.5414", False), ("0.5415", True), ("0.57", True), ("0.60", True)],
)
def test_approx_is_met_from_95_percent_of_the_value(value: str, met: bool) -> None:
    jobs = target("quantity", "approx", "0.57")  # 0.57万人左右; 95% of it is 0.5415
    assert is_met(jobs, value_entry(value)) is met
    assert target_completion(jobs, value_entry(value)) == D(value) / D("0.57")


def test_level_at_least_is_actual_over_value() -> None:
    rate = target("level", "at_least", 65)
    assert target_completion(rate, value_entry("58.5")) == D("0.9")
    assert not is_met(rate, value_entry("64.99"))
    assert is_met(rate, value_entry(65))


@pytest.mark.parametrize(
    ("value", "completion", "met"),
    [(3, D(1), True), (5, D(1), True), (10, D("0.5"), False)],
)
def test_at_most_is_met_while_at_or_under(value: int, completion: Decimal, met: bool) -> None:
    cap = target("level", "at_most", 5)
    assert target_completion(cap, value_entry(value)) == completion
    assert is_met(cap, value_entry(value)) is met


@pytest.mark.parametrize(
    ("value", "completion", "met"),
    [
        ("99.90", D(0), False),  # still at the baseline
        ("99.80", D(0), False),  # below the baseline: never negative
        ("99.915", D("0.5"), False),  # half way from 99.90 to 99.93
        ("99.93", D(1), True),
        ("99.96", D(2), True),
    ],
)
def test_baseline_counts_progress_from_baseline_to_target(
    value: str, completion: Decimal, met: bool
) -> None:
    power = target("level", "at_least", "99.93", baseline="99.90")
    assert target_completion(power, value_entry(value)) == completion
    assert is_met(power, value_entry(value)) is met


@pytest.mark.parametrize(("value", "completion"), [("85", D(0)), ("86", D(1)), ("87", D(1))])
def test_baseline_equal_to_target_is_met_or_not(value: str, completion: Decimal) -> None:
    keep = target("level", "at_least", 86, baseline=86)
    assert target_completion(keep, value_entry(value)) == completion


@pytest.mark.parametrize(
    ("comparator", "value", "completion"),
    [
        ("at_least", 85, D(0)),
        ("at_least", 86, D(1)),
        ("at_least", 100, D(1)),  # a standard is met or not: no over-achievement
        ("at_most", 12, D(1)),
        ("at_most", 13, D(0)),
    ],
)
def test_standard_is_met_or_not(comparator: str, value: int, completion: Decimal) -> None:
    standard = target("standard", comparator, 86 if comparator == "at_least" else 12)
    assert target_completion(standard, value_entry(value)) == completion


@pytest.mark.parametrize(
    ("stage", "percent", "completion", "met"),
    [
        ("未启动", None, D(0), False),
        ("推进中", None, D("0.5"), False),
        ("推进中", 40, D("0.4"), False),
        ("推进中", 100, D(1), False),  # only the stage 已完成 meets a milestone
        ("已完成", None, D(1), True),
    ],
)
def test_milestone_by_stage(
    stage: str, percent: int | None, completion: Decimal, met: bool
) -> None:
    milestone = target("milestone", None, None)
    reported = entry(1, "t", stage=stage, percent=percent)
    assert target_completion(milestone, reported) == completion
    assert is_met(milestone, reported) is met


@pytest.mark.parametrize("kind", ["quantity", "level", "standard", "milestone"])
def test_no_entry_is_zero_and_not_met(kind: str) -> None:
    some = target(
        kind, None if kind == "milestone" else "at_least", None if kind == "milestone" else 5
    )
    assert target_completion(some, None) == 0
    assert not is_met(some, None)


# --- expected progress (序时进度) -----------------------------------------------------------

YEAR = Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
DAY, MONTH = Basis.DAY, Basis.MONTH


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2023, 12, 1), D(0)),  # before the period: clamped
        (dt.date(2023, 12, 31), D(0)),
        (dt.date(2024, 1, 1), D(1) / D(366)),  # the first day counts
        (dt.date(2024, 6, 30), D(182) / D(366)),
        (dt.date(2024, 12, 31), D(1)),
        (dt.date(2025, 3, 1), D(1)),  # after the period: clamped
    ],
)
def test_expected_is_the_elapsed_share_of_the_period(as_of: dt.date, expected: Decimal) -> None:
    assert expected_at(YEAR, [], as_of, basis=DAY) == expected


def test_schedule_interpolates_between_its_steps() -> None:
    steps = [ScheduleStep(date=dt.date(2024, 6, 30), expected=D("0.2"))]
    assert expected_at(YEAR, steps, dt.date(2023, 12, 31), basis=DAY) == 0
    assert expected_at(YEAR, steps, dt.date(2024, 3, 31), basis=DAY) == D("0.1")  # 91 of 182 days
    assert expected_at(YEAR, steps, dt.date(2024, 6, 30), basis=DAY) == D("0.2")  # on the step
    assert expected_at(YEAR, steps, dt.date(2024, 9, 30), basis=DAY) == D("0.6")  # 92 of 184 days
    assert expected_at(YEAR, steps, dt.date(2024, 12, 31), basis=DAY) == 1


def test_schedule_steps_are_taken_in_date_order() -> None:
    steps = [
        ScheduleStep(date=dt.date(2024, 9, 30), expected=D("0.5")),
        ScheduleStep(date=dt.date(2024, 6, 30), expected=D("0.2")),
    ]
    assert (
        expected_at(YEAR, steps, dt.date(2024, 8, 15), basis=DAY) == D("0.2") + D("0.3") * 46 / 92
    )


def test_item_schedule_drives_its_status(tmp_path: Path) -> None:
    # Item 1 expects little before the autumn: 10% behind the year's pace is on track for it.
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        "    units: [区人社局]\n",
        "    units: [区人社局]\n    schedule:\n      - {date: 2024-09-30, expected: 0.2}\n",
    )
    loaded = load(text, tmp_path)
    entries = [entry(1, "jobs", "0.114"), entry(1, "training", 373)]  # 20% of each
    item = report_of(loaded, entries, AS_OF).now.item(1)
    assert item.expected < D("0.2")
    assert item.status is Status.ON_TRACK


def period(start: str, end: str) -> Period:
    return Period(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end))


@pytest.mark.parametrize(
    ("as_of", "months"),
    [
        ("2023-12-31", 0),
        ("2024-01-01", 0),  # by days this is already 1/366
        ("2024-01-30", 0),
        ("2024-01-31", 1),  # a month counts on its last day
        ("2024-02-28", 1),  # 2024 is a leap year: February is not over yet
        ("2024-02-29", 2),
        ("2024-06-15", 5),  # mid-month: 41.7%, where days give 45.6%
        ("2024-06-29", 5),
        ("2024-06-30", 6),  # 50.0% as the province's bulletins print it, 49.7% by days
        ("2024-08-31", 8),  # 66.7%
        ("2024-11-30", 11),  # 91.7% (91.67%)
        ("2024-12-30", 11),
        ("2024-12-31", 12),
        ("2025-03-01", 12),  # after the period: all of it
    ],
)
def test_expected_by_month_counts_the_months_over(as_of: str, months: int) -> None:
    expected = expected_at(YEAR, [], dt.date.fromisoformat(as_of), basis=MONTH)
    assert expected == D(months) / D(12)


@pytest.mark.parametrize(
    ("as_of", "month", "day"),
    [
        ("2024-06-30", "50.0", "49.7"),
        ("2024-06-15", "41.7", "45.6"),
        ("2024-08-31", "66.7", "66.7"),  # the two counts can agree
        ("2024-11-30", "91.7", "91.5"),
    ],
)
def test_the_bulletins_examples_in_points(as_of: str, month: str, day: str) -> None:
    date = dt.date.fromisoformat(as_of)
    assert points(expected_at(YEAR, [], date, basis=MONTH)) == D(month)
    assert points(expected_at(YEAR, [], date, basis=DAY)) == D(day)


def test_february_ends_on_the_28th_in_a_common_year() -> None:
    year = period("2023-01-01", "2023-12-31")
    assert expected_at(year, [], dt.date(2023, 2, 27), basis=MONTH) == D(1) / D(12)
    assert expected_at(year, [], dt.date(2023, 2, 28), basis=MONTH) == D(2) / D(12)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-06-30", D(0)),
        ("2024-07-15", D(0)),
        ("2024-07-31", D(1) / D(12)),
        ("2024-12-31", D(6) / D(12)),  # half way, though the calendar year is over
        ("2025-02-28", D(8) / D(12)),
        ("2025-06-30", D(1)),
    ],
)
def test_expected_by_month_over_a_period_that_starts_in_july(as_of: str, expected: Decimal) -> None:
    budget_year = period("2024-07-01", "2025-06-30")
    assert expected_at(budget_year, [], dt.date.fromisoformat(as_of), basis=MONTH) == expected


@pytest.mark.parametrize(
    ("start", "end", "as_of", "expected"),
    [
        # A period from the notice's date: May is one of its 8 months, over on May 31.
        ("2024-05-07", "2024-12-31", "2024-05-06", D(0)),
        ("2024-05-07", "2024-12-31", "2024-05-30", D(0)),
        ("2024-05-07", "2024-12-31", "2024-05-31", D(1) / D(8)),
        ("2024-05-07", "2024-12-31", "2024-06-30", D(2) / D(8)),
        # A period that ends mid-month: its last month is over on its last day.
        ("2024-01-01", "2024-12-20", "2024-11-30", D(11) / D(12)),
        ("2024-01-01", "2024-12-20", "2024-12-19", D(11) / D(12)),
        ("2024-01-01", "2024-12-20", "2024-12-20", D(1)),
        # Within one month: nothing until its end, then all.
        ("2024-06-10", "2024-06-20", "2024-06-19", D(0)),
        ("2024-06-10", "2024-06-20", "2024-06-20", D(1)),
    ],
)
def test_a_part_month_at_either_end_counts_as_a_month(
    start: str, end: str, as_of: str, expected: Decimal
) -> None:
    found = expected_at(period(start, end), [], dt.date.fromisoformat(as_of), basis=MONTH)
    assert found == expected


def test_a_schedule_interpolates_by_months_between_its_steps() -> None:
    steps = [
        ScheduleStep(date=dt.date(2024, 6, 30), expected=D("0.2")),
        ScheduleStep(date=dt.date(2024, 9, 30), expected=D("0.5")),
    ]

    def at(day: str) -> Decimal:
        # Exact to 20 places: the count of months decides, not the last digit of a division.
        found = expected_at(YEAR, steps, dt.date.fromisoformat(day), basis=MONTH)
        return found.quantize(D("1E-20"))

    def exactly(value: Decimal) -> Decimal:
        return value.quantize(D("1E-20"))

    assert at("2024-01-31") == exactly(D("0.2") / 6)  # 1 of the 6 months to the first step
    assert at("2024-03-15") == at("2024-02-29") == exactly(D("0.2") * 2 / 6)
    assert at("2024-06-30") == D("0.2")
    assert at("2024-07-31") == at("2024-08-30") == D("0.3")  # a third of the way to 0.5
    assert at("2024-09-29") == D("0.4")
    assert at("2024-09-30") == D("0.5")
    assert at("2024-11-30") == exactly(D("0.5") + D("0.5") * 2 / 3)
    assert at("2024-12-31") == 1


def with_basis(tmp_path: Path, basis: str) -> LoadedPlan:
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        "thresholds:", f"schedule: {{basis: {basis}}}\nthresholds:", 1
    )
    return load(text, tmp_path)


@pytest.mark.parametrize(
    ("basis", "expected", "gap", "status"),
    [
        ("month", D("0.5"), D("10.2"), Status.BEHIND),  # 50.0 − 39.8: 滞后 by the office's count
        ("day", D(182) / D(366), D("9.9"), Status.ON_TRACK),  # 49.7 − 39.8
    ],
)
def test_the_basis_can_flip_a_status_at_the_edge(
    tmp_path: Path, basis: str, expected: Decimal, gap: Decimal, status: Status
) -> None:
    loaded = with_basis(tmp_path, basis)
    entries = [entry(1, "jobs", D("0.57") * D("0.398")), entry(1, "training", D(1865) * D("0.398"))]
    now = report_of(loaded, entries, AS_OF).now
    assert now.expected == expected
    item = now.item(1)
    assert (item.completion, item.expected, item.gap, item.status) == (
        D("0.398"),
        expected,
        gap,
        status,
    )


def test_a_plan_without_a_basis_counts_by_days(tmp_path: Path) -> None:
    assert load().plan.schedule.basis is Basis.DAY
    assert report_of(load(), [], AS_OF).now.expected == D(182) / D(366)


# --- an item's completion and status --------------------------------------------------------


def test_no_entries_every_active_item_is_unreported() -> None:
    now = report_of(load(), [], AS_OF).now
    assert {r.item.id: r.status for r in now.items} == {
        1: Status.UNREPORTED,
        2: Status.NO_TASK,
        3: Status.UNREPORTED,
    }
    assert now.item(1).completion == 0
    assert now.item(2).completion is None


def test_entries_after_as_of_are_ignored() -> None:
    late = [
        entry(1, "jobs", "0.57", date="2024-07-01"),
        entry(1, "training", 1865, date="2024-07-01"),
    ]
    report = report_of(load(), late, AS_OF)
    assert report.now.item(1).status is Status.UNREPORTED
    assert report_of(load(), late, dt.date(2024, 7, 1)).now.item(1).status is Status.DONE


def test_done_when_every_own_target_is_met_even_early() -> None:
    early = "2024-02-01"
    entries = [entry(1, "jobs", "0.55", date=early), entry(1, "training", 1865, date=early)]
    item = report_of(load(), entries, dt.date.fromisoformat(early)).now.item(1)
    assert item.status is Status.DONE
    assert item.completion == (D("0.55") / D("0.57") + 1) / 2


def test_each_target_is_capped_at_one_in_the_item_mean() -> None:
    entries = [entry(1, "jobs", "1.071"), entry(1, "training", 0)]  # 187.9% and 0%
    item = report_of(load(), entries, AS_OF).now.item(1)
    assert item.targets[0].completion > 1
    assert item.completion == D("0.5")


def test_measure_targets_are_detail_and_do_not_enter_the_item(tmp_path: Path) -> None:
    # Without the roll-up (sum_of), the measures' sub-targets are shown but not counted.
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(",\n         sum_of: [a, b]}", "}")
    entries = [entry(1, "a", 1000), entry(1, "b", 865, recorded_at="2024-07-02T09:00:00+08:00")]
    item = report_of(load(text, tmp_path), entries, AS_OF).now.item(1)
    assert [t.completion for t in item.targets if t.measure is not None] == [1, 1]
    assert item.completion == 0
    assert item.status is Status.LAGGING  # reported, but its own targets have nothing yet
    # Two targets reported the same day: the one the plan lists first describes the item,
    # whichever was typed last.
    assert item.latest is not None and item.latest.target == "a"


def test_latest_note_prefers_the_items_own_targets() -> None:
    entries = [
        entry(1, "training", 500, recorded_at="2024-07-01T09:00:00+08:00"),
        entry(1, "a", 300, recorded_at="2024-07-01T10:00:00+08:00"),
    ]
    item = report_of(load(), entries, AS_OF).now.item(1)
    assert item.latest is not None and item.latest.target == "training"


# A plan whose period is 100 days, so that day 50 is exactly 50% expected.
def hundred_days(tmp_path: Path, thresholds: str = "{behind: 10, lagging: 30}") -> LoadedPlan:
    text = SMALL_PLAN.read_text(encoding="utf-8")
    text = text.replace("end: 2024-12-31", "end: 2024-04-09")
    text = text.replace("thresholds: {behind: 10, lagging: 30}", f"thresholds: {thresholds}")
    return load(text, tmp_path)


DAY_50 = dt.date(2024, 2, 19)


def day_50(item: int, target: str, value: Any) -> ProgressEntry:
    return entry(item, target, value, date="2024-02-19")


@pytest.mark.parametrize(
    ("share", "status"),
    [
        ("0.41", Status.ON_TRACK),  # 9 points below
        ("0.40", Status.BEHIND),  # exactly 10 points below
        ("0.20", Status.BEHIND),  # exactly 30 points below
        ("0.19", Status.LAGGING),  # 31 points below
        ("0.60", Status.ON_TRACK),  # ahead of schedule
    ],
)
def test_status_from_the_gap_on_the_thresholds(tmp_path: Path, share: str, status: Status) -> None:
    loaded = hundred_days(tmp_path)
    fraction = D(share)
    entries = [day_50(1, "jobs", D("0.57") * fraction), day_50(1, "training", D(1865) * fraction)]
    item = report_of(loaded, entries, DAY_50).now.item(1)
    assert item.expected == D("0.5")
    assert item.completion == fraction
    assert item.status is status


def test_thresholds_come_from_the_plan(tmp_path: Path) -> None:
    loaded = hundred_days(tmp_path, "{behind: 5, lagging: 8}")
    entries = [day_50(1, "jobs", "0.228"), day_50(1, "training", 746)]  # 40%: 10 points below
    assert report_of(loaded, entries, DAY_50).now.item(1).status is Status.LAGGING


# --- which entry counts ---------------------------------------------------------------------


def counting(entries: list[ProgressEntry], as_of: dt.date = AS_OF) -> dict[Any, ProgressEntry]:
    return latest(effective_entries(entries, as_of))


def test_latest_by_date_then_recorded_at_then_file_order() -> None:
    early = entry(1, "training", 900, date="2024-06-30", recorded_at="2024-07-05T09:00:00+08:00")
    later_date = entry(
        1, "training", 1000, date="2024-06-30", recorded_at="2024-07-06T09:00:00+08:00"
    )
    older = entry(1, "training", 1200, date="2024-06-01", recorded_at="2024-07-09T09:00:00+08:00")
    assert counting([later_date, early, older])[(1, "training")].value == 1000
    twin = entry(1, "training", 1100, date="2024-06-30", recorded_at="2024-07-06T09:00:00+08:00")
    assert counting([later_date, twin])[(1, "training")].value == 1100


def test_a_corrected_entry_never_counts() -> None:
    wrong = entry(1, "training", 1800, date="2024-06-30", id="aaaaaaaa")
    fixed = entry(1, "training", 800, date="2024-06-30", id="bbbbbbbb", corrects="aaaaaaaa")
    assert counting([wrong, fixed])[(1, "training")].value == 800
    assert report_of(load(), [wrong, fixed], AS_OF).now.item(1).targets[1].actual is not None


def test_a_correction_counts_from_its_own_date() -> None:
    # The corrected set on a date is made of the corrections dated up to it: a report as of
    # May is not rewritten by a correction dated in June.
    may = entry(1, "training", 1800, date="2024-05-31", id="aaaaaaaa")
    june = entry(1, "training", 800, date="2024-06-30", id="bbbbbbbb", corrects="aaaaaaaa")
    assert counting([may, june], dt.date(2024, 5, 31))[(1, "training")].value == 1800
    assert counting([may, june], AS_OF)[(1, "training")].value == 800


def test_each_date_of_a_report_has_its_own_entries() -> None:
    entries = [entry(1, "training", v, date=f"2024-0{m}-28") for m, v in [(3, 100), (5, 500)]]
    report = report_of(load(), entries, AS_OF, dt.date(2024, 4, 30))
    assert report.since is not None
    assert report.now.item(1).targets[1].entry is not None
    assert report.now.item(1).targets[1].entry.value == 500
    assert report.since.item(1).targets[1].entry is not None
    assert report.since.item(1).targets[1].entry.value == 100


def test_since_gives_each_item_then_and_now() -> None:
    entries = [
        entry(1, "jobs", "0.114", date="2024-03-31"),
        entry(1, "training", 373, date="2024-03-31"),
        entry(1, "jobs", "0.342", date="2024-06-30"),
        entry(1, "training", 1119, date="2024-06-30"),
    ]
    report = report_of(load(), entries, AS_OF, dt.date(2024, 3, 31))
    assert report.since is not None
    assert report.since.item(1).completion == D("0.2")
    assert report.now.item(1).completion == D("0.6")


# --- roll-ups by unit and category ----------------------------------------------------------


def test_co_led_item_counts_for_each_lead_unit_by_its_own_targets() -> None:
    entries = [
        entry(1, "jobs", "0.57"),
        entry(1, "training", 1865),
        entry(3, "rate", 96, unit="区城管局"),
    ]
    now = report_of(load(), entries, AS_OF).now
    units = {u.name: u for u in now.units}
    assert set(units) == {
        "区人社局",
        "区城管局",
        "区民政局",
    }  # the alias 区城市管理局 is not a unit
    assert [r.item.id for r in units["区城管局"].items] == [3]
    assert [r.item.id for r in units["区民政局"].items] == [3]
    # 区城管局 reports rate, subsidy and power; the 低保 milestone is 区民政局's (by), and
    # 区民政局, which reported nothing, is not ranked on 区城管局's figure.
    assert units["区城管局"].completion == D(1) / 3
    assert units["区民政局"].completion == 0
    assert units["区民政局"].counts[Status.UNREPORTED] == 1
    assert now.item(3).completion == D("0.25")  # the item itself, all four targets


def test_unit_ranking_by_completion_then_name() -> None:
    now = report_of(load(), [entry(1, "jobs", "0.57"), entry(1, "training", 1865)], AS_OF).now
    assert [u.name for u in now.units] == ["区人社局", "区城管局", "区民政局"]
    now = report_of(load(), [], AS_OF).now
    assert [u.name for u in now.units] == sorted(["区人社局", "区城管局", "区民政局"])


def test_unit_not_reported_when_any_active_item_of_theirs_is_unreported() -> None:
    now = report_of(load(), [entry(1, "jobs", "0.3")], AS_OF).now
    silent = {u.name: [r.item.id for r in u.unreported] for u in now.units}
    assert silent == {"区人社局": [], "区城管局": [3], "区民政局": [3]}


def test_category_counts_every_item_and_averages_the_active_ones() -> None:
    now = report_of(load(), [entry(1, "jobs", "0.57"), entry(1, "training", 1865)], AS_OF).now
    first = now.categories[0]
    assert first.name == "促进就业"
    assert first.counts[Status.DONE] == 1 and first.counts[Status.NO_TASK] == 1
    assert first.completion == 1
    assert now.summary == {
        Status.DONE: 1,
        Status.ON_TRACK: 0,
        Status.BEHIND: 0,
        Status.LAGGING: 0,
        Status.UNREPORTED: 1,
        Status.NO_TASK: 1,
    }


# --- roll-ups (合计): a target with sum_of takes its parts' sum when they are newer ----------


def training(report: Report) -> Any:
    """Item 1's `training` (1865 人次, sum_of a 1000 + b 865) in the small plan."""
    return report.now.item(1).targets[1]


def test_rollup_sums_the_parts_when_the_total_is_not_reported() -> None:
    entries = [entry(1, "a", 600), entry(1, "b", 400, date="2024-06-15")]
    result = training(report_of(load(), entries, AS_OF))
    assert result.entry is None
    assert result.actual is not None
    assert (result.actual.value, result.actual.date) == (1000, dt.date(2024, 6, 30))
    assert result.actual.parts == ("a", "b")
    assert result.completion == D(1000) / D(1865)


def test_rollup_counts_a_part_not_reported_as_zero() -> None:
    result = training(report_of(load(), [entry(1, "b", 865)], AS_OF))
    assert result.actual is not None and result.actual.value == 865


def test_rollup_makes_the_item_count_its_parts() -> None:
    # The trial's case: a clerk reports only the sub-targets, and the item is not at 0%.
    entries = [entry(1, "jobs", "0.57"), entry(1, "a", 1000), entry(1, "b", 865)]
    item = report_of(load(), entries, AS_OF).now.item(1)
    assert item.completion == 1
    assert item.status is Status.DONE


def test_rollup_waits_for_any_part() -> None:
    result = training(report_of(load(), [entry(1, "jobs", "0.3")], AS_OF))
    assert result.actual is None and result.completion == 0


@pytest.mark.parametrize(
    ("own_date", "parts_date", "actual"),
    [
        ("2024-06-30", "2024-05-31", 1500),  # the total is newer: it wins
        ("2024-05-31", "2024-06-30", 900),  # the parts are newer: their sum wins
        ("2024-06-30", "2024-06-30", 1500),  # same date: the total as reported wins
    ],
)
def test_rollup_and_own_entry_the_more_recent_wins(
    own_date: str, parts_date: str, actual: int
) -> None:
    entries = [
        entry(1, "training", 1500, date=own_date),
        entry(1, "a", 500, date=parts_date),
        entry(1, "b", 400, date=parts_date),
    ]
    result = training(report_of(load(), entries, AS_OF))
    assert result.actual is not None and result.actual.value == actual
    assert bool(result.actual.parts) is (actual == 900)


def test_rollup_converts_the_parts_units(tmp_path: Path) -> None:
    # A total in 万人次 with parts in 人次: 1000 + 865 人次 is 0.1865 万人次.
    text = SMALL_PLAN.read_text(encoding="utf-8").replace(
        "value: 1865, unit: 人次,", "value: 0.1865, unit: 万人次,"
    )
    entries = [entry(1, "a", 1000), entry(1, "b", 865)]
    result = training(report_of(load(text, tmp_path), entries, AS_OF))
    assert result.actual is not None and result.actual.value == D("0.1865")
    assert result.met


# --- rounding: what is shown is what is compared ---------------------------------------------


def shares(fraction: Decimal) -> list[ProgressEntry]:
    """Item 1 at `fraction` of each of its two targets, on day 50 of the 100-day plan."""
    return [day_50(1, "jobs", D("0.57") * fraction), day_50(1, "training", D(1865) * fraction)]


@pytest.mark.parametrize(
    ("share", "gap", "status"),
    [
        ("0.40005", "10.0", Status.BEHIND),  # 40.005% shows 40.0%: 落后 10.0 is behind
        ("0.40049", "10.0", Status.BEHIND),
        ("0.40050", "9.9", Status.ON_TRACK),  # 40.050% rounds half up to 40.1%
        ("0.19996", "30.0", Status.BEHIND),  # 19.996% shows 20.0%: 落后 30.0 is not lagging
        ("0.19950", "30.0", Status.BEHIND),  # 19.95% rounds half up to 20.0%
        ("0.19949", "30.1", Status.LAGGING),
    ],
)
def test_status_is_decided_on_the_rounded_points(
    tmp_path: Path, share: str, gap: str, status: Status
) -> None:
    item = report_of(hundred_days(tmp_path), shares(D(share)), DAY_50).now.item(1)
    assert item.completion == D(share)
    assert item.gap == D(gap)
    assert str(item.gap) == gap  # as the bulletin prints it
    assert item.status is status


def test_points_round_half_up_even_for_huge_completions() -> None:
    assert points(D("0.49950")) == D("50.0")
    assert points(D("0.49949")) == D("49.9")
    assert points(D("1E+27")) == D("1E+29")  # 10^15 reported of a 10^-12 target: no error


def test_units_shown_with_equal_points_share_a_rank() -> None:
    entries = [
        *[entry(1, t, v) for t, v in [("jobs", "0.2850228"), ("training", "932.5746")]],  # 50.004%
        entry(3, "rate", "47.4886", unit="区城管局"),  # 49.988%
        entry(3, "subsidy", 86, unit="区城管局"),  # met: 100%
        entry(3, "power", "99.90", unit="区城管局"),  # at the baseline: 0; its part 49.996%
        entry(3, "dibao", stage="推进中", percent="49.96", unit="区民政局"),  # its part
    ]
    now = report_of(load(), entries, AS_OF).now
    assert [points(u.completion or D(0)) for u in now.units] == [D("50.0")] * 3
    assert ranks(now.units) == [1, 1, 1]
    assert [u.name for u in now.units] == sorted(u.name for u in now.units)


# --- the latest progress and its note --------------------------------------------------------


def noted(target: str, value: int, date: str, note: str | None, at: str) -> ProgressEntry:
    data = entry(1, target, value, date=date, recorded_at=f"2024-07-01T{at}:00+08:00")
    return data.model_copy(update={"note": note})


def test_note_is_the_most_recent_non_empty_one() -> None:
    entries = [
        noted("training", 300, "2024-05-31", "五月培训300人次", "09:00"),
        noted("training", 500, "2024-06-30", None, "09:00"),
        noted("a", 200, "2024-06-30", "甲类200人次", "10:00"),  # a measure's: only if need be
    ]
    item = report_of(load(), entries, AS_OF).now.item(1)
    assert item.latest is not None and item.latest.value == 500
    assert item.note is not None and item.note.note == "五月培训300人次"


def test_note_falls_back_to_the_measures_entries() -> None:
    entries = [
        noted("training", 500, "2024-06-30", "  ", "09:00"),
        noted("a", 200, "2024-06-20", "甲类200人次", "10:00"),
    ]
    item = report_of(load(), entries, AS_OF).now.item(1)
    assert item.note is not None and item.note.note == "甲类200人次"


def test_note_of_a_corrected_entry_is_not_shown() -> None:
    wrong = noted("training", 1800, "2024-06-30", "误填", "09:00").model_copy(
        update={"id": "aaaaaaaa"}
    )
    fixed = noted("training", 800, "2024-06-30", None, "10:00").model_copy(
        update={"id": "bbbbbbbb", "corrects": "aaaaaaaa"}
    )
    item = report_of(load(), [wrong, fixed], AS_OF).now.item(1)
    assert item.note is None


def test_a_corrections_remark_is_not_the_latest_progress() -> None:
    # The remark says why a figure was wrong; the figure is the correction's, the news of
    # the work is still the latest note of an entry that counts.
    may = noted("training", 300, "2024-05-31", "五月培训300人次", "09:00")
    wrong = noted("training", 1800, "2024-06-30", "误填", "09:00").model_copy(
        update={"id": "aaaaaaaa"}
    )
    fixed = noted("training", 800, "2024-06-30", "更正:误写为1800", "10:00").model_copy(
        update={"id": "bbbbbbbb", "corrects": "aaaaaaaa"}
    )
    item = report_of(load(), [may, wrong, fixed], AS_OF).now.item(1)
    assert item.latest is not None and item.latest.value == 800
    assert item.note is not None and item.note.note == "五月培训300人次"


# --- dates ---------------------------------------------------------------------------------


def test_default_as_of_is_today_within_the_period_else_its_end() -> None:
    assert default_as_of(YEAR, dt.date(2024, 6, 30)) == dt.date(2024, 6, 30)
    assert default_as_of(YEAR, dt.date(2025, 3, 1)) == dt.date(2024, 12, 31)


def test_a_decreasing_schedule_stays_within_bounds() -> None:
    # plan.py does not reject a schedule that goes down; the computation must still be sane.
    steps = [
        ScheduleStep(date=dt.date(2024, 3, 31), expected=D("0.8")),
        ScheduleStep(date=dt.date(2024, 6, 30), expected=D("0.2")),
    ]
    days = (dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(-5, 372))
    found = [expected_at(YEAR, steps, day, basis=DAY) for day in days]
    assert all(0 <= value <= 1 for value in found)
    assert expected_at(YEAR, steps, dt.date(2024, 3, 31), basis=DAY) == D("0.8")
    assert expected_at(YEAR, steps, dt.date(2024, 6, 30), basis=DAY) == D("0.2")
    assert expected_at(YEAR, steps, dt.date(2024, 12, 31), basis=DAY) == 1
