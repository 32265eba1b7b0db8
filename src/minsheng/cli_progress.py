"""`minsheng progress add` and `minsheng progress list`: typer only, over progress and store."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from minsheng.cli_common import (
    DataDirOption,
    Format,
    OutputOption,
    YearOption,
    info,
    open_data,
    write_output,
)
from minsheng.issues import Code, RefusedError, UsageError

if TYPE_CHECKING:  # the models are heavy to import: `--help` must not pay for them
    from minsheng.datadir import DataDir
    from minsheng.models import Item, Target, Unit
    from minsheng.plan import LoadedPlan
    from minsheng.progress import ProgressEntry, Stage
    from minsheng.tables import Table

T = TypeVar("T")

_ID = re.compile(r"[0-9a-z]{6,32}")

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
        typer.Option("--target", "-t", help="目标 id(见 minsheng show N);只有一个目标时可不写。"),
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
        str | None, typer.Option("--date", "-d", help="进度对应的日期 YYYY-MM-DD(统计截止日)。")
    ] = None,
    unit: UnitOption = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="进展说明。")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="依据:文号、网址,或仓库内的文件路径(必须存在)。"),
    ] = None,
    corrects: Annotated[
        str | None, typer.Option("--corrects", help="本条更正的那条记录的编号(id)。")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问确认。")] = False,
    data_dir: DataDirOption = None,
    year: YearOption = None,
) -> None:
    """登记一条进度:某事项某目标截至某日的累计完成数(或定性节点的阶段)。

    选项给全时直接登记,不再询问。

    在终端上,缺少的内容逐项询问(日期默认今天),登记前显示整条记录请你确认(--yes 跳过)。

    标准输入不是终端时,缺少必填内容是用法错误(退出码 2)。

    不符合规则的登记被拒绝(退出码 1),任何文件都不改动;规则见 docs/progress.md。

    \b
    例:minsheng progress add 10 --target rehab --value 320 --date 2024-06-30
    """
    from minsheng import store
    from minsheng.progress import ProgressEntry

    if value is not None and stage is not None:
        raise UsageError("value-and-stage", "--value 和 --stage 只能给一个")
    folder, loaded = open_data(data_dir, year)
    store.progress_folder(folder)  # a read-only place is refused before any question
    ask = _Asker(sys.stdin.isatty())
    chosen = _item(loaded, item, ask)
    aim = _target(chosen, target, ask)
    reporter = _unit(loaded, chosen, unit, ask)
    amount, phase, share = _reading(aim, value, stage, percent, ask)
    day = _date(loaded, date, ask)
    note = _text("note", note, ask, "进展说明(可留空)")
    source = _text("source", source, ask, "依据:文号、网址或仓库内文件路径(可留空)")
    if corrects is not None and not _ID.fullmatch(corrects.strip()):
        raise _refused(Code.BAD_VALUE, "corrects", f"记录编号 {corrects!r} 格式不对")
    entry = ProgressEntry(
        id=store.new_id(),
        item=chosen.id,
        target=aim.id,
        date=day,
        value=amount,
        stage=phase,
        percent=share,
        unit=reporter.name,
        note=note,
        source=source,
        corrects=corrects.strip() if corrects else None,
        recorded_at=store.now(),
    )
    _warn_scale(aim, amount)
    path = store.check(folder, loaded, entry)
    if ask.asked and not yes:
        info("将登记以下进度:")
        info(_summary(chosen, aim, entry, folder.display(path)))
        if not typer.confirm("确认写入?", default=True, err=True):
            info("已取消,没有写入任何内容。")
            raise typer.Exit(1)
    written = store.append(folder, loaded, entry)
    info(f"已登记(编号 {written.entry.id}):")
    info(_summary(chosen, aim, written.entry, folder.display(written.path)))
    info(f"写入 {folder.display(written.path)} 第 {written.line} 行。")


class _Asker:
    """Asks for what is missing on a terminal; elsewhere a missing value is a usage error."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.asked = False

    def need(self, option: str) -> None:
        if not self.interactive:
            message = f"缺少 {option}(标准输入不是终端,无法询问;请用选项给出)"
            raise UsageError("missing-option", message)
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


def _refused(code: str, field: str, reason: str) -> RefusedError:
    return RefusedError(code, f"字段 {field}:{reason}")


def _item_problem(loaded: LoadedPlan, number: int) -> tuple[str, str] | None:
    """Why an item cannot take progress, if it cannot: unknown, or 我区无任务."""
    from minsheng.progress import find_item

    item = find_item(loaded, number)
    if item is None:
        return Code.UNKNOWN_ITEM, f"没有第 {number} 项(共 {len(loaded.plan.items)} 项)"
    if item.no_task:
        return Code.NO_TASK_ENTRY, f"第 {number} 项标注“我区无任务”,不登记进度"
    return None


