"""The completion report (完成情况通报): its tables and JSON document; `render` picks the format."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Protocol

from minsheng.core.measure import format_decimal, json_number
from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.core.status import STYLES as STATUS_STYLES
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.plan.describe import requirement_words, short_title, target_json
from minsheng.plan.models import BASIS_WORDS, Kind
from minsheng.progress.entry import AnyEntry
from minsheng.render.tables import Cell, Column, Table, md_escape, to_csv, to_markdown, to_terminal
from minsheng.report import monthly
from minsheng.report.compute import ItemResult, Report, Snapshot, TargetResult, points, ranks
from minsheng.report.cycle import RETURN_WORDS

if TYPE_CHECKING:
    from minsheng.render.docx import Masthead

# `by` chooses the rows: None is the whole bulletin, "item" the items, or one of these.
BY_UNIT, BY_CATEGORY = "unit", "category"

BAR_CELLS = 10


# --- small formatting helpers -------------------------------------------------------------


def percent(fraction: Decimal | None) -> str:
    return "" if fraction is None else f"{points(fraction)}%"


def bar(fraction: Decimal) -> str:
    """A ten-cell text bar; a cell is filled only when fully earned (96% is not full)."""
    filled = int((min(fraction, Decimal(1)) * BAR_CELLS).to_integral_value(ROUND_FLOOR))
    filled = max(0, filled)
    return "█" * filled + "░" * (BAR_CELLS - filled)


def progress_cell(fraction: Decimal | None) -> str:
    return "" if fraction is None else f"{bar(fraction)} {percent(fraction)}"


def status_cell(status: Status) -> Cell:
    return Cell(STATUS_WORDS[status], STATUS_STYLES[status])


def inert(text: str | None) -> str:
    """Data text on one line, without control characters that a terminal would obey."""
    if not text:
        return ""
    kept = "".join(" " if unicodedata.category(c) in {"Cc", "Cf"} else c for c in text)
    return " ".join(kept.split())


def gap_text(result: ItemResult) -> str:
    """Points below expected, one decimal kept (31.0, not 31)."""
    return "" if result.gap is None else str(result.gap)


def units_text(result: ItemResult) -> str:
    return "、".join(result.units)


def state_text(result: ItemResult) -> str:
    """Where the latest entry put its target: the stage (with percent), or the value."""
    entry = result.latest
    if entry is None:
        return ""
    if entry.stage is not None:
        share = f"({format_decimal(entry.percent)}%)" if entry.percent is not None else ""
        return f"{entry.stage}{share}"
    if entry.value is None:
        return ""
    target = next((t.target for t in result.targets if t.target.id == entry.target), None)
    if target is None:
        return format_decimal(entry.value)
    # A quantity is reported cumulatively (累计); a level or a standard is where it stands.
    cumulative = "累计" if target.kind is Kind.QUANTITY else ""
    return f"{cumulative}{format_decimal(entry.value)}{target.unit or ''}"


def latest_text(result: ItemResult) -> str:
    """The latest progress in a line: its date and stage or value, then the latest note
    (with its own date when it came from an earlier entry)."""
    entry, noted = result.latest, result.note
    if entry is None:
        return ""
    text = f"{entry.date} {state_text(result)}".rstrip()
    if noted is not None:
        text += f";{inert(noted.note)}"
        if noted.date != entry.date:
            text += f"({noted.date})"
    return text


def basis_words(report: Report) -> str:
    """How 序时进度 was counted (按月计 or 按天计): two counts can differ on a status."""
    return BASIS_WORDS[report.plan.schedule.basis]


def category_name(report: Report, number: int) -> str:
    return next(c.name for c in report.plan.categories if c.no == number)


def active(snapshot: Snapshot) -> list[ItemResult]:
    return [r for r in snapshot.items if r.status is not Status.NO_TASK]


# --- the text around the tables -----------------------------------------------------------


def heading(report: Report) -> str:
    return f"{report.plan.document.year}年民生实事完成情况通报(截至 {report.now.as_of})"


def summary_sentence(report: Report) -> str:
    """The bulletin's opening sentence, as a 督查室 would write it."""
    now = report.now
    counts = now.summary
    total = len(now.items)
    working = total - counts[Status.NO_TASK]
    parts = ",".join(f"{STATUS_WORDS[s]} {counts[s]} 项" for s in ACTIVE_STATUSES)
    return (
        f"依据{report.plan.document.number}。"
        f"序时进度 {percent(now.expected)}({basis_words(report)})。"
        f"全部 {total} 项中,有任务 {working} 项:{parts};无任务 {counts[Status.NO_TASK]} 项。"
    )


