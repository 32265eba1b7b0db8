"""The checks across a plan's records, after its schema's: each is (plan, doc) -> problems,
placed on the field they concern (ids, refs, categories, units and their spellings, targets
and their shapes, sums of parts, the period and the file's year)."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from minsheng.core.issues import Code, Issue
from minsheng.core.measure import is_counted, is_percent, split_unit
from minsheng.core.schema import file_year
from minsheng.core.typography import invisible_char
from minsheng.core.yamlio import Document
from minsheng.plan.funds import is_funds_target
from minsheng.plan.models import (
    Basis,
    Comparator,
    Item,
    Kind,
    Plan,
    Target,
)

Check = Callable[[Plan, Document], list[Issue]]


def check_item_ids(plan: Plan, doc: Document) -> list[Issue]:
    """Item ids are 1..N, unique and in order."""
    found = []
    seen: set[int] = set()
    for index, item in enumerate(plan.items):
        if item.id in seen:
            found.append(
                doc.issue(("items", index, "id"), Code.DUPLICATE_ID, f"事项编号 {item.id} 重复")
            )
        elif item.id != index + 1:
            message = f"事项编号应连续:第 {index + 1} 个事项的编号是 {item.id}"
            found.append(doc.issue(("items", index, "id"), Code.ITEM_IDS, message))
        seen.add(item.id)
    return found


def check_refs(plan: Plan, doc: Document) -> list[Issue]:
    """Each item stands for one number of the parent list (`ref`, else its `id`): two items
    on one number would make the city's roll-up add one district's work twice."""
    found = []
    seen: dict[int, int] = {}
    for index, item in enumerate(plan.items):
        number = item.ref_number
        if number in seen:
            message = f"第 {item.id} 项与第 {seen[number]} 项对应上级清单的同一项(第 {number} 项)"
            where = ("items", index, "ref" if item.ref is not None else "id")
            found.append(doc.issue(where, Code.DUPLICATE_REF, message))
        else:
            seen[number] = item.id
    return found


def check_categories(plan: Plan, doc: Document) -> list[Issue]:
    """Each item's category exists, and each category holds the items it declares."""
    found = []
    numbers = Counter(c.id for c in plan.categories)
    for index, category in enumerate(plan.categories):
        if numbers[category.id] > 1:
            message = f"类别编号 {category.id} 重复"
            found.append(doc.issue(("categories", index, "id"), Code.DUPLICATE_ID, message))
    held = Counter(item.category for item in plan.items)
    for index, item in enumerate(plan.items):
        if item.category not in numbers:
            message = f"类别 {item.category} 不存在"
            found.append(doc.issue(("items", index, "category"), Code.UNKNOWN_CATEGORY, message))
    for index, category in enumerate(plan.categories):
        if held[category.id] != category.count:
            message = f"类别“{category.name}”声明 {category.count} 项,实际有 {held[category.id]} 项"
            found.append(doc.issue(("categories", index, "count"), Code.CATEGORY_COUNT, message))
    return found


def check_units(plan: Plan, doc: Document) -> list[Issue]:
    """Unit ids and names are unique; every lead unit is in the registry; no-task has none."""
    found = []
    names: dict[str, int] = {}
    ids: set[str] = set()
    for index, unit in enumerate(plan.units):
        if unit.id in ids:
            found.append(
                doc.issue(("units", index, "id"), Code.DUPLICATE_UNIT, f"单位 id {unit.id} 重复")
            )
        ids.add(unit.id)
        for name in (unit.name, *unit.aliases):
            if name in names:
                message = f"单位名称 {name} 在登记表中出现了两次"
                found.append(doc.issue(("units", index), Code.DUPLICATE_UNIT, message))
            names[name] = index
    found.extend(_unit_spellings(plan, doc))
    for index, item in enumerate(plan.items):
        found.extend(_lead_units_once(plan, doc, index, item, names))
        if item.no_task and item.units:
            message = "标注“我区无任务”的事项不应有牵头单位"
            found.append(doc.issue(("items", index, "units"), Code.NO_TASK_UNIT, message))
        for position, name in enumerate(item.units):
            if name not in names:
                close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.3)
                hint = f"(是不是 {close[0]}?)" if close else ""
                message = f"牵头单位 {name} 不在单位登记表(units)中{hint}"
                loc = ("items", index, "units", position)
                found.append(doc.issue(loc, Code.UNKNOWN_UNIT, message))
        if not item.no_task and not item.units:
            message = "有任务的事项至少要有一个牵头单位"
            found.append(doc.issue(("items", index), Code.MISSING_FIELD, message))
    return found


