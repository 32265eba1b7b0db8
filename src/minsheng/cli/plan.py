"""`minsheng plan draft`: typer only, over minsheng.plan.draft."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from minsheng.cli.common import info, refuse_data_output, write_output
from minsheng.core.issues import Code, RefusedError


class DraftFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


def draft(
    notice: Annotated[
        Path,
        typer.Argument(
            metavar="NOTICE", help="通知的文字:网页复制的文本、PDF 导出的文本或 Word(.docx)。"
        ),
    ],
    attachment: Annotated[
        Path | None,
        typer.Option("--attachment", "-a", help="单独的附件(推进措施)文件。", show_default=False),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", help="计划年份;默认取通知标题或文号中的年份。", show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="写入文件(如 data/tasks_2025.yaml)而不是标准输出。",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        DraftFormat, typer.Option("--format", "-f", help="yaml(计划文件)或 json。")
    ] = DraftFormat.YAML,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的输出文件。")] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="草稿有需要注意的问题或无法归类的数字时退出码为 1(供 CI 使用);草稿照样写出。",
        ),
    ] = False,
) -> None:
    """从通知原文起草计划文件:事项、类别、牵头单位、推进措施和候选指标。

    每个猜测都标有“# 待核对:”注释,请对照原文确认;摘要(找到多少项、编号缺漏、
    无牵头单位的事项、无法归类的数字、未采用的文字)打印在标准错误上。PDF 导出的文字会先
    修复(删去页码和页眉页脚,接起断行),做过什么写在草稿开头。

    例:minsheng plan draft 通知.txt --output data/tasks_2025.yaml --strict
    """
    from minsheng.plan.draft.build import draft_notice
    from minsheng.plan.draft.clean import NoticeError
    from minsheng.plan.draft.write import summary, to_json, to_yaml

    if output is not None:  # refused before the notice is read, --force or not
        refuse_data_output(output, plan_ok=True)
    if output is not None and output.exists() and not force:
        raise RefusedError(
            Code.OUTPUT_EXISTS, f"{output} 已经存在,没有改动它;要覆盖请加 --force,或换一个文件名"
        )
    try:
        extra = (_read(attachment), str(attachment)) if attachment is not None else None
        result = draft_notice(_read(notice), str(notice), extra, year)
    except NoticeError as error:
        raise RefusedError(error.code, error.message) from None
    content = to_json(result) if format is DraftFormat.JSON else to_yaml(result)
    # Writing a plan file is what it is for (over one only with --force): the data's guard
    # against --output is off, the rest (regular files only, the mode kept) holds.
    write_output(content, output, keep_data=False)
    info(summary(result, str(notice)).rstrip("\n"))
    if output is not None:
        info(f"已写入 {output};请核对标有“待核对”的地方,再运行 minsheng validate。")
    if strict and result.doubtful:
        info("--strict:草稿有需要注意的问题或无法归类的数字(见上),退出码为 1。")
        raise typer.Exit(1)


def _read(path: Path) -> bytes:
    """A notice file's bytes: a regular file only (a pipe would hang the command, a device
    never end), and never more than a notice can be."""
    from minsheng.core.readfile import NotRegular, TooLarge, read_bounded
    from minsheng.plan.draft.clean import too_large
    from minsheng.plan.draft.limits import MAX_DOCX_BYTES, MAX_TEXT_BYTES

    if path.is_dir():
        raise RefusedError(Code.NOT_A_FILE, f"{path} 是一个文件夹,请给出通知的文本文件")
    try:
        return read_bounded(path, MAX_DOCX_BYTES)
    except NotRegular:
        message = f"{path} 不是普通文件(可能是管道或设备),没有读取;请给出通知的文本文件"
        raise RefusedError(Code.NOT_A_FILE, message) from None
    except TooLarge:
        error = too_large(str(path), path.stat().st_size, MAX_TEXT_BYTES)
        raise RefusedError(error.code, error.message) from None
