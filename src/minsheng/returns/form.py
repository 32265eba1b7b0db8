"""A unit's monthly return (进度报送表): its columns, its rows (every target the unit reports,
with the figure that counts now), and the stamp of what it was made for. Reading a filled
one back is importing; the file formats (xlsx, CSV) are files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from minsheng.core.issues import Code
from minsheng.core.measure import format_decimal
from minsheng.plan.describe import requirement_words, short_title
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import Item, Kind, Period, Target, Unit
from minsheng.progress.entry import AnyEntry, latest
from minsheng.progress.rollup import Actual, actual_of, rolled_up

# The header of the return, in this order, in the first row of the first sheet.
HEADERS = ("序号", "事项", "指标编号", "指标", "目标", "上次报送", "上次日期", "本期累计完成",
           "阶段", "完成百分比", "进展说明", "依据")  # fmt: skip
VALUE, STAGE, PERCENT, NOTE, SOURCE = HEADERS[7:]
FILLED = (VALUE, STAGE, PERCENT, NOTE, SOURCE)  # what the unit fills in
# What the return was made for, on every row after the header's columns: a return read back
# knows its unit, its period and its plan, whatever file it travelled in.
UNIT, AS_OF, PLAN, YEAR, DIGEST = "填报单位", "截止日期", "计划文号", "计划年份", "计划校验码"
STAMP = (UNIT, AS_OF, PLAN, YEAR, DIGEST)
COLUMNS = HEADERS + STAMP
SOURCE_PREFIX = "报送表"  # an entry's source when the unit gave none: 报送表 <file hash>
# The form's fields above the table, a label and the cell after it: who filled the return in
# and how to reach them are kept with the entries it brings (REPORTER, PHONE).
REPORTER, PHONE, REVIEWER, SENT = "填报人", "联系电话", "审核人", "报送日期"
FORM_FIELDS = (REPORTER, PHONE, REVIEWER, SENT)

# problem(row, column, code, message): how the readers below report, never raising.
Report = Callable[[int | None, str | None, Code, str], None]

# Which column a rule's field is read from.
FIELD_COLUMNS = {"value": VALUE, "stage": STAGE, "percent": PERCENT, "note": NOTE,
                 "source": SOURCE, "date": AS_OF, "unit": UNIT, "item": "序号",
                 "target": "指标编号", "id": VALUE, "received": "--received"}  # fmt: skip


def previous_month_end(today: dt.date, period: Period) -> dt.date:
    """The last day of the month before `today`, inside the plan period: a clerk reports
    June's figures in early July."""
    day = today.replace(day=1) - dt.timedelta(days=1)
    return min(max(day, period.start), period.end)


@dataclass(frozen=True)
class ReturnRow:
    """One target a unit reports, with the figure that counts for it now."""

    item: Item
    target: Target
    last: AnyEntry | None  # its own latest entry
    standing: Actual | None = None  # what counts: that entry, or its parts' sum (合计)

    def fixed(self) -> dict[str, object]:
        """The cells the unit does not fill: the target, what it asks, and its last figure
        (for a total, the sum of its parts when that is the later)."""
        now = self.standing or (Actual.reported(self.last) if self.last is not None else None)
        last: object = None
        if now is not None:
            if now.stage is not None:
                share = now.percent
                last = now.stage.value + (f" {format_decimal(share)}%" if share else "")
            else:
                last = now.value
        return {
            "序号": self.item.id,
            "事项": short_title(self.item),
            "指标编号": self.target.id,
            "指标": self.target.name,
            "目标": asked_words(self.target),
            "上次报送": last,
            "上次日期": now.date.isoformat() if now is not None else None,
        }


def asked_words(target: Target) -> str:
    """The 目标 cell: the commitment, and what the row asks for where the figure column's
    title (本期累计完成) would mislead: a standard asks for the standard applied (执行标准),
    a total with listed parts is their sum."""
    words = requirement_words(target)
    if target.kind is Kind.STANDARD:
        return f"执行标准：{words}（填本期执行的标准）"
    if target.sum_of:
        return f"{words}（各分项之和）"
    return words


def return_rows(
    plan: LoadedPlan, unit: Unit, entries: Sequence[AnyEntry], as_of: dt.date | None
) -> list[ReturnRow]:
    """Every target the unit reports of every item it leads with a task (the item's own
    targets, then its measures', then its funds' where the funds file names it; of a co-led
    item only its own, plan.reporter), in plan order, with the entry that counts on `as_of`."""
    now = latest(entries, as_of)
    return [
        ReturnRow(item, target, now.get((item.id, target.id)), standing(item, target, now))
        for item in plan.items_of(unit)
        if not item.no_task
        for target in plan.targets_of(item)
        if plan.reports(unit, item, target)
    ]


def standing(item: Item, target: Target, now: Mapping[tuple[int, str], AnyEntry]) -> Actual | None:
    """What counts for a target given the latest entry of each (progress.rollup): its own,
    or the sum of its parts (sum_of) when that is more recent."""
    by_id = {one.id: one for one in item.all_targets()}
    parts = [(by_id[p], now.get((item.id, p))) for p in target.sum_of if p in by_id]
    summed = rolled_up(target, parts) if parts else None
    return actual_of(target, now.get((item.id, target.id)), summed)


@dataclass(frozen=True)
class Stamp:
    """What a return was made for: the unit, the period's end, and the plan; and the day it
    is due, where the plan runs the monthly cycle."""

    unit: str
    as_of: dt.date
    plan: str  # 文号
    year: int
    digest: str  # of the plan file's text
    due: dt.date | None = None

    def cells(self) -> dict[str, object]:
        return {UNIT: self.unit, AS_OF: self.as_of.isoformat(), PLAN: self.plan,
                YEAR: self.year, DIGEST: self.digest}  # fmt: skip

    def title(self) -> str:
        """区残联2024年5月民生实事进展情况报送表."""
        return f"{self.unit}{self.as_of.year}年{self.as_of.month}月民生实事进展情况报送表"

    def instructions(self) -> list[str]:
        """The form's 填表说明, the deadline first."""
        as_of = f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日"
        found = []
        if self.due is not None:
            due = f"{self.due.year}年{self.due.month}月{self.due.day}日"
            found.append(f"请于{due}前报送本表（加盖单位公章）和电子版。")
        found += [
            f"只填浅黄色的格子：数量指标在“本期累计完成”填截至{as_of}的累计数，只填数字，"
            "单位见“目标”；定性节点在“阶段”中选择，可填“完成百分比”。",
            "“进展说明”写本期主要进展，“依据”写文号、网址等；不报的指标留空。",
            "请填写填报人、联系电话、审核人和报送日期；不要插入、删除或移动行列。",
        ]
        return [f"{number}. {text}" for number, text in enumerate(found, 1)]


def stamp_for(plan: LoadedPlan, unit: Unit, as_of: dt.date) -> Stamp:
    document, reporting = plan.plan.document, plan.plan.reporting
    due = reporting.due(as_of.replace(day=1)) if reporting is not None else None
    return Stamp(unit.name, as_of, document.number, document.year, plan.digest.hex()[:16], due)
