"""The rules of one field of an entry (单项规则), shared by `validate` and `progress add`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from minsheng.core.dates import DateError, read_date
from minsheng.core.issues import Code
from minsheng.core.measure import (
    format_decimal,
    is_bare,
    is_counted,
    is_percent,
    parse_amount,
    split_unit,
)
from minsheng.core.yamlio import NONCHARACTERS, bad_char_message
from minsheng.plan.funds import ARRIVED, FUNDS_TARGETS, is_funds_target
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import (
    OUT_OF_RANGE,
    Comparator,
    Item,
    Kind,
    Period,
    Target,
    in_range,
)
from minsheng.progress.entry import AnyEntry, Stage


def find_item(plan: LoadedPlan, number: int) -> Item | None:
    return next((item for item in plan.plan.items if item.id == number), None)


def find_target(plan: LoadedPlan, entry: AnyEntry) -> Target | None:
    item = find_item(plan, entry.item)
    if item is None or item.no_task:
        return None
    return next((t for t in plan.targets_of(item) if t.id == entry.target), None)


# --- the rules of one field: `validate`'s checks and `progress add`'s prompts share them ------

BARE_TIMES = 10  # a bare number above this many times a 万 target was typed in 人: refused
LARGE_TIMES = 10  # `progress add` takes a value above this many times its target only when
# the clerk confirms it (--allow-large): 300000 for 30 households is a typo, not a record
IMPLAUSIBLE_TIMES = 100  # above this many times its target a value is refused everywhere


class Problem(ValueError):
    """A field that breaks a rule: its key, the stable code, and why (in Chinese).

    The parse_* functions raise it, so a prompt can show it and ask again; the *_problem
    functions return it, and the checks locate it in its file.
    """

    def __init__(self, field: str, code: Code, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


def item_problem(plan: LoadedPlan, number: int) -> Problem | None:
    """An item that does not exist, or is marked 我区无任务, takes no progress."""
    item = find_item(plan, number)
    if item is None:
        message = f"没有第 {number} 项(共 {len(plan.plan.items)} 项)"
        return Problem("item", Code.UNKNOWN_ITEM, message)
    if item.no_task:
        return Problem("item", Code.NO_TASK_ENTRY, f"第 {number} 项标注“我区无任务”,不登记进度")
    return None


def target_problem(plan: LoadedPlan, item: Item, target_id: str) -> Problem | None:
    """The target is one of the item's (its measures' and its funds' included)."""
    if any(target.id == target_id for target in plan.targets_of(item)):
        return None
    return _unknown_target(plan, item, target_id)


def target_named(plan: LoadedPlan, item: Item, text: str) -> Target:
    """The item's target with this id or name, or the one whose name holds `text` (康复救助),
    as units are found; Problem lists the ids otherwise, or the names `text` fits."""
    wanted = text.strip()
    targets = plan.targets_of(item)
    for target in targets:
        if wanted in {target.id, target.name}:
            return target
    partial = [target for target in targets if wanted and wanted in target.name]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "、".join(f"{target.name}({target.id})" for target in partial)
        message = f"第 {item.id} 项的目标 {wanted!r} 不明确,可能是:{names}"
        raise Problem("target", Code.UNKNOWN_TARGET, message)
    raise _unknown_target(plan, item, wanted)


def _unknown_target(plan: LoadedPlan, item: Item, given: str) -> Problem:
    targets = plan.targets_of(item)
    ids = "、".join(target.id for target in targets)
    message = f"第 {item.id} 项没有目标 {given!r}(可选:{ids})"
    money = is_funds_target(given) or given in FUNDS_TARGETS.values()
    if money and not any(is_funds_target(target.id) for target in targets):
        where = (
            "没有资金计划文件"
            if plan.funds is None
            else f"资金计划 {plan.funds.file} 没有列出这一项"
        )
        message = f"第 {item.id} 项没有资金计划({where}),不登记{FUNDS_TARGETS.get(given, given)}"
    return Problem("target", Code.UNKNOWN_TARGET, message)