# --- the tables ---------------------------------------------------------------------------


def summary_table(report: Report) -> Table:
    table = Table([Column("status", "状态"), Column("count", "项数", "right")], title="按状态汇总")
    for status in Status:
        table.rows.append([status_cell(status), report.now.summary[status]])
    table.rows.append(["合计", len(report.now.items)])
    return table


def item_table(report: Report) -> Table:
    table = Table(
        [
            Column("id", "序号", "right"),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("completion", "完成进度"),
            Column("expected", "序时进度", "right"),
            Column("status", "状态"),
        ],
        title="各项完成情况",
    )
    for result in active(report.now):
        table.rows.append(
            [
                result.item.id,
                short_title(result.item),
                units_text(result),
                progress_cell(result.completion),
                percent(result.expected),
                status_cell(result.status),
            ]
        )
    return table


def _status_columns() -> list[Column]:
    return [Column(s.value, STATUS_WORDS[s], "right") for s in ACTIVE_STATUSES]


def unit_table(report: Report) -> Table:
    table = Table(
        [
            Column("rank", "名次", "right"),
            Column("unit", "牵头单位"),
            Column("items", "事项数", "right"),
            Column("completion", "平均完成进度"),
            *_status_columns(),
        ],
        title="牵头单位排名",
    )
    returns = monthly.rates(report) if monthly.has_returns(report) else {}
    if returns:  # how often on time, beside how far along: offices rank units on both
        table.columns.insert(4, Column("on_time_rate", "按时报送率", "right"))
    units = report.now.units
    for rank, unit in zip(ranks(units), units, strict=True):
        counts = [unit.counts[s] for s in ACTIVE_STATUSES]
        row: list[Any] = [rank, unit.name, len(unit.items), progress_cell(unit.completion)]
        if returns:
            row.append(monthly.rate_text(returns[unit.name], report.now.as_of))
        table.rows.append([*row, *counts])
    return table


def category_table(report: Report) -> Table:
    table = Table(
        [
            Column("no", "序号", "right"),
            Column("category", "类别"),
            Column("items", "事项数", "right"),
            Column("completion", "平均完成进度"),
            *_status_columns(),
            Column("no_task", STATUS_WORDS[Status.NO_TASK], "right"),
        ],
        title="分类完成情况",
    )
    for category, group in zip(report.plan.categories, report.now.categories, strict=True):
        counts = [group.counts[s] for s in Status]
        table.rows.append(
            [category.no, group.name, len(group.items), progress_cell(group.completion), *counts]
        )
    return table


def lagging_items(snapshot: Snapshot) -> list[ItemResult]:
    """Behind and lagging items, the worst first."""
    found = [r for r in snapshot.items if r.status in {Status.LAGGING, Status.BEHIND}]
    return sorted(found, key=lambda r: (r.status is not Status.LAGGING, -(r.gap or 0), r.item.id))


def lagging_table(report: Report) -> Table:
    table = Table(
        [
            Column("id", "序号", "right"),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("status", "状态"),
            Column("completion", "完成进度", "right"),
            Column("gap", "落后(百分点)", "right"),
            Column("latest", "最新进展", wrap=True),
        ],
        title="滞后事项",
    )
    for result in lagging_items(report.now):
        table.rows.append(
            [
                result.item.id,
                short_title(result.item),
                units_text(result),
                status_cell(result.status),
                percent(result.completion),
                gap_text(result),
                latest_text(result),
            ]
        )
    return table


def unreported_table(report: Report) -> Table:
    table = Table([Column("unit", "牵头单位"), Column("items", "未报送事项")], title="未报送单位")
    for name, numbers in unreported_units(report):
        table.rows.append([name, "、".join(str(n) for n in numbers)])
    return table


def unreported_units(report: Report) -> list[tuple[str, list[int]]]:
    """Units with an active item not reported, in registry order, with those items' numbers."""
    silent: dict[str, list[int]] = {unit.name: [] for unit in report.plan.units}
    for result in report.now.items:
        if result.status is Status.UNREPORTED:
            for name in result.units:
                silent[name].append(result.item.id)
    return [(name, numbers) for name, numbers in silent.items() if numbers]


