"""`minsheng progress add` and `minsheng progress list`: typer only, over progress, store and
progress_views."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from minsheng.cli.common import (
    DataDirOption,
    Format,
    NoCacheOption,
    OutputOption,
    ProgressDirOption,
    YearOption,
    info,
    open_data,
    terminal_style,
    write_output,
)
from minsheng.core.issues import Code, Issue, RefusedError, UsageError

if TYPE_CHECKING:  # the models are heavy to import: `--help` must not pay for them
    from minsheng.core.datadir import DataDir
    from minsheng.plan.load import LoadedPlan
    from minsheng.plan.models import Item, Target, Unit
    from minsheng.progress.entry import Entry, ProgressEntry, Stage
    from minsheng.progress.rules import Problem

T = TypeVar("T")

ItemArgument = Annotated[
    int | None, typer.Argument(help="事项序号(1–50);在终端上可不写,会询问。", show_default=False)
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        "-u",
        help="填报单位(牵头单位):全称、别名或能唯一确定单位的一部分。",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="输出格式:table、markdown、csv 或 json。")
]


# --- progress add --------------------------------------------------------------------------


def add(
    item: ItemArgument = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="目标 id 或名称(或能唯一确定目标的一部分,如“康复救助”);只有一个目标时可不写。",
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Option(
            "--value",
            help="截至该日期的累计完成数,按目标的计量单位;可带单位,如 320、0.3万、3000人、96%。",
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="定性节点目标的阶段:未启动、推进中、已完成。"),
    ] = None,
    percent: Annotated[
        str | None, typer.Option("--percent", help="定性节点目标的完成百分比(0–100,可不写)。")
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            help="进度对应的日期 YYYY-MM-DD(统计截止日);更正时默认为被更正记录的日期。",
        ),
    ] = None,
    unit: UnitOption = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="进展说明。")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="依据:文号、网址,或仓库内的文件路径(必须存在)。"),
    ] = None,
    corrects: Annotated[
        str | None,
        typer.Option("--corrects", help="本条更正的那条记录的编号(id);日期与那条相同。"),
    ] = None,
    allow_large: Annotated[
        bool,
        typer.Option(
            "--allow-large",
            help="确认数值属实:超过目标 10 倍的数值须加此项才登记(超过 100 倍的一律不登记)。",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问确认。")] = False,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """登记一条进度:某事项某目标截至某日的累计完成数(或定性节点的阶段)。

    选项给全时直接登记,不再询问。

    在终端上,缺少的内容逐项询问(日期默认今天),登记前显示整条记录请你确认(--yes 跳过)。

    在终端上只给 --unit 不给事项序号:逐个询问该单位报送的每个指标(即报送表的各行),
    日期只问一次(默认上个月的最后一天),直接回车跳过一个指标,最后确认一次、一次写入。

    标准输入不是终端时,缺少必填内容是用法错误(退出码 2)。

    不符合规则的登记被拒绝(退出码 1),任何文件都不改动;规则见 docs/progress.md。

    \b
    例:minsheng progress add 10 --target rehab --value 320 --date 2024-06-30
    """
    from minsheng.core.cache import user_cache
    from minsheng.progress import store
    from minsheng.progress.files import find_corrected
    from minsheng.progress.rules import shape_problem
    from minsheng.views import progress_list as progress_views

    if value is not None and stage is not None:
        raise UsageError(Code.VALUE_AND_STAGE, "--value 和 --stage 只能给一个")
    folder, loaded = open_data(data_dir, year)
    store.progress_folder(folder)  # a read-only place is refused before any question
    cache = user_cache(no_cache)
    ask = _Asker(sys.stdin.isatty())
    alone = (target, value, stage, percent, note, source, corrects) == (None,) * 7
    if item is None and unit is not None and alone and ask.interactive:
        from minsheng.cli.walk import walk

        walk(folder, loaded, unit, date, ask, yes, cache, allow_large)
        return
    chosen = _item(loaded, item, ask)
    aim = _target(chosen, target, ask)
    reporter = _unit(loaded, chosen, unit, ask)
    given = {"value": value is not None, "stage": stage is not None, "percent": percent is not None}
    _refuse(shape_problem(aim, **given, complete=False))
    corrected = _or_refuse(
        lambda text: find_corrected(folder, loaded, text.strip(), cache), corrects
    )
    day = _date(loaded, date, ask, corrected)

    def draft(**reading: object) -> ProgressEntry:
        """The entry as far as it is known (the model refuses a number out of range)."""
        return _entry(id=store.new_id(), item=chosen.id, target=aim.id, date=day,
                      unit=reporter.name, corrects=corrected.id if corrected else None,
                      recorded_at=store.now(), **reading)  # fmt: skip

    def against_data(amount: Decimal) -> None:
        """A value typed on a terminal meets the entries already recorded at once."""
        _, found = store.problems(folder, loaded, draft(value=amount), cache=cache)
        _raise_first(found, "value")

    amount, phase, share = _reading(
        aim, day, value, stage, percent, ask, against_data, allow_large=allow_large
    )
    note = _text("note", note, ask, "进展说明(可留空)")
    source = _source(folder, source, ask)
    with _refusing():
        entry = draft(value=amount, stage=phase, percent=share, note=note, source=source)
    path = store.check(folder, loaded, entry, cache=cache)
    if ask.asked and not yes:
        info("将登记以下进度:")
        info(progress_views.summary(chosen, aim, entry, folder.display(path)))
        if not typer.confirm("确认写入?", default=True, err=True):
            info("已取消,没有写入任何内容。")
            raise typer.Exit(1)
    written = store.append(folder, loaded, entry, cache=cache)
    info(f"已登记(编号 {written.entry.id}):")
    info(progress_views.summary(chosen, aim, written.entry, folder.display(written.path)))
    info(f"写入 {folder.display(written.path)} 第 {written.line} 行。")


def _entry(**fields: object) -> ProgressEntry:
    """The entry, or a Problem naming the field the model rejects (a value out of range)."""
    from pydantic import ValidationError

    from minsheng.progress.entry import ProgressEntry
    from minsheng.progress.rules import Problem

    try:
        return ProgressEntry.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise Problem(field, Code.BAD_VALUE, problem["msg"]) from None


class _Asker:
    """Asks for what is missing on a terminal; elsewhere a missing value is a usage error."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.asked = False

    def need(self, option: str) -> None:
        if not self.interactive:
            message = f"缺少 {option}(标准输入不是终端,无法询问;请用选项给出)"
            raise UsageError(Code.MISSING_OPTION, message)
        self.asked = True

    def ask(self, label: str, parse: Callable[[str], T], default: str | None = None) -> T:
        """Ask until the answer parses; `parse` raises ValueError with the reason."""
        while True:
            answer = typer.prompt(label, default=default, show_default=bool(default), err=True)
            try:
                return parse(str(answer).strip())
            except ValueError as error:
                info(f"输入有误:{error}")

    def choose(self, title: str, options: list[tuple[str, str]]) -> int:
        """A numbered choice; the answer is a number or an option's key."""
        info(title)
        for number, (key, label) in enumerate(options, 1):
            info(f"  {number}) {key} {label}".rstrip())

        def parse(answer: str) -> int:
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return int(answer) - 1
            for index, (key, _) in enumerate(options):
                if answer == key:
                    return index
            raise ValueError(f"请输入 1–{len(options)} 的序号")

        return self.ask("请选择(序号)", parse)


