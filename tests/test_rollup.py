"""The city's roll-up (`minsheng rollup`): districts matched by the parent list's number,
ranked by the stated rule, the slowest named, folders that do not go together refused, and
every format; each district's figures are its own report's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from minsheng.core.issues import Code, DataError, Issue, RefusedError, UsageError
from minsheng.rollup import compute
from minsheng.rollup.compute import RANK_RULE, SLOWEST_RULE, rollup

AS_OF = dt.date(2024, 6, 30)
EXAMPLES = ROOT / "examples" / "rollup"
EXAMPLE_DIRS = [str(EXAMPLES / name) for name in ("jiaqu", "yiqu", "bingxian")]

# A district's list of three items, one target of 100 people each; 序时 50% at the end of June.
PLAN = """\
schema_version: 2
document:
  title: 测试{area}关于{year}年实施3项民生实事的通知
  number: 测政办〔{year}〕1号
  issuer: 测试{area}政府
  date: {year}-05-07
  year: {year}
  period: {{start: {year}-01-01, end: {year}-12-31}}
{extra}schedule: {{basis: month}}
thresholds: {{behind: 10, lagging: 30}}
reporting: {{from: {year}-05, due_day: 5}}
categories:
  - {{id: 1, name: 促进就业, count: 3}}
units:
  - {{id: rsj, name: 区人社局}}