def unit_problem(
    plan: LoadedPlan, item: Item, name: str, target: Target | None = None
) -> Problem | None:
    """The reporting unit is a lead unit of the item, written by its canonical name, and the
    one that reports `target`: of a co-led item, each unit reports its own targets (the
    target's `by`, else the first lead unit), so that no unit overwrites another's figure."""
    leads = plan.canonical_units(item)
    unit = plan.unit_named(name)
    if unit is None or unit.name not in leads:
        message = f"{name} 不是第 {item.id} 项的牵头单位(牵头单位:{'、'.join(leads)})"
        return Problem("unit", Code.NOT_LEAD_UNIT, message)
    if unit.name != name:
        message = f"填报单位请写规范名称 {unit.name},而不是别名 {name}"
        return Problem("unit", Code.NOT_LEAD_UNIT, message)
    if target is not None and (reporter := plan.reporter(item, target)) != unit.name:
        return Problem("unit", Code.NOT_REPORTER, reported_by_message(item, target, reporter))
    return None


def reported_by_message(item: Item, target: Target, reporter: str) -> str:
    """Who reports a target of a co-led item, and why: its `by`, or the first lead unit."""
    why = (
        "计划中该目标写明由它报送(by)"
        if target.by is not None
        else "计划中该目标没有写明报送单位(by),由第一个牵头单位(主责单位)报送"
    )
    return (
        f"第 {item.id} 项的目标 {target.id}({target.name})由 {reporter} 报送:{why};"
        "一个目标只由一个单位报送,不能改写别的单位报送的数"
    )


def date_problem(
    period: Period, day: dt.date, today: dt.date, slack: dt.timedelta = dt.timedelta(0)
) -> Problem | None:
    """The date is inside the plan period, and not after today (give or take `slack`)."""
    if not period.start <= day <= period.end:
        message = f"日期 {day} 不在计划期 {period.start} 至 {period.end} 内"
        return Problem("date", Code.OUT_OF_PERIOD, message)
    if day > today + slack:
        message = f"日期 {day} 晚于今天 {today},不能登记将来的进度"
        return Problem("date", Code.OUT_OF_PERIOD, message)
    return None


def received_problem(day: dt.date, received: dt.date, recorded: dt.date) -> Problem | None:
    """The day the office received a return lies between the date it reports on and the day
    it was recorded: a return is not received before its figures' date, nor after it was
    entered (nor, so, in the future)."""
    if received < day:
        message = f"收到日期 {received} 早于进度日期 {day}:报送表不会在它所报的日期之前收到"
        return Problem("received", Code.BAD_RECEIVED, message)
    if received > recorded:
        message = f"收到日期 {received} 晚于登记日期 {recorded}:收到的报送表才能登记"
        return Problem("received", Code.BAD_RECEIVED, message)
    return None


# The offsets of the world's time zones: UTC-12:00 to UTC+14:00.
EARLIEST_OFFSET = dt.timedelta(hours=-12)
LATEST_OFFSET = dt.timedelta(hours=14)


def stamp_problem(
    stamp: dt.datetime, today: dt.date, slack: dt.timedelta = dt.timedelta(0)
) -> Problem | None:
    """`recorded_at` is when the entry was written: in a real time zone, and not after today
    (give or take `slack`, as for dates). A stamp in 2099 would make its entry the latest
    of its day for ever, so that no later entry of that day counts."""
    offset = stamp.utcoffset()
    if offset is None or not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
        message = f"登记时间 {stamp.isoformat()} 的时区偏移不对,应在 -12:00 到 +14:00 之间"
        return Problem("recorded_at", Code.BAD_STAMP, message)
    if stamp.date() > today + slack:  # its date where it was written, as the date of an entry
        message = (
            f"登记时间 {stamp.isoformat()} 晚于今天 {today};登记时间由程序自动填写,"
            "不能是将来的时间(请改为实际登记的时间)"
        )
        return Problem("recorded_at", Code.BAD_STAMP, message)
    return None


def shape_problem(
    target: Target, *, value: bool, stage: bool, percent: bool, complete: bool = True
) -> Problem | None:
    """A milestone reports a stage (and maybe a percent), every other kind a value: the
    field given that does not belong, else (when `complete`) the one missing."""
    name = f"目标 {target.id}({target.name})"
    if target.kind is Kind.MILESTONE:
        if value:
            message = f"{name}是定性节点,应登记阶段 stage(未启动/推进中/已完成),不能登记数值 value"
            return Problem("value", Code.STAGE_VALUE, message)
        if complete and not stage:
            message = f"{name}是定性节点,缺少阶段 stage(未启动/推进中/已完成)"
            return Problem("stage", Code.STAGE_VALUE, message)
        return None
    if stage:
        message = f"{name}应登记数值 value(单位:{target.unit}),不能登记阶段 stage"
        return Problem("stage", Code.STAGE_VALUE, message)
    if percent:
        message = f"百分比 percent 只用于定性节点目标,{name}应只登记数值 value"
        return Problem("percent", Code.STAGE_VALUE, message)
    if complete and not value:
        return Problem("value", Code.STAGE_VALUE, f"{name}缺少数值 value(单位:{target.unit})")
    return None


