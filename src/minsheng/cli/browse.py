"""`minsheng list` and `minsheng show`: typer only, over minsheng.views.browse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from minsheng.cli.common import (
    DataDirOption,
    Format,
    FormatOption,
    NoCacheOption,
    OutputOption,
    UnitOption,
    YearOption,
    completion_plan,
    info,
    open_data,
    open_plan,
    terminal_style,
    write_output,
)

if TYPE_CHECKING:  # the plan's models are heavy to import; `--help` must not pay for them
    from minsheng.api import PlanData
    from minsheng.plan.load import LoadedPlan
    from minsheng.render.tables import Table
    from minsheng.views.browse import Selection


# --- shell completion: reads the plan named by the options typed so far -------------------


def _completer(name: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """A completion callback that calls `browse.<name>(plan, incomplete)`."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        loaded = completion_plan(ctx)
        if loaded is None:
            return []
        from minsheng.views import browse

        suggest: Callable[[LoadedPlan, str], list[tuple[str, str]]] = getattr(browse, name)
        return suggest(loaded, incomplete or "")

    return complete


def _complete_status(incomplete: str) -> list[tuple[str, str]]:
    from minsheng.views import browse

    return browse.complete_statuses(incomplete or "")


# --- options -------------------------------------------------------------------------------

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
        help="状态(按今天或 --as-of 那天的进度计算,与 report 相同):"
        "done(已完成)、on_track(正常推进)、behind(滞后)、lagging(严重滞后)、unreported(从未报送)、"
        "no_task(无任务)、active(有任务),以及 missing(本月未报送:最近一个已过完的月份,"
        "截止日已过仍没有报);也可写中文。",
        show_default=False,
        autocompletion=_complete_status,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="按哪一天的进度计算 --status(YYYY-MM-DD);默认今天(晚于计划期则取计划期末)。",
        show_default=False,
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
    as_of: AsOfOption = None,
    active: ActiveOption = False,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """列出事项,可按牵头单位、类别、状态筛选,条件可以组合。

    不加 --active 时列出全部事项,“我区无任务”的事项在“状态”列标出。

    没有符合条件的事项时,标准输出为空(json 为 [],csv 只有表头),退出码 0。

    例:minsheng list --unit 民政 --format csv --output 民政局事项.csv
    例:minsheng list --status lagging --as-of 2024-06-30
    """
    day = _as_of(as_of, status)
    if format is Format.JSON and status is None:  # the plan alone answers this: kept
        fresh = partial(_list_json, data_dir, year, unit, category, active)
        question = ("list", unit, category, active)
        write_output(
            _from_plan(data_dir, year, question, fresh, output, no_cache), output, data_dir=data_dir
        )
        return
    from minsheng.views import browse

    folder, plan = open_plan(data_dir, year)
    loaded = plan.loaded
    selection = browse.make_selection(
        loaded, unit=unit, category=category, status=status, active=active
    )
    statuses, used = _statuses(plan, selection, no_cache, day)
    items = browse.select_items(loaded, selection, statuses)
    if not items:
        info(f"提示 [no-items]：没有符合条件的事项({selection.describe() or '全部'})。")
    if format is Format.JSON:
        write_output(browse.dump_json([browse.item_json(loaded, i) for i in items]), output, folder)
        return
    if not items and format is not Format.CSV:
        write_output("", output, folder)
        return
    table = browse.list_table(loaded, items, selection, statuses, used)
    write_output(_render([table], format, output), output, folder)


def show_item(
    number: ItemArgument,
    format: FormatOption = Format.TABLE,
    output: OutputOption = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
    no_cache: NoCacheOption = False,
) -> None:
    """显示一个事项的全部内容:原文、类别、牵头单位、每个目标、每条推进措施及其子目标、备注。

    例:minsheng show 10
    """
    if format is Format.JSON:  # the plan alone answers this: kept
        fresh = partial(_show_json, data_dir, year, number)
        question = ("show", number)
        write_output(
            _from_plan(data_dir, year, question, fresh, output, no_cache), output, data_dir=data_dir
        )
        return
    from minsheng.views import browse

    folder, loaded = open_data(data_dir, year)
    item = loaded.item(number)
    write_output(_render(browse.show_tables(loaded, item), format, output), output, folder)


# --- helpers -------------------------------------------------------------------------------


def _from_plan(
    data_dir: Path | None,
    year: int | None,
    question: tuple[object, ...],
    answer: Callable[[], tuple[str, bool]],
    output: Path | None,
    no_cache: bool,
) -> str:
    """A JSON answer from the plan alone, kept by the plan's bytes (minsheng.cli.answers), so a
    repeated question imports neither YAML nor the models; printed (not `--output`), it is
    kept by the command line too, so the next one is answered before typer loads."""
    if no_cache:
        return answer()[0]
    from minsheng.cli.answers import note_command, remembered
    from minsheng.core.datadir import find_data_dir

    text = remembered(find_data_dir(data_dir).plan_path(year), question, answer)
    if output is None:
        note_command(data_dir, year, question)
    return text


def _list_json(
    data_dir: Path | None, year: int | None, unit: str | None, category: str | None, active: bool
) -> tuple[str, bool]:
    from minsheng.views import browse

    _, loaded = open_data(data_dir, year)
    selection = browse.make_selection(
        loaded, unit=unit, category=category, status=None, active=active
    )
    items = browse.select_items(loaded, selection, None)
    if not items:  # the hint goes to stderr each time: an empty answer is not kept
        info(f"提示 [no-items]：没有符合条件的事项({selection.describe() or '全部'})。")
    return browse.dump_json([browse.item_json(loaded, i) for i in items]), bool(items)


def _show_json(data_dir: Path | None, year: int | None, number: int) -> tuple[str, bool]:
    from minsheng.views import browse

    _, loaded = open_data(data_dir, year)
    return browse.dump_json(browse.item_json(loaded, loaded.item(number))), True


def _render(tables: list[Table], format: Format, output: Path | None) -> str:
    from minsheng.views.browse import render_tables

    color, width = terminal_style(output)
    return render_tables(tables, format.value, color=color, width=width)


def _as_of(text: str | None, status: str | None) -> dt.date | None:
    """The --as-of date; it only means something with --status, so alone it is refused."""
    if text is None:
        return None
    from minsheng.cli.common import option_date
    from minsheng.core.issues import Code, UsageError

    if status is None:
        raise UsageError(
            Code.AS_OF_WITHOUT_STATUS, "--as-of 只用于 --status:按哪一天的进度计算状态"
        )
    return option_date(text, "--as-of")


def _statuses(
    plan: PlanData,
    selection: Selection,
    no_cache: bool,
    day: dt.date | None = None,
) -> tuple[dict[int, str] | None, dt.date | None]:
    """Each item's status on `day` (today by default), as the report computes it (through the
    library's front door, as `report` does), and the date used; read only when the filter
    needs more than the plan (no_task and active are known without the progress entries)."""
    from minsheng.core.status import MISSING
    from minsheng.views.browse import ACTIVE, NO_TASK

    if selection.status in (None, NO_TASK, ACTIVE):
        return None, None
    from minsheng.api import build_report, load_progress

    progress = load_progress(plan, cache=not no_cache)
    missing = selection.status == MISSING  # 本月未报送 is the monthly cycle's
    report = build_report(plan, progress, day, monthly=missing)
    if missing and report.cycle is not None:
        return {number: MISSING for number in report.cycle.missing_now()}, report.now.as_of
    return {result.item.id: result.status.value for result in report.now.items}, report.now.as_of