items:
{items}"""


def write_district(
    folder: Path,
    *,
    area: str | None = None,
    parent: str | None = None,
    year: int = 2024,
    no_task: tuple[int, ...] = (),
    refs: dict[int, int] | None = None,
    values: dict[int, int] | None = None,
    late: bool = False,
    may: bool = True,
) -> Path:
    """A district's data folder: the plan, and June's figures (item id -> people of 100),
    returned on 3 July (or 9 July, `late`); May returned on time for every item with a task
    unless `may` is false."""
    refs, values = refs or {}, values or {}
    extra = "".join(
        f"  {key}: {value}\n" for key, value in (("parent", parent), ("area", area)) if value
    )
    items = ""
    for number in (1, 2, 3):
        items += f"  - id: {number}\n    category: 1\n    title: 第{number}项民生实事。\n"
        if number in refs:
            items += f"    ref: {refs[number]}\n"
        if number in no_task:
            items += "    no_task: true\n"
        else:
            items += "    units: [区人社局]\n"
        items += (
            "    targets:\n"
            "      - {id: people, name: 人数, kind: quantity, comparator: at_least, "
            "value: 100, unit: 人}\n"
        )
    folder.mkdir(parents=True)
    plan = PLAN.format(area=area or "测试区", year=year, extra=extra, items=items)
    (folder / f"tasks_{year}.yaml").write_text(plan, encoding="utf-8")
    months = [("05", "06-03", 1)] if may else []
    months.append(("06", "07-09" if late else "07-03", 2))
    for month, received, share in months:
        entries = ""
        for number in (1, 2, 3):
            if number in no_task:
                continue
            value = values.get(number, 0) * share // 2 if month == "05" else values.get(number)
            if value is None:
                value = 1
            last = 31 if month == "05" else 30
            entries += (
                f"---\nid: e{month}{number}000000\nitem: {number}\ntarget: people\n"
                f"date: {year}-{month}-{last}\nvalue: {value}\nunit: 区人社局\n"
                f"recorded_at: {year}-{received}T09:00:00+08:00\n...\n"
            )
        month_dir = folder / "progress" / f"{year}-{month}"
        month_dir.mkdir(parents=True)
        (month_dir / "rsj.yaml").write_text(entries, encoding="utf-8")
    return folder


def _areas(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {area["name"]: area for area in document["areas"]}


def _made() -> dt.datetime:
    return dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


# --- matching and 无任务 -------------------------------------------------------------------


def test_items_match_by_ref_and_no_task_is_no_task(tmp_path: Path) -> None:
    east = write_district(tmp_path / "east", area="东区", values={1: 60, 2: 10, 3: 55})
    # 西区 numbered the parent's items 1 and 2 the other way round, and has no task for 3.
    west = write_district(
        tmp_path / "west", area="西区", refs={1: 2, 2: 1}, no_task=(3,), values={1: 70, 2: 5}
    )
    document = rollup([east, west], as_of=AS_OF, made_at=_made()).to_dict()
    items = {item["ref"]: item for item in document["items"]}
    assert items[1]["areas"]["西区"]["completion"] == 0.05  # its item 2 is the parent's 1
    assert items[2]["areas"]["西区"]["completion"] == 0.7
    assert items[2]["areas"]["东区"]["completion"] == 0.1
    assert items[3]["areas"]["西区"] == {
        "status": "no_task",
        "status_label": "无任务",
        "completion": None,
        "completion_pct": None,
        "target": None,
    }
    areas = _areas(document)
    assert areas["西区"]["items_with_task"] == 2
    assert areas["西区"]["summary"]["no_task"] == 1
    assert areas["西区"]["summary"]["unreported"] == 0
    # The mean is over the items with a task only: (70 + 5) / 2.
    assert areas["西区"]["completion"] == 0.375
    # 无任务 is never slow: item 3 names no 西区.
    assert "西区" not in items[3]["slowest"]


def test_a_number_missing_from_a_district_list_is_no_task_there(tmp_path: Path) -> None:
    east = write_district(tmp_path / "east", area="东区", values={1: 50, 2: 50, 3: 50})
    west = write_district(tmp_path / "west", area="西区", refs={3: 4}, values={1: 50, 2: 50})
    document = rollup([east, west], as_of=AS_OF, made_at=_made()).to_dict()
    items = {item["ref"]: item for item in document["items"]}
    assert sorted(items) == [1, 2, 3, 4]
    assert items[3]["areas"]["西区"]["status"] == "no_task"
    assert items[4]["areas"]["东区"]["status"] == "no_task"
    assert items[4]["areas"]["西区"]["status"] == "lagging"  # 1 of 100 people


# --- ranking ------------------------------------------------------------------------------


def test_rank_by_completion_then_on_time_rate_ties_share_a_rank(tmp_path: Path) -> None:
    same = {1: 50, 2: 50, 3: 50}
    first = write_district(tmp_path / "a", area="甲", values={1: 90, 2: 90, 3: 90})
    late = write_district(tmp_path / "b", area="乙", values=same, late=True)
    on_time = write_district(tmp_path / "c", area="丙", values=same)
    twin = write_district(tmp_path / "d", area="丁", values=same)
    document = rollup([first, late, on_time, twin], as_of=AS_OF, made_at=_made()).to_dict()
    order = [(area["name"], area["rank"]) for area in document["areas"]]
    # 乙 has 丙's and 丁's completion but returned June late: after them. 丙 and 丁 tie.
    assert order == [("甲", 1), ("丙", 2), ("丁", 2), ("乙", 4)]
    areas = _areas(document)
    assert areas["乙"]["on_time_rate"] == 0.5  # May on time, June late
    assert areas["丙"]["on_time_rate"] == 1
    assert areas["乙"]["returns"]["status"] == "late"
    assert areas["乙"]["returns"]["late"] == ["区人社局"]
    assert document["rule"]["rank"].startswith("排名规则")


def test_equal_figures_share_the_first_rank(tmp_path: Path) -> None:
    # Equal completion and equal on-time rate: both first, no second.
    east = write_district(tmp_path / "e", area="东区", values={1: 50, 2: 50, 3: 50})
    west = write_district(tmp_path / "w", area="西区", values={1: 50, 2: 50, 3: 50})
    document = rollup([east, west], as_of=AS_OF, made_at=_made()).to_dict()
    assert [area["rank"] for area in document["areas"]] == [1, 1]
    assert "四舍五入到 0.1 个百分点" in RANK_RULE


# --- the slowest --------------------------------------------------------------------------


def test_the_slowest_are_the_districts_behind_lowest_first(tmp_path: Path) -> None:
    fast = write_district(tmp_path / "f", area="花山区", values={1: 60, 2: 60, 3: 60})
    slow = write_district(tmp_path / "s", area="雨山区", values={1: 5, 2: 60, 3: 60})
    slower = write_district(tmp_path / "t", area="含山县", values={1: 30, 2: 38, 3: 60})
    result = rollup([fast, slow, slower], as_of=AS_OF, made_at=_made()).to_dict()
    items = {item["ref"]: item for item in result["items"]}
    assert items[1]["slowest"] == ["雨山区", "含山县"]  # 5% 严重滞后, then 30% 滞后
    assert items[1]["slowest_text"] == "进度较慢的为雨山区、含山县"
    assert items[2]["slowest"] == ["含山县"]  # 38%: 12 points behind, 滞后
    assert items[3]["slowest"] == []
    assert items[3]["slowest_text"] == ""
    assert "滞后、严重滞后或从未报送" in SLOWEST_RULE


# --- refusals -----------------------------------------------------------------------------


def _refused(tmp_path: Path, folders: list[Path], code: Code, *names: str) -> None:
    with pytest.raises(UsageError) as caught:
        rollup(folders, as_of=AS_OF)
    assert caught.value.code is code
    for name in names:
        assert name in caught.value.message
    output = tmp_path / "out.json"
    done = run_cli("rollup", *map(str, folders), "--format", "json", "--output", str(output))
    assert done.code == 2
    assert f"[{code}]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_refuses_mixed_years(tmp_path: Path) -> None:
    old = write_district(tmp_path / "old", area="东区")
    new = write_district(tmp_path / "new", area="西区", year=2025)
    _refused(tmp_path, [old, new], Code.ROLLUP_MIXED_YEARS, "2024", "2025", str(new))


def test_year_picks_the_plan_of_each_folder(tmp_path: Path) -> None:
    east = write_district(tmp_path / "east", area="东区")
    west = write_district(tmp_path / "west", area="西区", year=2025)
    with pytest.raises(UsageError) as caught:
        rollup([east, west], year=2024, as_of=AS_OF)
    assert caught.value.code is Code.ROLLUP_NO_PLAN
    assert str(west) in caught.value.message


def test_refuses_two_districts_of_one_name(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区")
    two = write_district(tmp_path / "two", area="东区")
    # A plan copied whole keeps the district it came from: the message says to change it.
    _refused(tmp_path, [one, two], Code.ROLLUP_SAME_AREA, "东区", str(one), str(two), "要改掉")


def test_refuses_a_folder_without_a_plan(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区")
    empty = tmp_path / "empty"
    empty.mkdir()
    # Says what a folder should hold, not only what this one lacks.
    _refused(tmp_path, [one, empty], Code.ROLLUP_NO_PLAN, str(empty), "县区的数据目录", "data/")


def test_refuses_a_missing_folder_and_asks_for_the_spelling(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区")
    typo = tmp_path / "onee"
    _refused(tmp_path, [one, typo], Code.ROLLUP_NO_PLAN, str(typo), "不存在", "拼写")


def test_a_plan_file_given_for_its_folder_is_named_a_file(tmp_path: Path) -> None:
    # A clerk passes jiaqu/tasks_2024.yaml where jiaqu is meant: "不存在" would be false.
    one = write_district(tmp_path / "one", area="东区")
    plan_file = write_district(tmp_path / "two", area="西区") / "tasks_2024.yaml"
    _refused(tmp_path, [one, plan_file], Code.ROLLUP_NO_PLAN, str(plan_file), "是文件")
    with pytest.raises(UsageError) as caught:
        rollup([one, plan_file], as_of=AS_OF)
    assert "不存在" not in caught.value.message
    assert str(plan_file.parent) in caught.value.message


def test_a_missing_year_names_the_years_there_are(tmp_path: Path) -> None:
    east = write_district(tmp_path / "east", area="东区", year=2025)
    with pytest.raises(UsageError) as caught:
        rollup([east], year=2024, as_of=AS_OF)
    assert caught.value.code is Code.ROLLUP_NO_PLAN
    assert "只有 2025 年" in caught.value.message


def test_refuses_mixed_parents(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区", parent="甲市方案")
    two = write_district(tmp_path / "two", area="西区", parent="乙市方案")
    _refused(tmp_path, [one, two], Code.ROLLUP_MIXED_PARENTS, "甲市方案", "乙市方案")


def test_one_parent_given_and_one_not_go_together(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区", parent="甲市方案")
    two = write_district(tmp_path / "two", area="西区")
    assert rollup([one, two], as_of=AS_OF).parent == "甲市方案"


def test_bad_data_in_a_district_is_its_data_error(tmp_path: Path) -> None:
    one = write_district(tmp_path / "one", area="东区")
    two = write_district(tmp_path / "two", area="西区")
    (two / "progress" / "2024-06" / "rsj.yaml").write_text("---\nitem: 9\n...\n", "utf-8")
    with pytest.raises(DataError):
        rollup([one, two], as_of=AS_OF)
    done = run_cli("rollup", str(one), str(two))
    assert done.code == 1
    assert "rsj.yaml" in done.stderr


def test_the_name_is_the_folder_s_without_area(tmp_path: Path) -> None:
    one = write_district(tmp_path / "雨山区" / "data")
    two = write_district(tmp_path / "含山县")
    names = [area.name for area in rollup([one, tmp_path / "含山县"], as_of=AS_OF).areas]
    assert sorted(names) == ["含山县", "雨山区"]
    # A district's repository (with data/ inside) is read as its data folder.
    assert {a.name for a in rollup([tmp_path / "雨山区", two], as_of=AS_OF).areas} == {
        "雨山区",
        "含山县",
    }


def test_two_items_on_one_parent_number_are_a_plan_error(tmp_path: Path) -> None:
    folder = write_district(tmp_path / "one", area="东区", refs={1: 2})
    done = run_cli("validate", "--data-dir", str(folder))
    assert done.code == 1
    assert "duplicate-ref" in done.stdout


# --- many districts: a pool of processes, the same answers and the same errors ---------------


def pool_on(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From two districts on, the districts after the first go to a pool of two processes,
    whatever this machine's cores; the list gets each pool's workers as it starts."""
    import concurrent.futures

    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **options: Any) -> None:
            started.append(options["max_workers"])
            super().__init__(*args, **options)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(compute, "POOL_FROM", 2)
    monkeypatch.setattr(compute, "_cores", lambda: 2)
    return started


