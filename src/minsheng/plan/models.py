"""The plan's data model (计划模型): pydantic models with no I/O."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: Any) -> Any:
    """Accept a date or a strict `YYYY-MM-DD` string; an impossible date is an error."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("bad_date", "日期不存在:{value}", {"value": value}) from None
    raise PydanticCustomError("date_type", "需要日期,格式为 YYYY-MM-DD")


# A number in the ledger is below 10^15 and not finer than 10^-12; beyond that it is a typo,
# and 1e999999999 would overflow the decimal arithmetic of the checks and the report.
LARGEST = 15
FINEST = -12
OUT_OF_RANGE = f"数字超出范围:绝对值应小于 10^{LARGEST},且不小于 10^{FINEST}"


def in_range(number: Decimal) -> bool:
    """A finite number the ledger can hold (zero, or between 10^-12 and 10^15)."""
    return number.is_finite() and (not number or FINEST <= number.adjusted() < LARGEST)


def parse_number(value: Any) -> Any:
    """Accept an int or a Decimal as written; never a string, a bool, NaN, infinity or a
    number out of range."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PydanticCustomError("decimal_type", "需要数字")
    number = Decimal(value)
    if not number.is_finite():
        raise PydanticCustomError("finite_number", "数字不能是 NaN 或无穷大")
    if not in_range(number):
        raise PydanticCustomError("number_range", OUT_OF_RANGE)
    return number


IsoDate = Annotated[dt.date, BeforeValidator(parse_iso_date)]
Number = Annotated[Decimal, BeforeValidator(parse_number)]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]


def _one_line(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise PydanticCustomError("one_line", "这里的文字不能换行")
    return text


Text = Annotated[str, Field(min_length=1), AfterValidator(_one_line)]


class Kind(StrEnum):
    """How a target is measured."""

    QUANTITY = "quantity"  # 累计数量:新增就业0.57万人左右
    LEVEL = "level"  # 达到的水平:参保率稳定在95%以上
    STANDARD = "standard"  # 执行的标准:补贴标准提高到86元/月
    MILESTONE = "milestone"  # 定性任务:规范确定和调整低保标准


class Comparator(StrEnum):
    """The wording of the commitment."""

    AT_LEAST = "at_least"  # 不少于 / 不低于 / 以上 / 达到 / 提高到
    APPROX = "approx"  # 左右
    AT_MOST = "at_most"  # 低于 / 控制在 / 不超过


COMPARATOR_WORDS: dict[Comparator, str] = {
    Comparator.AT_LEAST: "不少于",
    Comparator.APPROX: "左右",
    Comparator.AT_MOST: "不超过",
}

KIND_WORDS: dict[Kind, str] = {
    Kind.QUANTITY: "数量",
    Kind.LEVEL: "水平",
    Kind.STANDARD: "标准",
    Kind.MILESTONE: "节点",
}


class Strict(BaseModel):
    """Unknown keys are errors; no silent coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Target(Strict):
    """One quantified (or milestone) commitment of an item or of a measure."""

    id: Slug
    name: Text
    kind: Annotated[Kind, Field(strict=False)]  # the enum's value, as written in YAML
    comparator: Annotated[Comparator | None, Field(strict=False)] = None
    value: Number | None = None
    unit: Text | None = None
    baseline: Number | None = None
    sum_of: list[Slug] = []
    # The lead unit that reports it, as the item's `units` writes it; without it, the item's
    # first lead unit (主责单位). A co-led item's units each report their own targets.
    by: Text | None = None
    note: str | None = None


class Measure(Strict):
    """One 推进措施 of the attachment, verbatim, with its quantified sub-targets."""

    text: str = Field(min_length=1)
    targets: list[Target] = []


class ScheduleStep(Strict):
    """An item's own schedule: by this date, this share of the work is expected."""

    date: IsoDate
    expected: Annotated[Number, Field(ge=0, le=1)]


class Item(Strict):
    """One of the 50 livelihood projects (民生实事)."""

    id: int = Field(ge=1)
    # The item's number in the parent list (document.parent), where it differs from `id`:
    # the city's roll-up matches the districts' items by it.
    ref: int | None = Field(default=None, ge=1)
    category: int = Field(ge=1)
    title: Text
    attachment_title: Text | None = None
    units: list[Text] = []
    no_task: bool = False
    targets: list[Target] = []
    measures: list[Measure] = []
    schedule: list[ScheduleStep] = []
    notes: list[str] = []

    @property
    def ref_number(self) -> int:
        """The item's number in the parent list: `ref`, else its own `id`."""
        return self.ref if self.ref is not None else self.id

    def all_targets(self) -> list[Target]:
        """The item's own targets, then each measure's, in document order."""
        found = list(self.targets)
        for measure in self.measures:
            found.extend(measure.targets)
        return found

    def reporter_index(self, target: Target) -> int:
        """Which of `units` reports `target`: the one its `by` names, else the first (主责单位).
        (A `by` that names no lead unit is a problem of the plan, `unknown-unit`.)"""
        return self.units.index(target.by) if target.by in self.units else 0


def reporter_of(item: Item, target: Target, units: list[str]) -> str:
    """Of an item's lead units by canonical name (`units`, in the item's order), the one
    that reports `target`: its `by`, else the first lead unit (主责单位)."""
    index = item.reporter_index(target)
    return units[index] if index < len(units) else units[0] if units else ""


class Category(Strict):
    """A heading of the notice, with the number of items it declares."""

    id: int = Field(ge=1)
    name: Text
    count: int = Field(ge=0)
    aliases: list[Text] = []


