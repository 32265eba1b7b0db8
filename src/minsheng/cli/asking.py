"""Asking on a terminal (终端询问) for what `progress add` lacks, and turning a broken rule
into a refusal (exit 1) or, on a terminal, a reason to ask again."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import typer

from minsheng.cli.common import info
from minsheng.core.issues import Code, Issue, RefusedError, UsageError
from minsheng.core.typography import typeset

if TYPE_CHECKING:  # the models are heavy to import: `--help` must not pay for them
    from minsheng.core.datadir import DataDir
    from minsheng.plan.load import LoadedPlan
    from minsheng.plan.models import Item, Target, Unit
    from minsheng.progress.entry import Entry, ProgressEntry, Stage
    from minsheng.progress.rules import Problem

T = TypeVar("T")


def entry_or_problem(**fields: object) -> ProgressEntry:
    """The entry, or a Problem naming the field the model rejects (a value out of range)."""
    from pydantic import ValidationError

    from minsheng.progress.entry import ProgressEntry
    from minsheng.progress.rules import Problem

    try:
        return ProgressEntry.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise Problem(field, Code.BAD_VALUE, problem["msg"]) from None


def _prompt(label: str, default: str | None) -> str:
    """One answer, as typed: the whole line read from standard input, as click prompts.

    Not through input(): on a terminal it reads a C string, which ends at a NUL, so a NUL
    typed (Ctrl-@) cut the answer short and left the rest of the line to the next prompt.
    """
    shown = f" [{default}]" if default else ""
    while True:
        typer.echo(typeset(f"{label}{shown}:") + " ", nl=False, err=True)
        line = sys.stdin.readline()
        if not line:
            raise typer.Abort()
        answer = line.rstrip("\r\n")
        if answer:
            return answer
        if default is not None:
            return default


class Asker:
    """Asks for what is missing on a terminal; elsewhere a missing value is a usage error."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.asked = False

    def need(self, option: str) -> None:
        if not self.interactive:
            message = f"缺少 {option}(标准输入不是终端,无法询问;请用选项给出)"
            raise UsageError(Code.MISSING_OPTION, message)
        self.asked = True

    def ask(self, label: str, parse: Callable[[str], T], default: str | None = None) -> T:
        """Ask until the answer parses; `parse` raises ValueError with the reason."""
        while True:
            answer = _prompt(label, default)
            if "\x00" in answer:
                info("输入有误:含有空字符(NUL),请重新输入")
                continue
            try:
                return parse(answer.strip())
            except ValueError as error:
                info(f"输入有误:{error}")

    def choose(self, title: str, options: list[tuple[str, str]]) -> int:
        """A numbered choice; the answer is a number or an option's key."""
        info(title)
        for number, (key, label) in enumerate(options, 1):
            info(f"  {number}) {key} {label}".rstrip())

        def parse(answer: str) -> int:
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return int(answer) - 1
            for index, (key, _) in enumerate(options):
                if answer == key:
                    return index
            raise ValueError(f"请输入 1–{len(options)} 的序号")

        return self.ask("请选择(序号)", parse)


# The rules live in minsheng.progress (Problem says which field breaks which); here they
# become refusals (exit 1) or, on a terminal, a reason to ask again.


def refused(code: Code, field: str, reason: str) -> RefusedError:
    return RefusedError(code, f"字段 {field}：{reason}")


def refuse(problem: Problem | None) -> None:
    """Refuse (exit 1) what a rule found, naming the field."""
    if problem is not None:
        raise refused(problem.code, problem.field, problem.message)


@contextmanager
def refusing() -> Iterator[None]:
    """A Problem raised inside is a refusal: an option's value is never asked again."""
    from minsheng.progress.rules import Problem

    try:
        yield
    except Problem as problem:
        raise refused(problem.code, problem.field, problem.message) from None


def or_refuse(parse: Callable[[str], T], text: str | None) -> T | None:
    """The parsed option, or None when it was not given."""
    if text is None:
        return None
    with refusing():
        return parse(text)


def raise_if(problem: Problem | None) -> None:
    """In a prompt, a rule's finding is a reason to ask again."""
    if problem is not None:
        raise problem


def raise_first(issues: list[Issue], field: str) -> None:
    """The first of the store's findings about this field, as a Problem (to ask again)."""
    from minsheng.progress.rules import Problem

    for issue in issues:
        if issue.path == field:
            raise Problem(issue.path, issue.code, issue.message)


def ask_item(loaded: LoadedPlan, number: int | None, ask: Asker) -> Item:
    from minsheng.progress.rules import item_problem

    def parse(answer: str) -> int:
        folded = unicodedata.normalize("NFKC", answer)
        if not re.fullmatch(r"[0-9]+", folded):
            raise ValueError("请输入事项序号(数字)")
        raise_if(item_problem(loaded, int(folded)))
        return int(folded)

    if number is None:
        ask.need("事项序号 N")
        number = ask.ask("事项序号", parse)
    refuse(item_problem(loaded, number))
    return loaded.item(number)