def seven(tmp_path: Path) -> list[Path]:
    return [
        write_district(tmp_path / f"d{n}", area=f"第{n}区", values={1: 10 * n}) for n in range(1, 8)
    ]


def bad_progress(folder: Path, item: int) -> None:
    (folder / "progress" / "2024-06" / "rsj.yaml").write_text(f"---\nitem: {item}\n...\n", "utf-8")


def no_plan(folder: Path) -> None:
    (folder / "tasks_2024.yaml").unlink()


def bad_plan(folder: Path) -> None:
    plan = folder / "tasks_2024.yaml"
    plan.write_text(plan.read_text("utf-8").replace("count: 3", "count: 4"), "utf-8")


def same_name(folder: Path) -> None:
    plan = folder / "tasks_2024.yaml"
    plan.write_text(re.sub(r"area: \S+", "area: 第1区", plan.read_text("utf-8")), "utf-8")


# Each case: what is wrong with which district (by its place, 0 the first); the error raised
# is the first district's in that order, as when the districts are computed one by one.
FAULTS: dict[str, list[tuple[int, Callable[[Path], None]]]] = {
    "data, then another data error": [
        (2, lambda f: bad_progress(f, 9)), (5, lambda f: bad_progress(f, 8))
    ],
    "data, then no plan": [(3, lambda f: bad_progress(f, 9)), (5, no_plan)],
    "no plan, then data": [(2, no_plan), (4, lambda f: bad_progress(f, 9))],
    "a bad plan last": [(6, bad_plan)],
    "the first one's data": [(0, lambda f: bad_progress(f, 9)), (4, no_plan)],
    "a name taken, then data": [(3, same_name), (5, lambda f: bad_progress(f, 9))],
    "data, then a name taken": [(3, lambda f: bad_progress(f, 9)), (5, same_name)],
}  # fmt: skip


