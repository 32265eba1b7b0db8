"""The city's roll-up (汇总) across its districts' data folders: each district computed by its
own report (build_report), kept as a small summary, then set side by side and ranked.

Pure computation: it reads the folders through the library's front door and never knows an
output format; the document (`Rollup.to_dict`) is what every renderer is made from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import sys
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from minsheng.core.issues import Code, StoppedError, UsageError
from minsheng.core.measure import json_number
from minsheng.core.percent import json_percent as pct
from minsheng.core.percent import points
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.core.typography import typeset

# What the output says of the order it shows (docs/rollup.md says the same).
RANK_RULE = (
    "排名规则:按有任务事项的平均完成比例(四舍五入到 0.1 个百分点)由高到低排列;"
    "相同时按按时报送率(同样取一位小数,尚无已到期月份的排在后面)由高到低;两项都相同的并列。"
)
SLOWEST_RULE = (
    "进度较慢的县区:某一事项有任务的县区中,状态为滞后、严重滞后或从未报送的,"
    "按完成比例由低到高列出;没有这样的县区则不列。"
)
SLOW = frozenset({Status.BEHIND, Status.LAGGING, Status.UNREPORTED})

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Standing:
    """One item in one district: its status and completion as the district's report has them,
    and its 目标任务 as the district's own plan words them (plan.describe.task_words): a
    county's 落实方案 may set its own numbers."""

    status: Status
    completion: Decimal | None  # None where the district has no task
    target: str | None = None  # None where the district has no task


@dataclass(frozen=True)
class MonthReturns:
    """A district's returns for the bulletin's month: its lead units by how they stand."""

    month: dt.date
    due: dt.date
    on_time: list[str]
    late: list[str]
    missing: list[str]
    pending: list[str]

    @property
    def status(self) -> str:
        """The district's return as one word's code: missing if any unit's is, then late,
        then pending, else on_time."""
        for code, units in (("missing", self.missing), ("late", self.late)):
            if units:
                return code
        return "pending" if self.pending else "on_time"


@dataclass(frozen=True)
class Area:
    """One district's summary: all the roll-up keeps of its report."""

    name: str
    folder: str  # as given on the command line
    year: int
    parent: str | None
    expected: Decimal
    items: dict[int, Standing]  # by the parent list's number (Item.ref_number)
    counts: dict[Status, int]
    completion: Decimal | None  # mean over the items with a task; None when it has none
    on_time: int  # months returned on time, over every lead unit
    settled: int  # months settled (due day past or every item in), over every lead unit
    returns: MonthReturns | None  # None without `reporting` in its plan, or before any month

    @property
    def with_task(self) -> int:
        return sum(1 for s in self.items.values() if s.status is not Status.NO_TASK)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按时报送率: the district's report's rule (cycle.reporting) pooled over its units,
        on-time unit-months over settled unit-months; None when none is settled."""
        return Decimal(self.on_time) / Decimal(self.settled) if self.settled else None


@dataclass(frozen=True)
class RollupItem:
    """One number of the parent list across the districts."""

    ref: int
    title: str
    short_title: str
    areas: dict[str, Standing]  # every district, 无任务 where it has no such item
    slowest: list[str]  # SLOWEST_RULE


@dataclass(frozen=True)
class Rollup:
    as_of: dt.date
    made_at: dt.datetime | None
    year: int
    parent: str | None
    expected: Decimal  # of the first district's plan period
    areas: list[Area]  # ranked (RANK_RULE), ties in the order given
    ranks: list[int]
    items: list[RollupItem]  # by the parent list's number

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (docs/rollup.md)."""
        return document(self)


# --- one district -----------------------------------------------------------------------


def area_folder(given: PathLike) -> Path:
    """The data folder of `given`: itself, or its `data/` when it is a district's repository
    (a folder with data/tasks_<year>.yaml and no plan of its own)."""
    folder = Path(given)
    if not any(folder.glob("tasks_*.yaml")) and any((folder / "data").glob("tasks_*.yaml")):
        return folder / "data"
    return folder


def folder_name(given: PathLike) -> str:
    """A district's name when its plan gives none: the folder's, or the one above a folder
    called `data` (雨山区/data is 雨山区's)."""
    folder = Path(os.path.abspath(given))
    if folder.name == "data" and folder.parent.name:
        return folder.parent.name
    return folder.name


