"""The command line: typer only, thin over the library; one place maps errors to exit codes."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from minsheng.cli import browse, plan, progress, report, returns, rollup, upgrade, validate
from minsheng.cli.common import info
from minsheng.cli.usage import usage_message
from minsheng.core.issues import DataError, RefusedError, StoppedError, UsageError

# The help of the options click and typer add themselves, in the clerk's language.
_OPTION_HELP = {
    "install_completion": "为当前的 shell 安装命令补全。",
    "show_completion": "显示当前 shell 的命令补全脚本,可复制或自行安装。",
}
_HELP_HELP = "显示本帮助后退出。"
# click's own words in a help page (headings, the usage line, defaults): exact pieces, so
# the help texts written here are never touched.
_HELP_WORDS = (
    ("Usage: ", "用法:"),
    (" [OPTIONS]", " [选项]"),
    (" COMMAND [ARGS]...", " 命令 [参数]..."),
    ("\nArguments:\n", "\n参数:\n"),
    ("\nOptions:\n", "\n选项:\n"),
    ("\nCommands:\n", "\n命令:\n"),
    ("[required]", "[必填]"),
)
# The bracket after an option's help may be broken over two lines.
_HELP_EXTRAS = re.compile(r"\[default:(?: |(\n\s*))|;(?: |(\n\s*))required\]")


def _help_in_chinese(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)

    def extra(match: re.Match[str]) -> str:
        if match.group(0).startswith("["):
            return "[默认:" + (match.group(1) or "")
        return ";" + (match.group(2) or "") + "必填]"

    return _HELP_EXTRAS.sub(extra, text)


def _in_chinese(params: list[Any]) -> list[Any]:
    for param in params:
        if param.name in _OPTION_HELP:
            param.help = _OPTION_HELP[param.name]
    return params


class _ChineseHelp:
    """Help in Chinese throughout: the help option's own line and click's headings."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _HELP_HELP
        return option

    def get_help(self, ctx: Any) -> str:
        from minsheng.core.typography import typeset

        # Typeset before click wraps the lines, so that a pair of brackets is seen whole.
        command: Any = self
        command.help = typeset(command.help or "")
        for param in command.get_params(ctx):
            if getattr(param, "help", None):
                param.help = typeset(param.help)
        return typeset(_help_in_chinese(super().get_help(ctx)))  # type: ignore[misc]


class _Group(_ChineseHelp, TyperGroup):
    """A command group whose help is Chinese throughout."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _in_chinese(super().get_params(ctx))


class _Command(_ChineseHelp, TyperCommand):
    """A command whose help is Chinese throughout."""


app = typer.Typer(
    name="minsheng",
    cls=_Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
progress_app = typer.Typer(cls=_Group, help="登记和查看进度(月调度)。", no_args_is_help=True)
app.add_typer(progress_app, name="progress")
plan_app = typer.Typer(
    cls=_Group, help="计划文件:从通知原文起草,把旧版格式改写为当前格式。", no_args_is_help=True
)
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


app.command("list", cls=_Command)(browse.list_items)
app.command("show", cls=_Command)(browse.show_item)
progress_app.command("add", cls=_Command)(progress.add)
progress_app.command("list", cls=_Command)(progress.list_entries)
progress_app.command("template", cls=_Command)(returns.template)
progress_app.command("import", cls=_Command)(returns.import_returns)
app.command("report", cls=_Command)(report.report)
app.command("rollup", cls=_Command)(rollup.rollup)
app.command("validate", cls=_Command)(validate.validate)
plan_app.command("draft", cls=_Command)(plan.draft)
plan_app.command("upgrade", cls=_Command)(upgrade.upgrade)


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
        if type(error).__name__ == "NoArgsIsHelpError":  # a group given no command: its help
            info(str(getattr(error, "message", "")).rstrip("\n"))
            return int(error.exit_code)  # type: ignore[attr-defined]
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "minsheng"
        message = usage_message(error)
        info(f"错误 [usage]：{message}(用 {command} --help 查看用法)")
        return int(error.exit_code)  # type: ignore[attr-defined]
    if isinstance(error, DataError):
        for issue in error.issues:
            info(str(issue), prose=False)
        info(f"数据有 {len(error.issues)} 个问题,请先修正(minsheng validate 可列出全部)。")
        return 1
    if isinstance(error, UsageError):
        info(f"错误 [{error.code}]：{error.message}")
        return 2
    if isinstance(error, RefusedError):
        info(f"拒绝 [{error.code}]：{error.message}")
        return 1
    if isinstance(error, StoppedError):
        info(f"错误 [{error.code}]：{error.message}")
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
        info(f"错误 [io-error]：{os_problem(error)}")
        return 1
    if debug or not isinstance(error, Exception):
        raise error
    info(f"内部错误 [internal]：{type(error).__name__}: {error}(加 --debug 可查看详细信息)")
    return 1


def os_problem(error: OSError) -> str:
    """An OSError in words: what could not be read or written, and why."""
    from minsheng.core.issues import os_reason

    reason = os_reason(error)
    where = error.filename2 if error.filename2 is not None else error.filename
    return f"无法读写 {where}:{reason}" if where is not None else f"文件读写失败:{reason}"