def stage_problem(stage: Stage, percent: Decimal | None) -> Problem | None:
    """A percentage agrees with its stage: 已完成 is 100, 未启动 is 0."""
    if percent is None:
        return None
    shown = format_decimal(percent)
    if stage is Stage.DONE and percent != 100:
        message = f"阶段为已完成,百分比应为 100,实际是 {shown}"
        return Problem("percent", Code.STAGE_VALUE, message)
    if stage is Stage.NOT_STARTED and percent != 0:
        message = f"阶段为未启动,百分比应为 0,实际是 {shown}"
        return Problem("percent", Code.STAGE_VALUE, message)
    return None


def value_problem(target: Target, value: Decimal) -> Problem | None:
    """A value the target cannot hold: negative; a share (a level or standard in %) above
    100; a fraction of a counted unit (2.5户); or more than IMPLAUSIBLE_TIMES the target."""
    if not in_range(value):  # 10^40 would overflow the ratio below
        return Problem("value", Code.BAD_VALUE, OUT_OF_RANGE)
    unit = target.unit or ""
    shown = format_decimal(value)
    if value < 0:
        return Problem("value", Code.BAD_VALUE, f"数值不能为负数,实际是 {shown}")
    if target.kind in {Kind.LEVEL, Kind.STANDARD} and is_percent(unit) and value > 100:
        message = f"目标 {target.id}({target.name})是百分比,不能超过 100%,实际是 {shown}%"
        return Problem("value", Code.BAD_VALUE, message)
    if _times(target, value) > IMPLAUSIBLE_TIMES:
        return Problem("value", Code.IMPLAUSIBLE, _large_message(target, value, "数值"))
    return fraction_problem(target, value)


def fraction_problem(target: Target, value: Decimal) -> Problem | None:
    """A quantity in a counted unit (户, 人, 个 …) is a whole number. The rule holds after
    the scale: 0.57 for a target in 万人 is 5700人 and fine, 0.5万 for one in 户 is 5000户
    and fine too (what was meant, in another scale), 2.5户 or 0.00005万户 is half a household."""
    scale, base = split_unit(target.unit or "")
    if not is_counted(base) or target.kind is not Kind.QUANTITY:
        return None  # a level may be a ratio in such a unit: 每千人口托位数 4.52个
    whole = value * scale
    if whole == whole.to_integral_value():
        return None
    shown = format_decimal(value) + (target.unit or "")
    if scale != 1:
        shown += f",即 {format_decimal(whole.normalize())}{base}"
    message = f"目标 {target.id}({target.name})按{base}计数,数值应是整数{base}:实际是 {shown}"
    return Problem("value", Code.FRACTION, message)


def large_problem(target: Target, value: Decimal) -> Problem | None:
    """A value more than LARGE_TIMES its target, which `progress add` takes only when the
    clerk confirms it (a typed 300000 for 30 households would mark the item 已完成); money
    arrived beyond the year's plan is as unusual, and confirmed the same way."""
    if target.id == ARRIVED:
        return _arrived_above_plan(target, value)
    if _times(target, value) <= LARGE_TIMES:
        return None
    goal = format_decimal(target.value or Decimal(0)) + (target.unit or "")
    times = format_decimal(_times(target, value).quantize(Decimal(1)))
    message = (
        f"数值 {format_decimal(value)}{target.unit or ''} 是目标 {goal} 的 {times} 倍,"
        f"请核对;确实如此,请加 --allow-large 再登记(超过 {IMPLAUSIBLE_TIMES} 倍的不能登记)"
    )
    return Problem("value", Code.IMPLAUSIBLE, message)


def _arrived_above_plan(target: Target, value: Decimal) -> Problem | None:
    """资金到位 above 年度计划投资: more money than the budget plans is most likely a typo."""
    if target.value is None or value <= target.value:
        return None
    unit = target.unit or ""
    message = (
        f"资金到位 {format_decimal(value)}{unit} 超过年度计划投资 "
        f"{format_decimal(target.value)}{unit},请核对;确实如此,请加 --allow-large 再登记"
    )
    return Problem("value", Code.IMPLAUSIBLE, message)


