"""`minsheng report`: the completion report and bulletin (完成情况通报)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from minsheng.cli.common import (
    DataDirOption,
    NoCacheOption,
    OutputOption,
    ProgressDirOption,
    YearOption,
    docx_only,
    info,
    needs_output,
    open_plan,
    option_date,
    split_list,
    terminal_style,
    write_output,
)
from minsheng.core.issues import Code, UsageError
from minsheng.core.status import MISSING, MISSING_WORD, WORDS, ambiguity, choices
from minsheng.core.status import parse as parse_status

if TYPE_CHECKING:
    from pathlib import Path

    from minsheng.core.datadir import DataDir
    from minsheng.plan.models import Period
    from minsheng.report.document import Report


class ReportFormat(StrEnum):
    """The report's formats; each has its renderer in views.report_formats.RENDERERS."""

    TABLE = "table"
    MARKDOWN = "markdown"
    CSV = "csv"
    JSON = "json"
    HTML = "html"  # the public page (render_html), built from the JSON document
    XLSX = "xlsx"  # the office workbook (render_xlsx), built from the JSON document
    DOCX = "docx"  # the 通报 as a 公文 (render_docx), built from the JSON document


# Formats written only to a file: a binary document on a terminal helps nobody.
BINARY = {ReportFormat.XLSX: "report.xlsx", ReportFormat.DOCX: "通报.docx"}


class By(StrEnum):
    ITEM = "item"
    UNIT = "unit"
    CATEGORY = "category"


def report(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="统计截止日期 YYYY-MM-DD;默认今天(晚于计划期则取计划期末)。"),
    ] = None,
    by: Annotated[
        By | None,
        typer.Option("--by", help="只出一张表:item(逐项)、unit(按单位)、category(按类别)。"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="同时列出自该日期(YYYY-MM-DD)以来的变化。"),
    ] = None,
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="table、markdown、csv、json、html(公开网页)、xlsx(工作簿)"
            "或 docx(公文格式的通报);xlsx 与 docx 须配合 --output。",
        ),
    ] = ReportFormat.TABLE,
    output: OutputOption = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="docx 通报的标题;默认“关于{年度}年民生实事推进情况的通报”。"),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            help="docx 通报落款的发文机关署名;默认计划文件 bulletin.issuer(或 masthead),"
            "都没有时用通知的发布机构。",
        ),
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--number",
            help="docx 通报的发文字号,如 花民生办〔2024〕6号;只写序号(如 6)时加上计划文件"
            "bulletin.number_prefix 的机关代字和成文日期的年份;不写则留出待填的空白。",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="docx 通报的成文日期(也是印发日期)YYYY-MM-DD;默认今天(北京时间)。"
        ),
    ] = None,
    masthead: Annotated[
        str | None,
        typer.Option(
            "--masthead", help="docx 通报版头的发文机关标志(红字);默认计划文件 bulletin.masthead。"
        ),
    ] = None,
    copy_to: Annotated[
        str | None,
        typer.Option(
            "--copy-to",
            help="docx 通报版记的抄送机关,逗号或顿号分隔;默认计划文件 bulletin.copy_to。",
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact",
            help="docx 通报的附注(联系人和电话),写在成文日期下一行;默认计划文件 bulletin.contact。",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="有事项处于这些状态时退出码为 1(输出照常),逗号分隔,"
            "如 lagging,unreported;可选 " + choices(missing=True) + "。",
        ),
    ] = None,
    progress_dir: ProgressDirOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """完成情况通报:按状态汇总、逐项完成进度、单位排名、滞后事项、本月报送情况。

    完成进度按目标计算,序时进度按计划期(或事项自己的进度安排)计算,按月计还是按天计见计划文件
    schedule.basis,通报上写明;落后序时进度 10 个百分点起为滞后,超过 30
    个百分点为严重滞后(阈值见计划文件 thresholds)。
    进度数据有问题时拒绝出报告(退出码 1),请先运行 minsheng validate。

    例:minsheng report --as-of 2024-06-30 --format markdown --fail-on lagging,unreported

    例:minsheng report --as-of 2024-06-30 --format docx --output 通报.docx --number 6

    docx 通报的版头、落款和版记取自计划文件的 bulletin 一节(办公室自己的设置),
    --masthead、--issuer、--number、--copy-to、--contact 可以临时改写。
    """
    from minsheng.api import build_report, load_progress
    from minsheng.core.dates import made_now
    from minsheng.render.docx import Masthead
    from minsheng.render.gongwen import StrippedCharacters
    from minsheng.report.compute import default_as_of
    from minsheng.views.report_formats import render

    as_of_date = option_date(as_of, "--as-of")
    written = option_date(date, "--date")
    since_date = option_date(since, "--since")
    when = made_now()
    gate = parse_statuses(fail_on) if fail_on is not None else set()
    if format in BINARY:
        what = "xlsx 工作簿" if format is ReportFormat.XLSX else "docx 通报"
        needs_output(output, what, BINARY[format])
    options = (
        ("--title", title), ("--issuer", issuer), ("--number", number), ("--date", date),
        ("--masthead", masthead), ("--copy-to", copy_to), ("--contact", contact),
    )  # fmt: skip
    docx_only(options, format is ReportFormat.DOCX, "公文格式的通报")

    folder, loaded = open_plan(data_dir, year, progress_dir)
    say_sources(folder, loaded.path)
    period = loaded.plan.document.period
    if as_of_date is None:
        as_of_date = default_as_of(period, dt.date.today())
        if as_of_date < dt.date.today():
            info(f"今天已过计划期(止于 {period.end}),按计划期末 {period.end} 统计。")
    warn_outside(as_of_date, period)
    if since_date is not None and since_date > as_of_date:
        raise UsageError(Code.BAD_SINCE, f"--since {since_date} 晚于统计截止日期 {as_of_date}")

    progress = load_progress(loaded, progress_dir, cache=not no_cache)
    result = build_report(loaded, progress, as_of_date, since=since_date, made_at=when)
    plan = loaded.plan
    color, width = terminal_style(output)
    by_value = by.value if by is not None else None
    settings = Masthead(
        title=title,
        issuer=issuer,
        number=number,
        date=written,
        mark=masthead,
        copy_to=tuple(split_list(copy_to)) if copy_to is not None else (),
        contact=contact,
    )
    if number is not None and number.strip().isdigit() and not plan.bulletin.number_prefix:
        raise UsageError(
            Code.NO_NUMBER_PREFIX,
            f"--number {number} 只写了序号,但计划文件的 bulletin 没有机关代字(number_prefix);"
            "请写完整的发文字号,如 --number 花民生办〔2024〕6号",
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StrippedCharacters)
        content = render(
            result, format.value, by_value, color=color, width=width, masthead=settings
        )
    for warning in caught:
        info(str(warning.message))
    write_output(content, output, folder)
    if output is not None:
        info(f"已写入 {output}")
    failing = failed_items(result, gate)
    if failing:
        shown = "、".join(f"第 {number} 项({word})" for number, word in failing)
        info(f"有事项处于 --fail-on 所列状态:{shown}")
        raise typer.Exit(1)