def changes(report: Report) -> list[tuple[ItemResult, ItemResult]]:
    """Active items whose completion or status moved since `--since`: (then, now)."""
    if report.since is None:
        return []
    pairs = zip(report.since.items, report.now.items, strict=True)
    return [
        (then, now)
        for then, now in pairs
        if now.status is not Status.NO_TASK
        and (then.completion != now.completion or then.status is not now.status)
    ]


def changes_table(report: Report) -> Table:
    assert report.since is not None
    then_date, now_date = report.since.as_of, report.now.as_of
    table = Table(
        [
            Column("id", "序号", "right"),
            Column("title", "事项", wrap=True),
            Column("then", f"{then_date} 完成", "right"),
            Column("now", f"{now_date} 完成", "right"),
            Column("change", "变化(百分点)", "right"),
            Column("status", "状态变化", wrap=True),
        ],
        title=f"{then_date} 以来的变化",
    )
    for then, now in changes(report):
        assert then.completion is not None and now.completion is not None
        change = points(now.completion) - points(then.completion)
        moved = STATUS_WORDS[now.status]
        if then.status is not now.status:
            moved = f"{STATUS_WORDS[then.status]} → {moved}"
        table.rows.append(
            [
                now.item.id,
                short_title(now.item),
                percent(then.completion),
                percent(now.completion),
                f"{change:+}",
                Cell(moved, STATUS_STYLES[now.status]),
            ]
        )
    return table


def bulletin_tables(report: Report) -> list[Table]:
    """The whole 通报: counts, this month's returns, items, ranking, lagging items, items to
    escalate, this month's missing returns (or the units never heard from), trends, changes."""
    cycle = report.cycle
    tables = [summary_table(report)]
    if monthly.has_returns(report):
        tables.append(monthly.returns_table(report))
    tables += [item_table(report), unit_table(report), lagging_table(report)]
    if cycle is not None:
        tables.append(monthly.escalation_table(report, short_title))
    # With a monthly cycle, silence is this month's: a unit that reported in May and stopped
    # is missing in June, though its items have an entry.
    if monthly.has_returns(report):
        tables.append(monthly.missing_table(report))
    else:
        tables.append(unreported_table(report))
    if cycle is not None:
        tables.append(monthly.trend_table(report, short_title))
    if report.since is not None:
        tables.append(changes_table(report))
    return tables


def tables_by(report: Report, by: str | None) -> list[Table]:
    if by is None:
        return bulletin_tables(report)
    if by == BY_UNIT:
        return [unit_table(report)]
    if by == BY_CATEGORY:
        return [category_table(report)]
    tables = [item_table(report)]
    if report.since is not None:
        tables.append(changes_table(report))
    return tables


# --- CSV: one tidy table, numbers as numbers ----------------------------------------------


def _count_columns() -> list[Column]:
    return [Column(s.value, STATUS_WORDS[s], "right") for s in Status]


def csv_table(report: Report, by: str | None) -> Table:
    """One row per item (the default), per unit or per category."""
    if by == BY_UNIT:
        return _unit_rows(report)
    if by == BY_CATEGORY:
        return _category_rows(report)
    return _item_rows(report)


def _item_rows(report: Report) -> Table:
    columns = [
        Column("id", "序号"),
        Column("category", "类别"),
        Column("title", "事项"),
        Column("units", "牵头单位"),
        Column("status", "状态"),
        Column("status_code", "状态代码"),
        Column("completion", "完成进度(%)"),
        Column("expected", f"序时进度(%,{basis_words(report)})"),
        Column("gap", "落后(百分点)"),
        Column("latest_date", "最新报送日期"),
        Column("latest_note", "最新进展"),
    ]
    since = report.since
    if since is not None:
        columns += [
            Column("since_completion", f"{since.as_of} 完成进度(%)"),
            Column("since_status", f"{since.as_of} 状态"),
        ]
    table = Table(columns)
    for index, result in enumerate(report.now.items):
        latest = result.latest
        row: list[Any] = [
            result.item.id,
            category_name(report, result.item.category),
            inert(result.item.title),
            units_text(result),
            STATUS_WORDS[result.status],
            result.status.value,
            None if result.completion is None else points(result.completion),
            None if result.completion is None else points(result.expected),
            result.gap,
            latest.date.isoformat() if latest else None,
            inert(result.note.note) if result.note else None,
        ]
        if since is not None:
            then = since.items[index]
            completion = None if then.completion is None else points(then.completion)
            row += [completion, STATUS_WORDS[then.status]]
        table.rows.append(row)
    return table