def _item(loaded: LoadedPlan, number: int | None, ask: _Asker) -> Item:
    def parse(answer: str) -> int:
        folded = unicodedata.normalize("NFKC", answer)
        if not folded.isdigit():
            raise ValueError("请输入事项序号(数字)")
        problem = _item_problem(loaded, int(folded))
        if problem:
            raise ValueError(problem[1])
        return int(folded)

    if number is None:
        ask.need("事项序号 N")
        number = ask.ask("事项序号", parse)
    problem = _item_problem(loaded, number)
    if problem:
        raise _refused(problem[0], "item", problem[1])
    return loaded.item(number)


def _describe(target: Target) -> str:
    from minsheng.models import COMPARATOR_WORDS, Kind

    if target.kind is Kind.MILESTONE:
        return f"{target.name}(定性节点)"
    words = COMPARATOR_WORDS[target.comparator] if target.comparator else ""
    value = _number(target.value) if target.value is not None else ""
    return f"{target.name}({words} {value}{target.unit or ''})"


def _target(item: Item, given: str | None, ask: _Asker) -> Target:
    targets = item.all_targets()
    if given is not None:
        for target in targets:
            if given.strip() in {target.id, target.name}:
                return target
        ids = "、".join(t.id for t in targets)
        reason = f"第 {item.id} 项没有目标 {given!r}(可选:{ids})"
        raise _refused(Code.UNKNOWN_TARGET, "target", reason)
    if len(targets) == 1:
        return targets[0]
    ask.need("--target")
    options = [(t.id, _describe(t)) for t in targets]
    return targets[ask.choose(f"第 {item.id} 项的目标:", options)]


def _unit(loaded: LoadedPlan, item: Item, given: str | None, ask: _Asker) -> Unit:
    leads = [unit for name in loaded.canonical_units(item) if (unit := loaded.unit_named(name))]
    names = "、".join(unit.name for unit in leads)
    if given is not None:
        try:
            unit = loaded.find_unit(given)
        except UsageError as error:
            raise _refused(Code.NOT_LEAD_UNIT, "unit", error.message) from None
        if unit not in leads:
            reason = f"{unit.name} 不是第 {item.id} 项的牵头单位(牵头单位:{names})"
            raise _refused(Code.NOT_LEAD_UNIT, "unit", reason)
        return unit
    if len(leads) == 1:
        return leads[0]
    ask.need(f"--unit(第 {item.id} 项有多个牵头单位:{names})")
    return leads[ask.choose("填报单位:", [(unit.name, "") for unit in leads])]


def parse_value(text: str, target: Target) -> Decimal:
    """A cumulative value typed by a person, in the target's unit; ValueError says why not."""
    from minsheng.measure import parse_amount

    amount = parse_amount(text, target.unit)
    if amount < 0:
        raise ValueError(f"累计完成数不能为负数,实际是 {text}")
    return amount


def parse_stage(text: str) -> Stage:
    from minsheng.progress import Stage

    for stage in Stage:
        if text.strip() == stage.value:
            return stage
    raise ValueError(f"阶段 {text!r} 不对,应为 {'、'.join(s.value for s in Stage)}")


def parse_percent(text: str) -> Decimal | None:
    from minsheng.measure import parse_amount

    if not text.strip():
        return None
    share = parse_amount(text, "%")
    if not 0 <= share <= 100:
        raise ValueError(f"百分比应在 0 到 100 之间,实际是 {text}")
    return share


def _reading(
    target: Target, value: str | None, stage: str | None, percent: str | None, ask: _Asker
) -> tuple[Decimal | None, Stage | None, Decimal | None]:
    """The value, or for a milestone the stage and percentage."""
    from minsheng.models import Kind
    from minsheng.progress import Stage

    name = f"目标 {target.id}({target.name})"
    if target.kind is Kind.MILESTONE:
        if value is not None:
            reason = f"{name}是定性节点,应用 --stage 登记阶段(未启动/推进中/已完成),不能登记数值"
            raise _refused(Code.STAGE_VALUE, "value", reason)
        if stage is None:
            ask.need("--stage")
            phase = list(Stage)[ask.choose("阶段:", [(s.value, "") for s in Stage])]
        else:
            phase = _or_refuse(parse_stage, stage, Code.BAD_VALUE, "stage")
        if percent is None and ask.asked:
            return None, phase, ask.ask("完成百分比(0–100,可留空)", parse_percent, default="")
        share = _or_refuse(parse_percent, percent, Code.BAD_VALUE, "percent") if percent else None
        return None, phase, share
    if stage is not None:
        reason = f"{name}应用 --value 登记累计数值(单位:{target.unit}),不能登记阶段"
        raise _refused(Code.STAGE_VALUE, "stage", reason)
    if percent is not None:
        reason = f"--percent 只用于定性节点目标,{name}请只用 --value"
        raise _refused(Code.STAGE_VALUE, "percent", reason)
    if value is None:
        ask.need("--value")
        label = f"截至该日期的累计完成数(单位:{target.unit})"
        return ask.ask(label, lambda text: parse_value(text, target)), None, None
    return (
        _or_refuse(lambda text: parse_value(text, target), value, Code.BAD_VALUE, "value"),
        None,
        None,
    )