def raised(folders: list[Path]) -> tuple[type[Exception], str, Any]:
    with pytest.raises((DataError, UsageError)) as caught:
        rollup(folders, as_of=AS_OF, made_at=_made())
    error = caught.value
    said = error.issues if isinstance(error, DataError) else (error.code, error.message)
    return type(error), str(error), said


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_pool_raises_the_first_district_s_error_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    folders = seven(tmp_path)
    for place, spoil in FAULTS[fault]:
        spoil(folders[place])
    args = ["rollup", *map(str, folders), "--as-of", "2024-06-30", "--format", "json"]
    alone, alone_cli = raised(folders), run_cli(*args)
    assert alone_cli.code in (1, 2) and alone_cli.stdout == ""
    started = pool_on(monkeypatch)
    assert raised(folders) == alone
    pooled_cli = run_cli(*args)
    assert (pooled_cli.code, pooled_cli.stdout, pooled_cli.stderr) == (
        alone_cli.code,
        alone_cli.stdout,
        alone_cli.stderr,
    )
    assert "Traceback" not in pooled_cli.stderr
    first = FAULTS[fault][0][0]
    assert started == ([] if first == 0 else [2, 2])  # none when the first district fails


def test_a_pool_computes_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = seven(tmp_path)
    alone = rollup(folders, as_of=AS_OF, made_at=_made()).to_dict()
    started = pool_on(monkeypatch)
    assert rollup(folders, as_of=AS_OF, made_at=_made()).to_dict() == alone
    assert started == [2]
    assert [area["name"] for area in alone["areas"]] == [f"第{n}区" for n in range(7, 0, -1)]


