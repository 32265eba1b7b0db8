"""`minsheng progress add --unit U` on a terminal with no item: every target the unit reports,
in turn (the rows of its monthly return), the date asked once, one confirmation, one write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Protocol

import typer

from minsheng.cli.asking import Asker, ask_date, ask_text, entry_or_problem, raise_first, refusing
from minsheng.cli.common import info
from minsheng.core.cache import Cache
from minsheng.core.datadir import DataDir
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import Kind, Target
from minsheng.progress.entry import ProgressEntry, Stage
from minsheng.returns.form import ReturnRow


class _Check(Protocol):
    """A reading checked against the entries already recorded (raises Problem)."""

    def __call__(self, **reading: object) -> None: ...


def walk(
    folder: DataDir,
    loaded: LoadedPlan,
    unit: str,
    date: str | None,
    ask: Asker,
    yes: bool,
    cache: Cache | None,
    allow_large: bool = False,
    received: dt.date | None = None,
) -> None:
    """Ask for every target of the unit (Enter skips one) and record the answers together;
    `received` is the day the office received the return, kept on each entry."""
    from minsheng.progress import store
    from minsheng.progress.checks import read_progress
    from minsheng.render.tables import to_terminal
    from minsheng.returns.form import previous_month_end, return_rows
    from minsheng.returns.importing import ReturnEntry
    from minsheng.views.returns import import_table

    ask.need("--unit 之外的事项序号")  # only a terminal can walk; elsewhere a usage error
    reporter = loaded.find_unit(unit)
    entries, _ = read_progress(folder, loaded, cache=cache)
    rows = return_rows(loaded, reporter, entries, None)
    if not rows:
        info(f"{reporter.name} 没有牵头的有任务事项,不需要报送。")
        return
    info(f"{reporter.name}:{len({row.item.id for row in rows})} 个事项、{len(rows)} 个指标,")
    info("逐个填写截至所填日期的累计完成数;直接回车跳过这个指标。")
    # A clerk reports June's figures in early July: the month before is offered.
    default = previous_month_end(dt.date.today(), loaded.plan.document.period)
    day = ask_date(loaded, date, ask, None, default=default)
    filled: list[ReturnEntry] = []
    for number, row in enumerate(rows, 1):
        earlier = [read.entry for read in filled]
        entry = _ask_row(folder, loaded, row, reporter.name, day, ask, cache,
                         (number, len(rows)), earlier, allow_large, received)  # fmt: skip
        if entry is not None:
            filled.append(ReturnEntry("", None, number, row.item, row.target, entry))
    if not filled:
        info("没有填写任何指标,没有写入。")
        return
    info(to_terminal([import_table(filled)], color=False).rstrip("\n"))
    if not yes and not typer.confirm(f"确认写入这 {len(filled)} 条?", default=True, err=True):
        info("已取消,没有写入任何内容。")
        raise typer.Exit(1)
    written = store.append_all(folder, loaded, [read.entry for read in filled], cache=cache)
    files = sorted({folder.display(one.path) for one in written})
    info(f"已登记 {len(written)} 条,写入 {'、'.join(files)}。")


def _ask_row(
    folder: DataDir,
    loaded: LoadedPlan,
    row: ReturnRow,
    unit: str,
    day: dt.date,
    ask: Asker,
    cache: Cache | None,
    place: tuple[int, int],
    earlier: list[ProgressEntry],
    allow_large: bool = False,
    received: dt.date | None = None,
) -> ProgressEntry | None:
    """One target: its last figure shown, its reading asked; None when skipped. A reading is
    checked with the answers `earlier` in the walk (资金拨付 after the 资金到位 just typed)."""
    from minsheng.plan.describe import target_words
    from minsheng.progress import store

    number, total = place
    last = row.fixed()
    said = f"(上次 {last['上次报送']},{last['上次日期']})" if last["上次日期"] else "(未报送过)"
    info(f"\n[{number}/{total}] 第 {row.item.id} 项 {last['事项']}")
    info(f"  {target_words(row.target)}{said}")

    def draft(**reading: object) -> ProgressEntry:
        return entry_or_problem(id=store.new_id(), item=row.item.id, target=row.target.id, date=day,
                      unit=unit, received=received, recorded_at=store.now(),
                      **reading)  # fmt: skip

    def against_data(**reading: object) -> None:
        found = store.problems_all(folder, loaded, [*earlier, draft(**reading)], cache=cache)
        raise_first([issue for at, issue in found if at in {len(earlier), None}], "value")

    reading = _reading(row.target, day, ask, against_data, allow_large)
    if reading is None:
        return None
    note = ask_text("note", None, ask, "  进展说明(可留空)")
    with refusing():
        return draft(note=note, **reading)


def _reading(
    target: Target, day: dt.date, ask: Asker, against_data: _Check, allow_large: bool = False
) -> dict[str, object] | None:
    """The value, or the stage and percentage of a milestone; None for Enter."""
    from minsheng.progress.rules import parse_percent, parse_stage, parse_value, stage_problem

    if target.kind is Kind.MILESTONE:
        stages = list(Stage)
        words = " / ".join(f"{index} {stage.value}" for index, stage in enumerate(stages, 1))

        def parse_phase(text: str) -> Stage | None:
            if not text:
                return None
            if text.isdigit() and 1 <= int(text) <= len(stages):
                return stages[int(text) - 1]
            return parse_stage(text)

        phase = ask.ask(f"  阶段({words};回车跳过)", parse_phase, default="")
        if phase is None:
            return None

        def parse_share(text: str) -> Decimal | None:
            share = parse_percent(text)
            problem = stage_problem(phase, share)
            if problem is not None:
                raise problem
            against_data(stage=phase, percent=share)
            return share

        share = ask.ask("  完成百分比(0–100,可留空)", parse_share, default="")
        return {"stage": phase, "percent": share}

    def parse(text: str) -> Decimal | None:
        if not text:
            return None
        amount = parse_value(text, target, allow_large=allow_large)
        against_data(value=amount)
        return amount

    what = "累计完成数" if target.kind is Kind.QUANTITY else "数值"
    unit = f",单位:{target.unit}" if target.unit else ""
    amount = ask.ask(f"  截至 {day} 的{what}(回车跳过{unit})", parse, default="")
    return None if amount is None else {"value": amount}