def _unit_rows(report: Report) -> Table:
    table = Table(
        [
            Column("rank", "名次"),
            Column("unit", "牵头单位"),
            Column("items", "事项数"),
            Column("completion", "平均完成进度(%)"),
            *_count_columns()[:-1],
            Column("unreported_items", "未报送事项"),
        ]
    )
    returns = monthly.rates(report) if monthly.has_returns(report) else {}
    if returns:
        table.columns += [
            Column("return", "本月报送"),
            Column("missing_items", "本月未报送事项"),
            Column("late_items", "本月逾期事项"),
            Column("on_time_rate", "按时报送率(%)"),
        ]
    units = report.now.units
    for rank, unit in zip(ranks(units), units, strict=True):
        row: list[Any] = [
            rank,
            unit.name,
            len(unit.items),
            None if unit.completion is None else points(unit.completion),
            *(unit.counts[s] for s in ACTIVE_STATUSES),
            "、".join(str(r.item.id) for r in unit.unreported),
        ]
        returned = returns.get(unit.name)
        if returned is not None and returned.current is not None:
            current, rate = returned.current, returned.on_time_rate
            row += [
                RETURN_WORDS[current.status],
                "、".join(str(n) for n in current.items_missing),
                "、".join(str(n) for n in current.items_late),
                None if rate is None else points(rate),
            ]
        table.rows.append(row)
    return table


def _category_rows(report: Report) -> Table:
    table = Table(
        [
            Column("no", "序号"),
            Column("category", "类别"),
            Column("items", "事项数"),
            Column("completion", "平均完成进度(%)"),
            *_count_columns(),
        ]
    )
    for category, group in zip(report.plan.categories, report.now.categories, strict=True):
        completion = None if group.completion is None else points(group.completion)
        counts = [group.counts[s] for s in Status]
        table.rows.append([category.no, group.name, len(group.items), completion, *counts])
    return table


# --- JSON: the contract in DESIGN.md ------------------------------------------------------


def fraction(value: Decimal | None) -> int | float | None:
    """A fraction (0.4124 is 41.24%) to four places."""
    return json_number(value, 4)


def _target_json(result: TargetResult) -> dict[str, Any]:
    """The plan's target (as `show` gives it) and where it stood at the as-of date."""
    target, actual = result.target, result.actual
    shown: str | int | float | None = None
    if actual is not None and target.kind is Kind.MILESTONE:
        shown = str(actual.stage) if actual.stage is not None else None
    elif actual is not None:
        shown = json_number(actual.value)
    return {
        **target_json(target),
        "requirement": requirement_words(target),
        "measure": result.measure,
        "actual": shown,
        "actual_from": None if actual is None else "parts" if actual.parts else "entry",
        "percent": json_number(actual.percent) if actual is not None else None,
        "date": actual.date.isoformat() if actual is not None else None,
        "completion": fraction(result.completion),
        "met": result.met,
    }


def _entry_json(entry: AnyEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "date": entry.date.isoformat(),
        "target": entry.target,
        "value": json_number(entry.value),
        "stage": str(entry.stage) if entry.stage is not None else None,
        "percent": json_number(entry.percent),
        "unit": entry.unit,
        "note": entry.note,
        "source": entry.source,
    }


def _note_json(entry: AnyEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"date": entry.date.isoformat(), "target": entry.target, "text": entry.note}


def _item_json(report: Report, index: int, result: ItemResult) -> dict[str, Any]:
    item = result.item
    found: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "short_title": short_title(item),
        "category": category_name(report, item.category),
        "category_no": item.category,
        "units": result.units,
        "status": result.status.value,
        "status_label": STATUS_WORDS[result.status],
        "completion": fraction(result.completion),
        "expected": fraction(result.expected) if result.completion is not None else None,
        "gap": json_number(result.gap),
        "latest": _entry_json(result.latest),
        "note": _note_json(result.note),
        "targets": [_target_json(t) for t in result.targets],
    }
    if report.since is not None:
        then = report.since.items[index]
        found["since"] = {"completion": fraction(then.completion), "status": then.status.value}
    found["history"] = monthly.history_json(report, item.id)
    return found