# The rules live in minsheng.progress (Problem says which field breaks which); here they
# become refusals (exit 1) or, on a terminal, a reason to ask again.


def _refused(code: str, field: str, reason: str) -> RefusedError:
    return RefusedError(code, f"字段 {field}:{reason}")


def _refuse(problem: Problem | None) -> None:
    """Refuse (exit 1) what a rule found, naming the field."""
    if problem is not None:
        raise _refused(problem.code, problem.field, problem.message)


@contextmanager
def _refusing() -> Iterator[None]:
    """A Problem raised inside is a refusal: an option's value is never asked again."""
    from minsheng.progress.rules import Problem

    try:
        yield
    except Problem as problem:
        raise _refused(problem.code, problem.field, problem.message) from None


def _or_refuse(parse: Callable[[str], T], text: str | None) -> T | None:
    """The parsed option, or None when it was not given."""
    if text is None:
        return None
    with _refusing():
        return parse(text)


def _raise_if(problem: Problem | None) -> None:
    """In a prompt, a rule's finding is a reason to ask again."""
    if problem is not None:
        raise problem


def _raise_first(issues: list[Issue], field: str) -> None:
    """The first of the store's findings about this field, as a Problem (to ask again)."""
    from minsheng.progress.rules import Problem

    for issue in issues:
        if issue.path == field:
            raise Problem(issue.path, issue.code, issue.message)