@pytest.mark.parametrize("error", [
    DataError([Issue("a.yaml", 3, 1, Code.DUPLICATE_KEY, "重复的键", "items[0]")]),
    UsageError(Code.ROLLUP_NO_PLAN, "没有计划文件"),
    RefusedError(Code.ROLLUP_NO_PLAN, "拒绝"),
])  # fmt: skip
def test_errors_cross_processes_whole(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert vars(again) == vars(error)


def test_the_same_bytes_warm_cold_and_without_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a pool, the plans' parses, the files' digests and the ledgers kept: the same
    document as without a cache, which writes nothing."""
    folders = [str(folder) for folder in seven(tmp_path / "data")]
    pool_on(monkeypatch)
    args = ["rollup", *folders, "--as-of", "2024-06-30", "--format", "json"]
    made = {"SOURCE_DATE_EPOCH": "1767225600"}
    none = tmp_path / "none"
    alone = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=str(none), **made)
    assert alone.code == 0, alone.stderr
    assert not none.exists()
    cache = tmp_path / "cache"
    cold = run_cli(*args, MINSHENG_CACHE_DIR=str(cache), **made)
    warm = run_cli(*args, MINSHENG_CACHE_DIR=str(cache), **made)
    assert alone.stdout == cold.stdout == warm.stdout
    assert {path.name for path in cache.iterdir()} >= {"plans", "hashes", "ledger"}


# --- each district is its own report ----------------------------------------------------------


@pytest.mark.parametrize("folder", EXAMPLE_DIRS, ids=lambda f: Path(f).name)
def test_each_district_is_what_its_own_report_says(folder: str) -> None:
    done = run_cli("rollup", *EXAMPLE_DIRS, "--as-of", "2024-06-30", "--format", "json")
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)
    own = run_cli("report", "--data-dir", folder, "--as-of", "2024-06-30", "--format", "json")
    assert own.code == 0, own.stderr
    report = json.loads(own.stdout)
    name = next(a["name"] for a in document["areas"] if a["dir"] == Path(folder).as_posix())
    area = _areas(document)[name]
    plan = (Path(folder) / "tasks_2024.yaml").read_text(encoding="utf-8")
    refs = {int(a): int(b) for a, b in re.findall(r"- id: (\d+)\n    ref: (\d+)", plan)}
    items = {item["ref"]: item["areas"][name] for item in document["items"]}
    for item in report["items"]:
        standing = items[refs.get(item["id"], item["id"])]
        assert (standing["status"], standing["completion"]) == (item["status"], item["completion"])
    assert area["summary"] == {k: v for k, v in report["summary"].items() if k != "funds"}
    assert area["items_with_task"] == sum(1 for i in report["items"] if i["status"] != "no_task")


def test_the_example_renumbers_two_items_by_ref() -> None:
    plan = (EXAMPLES / "bingxian" / "tasks_2024.yaml").read_text(encoding="utf-8")
    assert "ref: 50" in plan and "ref: 49" in plan
    assert "虚构" in plan
    assert "虚构" in (EXAMPLES / "README.md").read_text(encoding="utf-8")


# --- the formats ----------------------------------------------------------------------------


def _run(*args: str) -> Any:
    return run_cli("rollup", *EXAMPLE_DIRS, "--as-of", "2024-06-30", *args)


def test_table_and_markdown_say_the_rules_and_the_ranking() -> None:
    for fmt in ("table", "markdown"):
        done = _run("--format", fmt)
        assert done.code == 0, done.stderr
        assert "排名规则：" in done.stdout
        assert "进度较慢的县区：" in done.stdout
        for name in ("甲区", "乙区", "丙县"):
            assert name in done.stdout
        assert "无任务" in done.stdout
    markdown = _run("--format", "markdown").stdout
    assert "| 1 | 甲区 | 31 |" in markdown
    assert "### 进度较慢的事项" in markdown
    assert "### 本月报送情况（2024-06）" in markdown


def test_csv_is_one_row_an_item_and_district() -> None:
    done = _run("--format", "csv")
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    assert rows[0][:6] == ["序号", "事项", "县区", "目标任务", "状态", "完成比例（%）"]
    assert len(rows) == 1 + 50 * 3
    no_task = [row for row in rows[1:] if row[0] == "2"]
    assert {row[4] for row in no_task} == {"无任务"}
    assert {row[3] for row in no_task} == {""}
    first = {row[2]: row[3] for row in rows[1:] if row[0] == "1"}
    assert "0.5万人左右" in first["乙区"] and "0.57万人左右" in first["甲区"]


def test_json_has_the_keys_the_issue_lists() -> None:
    document = json.loads(_run("--format", "json").stdout)
    assert {"as_of", "expected", "areas", "items"} <= set(document)
    assert document["as_of"] == "2024-06-30"
    area = document["areas"][0]
    keys = {"name", "dir", "items_with_task", "summary", "completion", "on_time_rate", "rank"}
    assert keys <= set(area)
    item = document["items"][0]
    assert {"ref", "title", "areas", "slowest"} <= set(item)
    assert set(item["areas"]["甲区"]) >= {"status", "completion"}


def test_binary_formats_need_output() -> None:
    for fmt in ("xlsx", "docx"):
        done = _run("--format", fmt)
        assert done.code == 2
        assert "[needs-output]" in done.stderr


def test_docx_reads_like_a_city_s_bulletin(tmp_path: Path) -> None:
    import docx

    output = tmp_path / "汇总通报.docx"
    assert _run("--format", "docx", "--output", str(output)).code == 0
    document = docx.Document(str(output))
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        text.index("一、总体进展") < text.index("二、各县区排名") < text.index("三、进度较慢的事项")
    )
    assert "甲区：有任务事项31项" in text
    assert "进度较慢的为" in text
    # The as-of date in the body as the 落款 writes dates, as the district's bulletin does.
    assert "截至2024年6月30日，序时进度50.0%" in text and "2024-06-30" not in text
    # Prose punctuation in full width, a rate's count too: 90.6%（29/32）；6月份进度逾期。
    district = next(line for line in text.splitlines() if line.startswith("甲区："))
    assert "%（29/32）；6月份进度" in district
    assert not set(";()").intersection(district), district
    ranking = document.tables[0]
    assert [c.text for c in ranking.rows[0].cells][:2] == ["排名", "县区"]
    assert [row.cells[1].text for row in ranking.rows[1:]] == ["甲区", "丙县", "乙区"]


def test_xlsx_has_a_sheet_per_view(tmp_path: Path) -> None:
    import openpyxl

    output = tmp_path / "汇总.xlsx"
    assert _run("--format", "xlsx", "--output", str(output)).code == 0
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["排名", "逐项进度", "进度较慢", "本月报送", "说明"]
    matrix = book["逐项进度"]
    header = [cell.value for cell in matrix[3]]
    assert header[:5] == ["序号", "事项", "甲区目标任务", "甲区状态", "甲区完成比例"]
    first = {title: cell.value for title, cell in zip(header, matrix[4], strict=True)}
    assert "城镇新增就业（0.57万人左右）" in first["甲区目标任务"]
    assert "城镇新增就业（0.5万人左右）" in first["乙区目标任务"]
    assert first["乙区完成比例"] is not None and first["乙区状态"] == "正常推进"
    row = {cell.value for cell in matrix[5]}  # item 2: no task anywhere
    assert "无任务" in row
    ranking = book["排名"]
    assert [ranking.cell(row=r, column=2).value for r in (4, 5, 6)] == ["甲区", "丙县", "乙区"]


class _Matrix(HTMLParser):
    """The cells of the page's table#matrix, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.inside = dict(attrs).get("id") == "matrix"
        elif tag == "tr" and self.inside:
            self.rows.append([])
        elif tag in {"td", "th"} and self.inside:
            self.cell = []
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag in {"td", "th"} and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_html_is_one_page_with_the_matrix(tmp_path: Path) -> None:
    output = tmp_path / "汇总.html"
    assert _run("--format", "html", "--output", str(output)).code == 0
    page = output.read_text(encoding="utf-8")
    parser = _Matrix()
    parser.feed(page)
    header, *rows = parser.rows
    assert header == ["序号", "事项", "甲区", "乙区", "丙县", "进度较慢的县区"]
    assert len(rows) == 50
    assert rows[1][2:5] == ["无任务", "无任务", "无任务"]
    # Each district's cell: status and completion, then its own 目标任务 on a line below.
    assert rows[0][3].startswith("正常推进 47.3%目标任务：城镇新增就业（0.5万人左右）")
    assert "目标任务：城镇新增就业（0.57万人左右）" in rows[0][2]
    assert '<span class="goal">' in page and ".goal {" in page
    assert (
        "script-src 'sha256-" in page and "http" not in page.split("<body>")[1].split("<script>")[0]
    )
    assert 'class="status-lagging"' in page or 'class="status-behind"' in page


# --- 目标任务: each district's own targets ------------------------------------------------------


def test_target_is_the_district_s_own_words(tmp_path: Path) -> None:
    east = write_district(tmp_path / "east", area="东区", values={1: 60, 2: 60, 3: 60})
    west = write_district(tmp_path / "west", area="西区", no_task=(3,), values={1: 60, 2: 60})
    plan = west / "tasks_2024.yaml"
    # 西区's own 落实方案 asks 120 people of item 1, not 100.
    text = plan.read_text(encoding="utf-8").replace("value: 100", "value: 120", 1)
    plan.write_text(text, encoding="utf-8")
    document = rollup([east, west], as_of=AS_OF, made_at=_made()).to_dict()
    first, _, third = document["items"]
    assert first["areas"]["东区"]["target"] == "人数(不少于100人)"
    assert first["areas"]["西区"]["target"] == "人数(不少于120人)"
    assert first["areas"]["西区"]["completion"] == 0.5  # 60 of its own 120
    assert third["areas"]["西区"]["target"] is None  # 无任务 there
    keys = {"status", "status_label", "completion", "completion_pct", "target"}
    assert set(first["areas"]["东区"]) == keys


def test_target_words_are_the_district_show_s() -> None:
    from minsheng.api import load_plan
    from minsheng.plan.describe import target_words

    document = json.loads(_run("--format", "json").stdout)
    plan = load_plan(data_dir=EXAMPLES / "yiqu")
    first = next(item for item in plan.plan.items if item.id == 1)
    said = ";".join(target_words(target) for target in first.targets)
    assert document["items"][0]["areas"]["乙区"]["target"] == said
    assert said.startswith("城镇新增就业(0.5万人左右);")


def test_items_matched_by_ref_carry_the_same_targets() -> None:
    # 丙县 numbers the parent's 49 and 50 the other way round: matched by ref, each district's
    # 目标任务 of one parent number names the same work.
    document = json.loads(_run("--format", "json").stdout)
    items = {item["ref"]: item for item in document["items"]}
    for ref, words in ((49, "食品安全“你点我检”"), (50, "培育“食安名坊”")):
        assert words in items[ref]["title"] or ref == 50
        for name, standing in items[ref]["areas"].items():
            if standing["target"] is not None:
                assert standing["target"].startswith(words), (ref, name)


def test_docx_names_each_slow_district_s_target_and_figure(tmp_path: Path) -> None:
    import docx

    output = tmp_path / "汇总通报.docx"
    assert _run("--format", "docx", "--output", str(output)).code == 0
    text = "\n".join(p.text for p in docx.Document(str(output)).paragraphs)
    slow = text.split("三、进度较慢的事项")[1].split("四、下步工作")[0]
    document = json.loads(_run("--format", "json").stdout)
    item = next(i for i in document["items"] if len(i["slowest"]) > 1)
    line = next(x for x in slow.splitlines() if x.startswith(f"第{item['ref']}项"))
    for name in item["slowest"]:
        standing = item["areas"][name]
        said = (
            f"{name}{standing['status_label']}，完成比例{standing['completion_pct']}%，目标任务："
        )
        assert said in line, line
    assert not set(";():").intersection(line), line


# --- the 通报's 版头, 落款 and 版记 -------------------------------------------------------------


def _highlighted(paragraph: Any) -> bool:
    return bool(paragraph.runs) and all(r.font.highlight_color for r in paragraph.runs)


def test_docx_masthead_options(tmp_path: Path) -> None:
    import docx

    output = tmp_path / "汇总通报.docx"
    done = _run(
        "--format", "docx", "--output", str(output), "--title", "关于上半年民生实事的通报",
        "--issuer", "示例市民生办", "--number", "示民生办〔2024〕6号", "--date", "2024-07-08",
        "--masthead", "示例市民生工程领导小组办公室", "--copy-to", "市委办公室，市政府办公室",
        "--contact", "联系人：张三，电话：0555-1234567",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    document = docx.Document(str(output))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "示例市民生工程领导小组办公室"  # 版头, in red
    assert document.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)
    assert "示民生办〔2024〕6号" in paragraphs
    assert "关于上半年民生实事的通报" in paragraphs and "各县区：" in paragraphs
    at = paragraphs.index("示例市民生办")  # 落款, then 成文日期 and 附注
    assert paragraphs[at + 1 : at + 3] == ["2024年7月8日", "（联系人：张三，电话：0555-1234567）"]
    imprint = "\n".join(c.text for row in document.tables[-1].rows for c in row.cells)
    assert "抄送：市委办公室，市政府办公室。" in imprint
    assert "示例市民生办\t2024年7月8日印发" in imprint
    highlighted = [p.text for p in document.paragraphs if _highlighted(p)]
    assert all(text.startswith("【待填写】下步工作") for text in highlighted), highlighted
    assert document.core_properties.author == "示例市民生办"


def test_docx_without_issuer_leaves_highlighted_blanks(tmp_path: Path) -> None:
    import docx

    output = tmp_path / "汇总通报.docx"
    assert _run("--format", "docx", "--output", str(output), "--date", "2024-07-08").code == 0
    document = docx.Document(str(output))
    blanks = [p for p in document.paragraphs if p.text == "【待填写发文机关】"]
    assert len(blanks) == 2  # the 版头's mark and the 落款's 署名
    assert all(_highlighted(p) for p in blanks)
    number = next(p for p in document.paragraphs if "〔2024〕" in p.text)
    assert _highlighted(number) and "号" in number.text
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("【待填写发文机关】", 1) + 1] == "2024年7月8日"
    issued = document.tables[-1].rows[-1].cells[0].paragraphs[0]
    assert issued.text.startswith("【待填写发文机关】") and _highlighted(issued)


