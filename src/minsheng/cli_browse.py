"""`minsheng list` and `minsheng show`: typer only, over minsheng.browse."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from minsheng.cli_common import (
    DataDirOption,
    Format,
    OutputOption,
    YearOption,
    info,
    open_data,
    write_output,
)

if TYPE_CHECKING:  # the plan's models are heavy to import; `--help` must not pay for them
    from minsheng.browse import Selection
    from minsheng.datadir import DataDir
    from minsheng.plan import LoadedPlan
    from minsheng.tables import Table


# --- shell completion: reads the plan named by the options typed so far -------------------


def _completion_plan(ctx: typer.Context) -> LoadedPlan | None:
    # A completion must never print an error into the user's shell: any problem with the
    # data (or with the options typed so far) simply means no suggestions.
    try:
        from minsheng.datadir import find_data_dir
        from minsheng.plan import load_plan

        data_dir = ctx.params.get("data_dir")
        folder = find_data_dir(Path(data_dir) if data_dir else None)
        loaded, _ = load_plan(folder.plan_path(ctx.params.get("year")))
        return loaded
    except Exception:
        return None


def _completer(name: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """A completion callback that calls `browse.<name>(plan, incomplete)`."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        loaded = _completion_plan(ctx)
        if loaded is None:
            return []
        from minsheng import browse

        suggest: Callable[[LoadedPlan, str], list[tuple[str, str]]] = getattr(browse, name)
        return suggest(loaded, incomplete or "")

    return complete


def _complete_status(incomplete: str) -> list[tuple[str, str]]:
    from minsheng import browse

    return browse.complete_statuses(incomplete or "")


# --- options -------------------------------------------------------------------------------

FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="输出格式:table(表格)、markdown、csv 或 json。"),
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        "-u",
        help="牵头单位:全称、别名或能唯一确定单位的一部分(如“民政”)。",
        show_default=False,
        autocompletion=_completer("complete_units"),
    ),
]
CategoryOption = Annotated[
    str | None,
    typer.Option(
        "--category",
        "-c",
        help="类别:序号(3)或名称(困难群体救助)。",
        show_default=False,
        autocompletion=_completer("complete_categories"),
    ),
]
StatusOption = Annotated[
    str | None,
    typer.Option(
        "--status",
        "-s",
        help="状态(按今天的进度计算,与 report 相同):done(已完成)、on_track(正常推进)、"
        "behind(滞后)、lagging(严重滞后)、unreported(未报送)、no_task(无任务)、"
        "active(有任务);也可写中文。",
        show_default=False,
        autocompletion=_complete_status,
    ),
]
ActiveOption = Annotated[
    bool, typer.Option("--active", help="只列出有任务的事项,不含“我区无任务”的事项。")
]
ItemArgument = Annotated[
    int,
    typer.Argument(
        help="事项序号(1–50)。",
        metavar="N",
        show_default=False,
        autocompletion=_completer("complete_items"),
    ),
]


# --- commands ------------------------------------------------------------------------------


def list_items(
    unit: UnitOption = None,
    category: CategoryOption = None,
    status: StatusOption = None,
    active: ActiveOption = False,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
) -> None:
    """列出事项,可按牵头单位、类别、状态筛选,条件可以组合。

    不加 --active 时列出全部事项,“我区无任务”的事项在“状态”列标出。

    没有符合条件的事项时,标准输出为空(json 为 [],csv 只有表头),退出码 0。

    例:minsheng list --unit 民政 --format csv --output 民政局事项.csv
    """
    from minsheng import browse

    folder, loaded = open_data(data_dir, year)
    selection = browse.make_selection(
        loaded, unit=unit, category=category, status=status, active=active
    )
    statuses = _statuses(folder, loaded, selection)
    items = browse.select_items(loaded, selection, statuses)
    if not items:
        info(f"提示 [no-items]:没有符合条件的事项({selection.describe() or '全部'})。")
    if format is Format.JSON:
        write_output(browse.dump_json([browse.item_json(loaded, i) for i in items]), output)
        return
    if not items and format is not Format.CSV:
        write_output("", output)
        return
    table = browse.list_table(loaded, items, selection, statuses)
    write_output(_render([table], format, output), output)


def show_item(
    number: ItemArgument,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
) -> None:
    """显示一个事项的全部内容:原文、类别、牵头单位、每个目标、每条推进措施及其子目标、备注。

    例:minsheng show 10
    """
    from minsheng import browse

    _, loaded = open_data(data_dir, year)
    item = loaded.item(number)
    if format is Format.JSON:
        write_output(browse.dump_json(browse.item_json(loaded, item)), output)
        return
    write_output(_render(browse.show_tables(loaded, item), format, output), output)


# --- helpers -------------------------------------------------------------------------------


def _render(tables: list[Table], format: Format, output: Path | None) -> str:
    from minsheng.browse import render_tables
    from minsheng.tables import stdout_is_terminal

    to_screen = output is None and stdout_is_terminal()
    color = to_screen and not os.environ.get("NO_COLOR")
    # A file gets the renderer's fixed width; stdout follows the terminal (or $COLUMNS).
    width = None if output is not None else shutil.get_terminal_size((120, 40)).columns
    return render_tables(tables, format.value, color=color, width=width)


def _statuses(folder: DataDir, loaded: LoadedPlan, selection: Selection) -> dict[int, str] | None:
    """Each item's status today, as the report computes it; read only when the filter needs
    more than the plan (no_task and active are known without the progress entries)."""
    from minsheng.browse import ACTIVE, NO_TASK, item_statuses

    if selection.status in (None, NO_TASK, ACTIVE):
        return None
    from minsheng.issues import DataError
    from minsheng.progress import read_progress

    entries, issues = read_progress(folder, loaded)
    if issues:
        raise DataError(issues)
    # Like `minsheng report`: today, or the end of the plan period once it is over.
    as_of = min(dt.date.today(), loaded.plan.document.period.end)
    return item_statuses(loaded, entries, as_of)