def _unit_spellings(plan: Plan, doc: Document) -> list[Issue]:
    """A unit's names have no invisible character, and no two names are the same once
    written alike (NFKC: a full-width letter is its ASCII letter)."""
    found = []
    alike: dict[str, str] = {}
    for index, unit in enumerate(plan.units):
        spelled: list[tuple[tuple[str | int, ...], str]] = [(("units", index, "name"), unit.name)]
        spelled += [(("units", index, "aliases", k), a) for k, a in enumerate(unit.aliases)]
        for loc, name in spelled:
            char = invisible_char(name)
            if char is not None:
                message = (
                    f"单位名称 {name!r} 含看不见的字符 U+{ord(char):04X},"
                    "看起来与别的名称相同却不同,请删去"
                )
                found.append(doc.issue(loc, Code.BAD_CHAR, message))
                continue
            folded = unicodedata.normalize("NFKC", name)
            other = alike.setdefault(folded, name)
            if other != name:
                message = f"单位名称 {name} 与 {other} 写法不同、看起来相同,请统一为一种写法"
                found.append(doc.issue(loc, Code.DUPLICATE_UNIT, message))
    return found


def _lead_units_once(
    plan: Plan, doc: Document, index: int, item: Item, names: dict[str, int]
) -> list[Issue]:
    """Each lead unit is listed once in an item, by one of its names: listed twice (or by a
    name and an alias) it would count twice in the ranking of units."""
    found = []
    seen: dict[int, str] = {}
    for position, name in enumerate(item.units):
        unit = names.get(name)
        if unit is None:
            continue  # an unknown unit is told below
        first = seen.get(unit)
        seen.setdefault(unit, name)
        if first is not None:
            same = "重复列出" if first == name else f"与 {first} 是同一单位"
            message = f"牵头单位 {name} {same},每个单位只写一次(否则在单位排名中算两次)"
            loc = ("items", index, "units", position)
            found.append(doc.issue(loc, Code.DUPLICATE_UNIT, message))
    return found


def _target_locs(index: int, item: Item) -> Iterable[tuple[tuple[str | int, ...], Target]]:
    for position, target in enumerate(item.targets):
        yield ("items", index, "targets", position), target
    for m, measure in enumerate(item.measures):
        for position, target in enumerate(measure.targets):
            yield ("items", index, "measures", m, "targets", position), target


def check_targets(plan: Plan, doc: Document) -> list[Issue]:
    """Target ids are unique in an item; each kind has the fields it needs and a fitting unit."""
    found = []
    for index, item in enumerate(plan.items):
        if not item.no_task and not item.targets:
            message = "有任务的事项至少要有一个目标(定性任务用 kind: milestone)"
            found.append(doc.issue(("items", index), Code.NO_TARGET, message))
        seen: set[str] = set()
        for loc, target in _target_locs(index, item):
            if target.id in seen:
                message = f"目标 id {target.id} 在本事项中重复"
                found.append(doc.issue((*loc, "id"), Code.DUPLICATE_ID, message))
            elif is_funds_target(target.id):
                message = f"目标 id {target.id} 留给资金计划(funds_<年份>.yaml)用,请换一个"
                found.append(doc.issue((*loc, "id"), Code.RESERVED_ID, message))
            seen.add(target.id)
            found.extend(_target_shape(doc, loc, target))
            if target.by is not None and target.by not in item.units:
                leads = "、".join(item.units) or "(无)"
                message = (
                    f"目标 {target.id} 的报送单位 by: {target.by} 不是本事项的牵头单位;"
                    f"请写 units 中的一个:{leads}"
                )
                found.append(doc.issue((*loc, "by"), Code.UNKNOWN_UNIT, message))
    return found