@pytest.mark.parametrize("option", ["--title", "--issuer", "--number", "--date", "--masthead",
                                    "--copy-to", "--contact"])  # fmt: skip
def test_masthead_options_need_docx(option: str) -> None:
    value = "2024-07-08" if option == "--date" else "示例"
    done = _run("--format", "markdown", option, value)
    assert done.code == 2
    assert "[masthead-needs-docx]" in done.stderr and option in done.stderr
    assert "请去掉这些选项，或改用 --format docx" in done.stderr
    assert done.stdout == ""


def test_a_bare_number_is_refused_without_a_prefix(tmp_path: Path) -> None:
    output = tmp_path / "汇总通报.docx"
    done = _run("--format", "docx", "--output", str(output), "--number", "6")
    assert done.code == 2
    assert "[no-number-prefix]" in done.stderr
    assert not output.exists()


# --- the README shows what the command prints ------------------------------------------------


def test_readme_shows_the_rollup_output() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = text.split("<!-- rollup-example:begin -->\n")[1].split("\n<!-- rollup-example:end -->")[
        0
    ]
    shown = shown.replace("#### ", "## ", 1).replace("#### ", "### ")
    done = _run("--format", "markdown")
    assert done.stdout.startswith(shown)


def test_output_is_written_and_data_untouched(tmp_path: Path) -> None:
    copies = [shutil.copytree(folder, tmp_path / Path(folder).name) for folder in EXAMPLE_DIRS]
    before = {p: p.read_bytes() for c in copies for p in Path(c).rglob("*") if p.is_file()}
    output = tmp_path / "out.md"
    done = run_cli("rollup", *map(str, copies), "--as-of", "2024-06-30", "-f", "markdown",
                   "-o", str(output))  # fmt: skip
    assert done.code == 0, done.stderr
    assert output.read_text(encoding="utf-8").startswith("## 各县区2024年")
    after = {p: p.read_bytes() for c in copies for p in Path(c).rglob("*") if p.is_file()}
    assert before == after