def _counts_json(counts: dict[Status, int]) -> dict[str, int]:
    return {status.value: counts[status] for status in Status}


def document(report: Report) -> dict[str, Any]:
    """The machine contract: keys in English, numbers plain, fractions in [0, 1] (or above)."""
    now, plan = report.now, report.plan
    units = [
        {
            "rank": rank,
            "name": unit.name,
            "items": [r.item.id for r in unit.items],
            "completion": fraction(unit.completion),
            "counts": _counts_json(unit.counts),
            "unreported": [r.item.id for r in unit.unreported],
        }
        for rank, unit in zip(ranks(now.units), now.units, strict=True)
    ]
    categories = [
        {
            "no": category.no,
            "name": group.name,
            "items": [r.item.id for r in group.items],
            "completion": fraction(group.completion),
            "counts": _counts_json(group.counts),
        }
        for category, group in zip(plan.categories, now.categories, strict=True)
    ]
    return {
        "as_of": now.as_of.isoformat(),
        "since": report.since.as_of.isoformat() if report.since is not None else None,
        "expected": fraction(now.expected),
        "expected_basis": report.plan.schedule.basis.value,
        "plan": {
            "title": plan.document.title,
            "number": plan.document.number,
            "year": plan.document.year,
            "period": {
                "start": plan.document.period.start.isoformat(),
                "end": plan.document.period.end.isoformat(),
            },
        },
        "thresholds": {
            "behind": json_number(now.thresholds.behind),
            "lagging": json_number(now.thresholds.lagging),
            "escalate_after": now.thresholds.escalate_after,
        },
        "summary": _counts_json(now.summary),
        "items": [_item_json(report, i, r) for i, r in enumerate(now.items)],
        "units": units,
        "categories": categories,
        "reporting": monthly.reporting_json(report),
        "escalations": monthly.escalations_json(report),
    }


# --- the renderers and the one dispatch ---------------------------------------------------


def render_json(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    # --by does not narrow the JSON: the document is the whole contract.
    return json.dumps(document(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render_csv(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    return to_csv(csv_table(report, by))


def render_markdown(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    lines = f"## {md_escape(heading(report))}\n\n{md_escape(summary_sentence(report))}\n\n"
    return lines + to_markdown(tables_by(report, by))


def render_table(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    lines = f"{heading(report)}\n{summary_sentence(report)}\n\n"
    return lines + to_terminal(tables_by(report, by), color=color, width=width)


def render_html_page(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    from minsheng.render.html import render_html  # jinja2 and the templates: only when asked

    return render_html(document(report))


def render_xlsx_workbook(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> bytes:
    from minsheng.render.xlsx import render_xlsx  # openpyxl: only when asked

    return render_xlsx(document(report))


def render_docx_document(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> bytes:
    from minsheng.render.docx import Masthead, render_docx  # python-docx: only when asked

    masthead = masthead or Masthead()
    # The bulletin goes out under the plan's issuing office unless the office says otherwise.
    if not masthead.issuer:
        masthead = replace(masthead, issuer=report.plan.document.issuer)
    return render_docx(document(report), masthead)


class Renderer(Protocol):
    def __call__(
        self,
        report: Report,
        by: str | None,
        *,
        color: bool,
        width: int | None,
        masthead: Masthead | None = None,
    ) -> str | bytes: ...


# The one place a report format meets its renderer (cli.report.ReportFormat lists the names).
RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html_page,  # the public page, from the JSON document
    "xlsx": render_xlsx_workbook,  # the office workbook, from the JSON document
    "docx": render_docx_document,  # the 通报 as a 公文, from the JSON document
}


def render(
    report: Report,
    format: str,
    by: str | None = None,
    *,
    color: bool = False,
    width: int | None = None,
    masthead: Masthead | None = None,
) -> str | bytes:
    """The report in one format (a key of RENDERERS); `color` and `width` are for the terminal,
    `masthead` (title, issuing office, 文号, date) for the document."""
    return RENDERERS[format](report, by, color=color, width=width, masthead=masthead)