def _times(target: Target, value: Decimal) -> Decimal:
    """How many times its target a value is (0 for a target without a positive value)."""
    if target.kind is Kind.MILESTONE or not target.value or target.value <= 0:
        return Decimal(0)
    return value / target.value


def _large_message(target: Target, value: Decimal, what: str) -> str:
    """Far above the target: for a unit with a scale, `3000` for a target of 0.57万人 is
    3000万人, so say how to write 3000人; else, say how many times the target it is."""
    unit = target.unit or ""
    scale, base = split_unit(unit)
    goal = format_decimal(target.value or Decimal(0))
    times = format_decimal(_times(target, value).quantize(Decimal(1)))
    if scale == 1:
        return (
            f"{what} {format_decimal(value)}{unit} 是目标 {goal}{unit} 的 {times} 倍,"
            f"超过 {IMPLAUSIBLE_TIMES} 倍,多半是写错了,请核对"
        )
    meant = format_decimal(value / scale)
    return (
        f"{what} {format_decimal(value)} 按目标的计量单位是 {format_decimal(value)}{unit},"
        f"是目标 {goal}{unit} 的 {times} 倍;如指 {format_decimal(value)}{base},"
        f"请写 {format_decimal(value)}{base} 或 {meant}{unit}"
    )


def parse_value(text: str, target: Target, *, allow_large: bool = False) -> Decimal:
    """A value typed by a person, in the target's unit of measure; Problem says why not.

    A bare number for a unit with a scale is ambiguous when it is far above the target:
    `3000` for a target of 0.57万人 is most likely 3000人, so a bare number above BARE_TIMES
    the target is refused, with the two ways to write what was meant. Any value above
    LARGE_TIMES the target is refused unless `allow_large` (the clerk confirmed it).
    """
    try:
        amount = parse_amount(text, target.unit)
    except ValueError as error:
        raise Problem("value", Code.BAD_VALUE, str(error)) from None
    if is_bare(text) and (slip := percent_slip(target, amount)) is not None:
        raise slip
    problem = value_problem(target, amount)
    bare = is_bare(text) and _times(target, amount) > BARE_TIMES
    scaled = split_unit(target.unit or "")[0] != 1
    if (
        bare
        and scaled
        and not allow_large
        and (problem is None or problem.code is Code.IMPLAUSIBLE)
    ):
        what = "没写单位的数值"
        problem = Problem("value", Code.IMPLAUSIBLE, _large_message(target, amount, what))
    if problem is None and not allow_large:
        problem = large_problem(target, amount)
    if problem is not None:
        raise problem
    return amount


# A share typed as a fraction (0.66 for 66%) is the usual slip; a target this many percent
# or more cannot be reported as a fraction of one percent.
PERCENT_SLIP_FROM = Decimal(10)


def percent_slip(target: Target, amount: Decimal) -> Problem | None:
    """A bare number between 0 and 1 for a target of 10% or more (0.66 against 65%): a
    percent written as a fraction, never stored as 0.66%. Not for an at-most target, where a
    low share is good news; the clerk who means it writes the sign (0.66%)."""
    if not is_percent(target.unit) or target.comparator is Comparator.AT_MOST:
        return None
    if target.value is None or target.value < PERCENT_SLIP_FROM or not 0 < amount < 1:
        return None
    shown, meant = format_decimal(amount), format_decimal((amount * 100).normalize())
    message = (
        f"数值 {shown} 按百分数是 {shown}%,而目标是 {format_decimal(target.value)}%:"
        f"是否漏了百分号?如指 {meant}%,请填 {meant};确实是 {shown}%,请写 {shown}%"
    )
    return Problem("value", Code.IMPLAUSIBLE, message)


def parse_stage(text: str) -> Stage:
    """A milestone's stage as typed: 未启动, 推进中 or 已完成."""
    for stage in Stage:
        if text.strip() == stage.value:
            return stage
    message = f"阶段 {text!r} 不对,应为 {'、'.join(s.value for s in Stage)}"
    raise Problem("stage", Code.BAD_VALUE, message)