# What each folder on the command line should be, said where one is not.
WANTED = "每个参数应是县区的数据目录(含 tasks_<年份>.yaml 和 progress/)或县区仓库的目录(含 data/)"


def summarize(
    given: PathLike,
    year: int | None,
    as_of: dt.date | None,
    made_at: dt.datetime | None,
    *,
    cache: bool = True,
) -> tuple[Area, dict[int, tuple[str, str]], dt.date]:
    """One district through its own report (build_report), reduced to its summary, with the
    titles of its items by number and the as-of date used."""
    from minsheng.api import build_report, load_plan, load_progress
    from minsheng.plan.describe import short_title, task_words
    from minsheng.report.compute import default_as_of

    folder = area_folder(given)
    if folder.is_file():
        raise UsageError(
            Code.ROLLUP_NO_PLAN, f"{given} 是文件,不是目录;{WANTED},如 {folder.parent}"
        )
    if not folder.is_dir():
        raise UsageError(Code.ROLLUP_NO_PLAN, f"县区数据目录不存在:{given};请检查路径的拼写")
    if not any(folder.glob("tasks_*.yaml")):
        raise UsageError(Code.ROLLUP_NO_PLAN, f"{given} 中没有计划文件 tasks_<年份>.yaml;{WANTED}")
    if year is not None and not (folder / f"tasks_{year}.yaml").is_file():
        plans = folder.glob("tasks_*.yaml")
        years = "、".join(sorted(p.stem.removeprefix("tasks_") for p in plans))
        message = f"{given} 中没有 {year} 年的计划文件 tasks_{year}.yaml(只有 {years} 年的)"
        raise UsageError(Code.ROLLUP_NO_PLAN, message)
    plan = load_plan(data_dir=folder, year=year, cache=cache)
    document = plan.plan.document
    if as_of is None:
        as_of = default_as_of(document.period, dt.date.today())
    progress = load_progress(plan, cache=cache)
    # Statuses, completion and the returns, as the district's own report has them; the
    # month-end history and escalations it also computes are not shown here.
    report = build_report(plan, progress, as_of, made_at=made_at, history=False)
    items = {
        r.item.ref_number: Standing(r.status, r.completion, task_words(r.item))
        for r in report.now.items
    }
    titles = {r.item.ref_number: (r.item.title, short_title(r.item)) for r in report.now.items}
    active = [r.completion for r in report.now.items if r.completion is not None]
    on_time = settled = 0
    returns = None
    cycle = report.cycle
    if cycle is not None:
        for unit in cycle.reporting:
            counted = unit.counted
            settled += len(counted)
            on_time += sum(1 for period in counted if period.status.value == "on_time")
        returns = month_returns(cycle.reporting)
    area = Area(
        name=document.area or folder_name(given),
        folder=Path(given).as_posix(),
        year=document.year,
        parent=document.parent,
        expected=report.now.expected,
        items=items,
        counts=dict(report.now.summary),
        completion=sum(active, Decimal(0)) / len(active) if active else None,
        on_time=on_time,
        settled=settled,
        returns=returns,
    )
    return area, titles, as_of


def month_returns(reporting: Sequence[Any]) -> MonthReturns | None:
    """The units' returns for the bulletin's month (each UnitReporting's current month)."""
    current = [(unit.unit, unit.current) for unit in reporting if unit.current is not None]
    if not current:
        return None
    month, due = current[0][1].month, current[0][1].due
    by: dict[str, list[str]] = {"on_time": [], "late": [], "missing": [], "pending": []}
    for name, period in current:
        by[period.status.value].append(name)
    return MonthReturns(month, due, by["on_time"], by["late"], by["missing"], by["pending"])


# --- the districts side by side ---------------------------------------------------------


