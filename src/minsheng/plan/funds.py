"""The funds plan (资金计划): `funds_<year>.yaml` beside the plan, its model and checks, and the
three reserved targets (资金到位、资金拨付、完成投资) each item it names gains.

The budget comes from the finance bureau, not from the notice, so it is a file of its own:
the plan stays the notice word for word. Without the file nothing about money exists.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from minsheng.core.issues import Code, Issue
from minsheng.core.measure import format_decimal, split_unit
from minsheng.core.schema import file_year, in_file_order, read_model
from minsheng.core.typography import invisible_char  # the plan's rule for a name
from minsheng.core.yamlio import Document
from minsheng.plan.models import (
    Basis,
    Comparator,
    IsoDate,
    Kind,
    Number,
    Plan,
    Strict,
    Target,
    Text,
)

if TYPE_CHECKING:
    from minsheng.core.datadir import DataDir

# The reserved targets, in the order a return lists them (after the item's own targets).
ARRIVED, PAID, INVESTED = "funds-arrived", "funds-paid", "funds-invested"
FUNDS_TARGETS = {ARRIVED: "资金到位", PAID: "资金拨付", INVESTED: "完成投资"}
RESERVED = frozenset(FUNDS_TARGETS)

MONEY_UNITS = ("元", "万元", "亿元")
WAN = Decimal(10_000)  # 万元, the unit bulletins give money in


def is_funds_target(target_id: str) -> bool:
    """Whether a target id is one of the three reserved for money."""
    return target_id in RESERVED


def in_wan(amount: Decimal, unit: str) -> Decimal:
    """An amount in `unit` (元, 万元 or 亿元) in 万元, exactly: a power of ten moves the point."""
    return (amount * split_unit(unit)[0] / WAN).normalize() if amount else Decimal(0)


def _money_unit(value: Any) -> Any:
    if isinstance(value, str) and value in MONEY_UNITS:
        return value
    shown = type(value).__name__ if isinstance(value, dict | list) else repr(value)
    raise PydanticCustomError(
        "money_unit", "金额单位 unit 只能是 万元、元 或 亿元,实际是 {value}", {"value": shown}
    )


class PaidBasis(StrEnum):
    """What 拨付率 divides the paid amount by."""

    PLANNED = "planned"  # 拨付率 = 拨付 ÷ 年度计划投资
    ARRIVED = "arrived"  # 拨付率 = 拨付 ÷ 到位(已到位资金拨付进度)


def _paid_basis(value: Any) -> Any:
    if isinstance(value, str) and value in {basis.value for basis in PaidBasis}:
        return PaidBasis(value)
    shown = type(value).__name__ if isinstance(value, dict | list) else repr(value)
    raise PydanticCustomError(
        "paid_basis",
        "拨付率的口径 paid_basis 只能是 planned(拨付 ÷ 计划)或 arrived(拨付 ÷ 到位),实际是 {value}",
        {"value": shown},
    )


def _share(value: Decimal) -> Decimal:
    if not 0 <= value <= 1:
        raise PydanticCustomError(
            "share_range",
            "比例写成 0 到 1 之间的小数(0.7 即 70%),实际是 {value}",
            {"value": format_decimal(value)},
        )
    return value


Share = Annotated[Number, AfterValidator(_share)]  # a rate as a fraction: 0.7 is 70%
Amount = Annotated[Number, Field(ge=0)]


class FundsThresholds(Strict):
    """Points below 序时进度 at which 拨付 is 滞后 and 严重滞后 (the plan's when not given)."""

    behind: Annotated[Number, Field(gt=0)] = Decimal(10)
    lagging: Annotated[Number, Field(gt=0)] = Decimal(30)


class FundsStage(Strict):
    """A stage target: by this date, these rates (6月底拨付率70%: by 2024-06-30, paid 0.7)."""

    by: IsoDate
    arrived: Share | None = None
    paid: Share | None = None
    invested: Share | None = None

    def rates(self) -> dict[str, Decimal]:
        """The rates it sets, by reserved target id, in return order."""
        found = {ARRIVED: self.arrived, PAID: self.paid, INVESTED: self.invested}
        return {key: rate for key, rate in found.items() if rate is not None}


class FundsItem(Strict):
    """One funded item: its 总投资, 年度计划投资 (by source) and stage targets."""

    item: int = Field(ge=1)
    total: Annotated[Number, Field(gt=0)] | None = None  # 总投资
    planned: Annotated[Number, Field(gt=0)]  # 年度计划投资
    # 中央 / 省 / 市 / 区 …: they add up to `planned`
    sources: dict[Text, Amount] = Field(default_factory=dict)
    stages: list[FundsStage] = Field(default_factory=list)


class FundsPlan(Strict):
    """The whole funds file."""

    schema_version: Literal[1] = 1
    year: int
    unit: Annotated[str, BeforeValidator(_money_unit)] = "万元"
    paid_basis: Annotated[PaidBasis, BeforeValidator(_paid_basis)] = PaidBasis.PLANNED
    thresholds: FundsThresholds | None = None  # None: the plan's behind and lagging
    items: list[FundsItem]


@dataclass
class LoadedFunds:
    """A valid funds file with the marks of its file, and each funded item's three targets."""

    funds: FundsPlan
    doc: Document
    path: Path
    digest: bytes = field(repr=False)
    behind: Decimal = Decimal(10)
    lagging: Decimal = Decimal(30)
    _targets: dict[int, list[Target]] = field(default_factory=dict, repr=False)
    _items: dict[int, FundsItem] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for item in self.funds.items:
            self._items.setdefault(item.item, item)
            self._targets.setdefault(item.item, reserved_targets(item, self.funds.unit))

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def unit(self) -> str:
        return self.funds.unit

    def item(self, number: int) -> FundsItem | None:
        return self._items.get(number)

    def targets(self, number: int) -> list[Target]:
        """The reserved targets of item `number`: none unless the file names it."""
        return self._targets.get(number, [])


def reserved_targets(item: FundsItem, unit: str) -> list[Target]:
    """资金到位, 资金拨付 and 完成投资 of an item: cumulative amounts in the file's unit, each
    aimed at the year's planned investment. They go through every rule a target does."""
    return [
        Target(
            id=key,
            name=name,
            kind=Kind.QUANTITY,
            comparator=Comparator.AT_LEAST,
            value=item.planned,
            unit=unit,
        )
        for key, name in FUNDS_TARGETS.items()
    ]


def funds_path(folder: DataDir, year: int) -> Path | None:
    """`funds_<year>.yaml` beside the progress folder in use (examples/2024-06/ holds its own
    beside its progress/), else in the data folder beside the plan; None where neither has one."""
    name = f"funds_{year}.yaml"
    for place in (folder.progress.parent, folder.root):
        path = place / name
        if os.path.lexists(path):
            return path
    return None


def load_funds(
    path: Path, plan: Plan, file: str | None = None
) -> tuple[LoadedFunds | None, list[Issue]]:
    """Read, parse, validate and check a funds file against its plan; all problems at once."""
    read, issues = read_model(path, FundsPlan, file)
    if read is None:
        return None, issues
    funds, doc = read.model, read.doc
    for check in CHECKS:
        issues.extend(check(funds, doc, plan))
    issues.extend(file_year(path, "funds", funds.year, doc, ("year",), "资金计划"))
    if issues:
        return None, in_file_order(issues)
    thresholds = funds.thresholds
    behind = thresholds.behind if thresholds is not None else plan.thresholds.behind
    lagging = thresholds.lagging if thresholds is not None else plan.thresholds.lagging
    return LoadedFunds(funds, doc, path, read.digest, behind, lagging), []


# --- checks against the plan: each (funds, doc, plan) -> problems ----------------------------


def check_year(funds: FundsPlan, doc: Document, plan: Plan) -> list[Issue]:
    """The funds of the plan's year."""
    if funds.year == plan.document.year:
        return []
    message = f"资金计划的年度 {funds.year} 与计划文件的年度 {plan.document.year} 不同"
    return [doc.issue(("year",), Code.YEAR, message)]


def check_items(funds: FundsPlan, doc: Document, plan: Plan) -> list[Issue]:
    """Each item named exists in the plan, has a task, and is named once."""
    found = []
    items = {item.id: item for item in plan.items}
    counts = Counter(item.item for item in funds.items)
    seen: set[int] = set()
    for index, funded in enumerate(funds.items):
        loc = ("items", index, "item")
        planned = items.get(funded.item)
        if planned is None:
            message = f"计划中没有第 {funded.item} 项(共 {len(plan.items)} 项)"
            found.append(doc.issue(loc, Code.UNKNOWN_ITEM, message))
        elif planned.no_task:
            message = f"第 {funded.item} 项标注“我区无任务”,不列资金"
            found.append(doc.issue(loc, Code.NO_TASK_ENTRY, message))
        if counts[funded.item] > 1 and funded.item in seen:
            message = f"第 {funded.item} 项列了两次,每项只列一次"
            found.append(doc.issue(loc, Code.DUPLICATE_ID, message))
        seen.add(funded.item)
    return found


def check_amounts(funds: FundsPlan, doc: Document, plan: Plan) -> list[Issue]:
    """The year's planned investment is within the total, and its sources add up to it."""
    found = []
    unit = funds.unit
    for index, funded in enumerate(funds.items):
        loc = ("items", index)
        planned = format_decimal(funded.planned) + unit
        if funded.total is not None and funded.total < funded.planned:
            message = f"年度计划投资 {planned} 超过总投资 {format_decimal(funded.total)}{unit}"
            found.append(doc.issue((*loc, "planned"), Code.BAD_VALUE, message))
        for name in funded.sources:
            char = invisible_char(name)
            if char is not None:
                message = f"资金来源 {name!r} 含看不见的字符 U+{ord(char):04X},请删去"
                found.append(doc.issue((*loc, "sources", name), Code.BAD_CHAR, message))
        if funded.sources:
            total = sum(funded.sources.values(), Decimal(0))
            if total != funded.planned:
                parts = " + ".join(format_decimal(amount) for amount in funded.sources.values())
                message = (
                    f"各来源合计 {parts} = {format_decimal(total)}{unit},"
                    f"与年度计划投资 {planned} 不相等"
                )
                found.append(doc.issue((*loc, "sources"), Code.ROLLUP, message))
    return found


def check_stages(funds: FundsPlan, doc: Document, plan: Plan) -> list[Issue]:
    """Stage targets lie in the plan period (at month ends when 序时进度 counts by months), in
    date order, each setting a rate, none set lower than an earlier stage set it."""
    found = []
    period = plan.document.period
    by_month = plan.schedule.basis is Basis.MONTH
    for index, funded in enumerate(funds.items):
        before: FundsStage | None = None
        for position, stage in enumerate(funded.stages):
            loc = ("items", index, "stages", position)
            if not stage.rates():
                message = (
                    "阶段目标至少要写一个比例:arrived(到位率)、paid(拨付率)或 invested(完成投资率)"
                )
                found.append(doc.issue(loc, Code.MISSING_FIELD, message))
            if not period.start <= stage.by <= period.end:
                message = f"阶段目标的日期 {stage.by} 不在计划期 {period.start} 至 {period.end} 内"
                found.append(doc.issue((*loc, "by"), Code.PERIOD, message))
            elif by_month and not period.closes_month(stage.by):
                message = f"{stage.by} 不是月末:序时进度按月计时,阶段目标的日期应为月末或计划期末"
                found.append(doc.issue((*loc, "by"), Code.PERIOD, message))
            if before is not None and (
                stage.by <= before.by
                or any(rate < before.rates().get(key, rate) for key, rate in stage.rates().items())
            ):
                message = "阶段目标应按日期先后排列,且同一比例不能比前一个阶段低"
                found.append(doc.issue(loc, Code.PERIOD, message))
            before = stage
    return found


def check_thresholds(funds: FundsPlan, doc: Document, plan: Plan) -> list[Issue]:
    thresholds = funds.thresholds
    if thresholds is None or thresholds.lagging > thresholds.behind:
        return []
    message = "严重滞后的阈值(lagging)应大于滞后的阈值(behind)"
    return [doc.issue(("thresholds",), Code.BAD_VALUE, message)]


CHECKS = (check_year, check_items, check_amounts, check_stages, check_thresholds)


def due_stage(item: FundsItem, as_of: dt.date) -> FundsStage | None:
    """The latest stage target due by `as_of`: the one a report holds the item to."""
    due = [stage for stage in item.stages if stage.by <= as_of]
    return due[-1] if due else None
