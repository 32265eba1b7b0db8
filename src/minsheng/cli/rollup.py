"""`minsheng rollup`: the city's roll-up (汇总) across its districts' data folders."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from minsheng.cli.common import (
    NoCacheOption,
    OutputOption,
    YearOption,
    docx_only,
    info,
    needs_output,
    option_date,
    split_list,
    terminal_style,
    write_output,
)
from minsheng.core.issues import Code, UsageError


class RollupFormat(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    HTML = "html"
    DOCX = "docx"


BINARY = {RollupFormat.XLSX: "汇总.xlsx", RollupFormat.DOCX: "汇总通报.docx"}


def rollup(
    folders: Annotated[
        list[Path],
        typer.Argument(
            help="各县区的数据目录(各含 tasks_<年份>.yaml 和 progress/),一个县区一个;"
            "也可以是县区的仓库目录(其中有 data/)。",
            show_default=False,
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="统计截止日期 YYYY-MM-DD;默认今天(晚于计划期则取计划期末)。"),
    ] = None,
    year: YearOption = None,
    format: Annotated[
        RollupFormat,
        typer.Option(
            "--format",
            "-f",
            help="table、markdown、csv、json、xlsx(工作簿)、html(网页)或 docx(汇总通报);"
            "xlsx 与 docx 须配合 --output。",
        ),
    ] = RollupFormat.TABLE,
    output: OutputOption = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="docx 汇总通报的标题;默认“关于各县区{年度}年民生实事推进情况的通报”。"
        ),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer",
            help="docx 汇总通报落款的发文机关署名,如 示例市民生办;不写时版头、落款和版记"
            "留出标黄的待填写处(有 --masthead 时用它)。",
        ),
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--number",
            help="docx 汇总通报的发文字号,写完整,如 示民生办〔2024〕6号;不写则留出待填的空白。",
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="docx 汇总通报的成文日期(也是印发日期)YYYY-MM-DD;默认今天(北京时间)。",
        ),
    ] = None,
    masthead: Annotated[
        str | None,
        typer.Option(
            "--masthead", help="docx 汇总通报版头的发文机关标志(红字);默认与 --issuer 相同。"
        ),
    ] = None,
    copy_to: Annotated[
        str | None,
        typer.Option("--copy-to", help="docx 汇总通报版记的抄送机关,逗号或顿号分隔。"),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="docx 汇总通报的附注(联系人和电话),写在成文日期下一行。"),
    ] = None,
    no_cache: NoCacheOption = False,
) -> None:
    """各县区汇总:每个县区按它自己的 minsheng report 计算,再并排比较、排名,逐项列出进度较慢的县区。

    事项按上级清单的序号对应(计划文件中事项的 ref,没有则用 id);县区名称取计划文件的
    document.area,没有则取目录名。某县区“我区无任务”的事项在汇总中是无任务,不是未报送。
    年度不同、上级清单不同、同名的县区,以及没有计划文件的目录,都拒绝汇总。

    例:minsheng rollup examples/rollup/*/ --as-of 2024-06-30 --format markdown

    例:minsheng rollup examples/rollup/*/ --format docx --output 汇总通报.docx
    --issuer 示例市民生办 --number 示民生办〔2024〕6号

    docx 汇总通报的版头、落款和版记与县区的通报相同;市里没有自己的计划文件,
    发文机关和文号用 --issuer、--number 等写明,不写的留出标黄的待填写处。
    """
    import warnings

    from minsheng.core.dates import made_now
    from minsheng.render.docx import Masthead
    from minsheng.render.gongwen import StrippedCharacters
    from minsheng.rollup.compute import rollup as compute
    from minsheng.views.rollup import render

    as_of_date = option_date(as_of, "--as-of")
    written = option_date(date, "--date")
    if format in BINARY:
        what = "xlsx 工作簿" if format is RollupFormat.XLSX else "docx 汇总通报"
        needs_output(output, what, BINARY[format])
    options = (
        ("--title", title), ("--issuer", issuer), ("--number", number), ("--date", date),
        ("--masthead", masthead), ("--copy-to", copy_to), ("--contact", contact),
    )  # fmt: skip
    docx_only(options, format is RollupFormat.DOCX, "汇总通报")
    if number is not None and number.strip().isdigit():
        raise UsageError(
            Code.NO_NUMBER_PREFIX,
            f"--number {number} 只写了序号;汇总没有计划文件给出机关代字,"
            "请写完整的发文字号,如 --number 示民生办〔2024〕6号",
        )
    settings = Masthead(
        title=title,
        issuer=issuer,
        number=number,
        date=written,
        mark=masthead,
        copy_to=tuple(split_list(copy_to)) if copy_to is not None else (),
        contact=contact,
    )
    result = compute(folders, year=year, as_of=as_of_date, made_at=made_now(), cache=not no_cache)
    color, width = terminal_style(output)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StrippedCharacters)
        content = render(
            result.to_dict(), format.value, color=color, width=width, masthead=settings
        )
    for warning in caught:
        info(str(warning.message))
    write_output(content, output)
    if output is not None:
        info(f"已写入 {output}")
