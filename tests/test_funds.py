"""The funds plan (funds_YYYY.yaml) and its three figures: the file's checks, located; 资金到位,
资金拨付 and 完成投资 through add, the return, the walk and the checks; and the rates and
statuses, from hand-written files with figures computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import TESTS, Result, files_only, run_cli, snapshot, write_records
from minsheng.core.datadir import DataDir
from minsheng.core.status import Status
from minsheng.plan.funds import load_funds
from minsheng.plan.load import LoadedPlan, load_plan, open_funds
from minsheng.progress.entry import ProgressEntry
from minsheng.report.compute import compute
from minsheng.report.funds import FundsReport
from test_progress import run_on_terminal
from test_returns import fill, import_, listed, row_of, template

FUNDS = TESTS / "data" / "funds"
SMALL_FUNDS = FUNDS / "funds_small.yaml"
INVALID = FUNDS / "invalid"

# Each invalid funds file (for the small plan) and the (line, code) it is reported with.
CASES = {
    "bad_basis": (4, "bad-value"),
    "bad_unit": (4, "bad-value"),
    "duplicate_item": (7, "duplicate-id"),
    "duplicate_key": (7, "duplicate-key"),
    "negative_amount": (6, "bad-value"),
    "no_task_item": (5, "no-task-entry"),
    "other_year": (3, "year-mismatch"),
    "quoted_amount": (6, "wrong-type"),
    "sources_sum": (7, "rollup-mismatch"),
    "stage_decreasing": (9, "bad-period"),
    "stage_outside": (7, "bad-period"),
    "stage_percent": (8, "bad-value"),
    "stage_without_rate": (8, "missing-field"),
    "thresholds_swapped": (4, "bad-value"),
    "total_below_planned": (7, "bad-value"),
    "unknown_field": (7, "unknown-field"),
    "unknown_item": (7, "unknown-item"),
}


@pytest.fixture
def funded(small_data: Path) -> Path:
    """The small plan with its funds file: item 1 planned 3000万元 (中央 1000, 省 800, 市 500,
    区 700; a stage target: 拨付率 70% by 2024-06-30), item 3 planned 1200万元."""
    shutil.copy(SMALL_FUNDS, small_data / "funds_2024.yaml")
    return small_data


def small_plan(data: Path) -> LoadedPlan:
    loaded, issues = load_plan(data / "tasks_2024.yaml")
    assert loaded is not None, issues
    with_funds, issues = open_funds(DataDir(data), loaded)
    assert with_funds is not None, issues
    return with_funds


def add(data: Path, *args: str) -> Result:
    return run_cli("progress", "add", "--data-dir", str(data), *args)


def recorded(data: Path) -> list[tuple[int, str, str, Any]]:
    return [(e["item"], e["target"], e["date"], e["value"]) for e in listed(data)]


# --- the file ----------------------------------------------------------------------------------


def test_every_invalid_funds_file_has_an_expectation() -> None:
    assert sorted(path.stem for path in INVALID.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_invalid_funds_file_is_reported_at_its_line(case: str) -> None:
    plan, _ = load_plan(TESTS / "data" / "valid" / "plan_small.yaml")
    assert plan is not None
    path = INVALID / f"{case}.yaml"
    funds, issues = load_funds(path, plan.plan, path.name)
    assert funds is None
    assert CASES[case] in {(issue.line, str(issue.code)) for issue in issues}, issues


@pytest.mark.parametrize("case", ["sources_sum", "unknown_item", "bad_unit"])
def test_validate_names_the_funds_file_and_line_and_writes_nothing(
    case: str, small_data: Path
) -> None:
    shutil.copy(INVALID / f"{case}.yaml", small_data / "funds_2024.yaml")
    before = snapshot(small_data.parent)
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 1
    line, code = CASES[case]
    assert f"funds_2024.yaml:{line}:" in done.stdout and f": {code}: " in done.stdout
    assert "Traceback" not in done.stderr
    report = run_cli("report", "--as-of", "2024-06-30", "--data-dir", str(small_data))
    assert report.code == 1 and f"funds_2024.yaml:{line}:" in report.stderr
    assert snapshot(small_data.parent) == before


def test_a_valid_funds_file_validates_and_is_named_in_the_summary(funded: Path) -> None:
    done = run_cli("validate", "--data-dir", str(funded))
    assert done.code == 0, done.stdout
    assert "资金计划" in done.stderr and "2 项" in done.stderr


def test_a_funds_file_for_another_year_by_its_name_is_refused(small_data: Path) -> None:
    shutil.copy(SMALL_FUNDS, small_data / "funds_2024.yaml")
    path = small_data / "funds_2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2024", "year: 2023"), "utf-8")
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 1 and "year-mismatch" in done.stdout


def test_a_stage_mid_month_is_refused_where_the_plan_counts_by_months(small_data: Path) -> None:
    plan = small_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("thresholds:", "schedule: {basis: month}\nthresholds:"), "utf-8")
    funds = SMALL_FUNDS.read_text(encoding="utf-8").replace("2024-06-30", "2024-06-15")
    (small_data / "funds_2024.yaml").write_text(funds, encoding="utf-8")
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 1
    assert "funds_2024.yaml:11:" in done.stdout and "bad-period" in done.stdout


def test_the_plan_may_not_use_a_reserved_target_id(small_data: Path) -> None:
    plan = small_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8").replace("{id: jobs,", "{id: funds-paid,")
    plan.write_text(text, encoding="utf-8")
    done = run_cli("validate", "--data-dir", str(small_data))
    assert done.code == 1 and "reserved-id" in done.stdout


def test_without_a_funds_file_nothing_about_money_exists(small_data: Path) -> None:
    done = add(small_data, "1", "--target", "资金到位", "--value", "100", "--date", "2024-06-30")
    assert done.code == 1
    assert "unknown-target" in done.stderr and "没有资金计划文件" in done.stderr
    assert run_cli("validate", "--data-dir", str(small_data)).stderr.count("资金") == 0


def test_the_funds_file_beside_a_progress_folder_is_the_one_read(
    funded: Path, tmp_path: Path
) -> None:
    """examples/2024-06/ keeps its funds file beside its progress/: --progress-dir finds it."""
    elsewhere = tmp_path / "example"
    (elsewhere / "progress").mkdir(parents=True)
    text = SMALL_FUNDS.read_text(encoding="utf-8").replace("planned: 1200", "planned: 1300")
    (elsewhere / "funds_2024.yaml").write_text(text, encoding="utf-8")
    folder = DataDir(funded).with_progress(elsewhere / "progress")
    loaded, _ = load_plan(funded / "tasks_2024.yaml")
    assert loaded is not None
    with_funds, _ = open_funds(folder, loaded)
    assert with_funds is not None and with_funds.funds is not None
    assert with_funds.funds.path == elsewhere / "funds_2024.yaml"
    assert small_plan(funded).funds is not None  # and the data folder's, by default


# --- recording -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2400", 2400), ("2400万元", 2400), ("0.24亿元", 2400), ("24000000元", 2400),
     ("2400.5", 2400.5), ("２４００", 2400)],
)  # fmt: skip
def test_an_amount_is_recorded_in_the_funds_unit_converted_exactly(
    funded: Path, typed: str, stored: float
) -> None:
    done = add(funded, "1", "--target", "资金到位", "--value", typed, "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    assert recorded(funded) == [(1, "funds-arrived", "2024-06-30", stored)]


def test_the_three_figures_by_id_name_or_part_of_a_name(funded: Path) -> None:
    for target, value in (("funds-arrived", "2400"), ("资金拨付", "1200"), ("投资", "900")):
        done = add(funded, "1", "--target", target, "--value", value, "--date", "2024-06-30")
        assert done.code == 0, done.stderr
    assert [row[1] for row in recorded(funded)] == ["funds-arrived", "funds-paid", "funds-invested"]
    listed_json = listed(funded)
    assert {e["target_name"] for e in listed_json} == {"资金到位", "资金拨付", "完成投资"}
    assert {e["unit_of_measure"] for e in listed_json} == {"万元"}


def test_arrived_above_the_plan_needs_allow_large(funded: Path) -> None:
    before = snapshot(funded)
    args = ("1", "--target", "资金到位", "--value", "3100", "--date", "2024-06-30")
    refused = add(funded, *args)
    assert refused.code == 1
    assert "implausible-value" in refused.stderr and "--allow-large" in refused.stderr
    assert "超过年度计划投资 3000万元" in refused.stderr
    assert snapshot(funded) == before
    assert add(funded, *args, "--allow-large").code == 0
    assert recorded(funded) == [(1, "funds-arrived", "2024-06-30", 3100)]


def test_paid_is_never_above_arrived_and_never_falls(funded: Path) -> None:
    def paid(value: str, date: str = "2024-06-30") -> Result:
        return add(funded, "1", "--target", "资金拨付", "--value", value, "--date", date)

    first = paid("100")  # nothing has arrived yet
    assert first.code == 1 and "paid-above-arrived" in first.stderr
    assert "还没有登记资金到位" in first.stderr
    assert add(funded, "1", "-t", "资金到位", "--value", "2400", "--date", "2024-06-30").code == 0
    above = paid("2500")
    assert above.code == 1 and "paid-above-arrived" in above.stderr
    assert "超过截至 2024-06-30 的资金到位 2400万元" in above.stderr
    assert paid("1200").code == 0
    falling = paid("1000", "2024-07-31")
    assert falling.code == 1 and "decreasing-value" in falling.stderr
    assert paid("2400", "2024-07-31").code == 0  # all that arrived, paid out
    assert run_cli("validate", "--data-dir", str(funded)).code == 0


def test_a_correction_that_leaves_paid_above_arrived_is_refused(funded: Path) -> None:
    assert add(funded, "1", "-t", "资金到位", "--value", "2400", "--date", "2024-06-30").code == 0
    assert add(funded, "1", "-t", "资金拨付", "--value", "2100", "--date", "2024-06-30").code == 0
    wrong = listed(funded)[0]["id"]
    before = snapshot(funded)
    lower = add(funded, "1", "-t", "资金到位", "--value", "2000", "--corrects", wrong)
    assert lower.code == 1 and "paid-above-arrived" in lower.stderr
    assert snapshot(funded) == before
    assert add(funded, "1", "-t", "资金到位", "--value", "2200", "--corrects", wrong).code == 0


def test_validate_finds_paid_above_arrived_in_a_file_written_by_hand(funded: Path) -> None:
    write_records(
        funded,
        "2024-06/rsj.yaml",
        {"id": "aaaaaa01", "target": "funds-arrived", "date": "2024-06-30", "value": 500},
        {"id": "aaaaaa02", "target": "funds-paid", "date": "2024-06-30", "value": 800},
    )
    done = run_cli("validate", "--data-dir", str(funded))
    assert done.code == 1
    assert "progress/2024-06/rsj.yaml:" in done.stdout and "paid-above-arrived" in done.stdout
    (line,) = [line for line in done.stdout.splitlines() if "paid-above-arrived" in line]
    assert ":15:" in line  # the value of the paid record, its second


def test_changing_the_funds_file_is_seen_through_the_cache(funded: Path) -> None:
    # Item 3's money is reported by its first lead unit (主责单位), 区城管局.
    assert add(funded, "3", "-t", "资金到位", "--value", "300", "--date", "2024-06-30",
               "--unit", "区城管局").code == 0  # fmt: skip
    assert run_cli("validate", "--data-dir", str(funded)).code == 0
    funds = funded / "funds_2024.yaml"
    text = funds.read_text(encoding="utf-8")
    funds.write_text(text[: text.index("  - item: 3")], encoding="utf-8")
    done = run_cli("validate", "--data-dir", str(funded))
    assert done.code == 1 and "unknown-target" in done.stdout
    assert "第 3 项没有资金计划（资金计划" in done.stdout and "没有列出这一项" in done.stdout


def test_the_return_lists_the_funds_rows_after_the_items_targets_and_imports_them(
    funded: Path, tmp_path: Path
) -> None:
    path = template(funded, tmp_path / "rsj.csv", "区人社局")
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("序号,")) :]
    ids = [line.split(",")[2] for line in lines[1:]]
    assert ids == ["jobs", "training", "a", "b", "funds-arrived", "funds-paid", "funds-invested"]
    paid_row = next(line.split(",") for line in lines if ",funds-paid," in line)
    assert paid_row[3:5] == ["资金拨付", "年度计划投资3000万元"]

    blank = template(funded, tmp_path / "rsj.xlsx", "区人社局")
    too_much = fill(blank, tmp_path / "bad.xlsx", {("funds-arrived", "H"): 2400,
                                                    ("funds-paid", "H"): 2500})  # fmt: skip
    before = snapshot(funded)
    refused = import_(funded, str(too_much), "--format", "json", "--yes")
    assert refused.code == 1
    (problem,) = json.loads(refused.stdout)["problems"]
    assert problem["code"] == "paid-above-arrived" and problem["column"] == "本期累计完成"
    assert problem["row"] == row_of(openpyxl.load_workbook(too_much).worksheets[0], "funds-paid")
    assert files_only(snapshot(funded)) == files_only(before)

    good = fill(blank, tmp_path / "good.xlsx", {
        ("funds-arrived", "H"): "0.24亿元", ("funds-paid", "H"): 900,
        ("funds-paid", "K"): "市级资金未下达", ("funds-invested", "H"): 600})  # fmt: skip
    done = import_(funded, str(good), "--yes")
    assert done.code == 0, done.stderr
    assert recorded(funded) == [
        (1, "funds-arrived", "2024-06-30", 2400),
        (1, "funds-paid", "2024-06-30", 900),
        (1, "funds-invested", "2024-06-30", 600),
    ]


def test_the_walk_asks_the_funds_figures_after_the_targets(funded: Path) -> None:
    code, shown = run_on_terminal(
        ["progress", "add", "--unit", "区人社局", "--data-dir", str(funded)],
        [
            ("日期 [", "2024-06-30"),
            ("（回车跳过", ""),  # jobs
            ("（回车跳过", ""),  # training
            ("（回车跳过", ""),  # a
            ("（回车跳过", ""),  # b
            ("（回车跳过", "0.24亿元"),  # 资金到位
            ("进展说明", ""),
            ("（回车跳过", "2500"),  # 资金拨付 above 到位: asked again
            ("（回车跳过", "900"),
            ("进展说明", "市级资金未下达"),
            ("（回车跳过", ""),  # 完成投资
            ("确认写入这 2 条", "y"),
        ],
    )
    assert code == 0, shown
    assert "[5/7] 第 1 项" in shown and "资金到位（年度计划投资3000万元）" in shown
    assert "输入有误：资金拨付 2500万元 超过截至 2024-06-30 的资金到位 2400万元" in shown
    assert recorded(funded) == [
        (1, "funds-arrived", "2024-06-30", 2400),
        (1, "funds-paid", "2024-06-30", 900),
    ]


# --- computing ---------------------------------------------------------------------------------


def entry(
    item: int, target: str, value: str, date: str = "2024-06-15", **more: Any
) -> ProgressEntry:
    fields: dict[str, Any] = {
        "id": f"{item:02d}{target[6:10]}{date[5:7]}{date[8:]}".replace("-", "x"),
        "item": item,
        "target": target,
        "date": dt.date.fromisoformat(date),
        "value": Decimal(value),
        "unit": "区人社局" if item == 1 else "区城管局",
        "recorded_at": dt.datetime(2024, 7, 1, 9, tzinfo=dt.UTC),
        **more,
    }
    return ProgressEntry.model_validate(fields)


def money(data: Path, entries: list[ProgressEntry], as_of: str = "2024-06-15") -> FundsReport:
    loaded = small_plan(data)
    day = dt.date.fromisoformat(as_of)
    report = compute(loaded.plan, loaded.canonical_units, entries, day, funds=loaded.funds,
                     monthly=False)  # fmt: skip
    assert report.funds is not None
    return report.funds


# Item 1 (planned 3000) at 2024-06-15: 到位 2400, 拨付 900, 完成投资 600; item 3 (planned 1200):
# 到位 300, 拨付 100. 序时进度 by days (the small plan has no schedule): 167/366 = 45.6%.
FIGURES = [
    entry(1, "funds-arrived", "2400"),
    entry(1, "funds-paid", "900"),
    entry(1, "funds-invested", "600"),
    entry(3, "funds-arrived", "300"),
    entry(3, "funds-paid", "100", note="市级资金未下达"),
]


def test_rates_and_statuses_against_the_schedule_paid_over_planned(funded: Path) -> None:
    found = money(funded, FIGURES)
    one, three = found.item(1), found.item(3)
    assert one is not None and three is not None
    assert found.expected.quantize(Decimal("0.0001")) == Decimal("0.4563")  # 167/366
    # 2400/3000 = 80%, 900/3000 = 30%, 600/3000 = 20%; 45.6 - 30.0 = 15.6 points behind.
    assert (one.money.arrived_rate, one.money.paid_rate, one.money.invested_rate) == (
        Decimal("0.8"), Decimal("0.3"), Decimal("0.2"))  # fmt: skip
    assert one.gap == Decimal("15.6") and one.status is Status.BEHIND
    assert one.stage is None  # its stage target is due only on 2024-06-30
    # 100/1200 = 8.3%; 45.6 - 8.3 = 37.3 points: above 30, 严重滞后; the note is the reason.
    assert three.money.paid_rate is not None and round(three.money.paid_rate, 4) == Decimal(
        "0.0833"
    )
    assert three.gap == Decimal("37.3") and three.status is Status.LAGGING
    assert three.reason is not None and three.reason.note == "市级资金未下达"
    assert [item.item.id for item in found.lagging_items] == [3, 1]
    # In total: 4200 planned, 2700 arrived, 1000 paid, 600 invested.
    total = found.total.money
    assert (total.planned, total.arrived, total.paid, total.invested) == (4200, 2700, 1000, 600)
    assert round(total.paid_rate or 0, 6) == Decimal("0.238095")  # 1000/4200
    assert round(total.arrived_rate or 0, 6) == Decimal("0.642857")  # 2700/4200
    assert found.total.counts[Status.BEHIND] == found.total.counts[Status.LAGGING] == 1


def test_paid_over_arrived_changes_the_rates_and_the_status(funded: Path) -> None:
    path = funded / "funds_2024.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("paid_basis: planned", "paid_basis: arrived"),
        encoding="utf-8",
    )
    found = money(funded, FIGURES)
    one, three = found.item(1), found.item(3)
    assert one is not None and three is not None
    # 900/2400 = 37.5%: 45.6 - 37.5 = 8.1 points, on track; 100/300 = 33.3%: 12.3, behind.
    assert one.money.paid_rate == Decimal("0.375") and one.status is Status.ON_TRACK
    assert three.gap == Decimal("12.3") and three.status is Status.BEHIND
    assert one.money.arrived_rate == Decimal("0.8")  # 到位率 is over the plan either way
    assert round(found.total.money.paid_rate or 0, 6) == Decimal("0.370370")  # 1000/2700


def test_sums_by_source_unit_and_category(funded: Path) -> None:
    found = money(funded, FIGURES)
    assert found.sources == [("中央", 1000), ("省", 800), ("市", 500), ("区", 700)]
    # 区人社局 leads item 1 (30.0%); 区城管局 reports item 3's money (8.3%) as its first lead
    # unit: 区民政局, its co-lead, is not ranked on it.
    assert [(unit.name, unit.money.planned) for unit in found.units] == [
        ("区人社局", 3000), ("区城管局", 1200)]  # fmt: skip
    assert [(c.name, c.money.paid) for c in found.categories] == [("促进就业", 900),
                                                                  ("社会保障", 100)]  # fmt: skip


@pytest.mark.parametrize(
    ("paid", "status"),
    [("1500", Status.BEHIND),  # 50.0% is ahead of 49.7% (182/366), but below the stage's 70%
     ("2100", Status.ON_TRACK),  # the stage's 70% reached
     ("3000", Status.DONE)],  # the year's plan paid out
)  # fmt: skip
def test_a_stage_target_due_holds_the_item_to_it(funded: Path, paid: str, status: Status) -> None:
    figures = [entry(1, "funds-arrived", "3000", "2024-06-30"), entry(1, "funds-paid", paid,
               "2024-06-30")]  # fmt: skip
    one = money(funded, figures, "2024-06-30").item(1)
    assert one is not None and one.stage is not None
    assert one.stage.rates == {"funds-paid": (Decimal("0.7"), Decimal(paid) / 3000)}
    assert one.status is status
    assert one.stage.missed == (["funds-paid"] if paid == "1500" else [])


def test_money_is_reported_beside_the_work_never_in_it(funded: Path) -> None:
    loaded = small_plan(funded)
    day = dt.date(2024, 6, 15)
    report = compute(loaded.plan, loaded.canonical_units, FIGURES, day, funds=loaded.funds,
                     monthly=False)  # fmt: skip
    one = report.now.item(1)
    assert one.status is Status.UNREPORTED and one.completion == 0  # no figure of the work
    assert [t.target.id for t in one.targets] == ["jobs", "training", "a", "b"]
    assert report.funds is not None and report.funds.item(3) is not None
    nothing = money(funded, [])
    assert {item.status for item in nothing.items} == {Status.UNREPORTED}
    assert nothing.total.money.paid_rate == 0


def test_amounts_in_yuan_or_yi_stay_exact(funded: Path) -> None:
    path = funded / "funds_2024.yaml"
    text = path.read_text(encoding="utf-8").replace("unit: 万元", "unit: 亿元")
    text = text.replace("total: 5200", "total: 0.52").replace("planned: 3000", "planned: 0.3")
    text = text.replace(
        "{中央: 1000, 省: 800, 市: 500, 区: 700}", "{中央: 0.1, 省: 0.08, 市: 0.05, 区: 0.07}"
    )
    path.write_text(text.replace("planned: 1200", "planned: 0.12"), encoding="utf-8")
    assert run_cli("validate", "--data-dir", str(funded)).code == 0  # 0.1 + 0.08 + 0.05 + 0.07
    done = add(funded, "1", "-t", "资金到位", "--value", "2400万元", "--date", "2024-06-30")
    assert done.code == 0, done.stderr
    assert recorded(funded) == [(1, "funds-arrived", "2024-06-30", 0.24)]


def test_a_co_led_items_money_is_its_first_lead_units_to_report(
    funded: Path, tmp_path: Path
) -> None:
    refused = add(funded, "3", "-t", "资金到位", "--value", "300", "--date", "2024-06-30",
                  "--unit", "区民政局")  # fmt: skip
    assert refused.code == 1 and "not-reporting-unit" in refused.stderr
    path = template(funded, tmp_path / "mzj.csv", "区民政局")
    assert ",funds-" not in path.read_bytes().decode("utf-8-sig")
    path = template(funded, tmp_path / "cgj.csv", "区城管局")
    assert ",funds-arrived," in path.read_bytes().decode("utf-8-sig")
