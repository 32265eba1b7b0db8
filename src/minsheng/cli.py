"""The command line: typer only, thin over the library; one place maps errors to exit codes."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

from minsheng import cli_browse, cli_progress, cli_report
from minsheng.cli_common import (
    DataDirOption,
    OutputOption,
    ProgressDirOption,
    YearOption,
    info,
    write_output,
)
from minsheng.issues import DataError, Issue, RefusedError, UsageError

app = typer.Typer(
    name="minsheng",
    help="民生实事台账:校验计划、查看事项、登记进度、生成完成情况通报。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
progress_app = typer.Typer(help="登记和查看进度(月调度)。", no_args_is_help=True)
app.add_typer(progress_app, name="progress")

app.command("list")(cli_browse.list_items)
app.command("show")(cli_browse.show_item)
progress_app.command("add")(cli_progress.add)
progress_app.command("list")(cli_progress.list_entries)
app.command("report")(cli_report.report)


class ValidateFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


@app.command()
def validate(
    data_dir: DataDirOption = None,
    year: YearOption = None,
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="text、json 或 github(注释)。")
    ] = ValidateFormat.TEXT,
    output: OutputOption = None,
    progress_dir: ProgressDirOption = None,
) -> None:
    """校验计划文件和全部进度记录,一次列出所有问题。

    每个问题一行:文件:行:列: 代码: 说明 [字段]。没有问题时标准输出为空,退出码 0;
    有问题时退出码 1。

    例:minsheng validate --format github
    """
    from minsheng.validate import validate_all

    issues, summary = validate_all(data_dir, year, progress_dir)
    write_output(render_issues(issues, format), output)
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


# Typer raises click's exceptions, from its own vendored copy of click in newer releases:
# take the classes from typer itself, so a usage error is exit 2 and never "internal".
ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


def main() -> None:
    """Entry point: run the app; every failure becomes a message and an exit code."""
    debug = "--debug" in sys.argv[1:] or bool(os.environ.get("MINSHENG_DEBUG"))
    args = [arg for arg in sys.argv[1:] if arg != "--debug"]
    try:
        code = app(args=args, prog_name="minsheng", standalone_mode=False)
    except typer.Abort:
        info("已取消,没有写入任何内容。")
        code = 1
    except ClickException as error:
        error.show()  # type: ignore[attr-defined]
        code = error.exit_code  # type: ignore[attr-defined]
    except DataError as error:
        for issue in error.issues:
            info(str(issue))
        info(f"数据有 {len(error.issues)} 个问题,请先修正(minsheng validate 可列出全部)。")
        code = 1
    except UsageError as error:
        info(f"错误 [{error.code}]:{error.message}")
        code = 2
    except RefusedError as error:
        info(f"拒绝 [{error.code}]:{error.message}")
        code = 1
    except KeyboardInterrupt:
        info("已中断。")
        code = 130
    except BrokenPipeError:
        # The reader went away (`minsheng list | head`): not an error, and nothing to flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    except Exception as error:
        if debug:
            raise
        info(f"内部错误 [internal]:{type(error).__name__}: {error}(加 --debug 可查看详细信息)")
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
