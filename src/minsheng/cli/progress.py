"""`minsheng progress add` and `minsheng progress list`: typer only, over progress, store and
progress_views."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from minsheng.cli.asking import (
    Asker,
    ask_date,
    ask_item,
    ask_reading,
    ask_source,
    ask_target,
    ask_text,
    ask_unit,
    entry_or_problem,
    or_refuse,
    raise_first,
    refuse,
    refusing,
)
from minsheng.cli.common import (
    AllowLargeOption,
    DataDirOption,
    Format,
    NoCacheOption,
    OutputOption,
    ProgressDirOption,
    ReceivedOption,
    YearOption,
    YesOption,
    info,
    open_data,
    option_date,
    terminal_style,
    write_output,
)
from minsheng.core.issues import Code, UsageError

if TYPE_CHECKING:  # the models are heavy to import: `--help` must not pay for them
    from minsheng.progress.entry import ProgressEntry

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
    received: ReceivedOption = None,
    allow_large: AllowLargeOption = False,
    yes: YesOption = False,
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
    received_on = option_date(received, "--received")
    store.progress_folder(folder)  # a read-only place is refused before any question
    cache = user_cache(no_cache)
    ask = Asker(sys.stdin.isatty())
    alone = (target, value, stage, percent, note, source, corrects) == (None,) * 7
    if item is None and unit is not None and alone and ask.interactive:
        from minsheng.cli.walk import walk

        walk(folder, loaded, unit, date, ask, yes, cache, allow_large, received_on)
        return
    chosen = ask_item(loaded, item, ask)
    aim = ask_target(loaded, chosen, target, ask)
    reporter = ask_unit(loaded, chosen, unit, ask, aim)
    given = {"value": value is not None, "stage": stage is not None, "percent": percent is not None}
    refuse(shape_problem(aim, **given, complete=False))
    corrected = or_refuse(
        lambda text: find_corrected(folder, loaded, text.strip(), cache), corrects
    )
    day = ask_date(loaded, date, ask, corrected)

    def draft(**reading: object) -> ProgressEntry:
        """The entry as far as it is known (the model refuses a number out of range)."""
        return entry_or_problem(id=store.new_id(), item=chosen.id, target=aim.id, date=day,
                      unit=reporter.name, corrects=corrected.id if corrected else None,
                      received=received_on, recorded_at=store.now(), **reading)  # fmt: skip

    def against_data(amount: Decimal) -> None:
        """A value typed on a terminal meets the entries already recorded at once."""
        _, found = store.problems(folder, loaded, draft(value=amount), cache=cache)
        raise_first(found, "value")

    amount, phase, share = ask_reading(
        aim, day, value, stage, percent, ask, against_data, allow_large=allow_large
    )
    note = ask_text("note", note, ask, "进展说明(可留空)")
    source = ask_source(folder, source, ask)
    with refusing():
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
    first = option_date(since, "--since")
    last = option_date(until, "--until")
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
        write_output(views.entries_json(folder, loaded, shown, now), output, folder)
        return
    table = views.entries_table(loaded, shown, now, compact=format is Format.TABLE)
    color, width = terminal_style(output)
    write_output(views.render(table, format.value, color=color, width=width), output, folder)