def rollup(
    folders: Sequence[PathLike],
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    made_at: dt.datetime | None = None,
    cache: bool = True,
) -> Rollup:
    """Each folder's district computed as its own `minsheng report` computes it, one at a
    time in each process (only its summary is kept: summaries), then ranked and matched item
    by item on the parent list's number. Folders that do not go together are refused
    (UsageError): one without a plan, two districts of one name, plans of different years or
    of different parents."""
    if not folders:
        raise UsageError(Code.ROLLUP_NO_PLAN, "请至少给出一个县区的数据目录")
    areas: list[Area] = []
    titles: dict[int, tuple[str, str]] = {}
    with contextlib.closing(summaries(folders, year, as_of, made_at, cache)) as found:
        for area, named, day in found:
            as_of = day  # the first district's when none was given
            refuse_mixed(areas, area)
            areas.append(area)
            for number, title in named.items():
                titles.setdefault(number, title)
    assert as_of is not None
    ordered = sorted(areas, key=rank_key)
    numbers = sorted(titles)
    items = [
        RollupItem(
            number,
            titles[number][0],
            titles[number][1],
            {area.name: area.items.get(number, NO_TASK) for area in areas},
            slowest(number, areas),
        )
        for number in numbers
    ]
    parent = next((area.parent for area in areas if area.parent), None)
    first = areas[0]
    return Rollup(
        as_of, made_at, first.year, parent, first.expected, ordered, ranks(ordered), items
    )


NO_TASK = Standing(Status.NO_TASK, None)

# From this many districts on, the districts after the first are computed on a pool of
# processes, one per core: under it, starting the processes costs about what sharing the work
# saves (bench/README.md, the roll-up: warm on 2 cores, even at 6 and 8, a fifth less at 12).
POOL_FROM = 8

Summary = tuple[Area, dict[int, tuple[str, str]], dt.date]


def summaries(
    folders: Sequence[PathLike],
    year: int | None,
    as_of: dt.date | None,
    made_at: dt.datetime | None,
    cache: bool,
) -> Generator[Summary, None, None]:
    """Each district's summary (summarize), in the order given. The first is computed here:
    it decides the as-of date when none is given. The others are computed here too when they
    are few or there is one core, else on a pool of processes (each computes one district at
    a time and keeps only its summary, so memory stays flat in each); either way a district's
    error (DataError, UsageError) is raised when its turn comes in the order given, as if the
    districts were computed one after the other."""
    first = summarize(folders[0], year, as_of, made_at, cache=cache)
    yield first
    rest = folders[1:]
    workers = min(len(rest), _cores())
    if len(folders) < POOL_FROM or workers < 2:
        for given in rest:
            yield summarize(given, year, first[2], made_at, cache=cache)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Forked, a worker starts with every module this process has loaded for the first
    # district; elsewhere the platform's own way (fork is unsafe on macOS, absent on Windows).
    fork = "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux"
    context = multiprocessing.get_context("fork" if fork else None)
    # What this process holds now (its modules, the first district's plan) is set aside from
    # the collector's rounds, in here and in the workers forked from it: each worker then
    # scans only what it makes itself (and leaves the pages it shares with this one shared).
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        task = functools.partial(_summary, year=year, as_of=first[2], made_at=made_at, cache=cache)
        # One district a task: a task of several fails whole, and would raise a later
        # district's error before an earlier one's refusal (refuse_mixed, in the caller).
        found = pool.map(task, rest)
        for given in rest:
            try:
                summary = next(found)
            except BrokenProcessPool:
                # A worker killed (the system out of memory, a kill -9): every district still
                # pending on the pool fails with it. Said as such, not as an internal error.
                message = (
                    f"计算县区的进程意外退出（轮到 {given} 时），汇总没有完成："
                    "可能是被系统终止（如内存不足），请重新运行"
                )
                raise StoppedError(Code.ROLLUP_WORKER_DIED, message) from None
            yield summary
    finally:
        # On an error (or a refusal of the caller's), the districts not yet begun never are.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _summary(
    given: PathLike, *, year: int | None, as_of: dt.date, made_at: dt.datetime | None, cache: bool
) -> Summary:
    """summarize, as a pool's worker calls it."""
    return summarize(given, year, as_of, made_at, cache=cache)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def refuse_mixed(seen: Iterable[Area], new: Area) -> None:
    """A district that cannot stand beside those before it: its name taken, another year,
    another parent list. The message names both folders."""
    for area in seen:
        if area.name == new.name:
            raise UsageError(
                Code.ROLLUP_SAME_AREA,
                f"两个数据目录都是“{new.name}”:{area.folder} 和 {new.folder};"
                "请在各自计划文件的 document.area 写明各自的县区名称"
                "(照抄来的计划文件里是原来那个县区的名称,要改掉)",
            )
        if area.year != new.year:
            raise UsageError(
                Code.ROLLUP_MIXED_YEARS,
                f"计划年度不同:{area.name}({area.folder})是 {area.year} 年,"
                f"{new.name}({new.folder})是 {new.year} 年;请用 --year 指定同一年度",
            )
        if area.parent and new.parent and area.parent != new.parent:
            raise UsageError(
                Code.ROLLUP_MIXED_PARENTS,
                f"上级清单不同:{area.name}({area.folder})依据“{area.parent}”,"
                f"{new.name}({new.folder})依据“{new.parent}”;只能汇总同一份清单下的县区",
            )