def parse_percent(text: str) -> Decimal | None:
    """A milestone's percentage as typed (`40` or `40%`), or None when left empty."""
    if not text.strip():
        return None
    try:
        share = parse_amount(text, "%")
    except ValueError as error:
        raise Problem("percent", Code.BAD_VALUE, str(error)) from None
    if not 0 <= share <= 100:
        message = f"百分比应在 0 到 100 之间,实际是 {text.strip()}"
        raise Problem("percent", Code.BAD_VALUE, message)
    if is_bare(text) and 0 < share < 1:  # 30% written as 0.3: no milestone is 0.3% along
        meant = format_decimal((share * 100).normalize())
        message = (
            f"完成百分比 {text.strip()} 是 {text.strip()}%:是否漏了百分号?"
            f"如指 {meant}%,请填 {meant};确实是 {text.strip()}%,请写 {text.strip()}%"
        )
        raise Problem("percent", Code.IMPLAUSIBLE, message)
    return share


def parse_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (full-width digits too); Problem says why not."""
    try:
        return read_date(text)
    except DateError as error:
        raise Problem("date", Code.BAD_DATE, str(error)) from None


# The most characters a note or a source may have. A note says in a sentence or two where the
# work stands (the longest in a year of the district's bulletins is under 200 characters), a
# source names a document, a web address or a file; the bulletin shows both in a table cell.
TEXT_LIMITS = {"note": 500, "source": 300, "reporter": 50, "phone": 50}
_TEXT_NAMES = {"note": "进展说明(note)", "source": "依据(source)", "reporter": "填报人(reporter)",
               "phone": "联系电话(phone)"}  # fmt: skip


def length_problem(field: str, text: str) -> Problem | None:
    """A note or a source longer than TEXT_LIMITS allows."""
    limit = TEXT_LIMITS.get(field)
    if limit is None or len(text) <= limit:
        return None
    advice = {
        "note": "请精简;详细材料可放进仓库,用 source 写明它的路径",
        "source": "请只写文号、网址或仓库内文件的路径",
    }.get(field, "请只写姓名和电话")
    message = f"{_TEXT_NAMES[field]}最多 {limit} 个字,这里有 {len(text)} 个字;{advice}"
    return Problem(field, Code.TOO_LONG, message)


def parse_text(field: str, text: str) -> str | None:
    """A one-line text (note, source) as typed: stripped, None when empty; not longer than
    TEXT_LIMITS allows; no line break or control character, which would not read back the
    same, and nothing invisible."""
    text = text.strip()
    problem = length_problem(field, text) or invisible_problem(field, text)
    if problem is not None:
        raise problem
    for char in text:
        kind = unicodedata.category(char)
        if kind[0] == "C" or kind in {"Zl", "Zp"}:
            message = f"不能含换行或控制字符(发现 U+{ord(char):04X})"
            raise Problem(field, Code.BAD_CHAR, message)
    return text or None


NONCHARACTER = re.compile(f"[\\ud800-\\udfff{NONCHARACTERS}]")


def invisible_problem(field: str, text: str) -> Problem | None:
    """A note or a source holds no invisible format character (U+200B, U+FEFF, the tag
    characters, the bidirectional controls): the text would read as something it is not; nor
    a non-character (U+FFFE), which no XML document (a workbook, a page) can hold. Typed or
    in a file, the same rule."""
    if text.isprintable():  # the common case, at C speed (a non-character is not printable)
        return None
    for char in text:
        if NONCHARACTER.fullmatch(char):
            return Problem(field, Code.BAD_CHAR, bad_char_message(char))
        if unicodedata.category(char) == "Cf":
            message = (
                f"不能含不可见的格式字符(发现 U+{ord(char):04X},如零宽空格、字节顺序标记、"
                "标签字符或双向控制符),请删去后再试"
            )
            return Problem(field, Code.BAD_CHAR, message)
    return None


def correction_date_problem(corrected: AnyEntry, day: dt.date) -> Problem | None:
    """A correction carries the date of the entry it corrects: else a snapshot as of an
    earlier day would lose the entry it counted."""
    if corrected.date == day:
        return None
    message = (
        f"更正记录的日期应与被更正的记录 {corrected.id}({at_where(corrected)})相同,"
        f"即 {corrected.date},实际是 {day}"
    )
    return Problem("date", Code.CORRECTION_DATE, message)


def at_where(entry: AnyEntry) -> str:
    return f"{entry.where.file}:{entry.where.line}" if entry.where.file else "本次登记"