def say_sources(folder: DataDir, plan: Path) -> None:
    """Which plan and which progress folder the report is made of, on stderr: a bulletin of
    the shipped plan with no progress at all (every item 从未报送) must never go out unnoticed."""
    progress = folder.progress
    info(f"依据计划 {folder.display(plan)},进度目录 {folder.display(progress)}。")
    if folder.shipped:
        info(
            "提示 [shipped-plan]：当前目录及上级目录中没有数据目录(data/tasks_<年份>.yaml),"
            "使用的是随软件附带的计划;请在数据仓库中运行,或用 --data-dir 指定数据目录。"
        )
    if not progress.is_dir():
        info(
            f"提示 [no-progress]：进度目录 {folder.display(progress)} 不存在,"
            "所有事项按从未报送统计;可用 --progress-dir 指定进度目录。"
        )


def warn_outside(as_of: dt.date, period: Period) -> None:
    """An as-of date outside the plan period is allowed (序时进度 is then 0 or 100%), but
    a bulletin dated there is more often a typo than a wish: say so."""
    if not period.start <= as_of <= period.end:
        info(
            f"提示 [as-of-outside-period]：统计截止日期 {as_of} 不在计划期 {period.start} 至 "
            f"{period.end} 内,序时进度按 {'0' if as_of < period.start else '100%'} 计。"
        )


def parse_statuses(text: str) -> set[str]:
    """`lagging,unreported` (or 严重滞后,从未报送) as status codes, `missing` (本月未报送)
    too; anything else is a usage error."""
    # Typed in Chinese, the list is as often written with ,or 、 as with a comma.
    names = [part.strip() for part in re.split(r"[,\uff0c、]", text) if part.strip()]
    found: dict[str, str | None] = {}
    for name in names:
        status = parse_status(name)
        found[name] = (
            status.value if status else MISSING if name in {MISSING, MISSING_WORD} else None
        )
    unknown = [name for name, status in found.items() if status is None]
    if unknown or not names:
        shown = "、".join(unknown) or "(空)"
        hint = "".join(f";{ambiguity(name)}" for name in unknown if ambiguity(name))
        message = f"--fail-on 的状态 {shown} 无效{hint};可选:{choices(missing=True)}"
        raise UsageError(Code.BAD_STATUS, message)
    return {status for status in found.values() if status is not None}


def failed_items(result: Report, gate: set[str]) -> list[tuple[int, str]]:
    """The items in a gated state: a status, or this month's return missing (本月未报送)."""
    missing = result.cycle.missing_now() if result.cycle and MISSING in gate else {}
    return [
        (r.item.id, WORDS[r.status] if r.status.value in gate else MISSING_WORD)
        for r in result.now.items
        if r.status.value in gate or r.item.id in missing
    ]
