"""The checks of progress entries (校验): each (entries, context) -> problems."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from minsheng.core.cache import Cache
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code, Issue
from minsheng.core.measure import format_decimal
from minsheng.plan.funds import ARRIVED, PAID
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import (
    Item,
    Kind,
    Target,
)
from minsheng.progress.entry import (
    AnyEntry,
    Entry,
    Stage,
    effective_entries,
    milestone_share,
    sort_key,
)
from minsheng.progress.files import ProgressFile, no_such_entry, read_files
from minsheng.progress.rules import (
    Problem,
    at_where,
    correction_date_problem,
    date_problem,
    invisible_problem,
    item_problem,
    length_problem,
    received_problem,
    shape_problem,
    stage_problem,
    stamp_problem,
    target_problem,
    unit_problem,
    value_problem,
)
from minsheng.progress.sources import source_problem


def read_progress(
    folder: DataDir,
    plan: LoadedPlan,
    *,
    today: dt.date | None = None,
    cache: Cache | None = None,
) -> tuple[list[Entry], list[Issue]]:
    """Every entry under `folder.progress` in the plan's months, oldest first, and the problems
    found."""
    period = plan.plan.document.period
    files, issues = read_files(folder, cache, period=period)
    entries, found = check_files(files, folder, plan, today or dt.date.today())
    return entries, issues + found


def check_files(
    files: list[ProgressFile],
    folder: DataDir,
    plan: LoadedPlan,
    today: dt.date,
    sources: dict[str, str | None] | None = None,
) -> tuple[list[Entry], list[Issue]]:
    """The entries of the files read, oldest first, and the problems in and across them.

    The files' entries are taken out of them (the list of files is emptied), so that memory
    holds each entry once. `sources`, if given, receives each source's problem as judged
    (None where it has none)."""
    entries = [entry for read in files for entry in read.entries]
    issues = [issue for read in files for issue in read.issues]
    files.clear()
    ordered = sorted(entries)  # as by sort_key: see Entry
    judged = {} if sources is None else sources
    context = Context(plan, folder.root.parent, today, ordered, VALIDATE_SLACK, judged)
    for check in CHECKS:
        issues.extend(check(entries, context))
    return ordered, issues


# --- checks: each is (entries, context) -> problems ------------------------------------------

VALIDATE_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class Context:
    """What the checks look entries up in."""

    plan: LoadedPlan
    repo_root: Path  # where a `source` path is looked up: the data folder's parent
    today: dt.date
    ordered: Sequence[AnyEntry] | None = None  # the entries checked, sorted by sort_key
    # How far past `today` a date may be: `validate` allows a day, since "today" depends on
    # the time zone of the machine (CI runs in UTC); `progress add` uses the local date as is.
    slack: dt.timedelta = dt.timedelta(0)
    # Each source's problem, once judged (many entries cite the same document); the ledger
    # keeps the very judgements the checks used.
    sources: dict[str, str | None] = field(default_factory=dict)

    @cached_property
    def items(self) -> dict[int, Item]:
        """Each item by its number (the first, should the plan repeat one)."""
        found: dict[int, Item] = {}
        for item in self.plan.plan.items:
            found.setdefault(item.id, item)
        return found

    @cached_property
    def targets(self) -> dict[tuple[int, str], Target]:
        """Each target of the items with a task, by (item, target id)."""
        found: dict[tuple[int, str], Target] = {}
        for number, item in self.items.items():
            if not item.no_task:
                for target in self.plan.targets_of(item):
                    found.setdefault((number, target.id), target)
        return found

    def in_order(self, entries: Sequence[AnyEntry]) -> Sequence[AnyEntry]:
        """`entries` sorted by sort_key (already done once by read_progress)."""
        return self.ordered if self.ordered is not None else sorted(entries, key=sort_key)


Check = Callable[[Sequence[AnyEntry], Context], list[Issue]]


def entry_issue(entry: AnyEntry, key: str, code: Code, message: str) -> Issue:
    where = entry.where
    line, column = where.fields.get(key, (where.line, 1))
    return Issue(where.file, line, column, code, message, key)


def problem_at(entry: AnyEntry, problem: Problem) -> Issue:
    """A rule's finding, located at the entry's field."""
    return entry_issue(entry, problem.field, problem.code, problem.message)


# --- the checks: each (entries, context) -> issues, over the rules above ---------------------


def each_problem(
    entries: Sequence[AnyEntry],
    problem_of: Callable[[AnyEntry], Problem | None],
    once_per: Callable[[AnyEntry], Hashable] | None = None,
) -> list[Issue]:
    """Each entry's problem by one rule, located at the entry's field. With `once_per`, the
    rule is asked once for all the entries with the same key (many share a date or a target)."""
    found = []
    if once_per is None:
        for entry in entries:
            problem = problem_of(entry)
            if problem is not None:
                found.append(problem_at(entry, problem))
        return found
    problems: dict[Hashable, Problem | None] = {}
    for entry in entries:
        key = once_per(entry)
        if key in problems:
            problem = problems[key]
        else:
            problem = problems[key] = problem_of(entry)
        if problem is not None:
            found.append(problem_at(entry, problem))
    return found


def check_known(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The item exists and has a task; the target exists in the item."""
    items, targets = context.items, context.targets

    def problem(entry: AnyEntry) -> Problem | None:
        if (entry.item, entry.target) in targets:
            return None
        item = items.get(entry.item)
        return item_problem(context.plan, entry.item) or (
            target_problem(context.plan, item, entry.target) if item is not None else None
        )

    return each_problem(entries, problem, once_per=lambda entry: (entry.item, entry.target))