def _target_shape(doc: Document, loc: tuple[str | int, ...], target: Target) -> list[Issue]:
    if target.kind is Kind.MILESTONE:
        extra = [f for f in ("comparator", "value", "unit", "baseline") if getattr(target, f)]
        if extra:
            message = f"定性节点目标不应有 {'、'.join(extra)}"
            return [doc.issue((*loc, extra[0]), Code.TARGET_SHAPE, message)]
        return []
    missing = [f for f in ("comparator", "value", "unit") if getattr(target, f) is None]
    if missing:
        message = f"{target.kind} 类目标需要 {'、'.join(missing)}"
        return [doc.issue(loc, Code.TARGET_SHAPE, message)]
    assert target.value is not None and target.unit is not None
    if target.value <= 0:
        return [doc.issue((*loc, "value"), Code.BAD_VALUE, "目标值应为正数")]
    if target.kind is Kind.QUANTITY and (is_percent(target.unit) or "/" in target.unit):
        message = f"累计数量目标的单位不能是比例或标准({target.unit}),应为 level 或 standard"
        return [doc.issue((*loc, "unit"), Code.UNIT_KIND, message)]
    return _baseline_problem(doc, loc, target)


def _baseline_problem(doc: Document, loc: tuple[str | int, ...], target: Target) -> list[Issue]:
    """A baseline lies on the far side of the target: below an at-least one, above an
    at-most one. Past the target, progress from baseline to target would read 3 of 30 as
    done (从99.90%提高到99.93%: the baseline is 99.90, below)."""
    baseline, value = target.baseline, target.value
    if baseline is None or value is None:
        return []
    shown, goal = f"{baseline}{target.unit or ''}", f"{value}{target.unit or ''}"
    if target.comparator is Comparator.AT_LEAST and baseline >= value:
        message = f"基数 {shown} 不低于目标 {goal}:“从基数提高到目标”的基数应小于目标"
    elif target.comparator is Comparator.AT_MOST and baseline <= value:
        message = f"基数 {shown} 不高于目标 {goal}:“从基数降低到目标”的基数应大于目标"
    elif target.comparator is Comparator.APPROX and baseline == value:
        message = f"基数 {shown} 等于目标 {goal},无从计算进度"
    else:
        return []
    return [doc.issue((*loc, "baseline"), Code.TARGET_SHAPE, message)]


def check_rollups(plan: Plan, doc: Document) -> list[Issue]:
    """A target with `sum_of` equals the sum of the named sub-targets."""
    found = []
    for index, item in enumerate(plan.items):
        by_id = {t.id: t for t in item.all_targets()}
        for loc, target in _target_locs(index, item):
            if not target.sum_of:
                continue
            parts = [by_id.get(part) for part in target.sum_of]
            unknown = [name for name, part in zip(target.sum_of, parts, strict=True) if not part]
            if unknown:
                message = f"sum_of 引用了不存在的目标:{'、'.join(unknown)}"
                found.append(doc.issue((*loc, "sum_of"), Code.UNKNOWN_TARGET, message))
                continue
            problem = _parts_problem(target, [part for part in parts if part], by_id)
            if problem is not None:
                found.append(doc.issue((*loc, "sum_of"), Code.ROLLUP, problem))
                continue
            if target.value is None or any(p is None or p.value is None for p in parts):
                message = "sum_of 的目标和各分项都需要数值"
                found.append(doc.issue((*loc, "sum_of"), Code.ROLLUP, message))
                continue
            total = sum(
                (p.value * split_unit(p.unit or "")[0] for p in parts if p and p.value),
                start=target.value * 0,
            )
            expected = target.value * split_unit(target.unit or "")[0]
            if total != expected:
                message = f"分项合计 {total} 与目标值 {expected} 不相等"
                found.append(doc.issue((*loc, "sum_of"), Code.ROLLUP, message))
    return found