def rank_key(area: Area) -> tuple[Decimal, Decimal]:
    """RANK_RULE: completion shown, then the on-time rate shown, both descending; a district
    with no task, or no settled month, after every one with."""
    lowest = Decimal("-1")
    completion = points(area.completion) if area.completion is not None else lowest
    rate = points(area.on_time_rate) if area.on_time_rate is not None else lowest
    return (-completion, -rate)


def ranks(areas: Sequence[Area]) -> list[int]:
    """Competition ranking (1, 2, 2, 4) of ranked districts: equal keys, equal rank."""
    found: list[int] = []
    for index, area in enumerate(areas):
        if index and rank_key(area) == rank_key(areas[index - 1]):
            found.append(found[-1])
        else:
            found.append(index + 1)
    return found


def slowest(number: int, areas: Sequence[Area]) -> list[str]:
    """SLOWEST_RULE for one item: the districts with a task there that are behind, lagging
    or never reported, lowest completion first (ties in the order given)."""
    slow = [
        (points(s.completion or Decimal(0)), index, area.name)
        for index, area in enumerate(areas)
        for s in (area.items.get(number, NO_TASK),)
        if s.status in SLOW
    ]
    return [name for _, _, name in sorted(slow)]


def slowest_sentence(names: Sequence[str]) -> str:
    """进度较慢的为雨山区、含山县; empty when none is."""
    return f"进度较慢的为{'、'.join(names)}" if names else ""


# --- the document -------------------------------------------------------------------------


def fraction(value: Decimal | None) -> int | float | None:
    return json_number(value, 4)


def _standing_json(standing: Standing) -> dict[str, Any]:
    return {
        "status": standing.status.value,
        "status_label": STATUS_WORDS[standing.status],
        "completion": fraction(standing.completion),
        "completion_pct": pct(standing.completion),
        "target": standing.target,
    }


def _returns_json(returns: MonthReturns | None) -> dict[str, Any] | None:
    if returns is None:
        return None
    return {
        "month": f"{returns.month:%Y-%m}",
        "due": returns.due.isoformat(),
        "status": returns.status,
        "reported": returns.on_time + returns.late,
        "on_time": returns.on_time,
        "late": returns.late,
        "missing": returns.missing,
        "pending": returns.pending,
    }


def document(result: Rollup) -> dict[str, Any]:
    """The roll-up as JSON: the issue's keys first, then what the formats need beside them."""
    areas = [
        {
            "name": area.name,
            "dir": area.folder,
            "items_with_task": area.with_task,
            "summary": {status.value: area.counts.get(status, 0) for status in Status},
            "completion": fraction(area.completion),
            "on_time_rate": fraction(area.on_time_rate),
            "rank": rank,
            "completion_pct": pct(area.completion),
            "on_time_rate_pct": pct(area.on_time_rate),
            "on_time_months": {"on_time": area.on_time, "settled": area.settled},
            "expected": fraction(area.expected),
            "returns": _returns_json(area.returns),
        }
        for rank, area in zip(result.ranks, result.areas, strict=True)
    ]
    items = [
        {
            "ref": item.ref,
            "title": item.title,
            "areas": {name: _standing_json(s) for name, s in item.areas.items()},
            "slowest": item.slowest,
            "short_title": item.short_title,
            "slowest_text": typeset(slowest_sentence(item.slowest)),
        }
        for item in result.items
    ]
    return {
        "as_of": result.as_of.isoformat(),
        "expected": fraction(result.expected),
        "areas": areas,
        "items": items,
        "generated_at": result.made_at.isoformat() if result.made_at else None,
        "expected_pct": pct(result.expected),
        "year": result.year,
        "parent": result.parent,
        "rule": {"rank": typeset(RANK_RULE), "slowest": typeset(SLOWEST_RULE)},
    }