def ask_target(loaded: LoadedPlan, item: Item, given: str | None, ask: Asker) -> Target:
    from minsheng.plan.describe import target_words
    from minsheng.progress.rules import target_named

    targets = loaded.targets_of(item)
    if given is not None:
        with refusing():
            return target_named(loaded, item, given)
    if len(targets) == 1:
        return targets[0]
    ask.need("--target")
    options = [(t.id, target_words(t)) for t in targets]
    return targets[ask.choose(f"第 {item.id} 项的目标:", options)]


def ask_unit(
    loaded: LoadedPlan, item: Item, given: str | None, ask: Asker, target: Target | None = None
) -> Unit:
    """The unit given (checked), or the one that reports `target`: each target of a co-led
    item has one reporting unit, so it is never asked."""
    from minsheng.progress.rules import unit_problem

    if given is not None:
        try:
            chosen = loaded.find_unit(given)
        except UsageError as error:
            raise refused(Code.NOT_LEAD_UNIT, "unit", error.message) from None
        refuse(unit_problem(loaded, item, chosen.name, target))
        return chosen
    leads = [unit for name in loaded.canonical_units(item) if (unit := loaded.unit_named(name))]
    if target is not None and leads:
        found = loaded.unit_named(loaded.reporter(item, target))
        if found is not None:
            return found
    if len(leads) == 1:
        return leads[0]
    names = "、".join(unit.name for unit in leads)
    ask.need(f"--unit(第 {item.id} 项有多个牵头单位:{names})")
    return leads[ask.choose("填报单位:", [(unit.name, "") for unit in leads])]


def ask_date(
    loaded: LoadedPlan,
    given: str | None,
    ask: Asker,
    corrected: Entry | None,
    default: dt.date | None = None,
) -> dt.date:
    """The date given (checked at once), the corrected entry's, or asked (default today, or
    `default`)."""
    from minsheng.progress.rules import correction_date_problem, date_problem, parse_date

    period = loaded.plan.document.period
    today = dt.date.today()

    def parse(text: str) -> dt.date:
        day = parse_date(text)
        raise_if(date_problem(period, day, today))
        if corrected is not None:
            raise_if(correction_date_problem(corrected, day))
        return day

    if given is not None:
        with refusing():
            return parse(given)
    if corrected is not None:
        return corrected.date
    ask.need("--date")
    # Reporting after the year is over means reporting its end: offer that, not today.
    offered = default or min(max(today, period.start), period.end)
    return ask.ask("日期", parse, default=offered.isoformat())


def ask_reading(
    target: Target,
    day: dt.date,
    value: str | None,
    stage: str | None,
    percent: str | None,
    ask: Asker,
    against_data: Callable[[Decimal], None],
    *,
    allow_large: bool = False,
) -> tuple[Decimal | None, Stage | None, Decimal | None]:
    """The value, or for a milestone the stage and percentage; a value typed on a terminal
    is checked against the entries already recorded, and asked again when a rule refuses it."""
    from minsheng.plan.models import Kind
    from minsheng.progress.entry import Stage
    from minsheng.progress.rules import parse_percent, parse_stage, parse_value, stage_problem

    if target.kind is Kind.MILESTONE:
        if stage is None:
            ask.need("--stage")
            phase = list(Stage)[ask.choose("阶段:", [(s.value, "") for s in Stage])]
        else:
            with refusing():
                phase = parse_stage(stage)

        def parse_share(text: str) -> Decimal | None:
            share = parse_percent(text)
            raise_if(stage_problem(phase, share))
            return share

        if percent is None and ask.asked:
            return None, phase, ask.ask("完成百分比(0–100,可留空)", parse_share, default="")
        return None, phase, or_refuse(parse_share, percent)

    def parse(text: str) -> Decimal:
        amount = parse_value(text, target, allow_large=allow_large)
        if ask.interactive:
            against_data(amount)
        return amount

    label = f"截至 {day} 的{'累计完成数' if target.kind is Kind.QUANTITY else '数值'}"
    label += f"(单位:{target.unit})" if target.unit else ""
    if value is not None:
        if not ask.interactive:
            return or_refuse(parse, value), None, None
        try:
            return parse(value), None, None
        except ValueError as problem:  # on a terminal: say why, and ask
            info(f"--value 有误:{problem}")
    ask.need("--value")
    return ask.ask(label, parse), None, None


def ask_text(field: str, given: str | None, ask: Asker, label: str) -> str | None:
    """An optional one-line text: asked only when something else was asked."""
    from minsheng.progress.rules import parse_text

    if given is None and ask.asked:
        return ask.ask(label, lambda text: parse_text(field, text), default="")
    return or_refuse(lambda text: parse_text(field, text), given)


def ask_source(folder: DataDir, given: str | None, ask: Asker) -> str | None:
    """The source: a path in the repository must exist (asked again on a terminal)."""
    from minsheng.progress.rules import Problem, parse_text
    from minsheng.progress.sources import source_problem

    def parse(text: str) -> str | None:
        source = parse_text("source", text)
        reason = source_problem(source, folder.root.parent) if source else None
        if reason:
            raise Problem("source", Code.MISSING_SOURCE, reason)
        return source

    if given is None and ask.asked:
        return ask.ask("依据:文号、网址或仓库内文件路径(可留空)", parse, default="")
    return or_refuse(lambda text: parse_text("source", text), given)
