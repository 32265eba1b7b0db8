"""`minsheng validate`: typer only, over minsheng.progress.validate."""

from __future__ import annotations

import contextlib
import json
from enum import StrEnum
from typing import Annotated

import typer

from minsheng.cli.common import (
    DataDirOption,
    NoCacheOption,
    OutputOption,
    ProgressDirOption,
    YearOption,
    info,
    settle_progress,
    write_output,
)
from minsheng.core.issues import Issue, UsageError


class ValidateFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def validate(
    data_dir: DataDirOption = None,
    year: YearOption = None,
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="text、json 或 github(注释)。")
    ] = ValidateFormat.TEXT,
    output: OutputOption = None,
    progress_dir: ProgressDirOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """校验计划文件和全部进度记录,一次列出所有问题。

    每个问题一行:文件:行:列: 代码: 说明 [字段]。没有问题时标准输出为空,退出码 0;
    有问题时退出码 1。

    例:minsheng validate --format github
    """
    from minsheng.core.cache import user_cache
    from minsheng.core.datadir import find_data_dir
    from minsheng.progress.validate import validate_all

    with contextlib.suppress(UsageError):  # no data folder: validate_all says so
        settle_progress(find_data_dir(data_dir).with_progress(progress_dir))
    issues, summary = validate_all(data_dir, year, progress_dir, user_cache(no_cache))
    write_output(
        render_issues(issues, format), output, data_dir=data_dir, progress_dir=progress_dir
    )
    if issues:
        info(f"发现 {len(issues)} 个问题。")
        raise typer.Exit(1)
    info(f"校验通过:{summary}")


def render_issues(issues: list[Issue], format: ValidateFormat) -> str:
    if format is ValidateFormat.JSON:
        payload = {"valid": not issues, "issues": [issue.as_json() for issue in issues]}
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if format is ValidateFormat.GITHUB:
        return "".join(_annotation(issue) + "\n" for issue in issues)
    return "".join(f"{issue}\n" for issue in issues)


def _annotation(issue: Issue) -> str:
    """A GitHub Actions workflow command; its data and properties are escaped."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    where = f"file={prop(issue.file)},line={issue.line},col={issue.column}"
    message = issue.message + (f" [{issue.path}]" if issue.path else "")
    return f"::error {where},title={prop(str(issue.code))}::{data(message)}"
