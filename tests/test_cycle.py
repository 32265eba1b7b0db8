"""The monthly cycle: returns on time, late or missing, the on-time rate, history, escalation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import SMALL_PLAN
from minsheng.core.status import Status
from minsheng.plan.load import LoadedPlan, load_plan
from minsheng.plan.models import Basis, Reporting, Schedule, Thresholds
from minsheng.progress.entry import ProgressEntry, first_returns
from minsheng.report.compute import compute
from minsheng.report.cycle import (
    Point,
    Return,
    Returns,
    UnitReporting,
    deadline,
    escalations,
    history_days,
    months_between,
    reporting,
    trailing_run,
)
from test_compute import entry

MAY, JUNE, JULY = dt.date(2024, 5, 1), dt.date(2024, 6, 1), dt.date(2024, 7, 1)
D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def small() -> LoadedPlan:
    loaded, issues = load_plan(SMALL_PLAN)
    assert loaded is not None, issues
    return loaded


def with_cycle(loaded: LoadedPlan, due_day: int = 5, after: int = 2) -> LoadedPlan:
    """The small plan, counted by months, with returns due from May on `due_day`."""
    plan = loaded.plan.model_copy(
        update={
            "schedule": Schedule(basis=Basis.MONTH),
            "reporting": Reporting(due_day=due_day, first=MAY),
            "thresholds": Thresholds(escalate_after=after),
        }
    )
    return LoadedPlan(plan, loaded.doc, loaded.path, loaded.digest)


def returned(unit: str, item: int, date: str, recorded_at: str) -> ProgressEntry:
    target = "jobs" if item == 1 else "dibao"
    stage = "推进中" if item == 3 else None
    value = None if item == 3 else 0.3
    return entry(item, target, value, stage=stage, date=date, unit=unit, recorded_at=recorded_at)


def test_months_run_from_the_first_to_the_last_both_included() -> None:
    assert months_between(MAY, dt.date(2024, 7, 15)) == [MAY, JUNE, JULY]
    assert months_between(dt.date(2024, 11, 30), dt.date(2025, 1, 1)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
    ]
    assert months_between(JUNE, dt.date(2024, 5, 31)) == []


def test_the_due_day_ends_at_midnight_beijing_time() -> None:
    end = deadline(dt.date(2024, 6, 5))
    utc = dt.UTC
    assert dt.datetime(2024, 6, 5, 23, 59, 59, tzinfo=end.tzinfo) < end
    assert not dt.datetime(2024, 6, 6, 0, 0, tzinfo=end.tzinfo) < end
    # The same moments written in UTC: 16:00 UTC on the 5th is already the 6th in Beijing.
    assert dt.datetime(2024, 6, 5, 15, 59, 59, tzinfo=utc) < end
    assert not dt.datetime(2024, 6, 5, 16, 0, tzinfo=utc) < end


def test_first_returns_keep_each_units_earliest_record_of_each_month() -> None:
    entries = [
        returned("区人社局", 1, "2024-05-31", "2024-06-07T10:00:00+08:00"),
        returned("区人社局", 1, "2024-05-20", "2024-06-03T10:00:00+08:00"),
        returned("区人社局", 1, "2024-06-30", "2024-07-01T10:00:00+08:00"),
        returned("区民政局", 3, "2024-05-31", "2024-06-09T10:00:00+08:00"),
    ]
    found = first_returns(entries)
    assert found == {
        ("区人社局", 1, MAY): dt.datetime.fromisoformat("2024-06-03T10:00:00+08:00"),
        ("区人社局", 1, JUNE): dt.datetime.fromisoformat("2024-07-01T10:00:00+08:00"),
        ("区民政局", 3, MAY): dt.datetime.fromisoformat("2024-06-09T10:00:00+08:00"),
    }


def test_each_unit_is_on_time_late_or_missing_each_month(small: LoadedPlan) -> None:
    loaded = with_cycle(small)
    entries = [
        # 区人社局 (item 1): May on time to the last second, June a day late.
        returned("区人社局", 1, "2024-05-31", "2024-06-05T23:59:59+08:00"),
        returned("区人社局", 1, "2024-06-30", "2024-07-06T00:00:00+08:00"),
        # Item 3 is co-led: each lead unit returns its own figures.
        returned("区城管局", 3, "2024-05-31", "2024-06-01T09:00:00+08:00"),
        returned("区城管局", 3, "2024-06-28", "2024-07-02T09:00:00+08:00"),
        returned("区民政局", 3, "2024-05-31", "2024-06-02T09:00:00+08:00"),
        # 区民政局 returns nothing dated in June: an entry dated in May but recorded in July
        # is a late May figure, not June's return.
        returned("区民政局", 3, "2024-05-30", "2024-07-03T09:00:00+08:00"),
    ]
    # The report for 31 July made on 1 August: July's returns are due on the 5th.
    made = dt.datetime.fromisoformat("2024-08-01T09:00:00+08:00")
    found = reporting(
        loaded.plan, loaded.canonical_units, first_returns(entries), JULY.replace(day=31), made
    )
    by_unit = {r.unit: r for r in found}
    assert list(by_unit) == ["区人社局", "区城管局", "区民政局"]  # the plan's order
    statuses = {name: [p.status for p in r.periods] for name, r in by_unit.items()}
    assert statuses == {
        "区人社局": [Return.ON_TIME, Return.LATE, Return.PENDING],
        "区城管局": [Return.ON_TIME, Return.ON_TIME, Return.PENDING],
        "区民政局": [Return.ON_TIME, Return.MISSING, Return.PENDING],
    }
    assert by_unit["区人社局"].periods[2].items_pending == [1]
    june = by_unit["区人社局"].periods[1]
    assert (june.label, june.due, june.items_late, june.items_missing) == (
        "2024-06",
        dt.date(2024, 7, 5),
        [1],
        [],
    )
    assert by_unit["区民政局"].periods[1].items_missing == [3]
    # On 1 August May and June are due (June 5th, July 5th), July is not (August 5th).
    assert by_unit["区人社局"].on_time_rate == Decimal(1) / 2
    assert by_unit["区城管局"].on_time_rate == 1
    assert by_unit["区民政局"].on_time_rate == Decimal(1) / 2


def test_the_on_time_rate_counts_every_settled_month_and_no_pending_one(
    small: LoadedPlan,
) -> None:
    loaded = with_cycle(small)

    def first(returns: Returns, as_of: str, made: str) -> UnitReporting:
        when = dt.datetime.fromisoformat(f"{made}T09:00:00+08:00")
        found = reporting(loaded.plan, loaded.canonical_units, returns, D(as_of), when)
        return next(unit for unit in found if unit.unit == "区人社局")

    # Nothing returned: May is 待报送 until its due day has passed, then 未报送 and counted.
    nothing = first({}, "2024-05-31", "2024-06-01")
    assert (nothing.periods[-1].status, nothing.on_time_rate) == (Return.PENDING, None)
    assert first({}, "2024-05-31", "2024-06-06").on_time_rate == 0
    returns = first_returns([returned("区人社局", 1, "2024-05-31", "2024-06-04T09:00:00+08:00")])
    assert first(returns, "2024-05-31", "2024-06-04").on_time_rate == 1  # in, so settled
    # June not over on the 20th: not judged at all. Over, not due: pending, not counted.
    assert [p.label for p in first(returns, "2024-06-20", "2024-06-21").periods] == ["2024-05"]
    june = first(returns, "2024-06-30", "2024-07-01")
    assert (june.periods[-1].status, june.on_time_rate) == (Return.PENDING, 1)
    late = first(returns, "2024-06-30", "2024-07-06")  # due and missing: counted, 1 of 2
    assert (late.periods[-1].status, late.on_time_rate) == (Return.MISSING, Decimal(1) / 2)


def test_no_reporting_section_no_returns(small: LoadedPlan) -> None:
    assert small.plan.reporting is None
    assert reporting(small.plan, small.canonical_units, {}, dt.date(2024, 6, 30)) == []


def test_history_is_each_month_end_then_the_as_of_date(small: LoadedPlan) -> None:
    plan = with_cycle(small).plan
    assert history_days(plan, dt.date(2024, 7, 15)) == [
        dt.date(2024, 5, 31),
        dt.date(2024, 6, 30),
        dt.date(2024, 7, 15),
    ]
    assert history_days(plan, dt.date(2024, 6, 30)) == [dt.date(2024, 5, 31), dt.date(2024, 6, 30)]
    assert history_days(plan, dt.date(2024, 4, 30)) == [dt.date(2024, 4, 30)]  # before `from`
    # Without a reporting section the history starts with the plan period.
    assert history_days(small.plan, dt.date(2024, 2, 10)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 10),
    ]


def point(status: Status) -> Point:
    return Point(dt.date(2024, 6, 30), Decimal("0.2"), status)


def test_a_run_is_counted_from_the_latest_point_back() -> None:
    on, behind, lagging = Status.ON_TRACK, Status.BEHIND, Status.LAGGING
    assert trailing_run([point(s) for s in (behind, behind, on)]) == 0
    assert trailing_run([point(s) for s in (on, behind, lagging)]) == 2
    assert trailing_run([point(s) for s in (behind, Status.UNREPORTED, lagging)]) == 1
    assert trailing_run([]) == 0


def test_escalations_are_runs_of_k_or_more_the_longest_first() -> None:
    on, behind, lagging = Status.ON_TRACK, Status.BEHIND, Status.LAGGING
    history = {
        1: [point(s) for s in (behind, behind, behind)],
        2: [point(s) for s in (on, behind, lagging)],
        3: [point(s) for s in (on, on, lagging)],
        4: [point(s) for s in (on, lagging, behind)],
        5: [point(s) for s in (lagging, lagging, on)],
    }
    units = {number: [f"单位{number}"] for number in history}
    found = escalations(history, units, 2)
    assert [(e.item, e.months, e.status) for e in found] == [
        (1, 3, behind),
        (2, 2, lagging),  # of equal runs, the one lagging now comes first
        (4, 2, behind),
    ]
    assert found[0].units == ["单位1"]
    assert [e.item for e in escalations(history, units, 3)] == [1]


def test_compute_gives_history_and_escalation_by_months(small: LoadedPlan) -> None:
    loaded = with_cycle(small)
    # Item 1 on 0.57 万人 and 1865 人次: 16.8% at the end of May (序时 41.7%, 落后 24.9),
    # 21.3% at the end of June (50.0%, 落后 28.7): behind twice.
    entries = [
        entry(1, "jobs", "0.1", date="2024-05-31", recorded_at="2024-06-03T09:00:00+08:00"),
        entry(1, "training", 300, date="2024-05-31", recorded_at="2024-06-03T09:00:00+08:00"),
        entry(1, "jobs", "0.12", date="2024-06-30", recorded_at="2024-07-08T09:00:00+08:00"),
        entry(1, "training", 400, date="2024-06-30", recorded_at="2024-07-08T09:00:00+08:00"),
    ]
    report = compute(loaded.plan, loaded.canonical_units, entries, dt.date(2024, 6, 30))
    cycle = report.cycle
    assert cycle is not None
    assert cycle.months == [MAY, JUNE]
    assert set(cycle.history) == {1, 2, 3}
    one = cycle.history[1]
    assert [(p.as_of, p.status) for p in one] == [
        (dt.date(2024, 5, 31), Status.BEHIND),
        (dt.date(2024, 6, 30), Status.BEHIND),
    ]
    assert one[-1].completion == report.now.item(1).completion
    assert [(e.item, e.months, e.units) for e in cycle.escalations] == [(1, 2, ["区人社局"])]
    assert [p.status for p in cycle.history[3]] == [Status.UNREPORTED, Status.UNREPORTED]
    returns = {r.unit: [p.status for p in r.periods] for r in cycle.reporting}
    assert returns["区人社局"] == [Return.ON_TIME, Return.LATE]
    # Asked for the ranking only, the cycle is not computed.
    plain = compute(
        loaded.plan, loaded.canonical_units, entries, dt.date(2024, 6, 30), monthly=False
    )
    assert plain.cycle is None