def _or_refuse(parse: Callable[[str], T], text: str, code: str, field: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        raise _refused(code, field, str(error)) from None


def parse_date(text: str) -> dt.date:
    folded = unicodedata.normalize("NFKC", text).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", folded):
            raise ValueError
        return dt.date.fromisoformat(folded)
    except ValueError:
        raise ValueError(f"日期应写作 YYYY-MM-DD(如 2024-06-30),实际是 {text!r}") from None


def _date(loaded: LoadedPlan, given: str | None, ask: _Asker) -> dt.date:
    if given is not None:
        return _or_refuse(parse_date, given, Code.BAD_DATE, "date")
    ask.need("--date")
    period = loaded.plan.document.period
    today = dt.date.today()
    # Reporting after the year is over means reporting its end: offer that, not today.
    default = min(max(today, period.start), period.end)

    def parse(text: str) -> dt.date:
        day = parse_date(text)
        if not period.start <= day <= period.end:
            raise ValueError(f"日期应在计划期 {period.start} 至 {period.end} 内")
        if day > today:
            raise ValueError(f"不能登记将来的进度(今天是 {today})")
        return day

    return ask.ask("日期", parse, default=default.isoformat())


def _text(field: str, given: str | None, ask: _Asker, label: str) -> str | None:
    """An optional one-line text: asked only when something else was asked."""
    if given is None and ask.asked:
        given = ask.ask(label, lambda text: text, default="")
    if given is None:
        return None
    text = given.strip()
    bad = [
        c
        for c in text
        if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in {"Zl", "Zp"}
    ]
    if bad:
        reason = f"不能含换行或控制字符(发现 U+{ord(bad[0]):04X})"
        raise _refused(Code.BAD_CHAR, field, reason)
    return text or None


def _warn_scale(target: Target, amount: Decimal | None) -> None:
    """`3000` typed for a target in 万人 is 3000万: say so before it is recorded."""
    from minsheng.models import Kind

    if amount is None or not target.value or target.kind is not Kind.QUANTITY:
        return
    from minsheng.measure import split_unit

    if amount > 10 * target.value:
        unit = target.unit or ""
        base = split_unit(unit)[1]
        example = f"(如 {_number(amount)}{base})" if base and base != unit else ""
        info(
            f"注意:累计完成 {_number(amount)}{unit} 是目标 {_number(target.value)}{unit} 的 "
            f"{_number((amount / target.value).quantize(Decimal(1)))} 倍;数值按目标的计量单位"
            f"({unit})理解,按其他单位计时请带上单位{example}。"
        )


def _summary(item: Item, target: Target, entry: ProgressEntry, file: str) -> str:
    lines = [
        ("事项", f"第 {item.id} 项 {item.title}"),
        ("目标", f"{target.id} {_describe(target)}"),
        ("日期", entry.date.isoformat()),
        ("进度", _progress_text(entry, target)),
        ("填报单位", entry.unit),
        ("说明", entry.note or ""),
        ("依据", entry.source or ""),
        ("更正", entry.corrects or ""),
        ("文件", file),
    ]
    return "\n".join(f"  {label}:{text}" for label, text in lines if text)


def _progress_text(entry: ProgressEntry, target: Target | None) -> str:
    from minsheng.models import Kind

    if entry.stage is not None:
        share = f" {_number(entry.percent)}%" if entry.percent is not None else ""
        return f"{entry.stage.value}{share}"
    if entry.value is None:
        return ""
    unit = target.unit if target is not None and target.unit else ""
    cumulative = target is not None and target.kind is Kind.QUANTITY
    return f"{'累计 ' if cumulative else ''}{_number(entry.value)}{unit}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


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
    data_dir: DataDirOption = None,
    year: YearOption = None,
) -> None:
    """列出进度记录,按日期从早到晚,并标出每个目标当前算数的那一条(最新)。

    被其他记录更正(corrects)的记录不算最新。--format json 的字段见 docs/progress.md。

    \b
    例:minsheng progress list 10 --since 2024-06-01 --format csv --output 进度.csv
    """
    from minsheng.progress import latest, read_progress

    folder, loaded = open_data(data_dir, year)
    first = _option_date(since, "--since")
    last = _option_date(until, "--until")
    entries, issues = read_progress(folder, loaded)
    if issues:
        info(
            f"注意:进度记录有 {len(issues)} 个问题,无法读取的记录未列出;"
            "运行 minsheng validate 查看。"
        )
    current = {entry.id for entry in latest(entries, last).values()}
    wanted_item = loaded.item(item).id if item is not None else None
    wanted_unit = loaded.find_unit(unit).name if unit is not None else None
    shown = [
        entry
        for entry in entries
        if (wanted_item is None or entry.item == wanted_item)
        and (wanted_unit is None or entry.unit == wanted_unit)
        and (first is None or entry.date >= first)
        and (last is None or entry.date <= last)
    ]
    if not shown:
        info("没有符合条件的进度记录。")
    if format is Format.JSON:
        rows = [_entry_json(folder, loaded, entry, entry.id in current) for entry in shown]
        write_output(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", output)
        return
    table = _entries_table(loaded, shown, current, compact=format is Format.TABLE)
    write_output(_render(table, format, output), output)


def _option_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise UsageError("bad-date", f"{option}:{error}") from None


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral() else float(value)


def _entry_json(
    folder: DataDir, loaded: LoadedPlan, entry: ProgressEntry, is_latest: bool
) -> dict[str, object]:
    """One entry in the JSON contract of docs/progress.md."""
    from minsheng.progress import find_target

    target = find_target(loaded, entry)
    path = entry.where.path
    return {
        "id": entry.id,
        "item": entry.item,
        "target": entry.target,
        "target_name": target.name if target else None,
        "date": entry.date.isoformat(),
        "value": _json_number(entry.value),
        "unit_of_measure": target.unit if target else None,
        "stage": entry.stage.value if entry.stage else None,
        "percent": _json_number(entry.percent),
        "unit": entry.unit,
        "note": entry.note,
        "source": entry.source,
        "corrects": entry.corrects,
        "recorded_at": entry.recorded_at.isoformat(),
        "file": _relative(folder, path) if path else None,
        "line": entry.where.line,
        "latest": is_latest,
    }


def _relative(folder: DataDir, path: Path) -> str:
    """A progress file as `progress/<YYYY-MM>/<unit-id>.yaml`, from the data folder."""
    try:
        return path.relative_to(folder.root).as_posix()
    except ValueError:  # --progress-dir: the entries are kept elsewhere
        return path.relative_to(folder.progress.parent).as_posix()


def _entries_table(
    loaded: LoadedPlan, entries: list[ProgressEntry], current: set[str], *, compact: bool
) -> Table:
    """Every entry a row; `compact` (a screen) drops what is empty and the target ids."""
    from minsheng.progress import find_target
    from minsheng.tables import Cell, Column, Table, Value

    columns = [
        Column("date", "日期"),
        Column("item", "事项", align="right"),
        Column("target", "目标", wrap=compact),
        Column("progress", "进度", align="right"),
        Column("unit", "填报单位"),
        Column("note", "说明", wrap=True),
        Column("source", "依据", wrap=True),
        Column("state", "状态"),
        Column("corrects", "更正"),
        Column("id", "编号"),
    ]
    superseded = {entry.corrects for entry in entries if entry.corrects}
    rows: list[list[Value | Cell]] = []
    for entry in entries:
        target = find_target(loaded, entry)
        name = target.name if target else entry.target
        if entry.id in current:
            state: Value | Cell = Cell("最新", style="bold green")
        else:
            state = Cell("已更正", style="dim") if entry.id in superseded else ""
        rows.append(
            [
                entry.date.isoformat(),
                entry.item,
                name if compact else f"{name}({entry.target})",
                _progress_text(entry, target),
                entry.unit,
                entry.note,
                entry.source,
                state,
                entry.corrects,
                entry.id,
            ]
        )
    # On a screen, columns nobody filled (no source, no correction) only take room from the
    # notes; files keep every column so their header is the same every month.
    keep = [
        index
        for index, column in enumerate(columns)
        if not compact or column.key not in {"source", "corrects"} or any(r[index] for r in rows)
    ]
    return Table(
        [columns[i] for i in keep], [[row[i] for i in keep] for row in rows], title="进度记录"
    )


def _render(table: Table, format: Format, output: Path | None) -> str:
    from minsheng import tables

    if format is Format.MARKDOWN:
        return tables.to_markdown([table])
    if format is Format.CSV:
        return tables.to_csv(table)
    color = output is None and tables.stdout_is_terminal() and not os.environ.get("NO_COLOR")
    width = None if output is not None else shutil.get_terminal_size((120, 40)).columns
    return tables.to_terminal([table], color=color, width=width)