def _item(loaded: LoadedPlan, number: int | None, ask: _Asker) -> Item:
    from minsheng.progress.rules import item_problem

    def parse(answer: str) -> int:
        folded = unicodedata.normalize("NFKC", answer)
        if not re.fullmatch(r"[0-9]+", folded):
            raise ValueError("请输入事项序号(数字)")
        _raise_if(item_problem(loaded, int(folded)))
        return int(folded)

    if number is None:
        ask.need("事项序号 N")
        number = ask.ask("事项序号", parse)
    _refuse(item_problem(loaded, number))
    return loaded.item(number)


def _target(item: Item, given: str | None, ask: _Asker) -> Target:
    from minsheng.progress.rules import target_named
    from minsheng.views.progress_list import describe

    targets = item.all_targets()
    if given is not None:
        with _refusing():
            return target_named(item, given)
    if len(targets) == 1:
        return targets[0]
    ask.need("--target")
    options = [(t.id, describe(t)) for t in targets]
    return targets[ask.choose(f"第 {item.id} 项的目标:", options)]


def _unit(loaded: LoadedPlan, item: Item, given: str | None, ask: _Asker) -> Unit:
    from minsheng.progress.rules import unit_problem

    leads = [unit for name in loaded.canonical_units(item) if (unit := loaded.unit_named(name))]
    if given is not None:
        try:
            unit = loaded.find_unit(given)
        except UsageError as error:
            raise _refused(Code.NOT_LEAD_UNIT, "unit", error.message) from None
        _refuse(unit_problem(loaded, item, unit.name))
        return unit
    if len(leads) == 1:
        return leads[0]
    names = "、".join(unit.name for unit in leads)
    ask.need(f"--unit(第 {item.id} 项有多个牵头单位:{names})")
    return leads[ask.choose("填报单位:", [(unit.name, "") for unit in leads])]


def _date(
    loaded: LoadedPlan,
    given: str | None,
    ask: _Asker,
    corrected: Entry | None,
    default: dt.date | None = None,
) -> dt.date:
    """The date given (checked at once), the corrected entry's, or asked (default today, or
    `default`)."""
    from minsheng.progress.rules import correction_date_problem, date_problem, parse_date

    period = loaded.plan.document.period
    today = dt.date.today()

    def parse(text: str) -> dt.date:
        day = parse_date(text)
        _raise_if(date_problem(period, day, today))
        if corrected is not None:
            _raise_if(correction_date_problem(corrected, day))
        return day

    if given is not None:
        with _refusing():
            return parse(given)
    if corrected is not None:
        return corrected.date
    ask.need("--date")
    # Reporting after the year is over means reporting its end: offer that, not today.
    offered = default or min(max(today, period.start), period.end)
    return ask.ask("日期", parse, default=offered.isoformat())


