"""The command line: typer only, thin over the library; one place maps errors to exit codes."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated

import typer

from minsheng.cli import browse, plan, progress, report, returns, validate
from minsheng.cli.common import (
    info,
)
from minsheng.core.issues import DataError, RefusedError, UsageError

app = typer.Typer(
    name="minsheng",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
progress_app = typer.Typer(help="登记和查看进度(月调度)。", no_args_is_help=True)
app.add_typer(progress_app, name="progress")
plan_app = typer.Typer(help="计划文件:从通知原文起草。", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


def _version(value: bool) -> None:
    if value:
        from minsheng import __version__

        typer.echo(f"minsheng {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="显示版本号后退出。", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """民生实事台账:校验计划、查看事项、登记进度、生成完成情况通报。

    任何命令加 --debug 可在出错时显示详细的调用栈(供维护者排查)。
    """


app.command("list")(browse.list_items)
app.command("show")(browse.show_item)
progress_app.command("add")(progress.add)
progress_app.command("list")(progress.list_entries)
progress_app.command("template")(returns.template)
progress_app.command("import")(returns.import_returns)
app.command("report")(report.report)
app.command("validate")(validate.validate)
plan_app.command("draft")(plan.draft)


# Typer raises click's exceptions, from its own vendored copy of click in newer releases:
# take the classes from typer itself, so a usage error is exit 2 and never "internal".
ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


# click's usage messages, in the clerk's language; anything unknown is shown as it is.
_USAGE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", "没有命令 {0}{1}"),
        (
            r"No such option: (\S+)(?: \(Possible options: (.+)\)| Did you mean (\S+)\?)?",
            "没有选项 {0}{1}",
        ),
        (r"Option '(.+?)' requires an argument\.", "选项 {0} 后面需要写一个值"),
        (r"Missing argument '(.+?)'\.", "缺少参数 {0}"),
        (r"Missing option '(.+?)'\.", "缺少选项 {0}"),
        (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", "多余的参数:{0}"),
        (
            r"Invalid value for (.+?): (?:Value error, )?'(.*)' is not one of (.*)\.",
            "{0} 的值 {1} 不对,可选:{2}",
        ),
        (r"Invalid value for (.+?): Input should be a valid integer.*", "{0} 应为整数"),
        (r"Invalid value for (.+?): (.*)", "{0} 的值不对:{1}"),
    )
)


def usage_message(english: str) -> str:
    """click's usage error in Chinese (the option names stay as typed)."""
    for pattern, words in _USAGE_WORDS:
        match = pattern.fullmatch(english.strip())
        if match:
            parts = [part or "" for part in match.groups()]
            if "{1}" in words and words.endswith("{1}"):  # a suggestion: (是不是 …?)
                hint = next((p for p in parts[1:] if p), "")
                return words.format(parts[0], f"(是不是 {hint}?)" if hint else "")
            return words.format(*parts)
    return english


def main() -> None:
    """Entry point: run the app; every failure becomes a message and an exit code."""
    debug = "--debug" in sys.argv[1:] or bool(os.environ.get("MINSHENG_DEBUG"))
    args = [arg for arg in sys.argv[1:] if arg != "--debug"]
    try:
        code = app(args=args, prog_name="minsheng", standalone_mode=False)
    except (Exception, KeyboardInterrupt) as error:
        code = failed(error, debug)
    sys.exit(code if isinstance(code, int) else 0)


def failed(error: BaseException, debug: bool) -> int:
    """Say what went wrong, in Chinese with its code, and give the exit code; with `debug`,
    an OS error or an internal error is raised again for its traceback."""
    if isinstance(error, typer.Abort):
        info("已取消,没有写入任何内容。")
        return 1
    if isinstance(error, ClickException):
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "minsheng"
        message = usage_message(error.format_message())  # type: ignore[attr-defined]
        info(f"错误 [usage]:{message}(用 {command} --help 查看用法)")
        return int(error.exit_code)  # type: ignore[attr-defined]
    if isinstance(error, DataError):
        for issue in error.issues:
            info(str(issue))
        info(f"数据有 {len(error.issues)} 个问题,请先修正(minsheng validate 可列出全部)。")
        return 1
    if isinstance(error, UsageError):
        info(f"错误 [{error.code}]:{error.message}")
        return 2
    if isinstance(error, RefusedError):
        info(f"拒绝 [{error.code}]:{error.message}")
        return 1
    if isinstance(error, KeyboardInterrupt):
        info("已中断。")
        return 130
    if isinstance(error, BrokenPipeError):
        # The reader went away (`minsheng list | head`): not an error, and nothing to flush.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if isinstance(error, OSError):
        # The system refused a read or a write (a folder given as --output, a full disk): the
        # person can act on it, so it is a message, never an internal error.
        if debug:
            raise error
        info(f"错误 [io-error]:{os_problem(error)}")
        return 1
    if debug or not isinstance(error, Exception):
        raise error
    info(f"内部错误 [internal]:{type(error).__name__}: {error}(加 --debug 可查看详细信息)")
    return 1


def os_problem(error: OSError) -> str:
    """An OSError in words: what could not be read or written, and why."""
    from minsheng.core.issues import os_reason

    reason = os_reason(error)
    where = error.filename2 if error.filename2 is not None else error.filename
    return f"无法读写 {where}:{reason}" if where is not None else f"文件读写失败:{reason}"
