"""`minsheng progress template` and `minsheng progress import`: a unit's monthly return
(进度报送表) out and back in; typer only, over progress.returns and progress.return_files."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from minsheng.cli.common import (
    AllowLargeOption,
    DataDirOption,
    NoCacheOption,
    ReceivedOption,
    UnitOption,
    YearOption,
    YesOption,
    info,
    open_data,
    option_date,
    terminal_style,
    write_output,
)
from minsheng.core.issues import Code, RefusedError, UsageError

if TYPE_CHECKING:
    from minsheng.returns.importing import Outcome, Sheet


# Refusals about the place, not the data: never a reason to plan the import again.
_NOT_THE_DATA = {Code.WRITE_FAILED, Code.LOCKED, Code.INTERRUPTED, Code.TOO_LARGE}


class FileFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class ImportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def template(
    unit: UnitOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="统计截止日 YYYY-MM-DD;默认为上个月的最后一天(7 月初报 6 月底的数)。",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="写入的文件:.xlsx 或 .csv(按扩展名)。", show_default=False
        ),
    ] = None,
    format: Annotated[
        FileFormat | None,
        typer.Option("--format", "-f", help="xlsx 或 csv;默认按 --output 的扩展名。"),
    ] = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """生成一个单位的进度报送表:该单位牵头的每个有任务事项的每个指标一行,填好后用
    minsheng progress import 导入。

    xlsx 是一份可以打印、盖章发出的表:标题、填报单位(盖章)、填报人、联系电话、审核人、
    报送日期和填表说明(含截止日),下面是 A4 横向、带边框的表格。只有“本期累计完成、阶段、
    完成百分比、进展说明、依据”几列和表格上方的几个空格可以填写,其余单元格锁定;
    “本期累计完成”只能填数字(单位见输入提示),定性节点的“阶段”从下拉列表选择。
    列的含义见 docs/progress.md。

    \b
    例:minsheng progress template --unit 区残联 --as-of 2024-06-30 --output 区残联6月.xlsx
    """
    from minsheng.core.cache import user_cache
    from minsheng.progress.checks import read_progress
    from minsheng.progress.rules import date_problem
    from minsheng.returns.files import template_csv, template_xlsx
    from minsheng.returns.form import previous_month_end, return_rows, stamp_for

    if unit is None:
        raise UsageError(Code.MISSING_OPTION, "缺少 --unit:报送表是哪个单位的")
    chosen = format or _format_of(output)
    if chosen is FileFormat.XLSX and output is None and sys.stdout.isatty():
        raise UsageError(Code.MISSING_OPTION, "xlsx 不能显示在终端上:请用 --output 文件名.xlsx")
    folder, loaded = open_data(data_dir, year)
    reporter = loaded.find_unit(unit)
    period = loaded.plan.document.period
    day = option_date(as_of, "--as-of") or previous_month_end(dt.date.today(), period)
    problem = date_problem(period, day, dt.date.max)
    if problem is not None:
        raise UsageError(Code.OUT_OF_PERIOD, f"--as-of 的值不对:{problem.message}")
    entries, _ = read_progress(folder, loaded, cache=user_cache(no_cache))
    rows = return_rows(loaded, reporter, entries, day)
    if not rows:
        raise UsageError(Code.NO_TARGETS, f"{reporter.name} 没有牵头的有任务事项,不需要报送")
    stamp = stamp_for(loaded, reporter, day)
    content = template_xlsx(rows, stamp) if chosen is FileFormat.XLSX else template_csv(rows, stamp)
    write_output(content, output, folder)
    items = len({row.item.id for row in rows})
    where = f",已写入 {output}" if output else ""
    info(f"{reporter.name} 截至 {day} 的进度报送表:{items} 个事项、{len(rows)} 个指标{where}。")


def _format_of(output: Path | None) -> FileFormat:
    if output is None or output.suffix.lower() == ".xlsx":
        return FileFormat.XLSX
    if output.suffix.lower() == ".csv":
        return FileFormat.CSV
    message = f"--output 的扩展名应为 .xlsx 或 .csv(或用 --format 指定),实际是 {output.name}"
    raise UsageError(Code.BAD_FORMAT, message)


def import_returns(
    files: Annotated[list[Path], typer.Argument(help="填好的报送表(.xlsx 或 .csv),可以写多个。")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", "-d", help="进度日期;默认为报送表生成时的统计截止日。", show_default=False
        ),
    ] = None,
    received: ReceivedOption = None,
    allow_large: AllowLargeOption = False,
    yes: YesOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只核对并显示将登记的进度,不写入。")
    ] = False,
    format: Annotated[
        ImportFormat, typer.Option("--format", "-f", help="table 或 json(供程序使用)。")
    ] = ImportFormat.TABLE,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """导入填好的进度报送表:逐行按 progress add 的规则核对,全部无误才一次写入。

    整行“本期累计完成、阶段、进展说明”都空着的跳过。任何一行有问题,列出全部问题
    (文件:工作表:第N行:列名)后退出(退出码 1),什么也不写。同一份报送表再导入一次,
    已登记过的行不会重复登记。

    \b
    例:minsheng progress import 区残联6月.xlsx
    例:minsheng progress import 报送/*.xlsx --dry-run
    """
    from minsheng.core.cache import user_cache
    from minsheng.progress import store
    from minsheng.returns.files import read_returns
    from minsheng.returns.importing import plan_import

    folder, loaded = open_data(data_dir, year)
    day = option_date(date, "--date")
    received_on = option_date(received, "--received")
    if not dry_run:
        store.progress_folder(folder)  # a read-only place is refused before any reading
    cache = user_cache(no_cache)
    sheets = read_returns(files)
    outcome = plan_import(folder, loaded, sheets, day=day, cache=cache, allow_large=allow_large,
                          received=received_on)  # fmt: skip
    for notice in outcome.notices:
        info(notice)
    if dry_run and received_on is None:
        _saved_hints(sheets)
    if outcome.problems:
        _show_problems(outcome, format)
        raise typer.Exit(1)
    if outcome.added:
        _show_added(outcome, format, dry_run)
    said = f"跳过空行 {outcome.skipped_blank} 行"
    if outcome.unchanged:
        said += f";{len(outcome.unchanged)} 行与已登记的记录相同,不重复登记"
    if outcome.notes_only:
        said += (
            f";其中 {outcome.notes_only} 行只更新了进展说明或依据(数值与已登记的相同),"
            "登记为新的记录,原来的说明留在历史里"
        )
    if not outcome.added:
        info(f"没有新的进度需要登记({said})。")
        _json(outcome, format)
        return
    if dry_run:
        info(f"试运行:将登记 {len(outcome.added)} 条进度({said});没有写入任何内容。")
        _json(outcome, format)
        return
    question = f"确认登记以上 {len(outcome.added)} 条进度?"
    if not yes and sys.stdin.isatty() and not typer.confirm(question, default=True, err=True):
        info("已取消,没有写入任何内容。")
        raise typer.Exit(1)
    try:
        written = store.append_all(
            folder, loaded, [read.entry for read in outcome.added], cache=cache
        )
    except RefusedError as error:
        if error.code in _NOT_THE_DATA:
            raise
        # Refused under the lock, yet planned without a problem: the data changed meanwhile
        # (a colleague imported the same return). Planned again, it says what it now is.
        again = plan_import(folder, loaded, sheets, day=day, cache=cache, allow_large=allow_large)
        if again.problems:
            _show_problems(again, format)
            raise typer.Exit(1) from None
        if again.added:
            raise  # new rows still refused: the refusal says why
        said = f"跳过空行 {again.skipped_blank} 行;{len(again.unchanged)} 行与已登记的记录相同"
        info(f"没有新的进度需要登记({said},刚由另一次导入登记,不重复登记)。")
        _json(again, format)
        return
    files_written = sorted({folder.display(w.path) for w in written})
    info(f"已登记 {len(written)} 条进度({said}),写入 {'、'.join(files_written)}。")
    _json(outcome, format)


def _saved_hints(sheets: list[Sheet]) -> None:
    """When each workbook says it was last saved: likely the day it was sent, which the
    clerk may give as --received if the office received it then (never taken by itself)."""
    from minsheng.core.dates import BEIJING

    for sheet in sheets:
        if sheet.saved_at is not None:
            saved = sheet.saved_at.astimezone(BEIJING)
            info(
                f"提示:{sheet.file} 在工作簿里记录的最后保存时间是 {saved:%Y-%m-%d %H:%M}"
                f"(北京时间);如果办公室是那天收到的,导入时可加 --received {saved:%Y-%m-%d},"
                "是否按时以收到日期为准。"
            )


def _show_problems(outcome: Outcome, format: ImportFormat) -> None:
    for problem in outcome.problems:
        info(str(problem), prose=False)
    info(f"报送表有 {len(outcome.problems)} 个问题,没有登记任何进度;请修改后重新导入。")
    _json(outcome, format)


def _show_added(outcome: Outcome, format: ImportFormat, dry_run: bool) -> None:
    if format is ImportFormat.JSON:
        return
    from minsheng.render.tables import to_terminal
    from minsheng.views.returns import import_table

    color, width = terminal_style(None)
    title = "将登记以下进度(试运行)" if dry_run else "将登记以下进度"
    write_output(to_terminal([import_table(outcome.added, title)], color=color, width=width), None)


def _json(outcome: Outcome, format: ImportFormat) -> None:
    if format is ImportFormat.JSON:
        write_output(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2) + "\n", None)
