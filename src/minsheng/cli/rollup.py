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
    info,
    needs_output,
    option_date,
    terminal_style,
    write_output,
)


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
    no_cache: NoCacheOption = False,
) -> None:
    """各县区汇总:每个县区按它自己的 minsheng report 计算,再并排比较、排名,逐项列出进度较慢的县区。

    事项按上级清单的序号对应(计划文件中事项的 ref,没有则用 id);县区名称取计划文件的
    document.area,没有则取目录名。某县区“我区无任务”的事项在汇总中是无任务,不是未报送。
    年度不同、上级清单不同、同名的县区,以及没有计划文件的目录,都拒绝汇总。

    例:minsheng rollup examples/rollup/*/ --as-of 2024-06-30 --format markdown
    """
    from minsheng.core.dates import made_now
    from minsheng.rollup.compute import rollup as compute
    from minsheng.views.rollup import render

    as_of_date = option_date(as_of, "--as-of")
    if format in BINARY:
        what = "xlsx 工作簿" if format is RollupFormat.XLSX else "docx 汇总通报"
        needs_output(output, what, BINARY[format])
    result = compute(folders, year=year, as_of=as_of_date, made_at=made_now(), cache=not no_cache)
    color, width = terminal_style(output)
    content = render(result.to_dict(), format.value, color=color, width=width)
    write_output(content, output)
    if output is not None:
        info(f"已写入 {output}")
