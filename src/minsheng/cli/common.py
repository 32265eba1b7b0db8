"""What every command shares: the option types, loading the data, writing the output."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from minsheng.core.issues import Code, UsageError

if TYPE_CHECKING:  # the models are heavy to import; `--help` must not pay for them
    from minsheng.api import PlanData
    from minsheng.core.datadir import DataDir
    from minsheng.plan.load import LoadedPlan


class Format(StrEnum):
    """Output formats of listings."""

    TABLE = "table"
    MARKDOWN = "markdown"
    CSV = "csv"
    JSON = "json"


AllowLargeOption = Annotated[
    bool,
    typer.Option(
        "--allow-large",
        help="确认数值属实:超过目标 10 倍的数值须加此项才登记(超过 100 倍的一律不登记)。",
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="不再询问确认。")]
ReceivedOption = Annotated[
    str | None,
    typer.Option(
        "--received",
        help="办公室收到报送表的日期 YYYY-MM-DD(收到后过几天才登记时写明);"
        "是否按时以它为准,不写则以登记时间为准。",
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="数据目录(含 tasks_<年份>.yaml 和 progress/);默认从当前目录向上查找 data/,"
        "或用环境变量 MINSHENG_DATA_DIR。",
        show_default=False,
    ),
]
YearOption = Annotated[
    int | None, typer.Option("--year", help="计划年份;默认取最新的一年。", show_default=False)
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="写入文件而不是标准输出。", show_default=False),
]


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="输出格式:table(表格)、markdown、csv 或 json。"),
]


def completion_plan(ctx: typer.Context) -> LoadedPlan | None:
    """The plan named by the options typed so far, for shell completion; None on any problem.

    A completion must never print an error into the user's shell: any problem with the data
    (or with the options typed so far) simply means no suggestions.
    """
    try:
        from minsheng.core.datadir import find_data_dir
        from minsheng.plan.load import load_plan

        data_dir = ctx.params.get("data_dir")
        folder = find_data_dir(Path(data_dir) if data_dir else None)
        loaded, _ = load_plan(folder.plan_path(ctx.params.get("year")))
        return loaded
    except Exception:
        return None


def _complete_units(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    loaded = completion_plan(ctx)
    if loaded is None:
        return []
    from minsheng.views.browse import complete_units

    return complete_units(loaded, incomplete or "")


UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        "-u",
        help="牵头单位:全称、别名或能唯一确定单位的一部分(如“民政”)。",
        show_default=False,
        autocompletion=_complete_units,
    ),
]


ProgressDirOption = Annotated[
    Path | None,
    typer.Option(
        "--progress-dir",
        help="进度记录目录;默认为数据目录下的 progress/(例如 examples/2024-06/progress)。",
        show_default=False,
    ),
]


def needs_output(output: Path | None, what: str, example: str) -> None:
    """A binary document (a workbook, a Word file) goes to a file: on a terminal it helps
    nobody, so without --output it is a usage error that shows the option to use."""
    if output is None:
        raise UsageError(
            Code.NEEDS_OUTPUT,
            f"{what}是二进制文件,不写到标准输出;请用 --output 指定文件,如 --output {example}",
        )


def open_data(
    data_dir: Path | None, year: int | None = None, progress_dir: Path | None = None
) -> tuple[DataDir, LoadedPlan]:
    """Find the data folder and load its plan, with its funds file where there is one (
    plan.funds); an invalid plan or funds file is a DataError.

    `progress_dir` reads the entries from elsewhere than `<data dir>/progress`.
    """
    folder, plan = open_plan(data_dir, year, progress_dir)
    return folder, plan.loaded


def open_plan(
    data_dir: Path | None, year: int | None = None, progress_dir: Path | None = None
) -> tuple[DataDir, PlanData]:
    """The plan through the library's front door (minsheng.load_plan), and its data folder
    reading its entries from `progress_dir` where given, settled (settle_progress)."""
    from minsheng.api import load_plan

    plan = load_plan(data_dir, year).reading(progress_dir)
    settle_progress(plan.folder)
    return plan.folder, plan


def settle_progress(folder: DataDir) -> None:
    """Complete or undo what an interrupted write left, before anything is read, and say
    which. Where that cannot be done (a folder that cannot be written to, a lock held past
    the wait), it is left for the reading to report."""
    from minsheng.core.issues import RefusedError
    from minsheng.progress.store import settle

    try:
        said = settle(folder)
    except RefusedError as error:
        info(f"注意 [{error.code}]：{error.message}")
        return
    except OSError:
        return
    if said:
        info(f"注意:{said}。")


def write_output(
    content: str | bytes,
    output: Path | None,
    folder: DataDir | None = None,
    *,
    data_dir: Path | None = None,
    progress_dir: Path | None = None,
    keep_data: bool = True,
) -> None:
    """The product goes to stdout, or atomically to `--output` (never half a file).

    Only a regular file (or a new one) is written: a device, a pipe or a symlink at the path
    is refused, not replaced by a file. An existing file keeps its permissions. The data is
    never written over (refuse_data_output): not the plan, nor anything under a progress
    folder, whatever the command. `folder` is the data in use; without it, the one
    `data_dir` (or the usual search) finds, with `progress_dir`; `keep_data=False` only for
    a command whose product is a plan file (it may then replace a plan, never a record).
    """
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
            sys.stdout.flush()
        return
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = _output_mode(output)
    refuse_data_output(output, folder, data_dir, progress_dir, plan_ok=not keep_data)
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)  # `--output site/index.html` makes site/
    handle, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _output_mode(output: Path) -> int:
    """The permissions the output file gets: its own if it exists (read, write and execute
    bits), else 0666 less the umask; UsageError for anything but a regular file."""
    try:
        status = os.lstat(output)
    except FileNotFoundError:
        return 0o666 & ~_umask()
    except NotADirectoryError:
        raise UsageError(
            Code.OUTPUT_NOT_A_FILE, f"--output {output}:路径中有一段不是文件夹"
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise UsageError(Code.OUTPUT_IS_FOLDER, f"--output 应是文件名,{output} 是一个文件夹")
    if stat.S_ISLNK(status.st_mode):
        message = f"--output {output} 是符号链接,出于安全不会跟随它写入;请直接写出文件的路径"
        raise UsageError(Code.OUTPUT_NOT_A_FILE, message)
    if not stat.S_ISREG(status.st_mode):
        message = f"--output {output} 不是普通文件(可能是设备或管道),不会写入或替换它"
        raise UsageError(Code.OUTPUT_NOT_A_FILE, message)
    return stat.S_IMODE(status.st_mode) & 0o777


def refuse_data_output(
    output: Path,
    folder: DataDir | None = None,
    data_dir: Path | None = None,
    progress_dir: Path | None = None,
    *,
    plan_ok: bool = False,
) -> None:
    """UsageError if `--output` would land in a progress folder (its records are only ever
    appended to, by the store) or, unless `plan_ok`, on a plan file. The one guard of every
    command's `--output`.

    A progress folder is the data's in use (`folder`, else the one `data_dir` or the usual
    search finds, with `progress_dir`), and also any folder named `progress` beside a plan
    file on the way up from the output: a command run elsewhere (`plan draft`, which needs
    no data folder) must not write into another data folder's records either.
    """
    if folder is None:
        from minsheng.core.datadir import find_data_dir

        try:
            folder = find_data_dir(data_dir).with_progress(progress_dir)
        except UsageError:
            folder = None  # no data folder in use: the path itself is still looked at
    target = output.resolve()
    progress_folders = [up for up in target.parents if _holds_records(up)]
    if folder is not None:
        progress_folders += [folder.progress.resolve(), (folder.root / "progress").resolve()]
        plans = {folder.root.resolve() / f"tasks_{year}.yaml" for year in folder.years()}
        if target in plans and not plan_ok:
            message = f"--output {output} 是计划文件,不能用输出覆盖它;请换一个文件名"
            raise UsageError(Code.OUTPUT_IS_DATA, message)
    for progress in progress_folders:
        if target.is_relative_to(progress):
            message = (
                f"--output {output} 在进度记录目录 {progress} 中,那里的记录只能追加,"
                "不能用输出覆盖或新增文件;请换一个位置"
            )
            raise UsageError(Code.OUTPUT_IS_DATA, message)


def _holds_records(folder: Path) -> bool:
    """A folder named `progress` next to a plan file `tasks_<year>.yaml`: a data folder's."""
    return folder.name == "progress" and any(folder.parent.glob("tasks_*.yaml"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def terminal_style(output: Path | None) -> tuple[bool, int | None]:
    """Colour and width for terminal tables: colour only for a person at a terminal (and not
    with NO_COLOR, no-color.org); the terminal's width (or $COLUMNS) on stdout, and the
    renderer's fixed width in a file."""
    import shutil

    from minsheng.render.tables import stdout_is_terminal

    if output is not None:
        return False, None
    color = stdout_is_terminal() and not os.environ.get("NO_COLOR")
    return color, shutil.get_terminal_size((120, 40)).columns


def info(message: str, *, prose: bool = True) -> None:
    """A message for the person, on stderr (stdout carries only the product), in Chinese
    typography; `prose=False` for a line whose places (file:line) are already set apart."""
    from minsheng.core.typography import typeset

    typer.echo(typeset(message) if prose else message, err=True)


NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="不用缓存,重新读取并校验每个进度文件(缓存在用户缓存目录,如 ~/.cache/minsheng;"
        "也可设环境变量 MINSHENG_NO_CACHE=1)。",
    ),
]


def option_date(text: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD date given to `option`, read as the prompts read it (full-width digits
    too); None when not given; a usage error naming the option when it is no date."""
    from minsheng.core.dates import DateError, read_date

    if text is None:
        return None
    try:
        return read_date(text)
    except DateError as error:
        raise UsageError(Code.BAD_DATE, f"{option} 的值不对:{error}") from None


def split_list(text: str) -> list[str]:
    """`区委办公室,区政协办公室` (or with the full-width comma, 、 or a semicolon, full-width
    or not) as its names."""
    import re

    return [part.strip() for part in re.split(r"[,\uff0c、;\uff1b]", text) if part.strip()]


def docx_only(options: tuple[tuple[str, str | None], ...], is_docx: bool, what: str) -> None:
    """The 公文's options (--title, --issuer, --number, …) are refused with any other format:
    a usage error naming those given, never silently ignored."""
    given = [name for name, value in options if value is not None]
    if given and not is_docx:
        raise UsageError(
            Code.MASTHEAD_NEEDS_DOCX,
            f"{'、'.join(given)} 只用于 --format docx({what});"
            "请去掉这些选项,或改用 --format docx --output 文件名.docx",
        )