class Unit(Strict):
    """A lead unit (牵头单位): a canonical name, a file-safe id, and other spellings."""

    id: Slug
    name: Text
    aliases: list[Text] = []


class Period(Strict):
    """The plan period, both days included.

    By months (序时进度按月计) the period has every calendar month it touches, a part month
    at either end counting as a whole one, and a month is over on its last day, or on the
    period's end for the last month: 2024-05-07 to 2024-12-31 has 8 months, May over on
    2024-05-31. Offices count the months of the work, and a notice issued in May still
    plans May's work; the period's end is the day everything is due, whatever its month.
    """

    start: IsoDate
    end: IsoDate

    def months(self) -> int:
        """How many months the period has, by the rule above."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def months_over(self, day: dt.date) -> int:
        """How many of its months are over at the end of `day` (0 before the period)."""
        if day < self.start:
            return 0
        if day >= self.end:
            return self.months()
        before = (day.year - self.start.year) * 12 + day.month - self.start.month
        return before + 1 if self.closes_month(day) else before

    def closes_month(self, day: dt.date) -> bool:
        """Whether `day` is the last day of one of the period's months."""
        last = calendar.monthrange(day.year, day.month)[1]
        return self.start <= day <= self.end and (day.day == last or day == self.end)


class Basis(StrEnum):
    """How 序时进度 counts the time elapsed of the plan period."""

    DAY = "day"  # 按天计:days elapsed, the as-of day included, over the period's days
    MONTH = "month"  # 按月计:whole months elapsed over the period's months, as bulletins count


BASIS_WORDS: dict[Basis, str] = {Basis.DAY: "按天计", Basis.MONTH: "按月计"}


def parse_basis(value: Any) -> Any:
    """Only the two codes as written; anything else says what is allowed, in Chinese."""
    if isinstance(value, str) and value in {basis.value for basis in Basis}:
        return Basis(value)
    shown = type(value).__name__ if isinstance(value, dict | list) else repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    raise PydanticCustomError(
        "schedule_basis",
        "序时进度的计算口径 basis 只能是 month(按月)或 day(按天),实际是 {value}",
        {"value": shown},
    )


class Schedule(Strict):
    """How the plan counts 序时进度: by whole months or by days."""

    basis: Annotated[Basis, BeforeValidator(parse_basis)]


class Thresholds(Strict):
    """Points below 序时进度 at which an item is 滞后 (behind) and 严重滞后 (lagging), and how
    many points of its history in a row behind make it one to escalate (连续滞后)."""

    behind: Annotated[Number, Field(gt=0)] = Decimal(10)
    lagging: Annotated[Number, Field(gt=0)] = Decimal(30)
    escalate_after: Annotated[int, Field(ge=1, le=24)] = 2


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: Any) -> Any:
    """A strict `YYYY-MM` month, kept as the date of its first day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.day == 1:
        return value
    found = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if found and 1 <= int(found.group(2)) <= 12:
        return dt.date(int(found.group(1)), int(found.group(2)), 1)
    raise PydanticCustomError("month_type", "需要月份,格式为 YYYY-MM,如 2024-05")


Month = Annotated[dt.date, BeforeValidator(parse_month)]


class Reporting(Strict):
    """The office's monthly cycle (月调度): from which month units report, and by which day of
    the following month a month's figures are due. The office's rules, not the notice's."""

    model_config = ConfigDict(populate_by_name=True)

    due_day: Annotated[int, Field(ge=1, le=28)]  # 28: every month has the day
    first: Month = Field(alias="from")  # the first month reported

    def due(self, month: dt.date) -> dt.date:
        """The day `month`'s figures are due: `due_day` of the month after."""
        year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
        return dt.date(year, number, self.due_day)


class Bulletin(Strict):
    """The office's own settings for the bulletins it sends (通报, GB/T 9704-2012): who heads
    and signs them, how their 文号 begin, who gets a copy. The office's, not the notice's."""

    masthead: Text | None = None  # 发文机关标志, red at the head of the first page
    issuer: Text | None = None  # 发文机关署名 of the 落款; default: the masthead
    number_prefix: Text | None = None  # 机关代字 of the 发文字号: 花政办 → 花政办〔2024〕6号
    copy_to: list[Text] = []  # 抄送机关, in the 版记
    printer: Text | None = None  # 印发机关, in the 版记; default: the issuer
    contact: Text | None = None  # 附注 under the date: 联系人 and 电话


class Document(Strict):
    """The notice itself."""

    title: Text
    number: Text  # 文号
    issuer: Text  # 发布机构
    date: IsoDate  # 成文日期
    index_no: Text | None = None  # 索引号
    year: int
    period: Period
    # Where the list sits in the province's chain (docs/plan.md): the parent list's 文号 or
    # title, and the district or county whose list this is (the roll-up names it so).
    parent: Text | None = None
    area: Text | None = None


class Plan(Strict):
    """The whole plan file."""

    schema_version: Literal[2] = 2
    document: Document
    # A plan written before `schedule` existed counted by days: it keeps that meaning.
    schedule: Schedule = Schedule(basis=Basis.DAY)
    thresholds: Thresholds = Thresholds()
    # Without it there is no deadline to be on time for: the report has no 报送情况.
    reporting: Reporting | None = None
    # Without it the bulletin is headed and signed with the notice's issuer.
    bulletin: Bulletin = Bulletin()
    categories: list[Category]
    units: list[Unit]
    items: list[Item]