def _parts_problem(target: Target, parts: list[Target], by_id: dict[str, Target]) -> str | None:
    """Why the parts cannot add up to the target: one is the target itself (or holds it
    among its own parts), or is measured otherwise (元 beside 人, % beside 个)."""
    if _holds(target.id, target, by_id, set()):
        return f"sum_of 不能包含目标 {target.id} 自己(直接或经由分项)"
    base = split_unit(target.unit or "")[1]
    for part in parts:
        other = split_unit(part.unit or "")[1]
        # Counts add up whatever they count: the notice's 19人次 is 8户 + 8户 + 3户 (item 9).
        alike = other == base or (is_counted(other) and is_counted(base))
        if part.kind is Kind.MILESTONE or not alike:
            shown = part.unit or "定性节点"
            return f"分项 {part.id} 的计量单位 {shown} 与目标的 {target.unit} 不同,不能相加"
    return None


def _holds(wanted: str, target: Target, by_id: dict[str, Target], seen: set[str]) -> bool:
    """Whether `wanted` is among the parts of `target`, or of their parts, and so on."""
    for name in target.sum_of:
        if name == wanted:
            return True
        part = by_id.get(name)
        if part is not None and name not in seen:
            seen.add(name)
            if _holds(wanted, part, by_id, seen):
                return True
    return False


# A plan's years: wide enough for any real plan, narrow enough that no date arithmetic of
# the report (a day or a month either side of the period) leaves the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def check_file_year(plan: Plan, doc: Document, path: Path) -> list[Issue]:
    """A plan named tasks_<year>.yaml is the plan of that year: `--year` finds it by name."""
    return file_year(path, "tasks", plan.document.year, doc, ("document", "year"), "计划")


def check_period(plan: Plan, doc: Document) -> list[Issue]:
    period = plan.document.period
    year = plan.document.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = f"计划年度 {year} 不合理,应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间"
        return [doc.issue(("document", "year"), Code.PERIOD, message)]
    for key, day in (("start", period.start), ("end", period.end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            message = f"计划期的日期 {day} 不合理,年份应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间"
            return [doc.issue(("document", "period", key), Code.PERIOD, message)]
    if period.end < period.start:
        return [doc.issue(("document", "period"), Code.PERIOD, "计划期的结束日期早于开始日期")]
    if period.start > dt.date(year, 12, 31) or period.end < dt.date(year, 1, 1):
        message = f"计划期 {period.start} 至 {period.end} 不含计划年度 {year} 的任何一天"
        return [doc.issue(("document", "period"), Code.PERIOD, message)]
    found = []
    by_month = plan.schedule.basis is Basis.MONTH
    for index, item in enumerate(plan.items):
        previous = None
        for step, entry in enumerate(item.schedule):
            loc = ("items", index, "schedule", step)
            if not period.start <= entry.date <= period.end:
                found.append(doc.issue((*loc, "date"), Code.PERIOD, "进度安排的日期不在计划期内"))
            elif by_month and not period.closes_month(entry.date):
                # By months a mid-month date is no time of its own: the step would fall due
                # at the end of the month before, earlier than it says. Let the clerk choose.
                message = (
                    f"{entry.date} 不是月末:序时进度按月计(schedule.basis: month)时,"
                    "进度安排的日期应为月末或计划期末"
                )
                found.append(doc.issue((*loc, "date"), Code.PERIOD, message))
            if previous is not None and (
                entry.date <= previous.date or entry.expected < previous.expected
            ):
                message = "进度安排应按日期先后排列,且预期进度不能减少"
                found.append(doc.issue(loc, Code.PERIOD, message))
            previous = entry
    reporting = plan.reporting
    if reporting is not None and not (
        period.start.replace(day=1) <= reporting.first <= period.end.replace(day=1)
    ):
        message = (
            f"报送起始月份 {reporting.first:%Y-%m} 不在计划期 {period.start} 至 {period.end} 内"
        )
        found.append(doc.issue(("reporting", "from"), Code.PERIOD, message))
    if plan.thresholds.lagging <= plan.thresholds.behind:
        message = "严重滞后的阈值(lagging)应大于滞后的阈值(behind)"
        found.append(doc.issue(("thresholds",), Code.BAD_VALUE, message))
    return found


CHECKS: tuple[Check, ...] = (
    check_item_ids,
    check_refs,
    check_categories,
    check_units,
    check_targets,
    check_rollups,
    check_period,
)