def _reading(
    target: Target,
    day: dt.date,
    value: str | None,
    stage: str | None,
    percent: str | None,
    ask: _Asker,
    against_data: Callable[[Decimal], None],
    *,
    allow_large: bool = False,
) -> tuple[Decimal | None, Stage | None, Decimal | None]:
    """The value, or for a milestone the stage and percentage; a value typed on a terminal
    is checked against the entries already recorded, and asked again when a rule refuses it."""
    from minsheng.plan.models import Kind
    from minsheng.progress.entry import Stage
    from minsheng.progress.rules import parse_percent, parse_stage, parse_value, stage_problem

    if target.kind is Kind.MILESTONE:
        if stage is None:
            ask.need("--stage")
            phase = list(Stage)[ask.choose("阶段:", [(s.value, "") for s in Stage])]
        else:
            with _refusing():
                phase = parse_stage(stage)

        def parse_share(text: str) -> Decimal | None:
            share = parse_percent(text)
            _raise_if(stage_problem(phase, share))
            return share

        if percent is None and ask.asked:
            return None, phase, ask.ask("完成百分比(0–100,可留空)", parse_share, default="")
        return None, phase, _or_refuse(parse_share, percent)

    def parse(text: str) -> Decimal:
        amount = parse_value(text, target, allow_large=allow_large)
        if ask.interactive:
            against_data(amount)
        return amount

    label = f"截至 {day} 的{'累计完成数' if target.kind is Kind.QUANTITY else '数值'}"
    label += f"(单位:{target.unit})" if target.unit else ""
    if value is not None:
        if not ask.interactive:
            return _or_refuse(parse, value), None, None
        try:
            return parse(value), None, None
        except ValueError as problem:  # on a terminal: say why, and ask
            info(f"--value 有误:{problem}")
    ask.need("--value")
    return ask.ask(label, parse), None, None


def _text(field: str, given: str | None, ask: _Asker, label: str) -> str | None:
    """An optional one-line text: asked only when something else was asked."""
    from minsheng.progress.rules import parse_text

    if given is None and ask.asked:
        return ask.ask(label, lambda text: parse_text(field, text), default="")
    return _or_refuse(lambda text: parse_text(field, text), given)


def _source(folder: DataDir, given: str | None, ask: _Asker) -> str | None:
    """The source: a path in the repository must exist (asked again on a terminal)."""
    from minsheng.progress.checks import source_problem
    from minsheng.progress.rules import Problem, parse_text

    def parse(text: str) -> str | None:
        source = parse_text("source", text)
        reason = source_problem(source, folder.root.parent) if source else None
        if reason:
            raise Problem("source", Code.MISSING_SOURCE, reason)
        return source

    if given is None and ask.asked:
        return ask.ask("依据:文号、网址或仓库内文件路径(可留空)", parse, default="")
    return _or_refuse(lambda text: parse_text("source", text), given)


# --- progress list -------------------------------------------------------------------------


def list_entries(
    item: Annotated[int | None, typer.Argument(help="只列出这一项。", show_default=False)] = None,
    unit: UnitOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="只列出这一天及以后的记录(YYYY-MM-DD)。")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="只列出这一天及以前的记录;“最新”也按这一天判断。"),
    ] = None,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
    progress_dir: ProgressDirOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """列出进度记录,按日期从早到晚,并标出每个目标当前算数的那一条(最新)。

    被其他记录更正(corrects)的记录不算最新。--format json 的字段见 docs/progress.md。

    \b
    例:minsheng progress list 10 --since 2024-06-01 --format csv --output 进度.csv
    """
    from minsheng.core.cache import user_cache
    from minsheng.progress.checks import read_progress
    from minsheng.views import progress_list as views

    folder, loaded = open_data(data_dir, year, progress_dir)
    first = _option_date(since, "--since")
    last = _option_date(until, "--until")
    entries, issues = read_progress(folder, loaded, cache=user_cache(no_cache))
    if issues:
        info(
            f"注意:进度记录有 {len(issues)} 个问题,无法读取的记录未列出;"
            "运行 minsheng validate 查看。"
        )
    shown = views.select(
        entries,
        item=loaded.item(item).id if item is not None else None,
        unit=loaded.find_unit(unit).name if unit is not None else None,
        since=first,
        until=last,
    )
    if not shown:
        info("没有符合条件的进度记录。")
    now = views.standing(entries, last)
    if format is Format.JSON:
        write_output(views.entries_json(folder, loaded, shown, now), output)
        return
    table = views.entries_table(loaded, shown, now, compact=format is Format.TABLE)
    color, width = terminal_style(output)
    write_output(views.render(table, format.value, color=color, width=width), output)


def _option_date(text: str | None, option: str) -> dt.date | None:
    from minsheng.progress.rules import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UsageError(Code.BAD_DATE, f"{option}:{error}") from None