def check_dates(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The date is inside the plan period and not in the future."""
    period, today, slack = context.plan.plan.document.period, context.today, context.slack
    return each_problem(
        entries,
        lambda entry: date_problem(period, entry.date, today, slack),
        once_per=lambda entry: entry.date,
    )


def check_stamps(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """`recorded_at` is in a real time zone and not in the future."""
    today, slack = context.today, context.slack
    return each_problem(
        entries,
        lambda entry: stamp_problem(entry.recorded_at, today, slack),
        once_per=lambda entry: entry.recorded_at,
    )


def check_received(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The day a return was received lies between its entry's date and its recording."""

    def problem(entry: AnyEntry) -> Problem | None:
        if entry.received is None:
            return None
        return received_problem(entry.date, entry.received, entry.recorded_at.date())

    return each_problem(entries, problem)


def check_stage_value(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A milestone reports a stage; every other kind a value in its unit of measure."""
    targets = context.targets

    def problem(entry: AnyEntry) -> Problem | None:
        target = targets.get((entry.item, entry.target))
        if target is None:
            return None
        given = {"value": entry.value is not None, "stage": entry.stage is not None,
                 "percent": entry.percent is not None}  # fmt: skip
        found = shape_problem(target, **given)
        if found is None and entry.stage is not None:
            found = stage_problem(entry.stage, entry.percent)
        return found

    return each_problem(entries, problem)


def check_values(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A value fits its target: not negative, a share not above 100%, not absurdly large."""
    targets = context.targets

    def problem(entry: AnyEntry) -> Problem | None:
        target = targets.get((entry.item, entry.target))
        if target is None or entry.value is None or target.kind is Kind.MILESTONE:
            return None
        return value_problem(target, entry.value)

    return each_problem(entries, problem)


def check_units(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """The reporting unit is a lead unit of the item, by its canonical name, and the one
    that reports the entry's target."""
    items, targets = context.items, context.targets

    def problem(entry: AnyEntry) -> Problem | None:
        item = items.get(entry.item)
        if item is None or item.no_task:
            return None
        target = targets.get((entry.item, entry.target))
        return unit_problem(context.plan, item, entry.unit, target)

    return each_problem(
        entries, problem, once_per=lambda entry: (entry.item, entry.target, entry.unit)
    )


def check_sources(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A source that is a path in the repository must exist there."""
    found = []
    problems = context.sources
    for entry in entries:
        if entry.source is None:
            continue
        if entry.source not in problems:
            problems[entry.source] = source_problem(entry.source, context.repo_root)
        message = problems[entry.source]
        if message:
            found.append(entry_issue(entry, "source", Code.MISSING_SOURCE, message))
    return found


def check_texts(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A note or a source in a file is held to what `progress add` takes: not longer than
    its limit (a note of 8,000 characters would fill the bulletin), nothing invisible (a file
    may still hold a tab or a line break: YAML writes them visibly)."""
    found = []
    for entry in entries:
        for key, text in (("note", entry.note), ("source", entry.source)):
            problem = (length_problem(key, text) or invisible_problem(key, text)) if text else None
            if problem is not None:
                found.append(entry_issue(entry, key, problem.code, problem.message))
    return found


def check_corrects(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A correction names an existing entry of the same item and target, of the same date."""
    found = []
    wanted = {entry.corrects for entry in entries if entry.corrects}  # index only these
    by_id = {entry.id: entry for entry in entries if entry.id in wanted}
    for entry in entries:
        if entry.corrects is None:
            continue
        named = by_id.get(entry.corrects)
        if named is None:
            message = no_such_entry(entry.corrects).message
        elif named is entry:
            message = "一条记录不能更正它自己"
        elif (named.item, named.target) != (entry.item, entry.target):
            message = (
                f"corrects 指向的记录 {named.id} 属于第 {named.item} 项的 {named.target},"
                f"与本条(第 {entry.item} 项的 {entry.target})不是同一目标"
            )
        elif problem := correction_date_problem(named, entry.date):
            found.append(problem_at(entry, problem))
            continue
        else:
            continue
        found.append(entry_issue(entry, "corrects", Code.UNKNOWN_ENTRY, message))
    found.extend(_correction_cycles(entries))
    return found


def _correction_cycles(entries: Sequence[AnyEntry]) -> list[Issue]:
    """Corrections that name each other round (A corrects B, B corrects A): no chain of them
    ends at an entry that stands, so every one would be void and the figure would vanish
    without a word. Each entry of such a cycle is a problem of its own (one that corrects
    itself is told so by check_corrects)."""
    names = {entry.id: entry.corrects for entry in entries if entry.corrects}
    if not names:
        return []
    by_id = {entry.id: entry for entry in entries if entry.id in names}
    done: set[str] = set()
    found = []
    for start in names:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node in names and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = names[node]
        if node is not None and node in on_path:
            cycle = path[path.index(node) :]
            if len(cycle) > 1:
                shown = " → ".join([*cycle, cycle[0]])
                for member in cycle:
                    message = (
                        f"更正记录互相指向,成了一个圈:{shown};这样每一条都被更正而作废,"
                        "数值会无声地消失。更正链应止于一条没有 corrects 的原始记录"
                    )
                    found.append(
                        entry_issue(by_id[member], "corrects", Code.CORRECTION_CYCLE, message)
                    )
        done.update(path)
    return found


def _content(entry: AnyEntry) -> tuple[object, ...]:
    """Everything a clerk types for an entry: its item, target, date, figure (value, or
    stage and percent), unit, note and source."""
    return (entry.item, entry.target, entry.date, entry.value, entry.stage, entry.percent,
            entry.unit, entry.note, entry.source)  # fmt: skip


def check_duplicates(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """No id twice; no entry that repeats, field for field, the entry of its target just
    before it on the same day. (The same figure again with a new note is news, not a repeat;
    an earlier figure typed again after a later one is a fall, told by check_decreasing.)"""
    found = []
    ids: dict[str, AnyEntry] = {}
    # A repeat has the same date, and the entries come in date order: one date at a time.
    before: dict[tuple[int, str], AnyEntry] = {}
    day = None
    for entry in context.in_order(entries):
        first = ids.setdefault(entry.id, entry)
        if first is not entry:
            message = f"记录编号 {entry.id} 与 {at_where(first)} 的记录重复"
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
            continue
        if entry.date != day:
            day = entry.date
            before.clear()
        key = (entry.item, entry.target)
        same = before.get(key)
        before[key] = entry
        if (
            same is not None
            and _content(same) == _content(entry)
            and same.id != entry.corrects
            and entry.id != same.corrects
        ):
            message = (
                f"与 {at_where(same)} 的记录重复(同一事项、目标、日期、数值、填报单位、"
                "说明和依据都相同)"
            )
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
    return found


def check_decreasing(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """A cumulative quantity never goes down: the entries that count (those no correction
    names, corrections included), in date order, never decrease for a target."""
    return [_decrease_issue(entry, before) for entry, before in decreases(entries, context)]


def _decrease_issue(entry: AnyEntry, before: AnyEntry) -> Issue:
    if entry.stage is not None:  # a milestone gone back
        what = "更正后的阶段" if entry.corrects else "阶段"
        advice = (
            "请核对更正的阶段(或一并更正那条记录)"
            if entry.corrects
            else "如是更正,请用 corrects 写明被更正记录的 id"
        )
        message = (
            f"{what} {_stage_text(entry)} 比 {before.date} 登记的 {_stage_text(before)}"
            f"({at_where(before)})倒退了;阶段和完成百分比不应倒退,{advice}"
        )
        field = "percent" if entry.stage is before.stage else "stage"
        return entry_issue(entry, field, Code.DECREASING, message)
    what = "更正后的累计完成" if entry.corrects else "累计完成"
    advice = (
        "请核对更正的数值(或一并更正那条记录)"
        if entry.corrects
        else "如是更正,请用 corrects 写明被更正记录的 id"
    )
    message = (
        f"{what} {format_decimal(entry.value or Decimal(0))} 小于 {before.date} 登记的 "
        f"{format_decimal(before.value or Decimal(0))}({at_where(before)});累计值不应减少,{advice}"
    )
    return entry_issue(entry, "value", Code.DECREASING, message)


def _stage_text(entry: AnyEntry) -> str:
    """推进中(40%); 推进中 without a percent counts half way, and says so."""
    if entry.stage is Stage.IN_PROGRESS:
        share = "未填,按 50%" if entry.percent is None else f"{format_decimal(entry.percent)}%"
        return f"{entry.stage.value}({share})"
    return entry.stage.value if entry.stage is not None else ""


_STAGE_RANK = {Stage.NOT_STARTED: 0, Stage.IN_PROGRESS: 1, Stage.DONE: 2}


def _level(target: Target, entry: AnyEntry) -> tuple[Decimal, int] | None:
    """How far an entry puts its target, to be compared with the one before: a quantity's
    cumulative value; a milestone's share (milestone_share) and then its stage, so that
    已完成 → 推进中 goes back even at 100%. None: nothing to compare (a level, a standard)."""
    if target.kind is Kind.QUANTITY and entry.value is not None:
        return (entry.value, 0)
    if target.kind is Kind.MILESTONE and entry.stage is not None:
        return (milestone_share(entry.stage, entry.percent), _STAGE_RANK[entry.stage])
    return None


def decreases(entries: Sequence[AnyEntry], context: Context) -> Iterator[tuple[AnyEntry, AnyEntry]]:
    """Each entry that counts and stands below the one before it for its target (a smaller
    cumulative value, a milestone gone back): (the entry, the one before)."""
    previous: dict[tuple[int, str], tuple[AnyEntry, tuple[Decimal, int]]] = {}
    targets = context.targets
    for entry in effective_entries(context.in_order(entries)):
        target = targets.get((entry.item, entry.target))
        level = None if target is None else _level(target, entry)
        if level is None:
            continue
        key = (entry.item, entry.target)
        before = previous.get(key)
        if before is not None and level < before[1]:
            yield entry, before[0]
            continue
        previous[key] = (entry, level)


def check_paid_within_arrived(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """资金拨付 is never above 资金到位: each paid figure that counts is at most the arrived
    figure that counts at the end of its day (none recorded yet is 0: money is paid only once
    it has arrived)."""
    if context.plan.funds is None:
        return []
    found = []
    counting = effective_entries(context.in_order(entries))
    arrived: dict[int, tuple[list[dt.date], list[AnyEntry]]] = {}
    for entry in counting:
        if entry.target == ARRIVED and entry.value is not None:
            dates, kept = arrived.setdefault(entry.item, ([], []))
            dates.append(entry.date)
            kept.append(entry)
    for entry in counting:
        if entry.target != PAID or not entry.value:
            continue
        dates, kept = arrived.get(entry.item, ([], []))
        index = bisect_right(dates, entry.date) - 1
        there = kept[index] if index >= 0 else None
        if there is not None and there.value is not None and entry.value <= there.value:
            continue
        target = context.targets.get((entry.item, entry.target))
        unit = target.unit or "" if target is not None else ""
        paid = f"资金拨付 {format_decimal(entry.value)}{unit}"
        if there is None:
            message = f"{paid},而截至 {entry.date} 还没有登记资金到位;请先登记到位的资金"
        else:
            message = (
                f"{paid} 超过截至 {entry.date} 的资金到位 "
                f"{format_decimal(there.value or Decimal(0))}{unit}(记录 {there.id},"
                f"{at_where(there)});拨付不能多于到位,请核对"
            )
        found.append(entry_issue(entry, "value", Code.PAID_ABOVE_ARRIVED, message))
    return found


def _backfill_issue(entry: AnyEntry, later: AnyEntry, context: Context) -> Issue:
    """A value recorded for an earlier day above what is on file for a later day: the
    recorded figure that conflicts, and what to do."""
    if entry.stage is not None:
        message = (
            f"本次登记 {entry.date} 的阶段 {_stage_text(entry)},比已登记的 {later.date} "
            f"{_stage_text(later)}(记录 {later.id},{at_where(later)})靠前;阶段不应倒退。"
            f"如 {later.date} 的阶段有误,请先登记更正(--corrects {later.id} --date {later.date}),"
            "否则请核对本次的日期和阶段"
        )
        return entry_issue(entry, "stage", Code.DECREASING, message)
    target = context.targets.get((entry.item, entry.target))
    unit = target.unit or "" if target is not None else ""
    message = (
        f"本次登记 {entry.date} 累计完成 {format_decimal(entry.value or Decimal(0))}{unit},"
        f"大于已登记的 {later.date} 累计完成 {format_decimal(later.value or Decimal(0))}{unit}"
        f"(记录 {later.id},{at_where(later)});累计值不应减少。"
        f"如 {later.date} 的数值有误,请先登记更正(--corrects {later.id} --date {later.date}),"
        "否则请核对本次的日期和数值"
    )
    return entry_issue(entry, "value", Code.DECREASING, message)


def check_placement(entries: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """An entry lives in progress/<its month>/<its unit's id>.yaml, where the tool puts it."""
    found = []
    places: dict[Path, tuple[str, str]] = {}  # a file's (folder, name), once per file
    months: dict[dt.date, str] = {}
    for entry in entries:
        path = entry.origin.path if isinstance(entry, Entry) else entry.where.path
        unit = context.plan.unit_named(entry.unit)
        if path is None or unit is None:
            continue
        place = places.get(path)
        if place is None:
            place = places[path] = (path.parent.name, path.name)
        month = months.get(entry.date)
        if month is None:
            month = months[entry.date] = f"{entry.date:%Y-%m}"
        if place != (month, f"{unit.id}.yaml"):
            message = f"这条记录应放在 progress/{month}/{unit.id}.yaml(按日期的月份和填报单位)"
            found.append(entry_issue(entry, "date", Code.MISPLACED, message))
    return found


# Checks on one entry against the plan, and checks across entries.
ENTRY_CHECKS: tuple[Check, ...] = (
    check_known,
    check_dates,
    check_stamps,
    check_received,
    check_stage_value,
    check_values,
    check_units,
    check_sources,
    check_texts,
    check_placement,
)
CROSS_CHECKS: tuple[Check, ...] = (
    check_corrects,
    check_duplicates,
    check_decreasing,
    check_paid_within_arrived,
)
CHECKS: tuple[Check, ...] = ENTRY_CHECKS + CROSS_CHECKS


def problems_adding(entry: AnyEntry, existing: Sequence[AnyEntry], context: Context) -> list[Issue]:
    """What recording `entry` beside `existing` would break: the entry's own problems, and
    the problems across entries it brings (those the data already has are not its own)."""
    return problems_adding_all([entry], existing, context)


def problems_adding_all(
    entries: Sequence[AnyEntry], existing: Sequence[AnyEntry], context: Context
) -> list[Issue]:
    """What recording all of `entries` at once beside `existing` would break: the rules of
    `problems_adding`, with the new entries checked against each other as well."""
    own = [issue for check in ENTRY_CHECKS for issue in check(entries, context)]
    if own:
        return own
    before = {issue for check in CROSS_CHECKS for issue in check(existing, context)}
    every = [*existing, *entries]
    after = [
        issue
        for check in CROSS_CHECKS
        if check is not check_decreasing
        for issue in check(every, context)
    ]
    # A back-filled value above a later one makes the later entry the one that decreases:
    # say it of the entry being added, naming the recorded figure it conflicts with.
    adding = {id(entry) for entry in entries}
    for later, earlier in decreases(every, context):
        if id(earlier) in adding and id(later) not in adding:
            after.append(_backfill_issue(earlier, later, context))
        else:
            after.append(_decrease_issue(later, earlier))
    return [issue for issue in after if issue not in before]


def content_key(entry: AnyEntry) -> tuple[object, ...]:
    """What makes two entries the same report: `duplicate-entry` refuses the second."""
    return _content(entry)


def figure_key(entry: AnyEntry) -> tuple[object, ...]:
    """The figure an entry reports (its value, or its stage and percent), where and when."""
    return (entry.item, entry.target, entry.date, entry.value, entry.stage, entry.percent,
            entry.unit)  # fmt: skip
