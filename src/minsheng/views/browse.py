"""Browsing the plan (查看事项): choosing items, and the tables and JSON of `list` and `show`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.core.issues import Code, UsageError
from minsheng.core.measure import json_number
from minsheng.core.status import (
    CODES,
    MISSING,
    MISSING_WORD,
    STYLES,
    Status,
    ambiguity,
    choices,
    word,
)
from minsheng.core.status import parse as parse_code
from minsheng.plan.describe import requirement_words, target_json
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import (
    KIND_WORDS,
    Category,
    Item,
    Target,
    Unit,
)
from minsheng.render.tables import Cell, Column, Table, to_csv, to_markdown, to_terminal

# `list --status` takes the status codes of the JSON contract (docs/design.md,
# minsheng.core.status), `active` (有任务: anything but no_task) and `missing` (本月未报送: this
# month's return not in after its due day), each also in Chinese.
ACTIVE = "active"
ACTIVE_WORD = "有任务"
NO_TASK = Status.NO_TASK.value
STATUS_CODES = (*CODES, ACTIVE, MISSING)


def status_word(code: str) -> str:
    return ACTIVE_WORD if code == ACTIVE else MISSING_WORD if code == MISSING else word(code)


def status_style(code: str) -> str:
    return STYLES[Status(code)] if code in CODES else "red" if code == MISSING else ""


# --- choosing items ----------------------------------------------------------------------


def parse_status(query: str) -> str:
    """A status code (`behind`) or its Chinese word (滞后)."""
    query = query.strip()
    if query in {ACTIVE, ACTIVE_WORD}:
        return ACTIVE
    if query in {MISSING, MISSING_WORD}:
        return MISSING
    found = parse_code(query)
    if found is not None:
        return found.value
    shown = f"{choices(missing=True)}、{ACTIVE}({ACTIVE_WORD})"
    hint = f"{ambiguity(query)};" if ambiguity(query) else ""
    raise UsageError(Code.UNKNOWN_STATUS, f"没有状态 {query!r},{hint}可用:{shown}")


@dataclass(frozen=True)
class Selection:
    """What `list` was asked for, with names already resolved against the plan."""

    unit: Unit | None = None
    category: Category | None = None
    status: str | None = None
    active: bool = False

    def describe(self) -> str:
        """The filters in words, for the table title and the empty-result message."""
        parts = []
        if self.unit is not None:
            parts.append(f"牵头单位 {self.unit.name}")
        if self.category is not None:
            parts.append(f"类别 {self.category.id} {self.category.name}")
        if self.status is not None:
            parts.append(f"状态 {status_word(self.status)}")
        if self.active:
            parts.append("仅有任务的事项")
        return ",".join(parts)


def make_selection(
    loaded: LoadedPlan,
    *,
    unit: str | None = None,
    category: str | None = None,
    status: str | None = None,
    active: bool = False,
) -> Selection:
    """Resolve the user's words; an unknown or ambiguous name is a UsageError (exit 2)."""
    return Selection(
        unit=loaded.find_unit(unit) if unit is not None else None,
        category=loaded.find_category(category) if category is not None else None,
        status=parse_status(status) if status is not None else None,
        active=active,
    )


def select_items(
    loaded: LoadedPlan, selection: Selection, statuses: Mapping[int, str] | None = None
) -> list[Item]:
    """The items that pass every filter, in plan order.

    `statuses` maps item id to a status code, computed elsewhere (from the progress entries
    once they exist); without it each item is `no_task` or `active`.
    """
    statuses = statuses or {}
    chosen = []
    for item in loaded.plan.items:
        if selection.unit is not None and selection.unit.name not in loaded.canonical_units(item):
            continue
        if selection.category is not None and item.category != selection.category.id:
            continue
        if selection.active and item.no_task:
            continue
        if selection.status is not None and not _has_status(item, selection.status, statuses):
            continue
        chosen.append(item)
    return chosen


def _has_status(item: Item, status: str, statuses: Mapping[int, str]) -> bool:
    found = status_of(item, statuses)
    if status == ACTIVE:
        return found != NO_TASK
    return found == status


def status_of(item: Item, statuses: Mapping[int, str] | None) -> str:
    """The computed status, or what the plan alone says: `no_task` or `active`."""
    return (statuses or {}).get(item.id, NO_TASK if item.no_task else ACTIVE)


# --- JSON (the contract in docs/design.md) -----------------------------------------------


def item_json(loaded: LoadedPlan, item: Item) -> dict[str, Any]:
    """Every field of the item, with the category's name and the units' canonical names."""
    return {
        "id": item.id,
        "ref": item.ref_number,  # its number in the parent list: `ref`, else its own id
        "category": loaded.category(item.category).name,
        "category_no": item.category,
        "title": item.title,
        "attachment_title": item.attachment_title,
        "units": loaded.canonical_units(item),
        "no_task": item.no_task,
        "targets": [target_json(t) for t in item.targets],
        "measures": [
            {"text": m.text, "targets": [target_json(t) for t in m.targets]} for m in item.measures
        ],
        "schedule": [
            {"date": step.date.isoformat(), "expected": json_number(step.expected)}
            for step in item.schedule
        ],
        "notes": list(item.notes),
    }


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- tables ------------------------------------------------------------------------------


def list_table(
    loaded: LoadedPlan,
    items: list[Item],
    selection: Selection,
    statuses: Mapping[int, str] | None = None,
    as_of: dt.date | None = None,
) -> Table:
    """One row per item; the last column marks 无任务 (or the computed status, and the title
    says on which date it was computed)."""
    described = selection.describe()
    if as_of is not None:
        described += f"{',' if described else ''}状态截至 {as_of}"
    title = f"民生实事({described + ',' if described else ''}共 {len(items)} 项)"
    columns = [
        Column("id", "序号", align="right", whole=True),
        Column("category", "类别"),
        Column("title", "事项", wrap=True),
        Column("units", "牵头单位", wrap=True),
        Column("status", "状态"),
    ]
    rows: list[list[Any]] = []
    for item in items:
        code = status_of(item, statuses)
        # An active item needs no mark in the plain listing; a computed status always shows.
        mark = "" if code == ACTIVE else status_word(code)
        rows.append(
            [
                item.id,
                loaded.category(item.category).name,
                item.title,
                "、".join(loaded.canonical_units(item)),
                Cell(mark, status_style(code)),
            ]
        )
    return Table(columns, rows, title)


def show_tables(loaded: LoadedPlan, item: Item) -> list[Table]:
    """The item in full: its facts, every target, every measure, the schedule, the notes."""
    category = loaded.category(item.category)
    facts: list[list[Any]] = [
        ["序号", item.id],
        ["类别", f"{category.id} {category.name}"],
        ["事项", item.title],
    ]
    if item.attachment_title:
        facts.append(["附件标题", item.attachment_title])
    facts.append(["牵头单位", "、".join(loaded.canonical_units(item)) or "—"])
    if item.no_task:
        facts.append(["任务", Cell("我区无任务", status_style(NO_TASK))])
    tables = [
        Table(
            [Column("field", "项目"), Column("value", "内容", wrap=True)], facts, f"第 {item.id} 项"
        )
    ]

    targets = [("事项", t) for t in item.targets]
    for number, measure in enumerate(item.measures, start=1):
        targets.extend((f"措施 {number}", t) for t in measure.targets)
    if targets:
        tables.append(_targets_table(targets))

    if item.measures:
        measure_rows: list[list[Any]] = [
            [number, measure.text, " ".join(t.id for t in measure.targets)]
            for number, measure in enumerate(item.measures, start=1)
        ]
        columns = [
            Column("no", "序号", align="right", whole=True),
            Column("text", "推进措施", wrap=True),
            Column("targets", "子目标", wrap=True),
        ]
        tables.append(Table(columns, measure_rows, "推进措施"))

    if item.schedule:
        schedule_rows: list[list[Any]] = [
            [step.date.isoformat(), _percent(step.expected)] for step in item.schedule
        ]
        columns = [
            Column("date", "日期", whole=True),
            Column("expected", "应完成", align="right", whole=True),
        ]
        tables.append(Table(columns, schedule_rows, "进度安排"))

    if item.notes:
        note_rows: list[list[Any]] = [
            [number, note] for number, note in enumerate(item.notes, start=1)
        ]
        columns = [
            Column("no", "序号", align="right", whole=True),
            Column("note", "备注", wrap=True),
        ]
        tables.append(Table(columns, note_rows, "备注"))
    return tables


def _targets_table(targets: list[tuple[str, Target]]) -> Table:
    columns = [
        Column("where", "出处"),
        Column("id", "编号", whole=True),
        Column("name", "名称", wrap=True),
        Column("kind", "类型"),
        Column("requirement", "要求", wrap=True),
        Column("remark", "说明", wrap=True),
    ]
    rows: list[list[Any]] = []
    for where, target in targets:
        remark = [f"合计:{' + '.join(target.sum_of)}"] if target.sum_of else []
        remark += [target.note] if target.note else []
        rows.append(
            [
                where,
                target.id,
                target.name,
                KIND_WORDS[target.kind],
                requirement_words(target),
                " ".join(remark),
            ]
        )
    return Table(columns, rows, "目标")


def _percent(share: Decimal) -> str:
    return f"{json_number(share * 100)}%"


# --- rendering ---------------------------------------------------------------------------


def render_tables(tables: list[Table], format: str, *, color: bool, width: int | None) -> str:
    """`table`, `markdown` or `csv` text of the tables (several CSV tables: blank-line apart)."""
    if format == "markdown":
        return to_markdown(tables)
    if format == "csv":
        parts = [to_csv(table).removeprefix("\ufeff") for table in tables]
        return "\ufeff" + "\r\n".join(parts)
    return to_terminal(tables, color=color, width=width)


# --- shell completion --------------------------------------------------------------------


def complete_items(loaded: LoadedPlan, incomplete: str) -> list[tuple[str, str]]:
    """Item numbers that start with what was typed, each with its title as help."""
    return [
        (str(item.id), item.title)
        for item in loaded.plan.items
        if str(item.id).startswith(incomplete)
    ]


def complete_units(loaded: LoadedPlan, incomplete: str) -> list[tuple[str, str]]:
    """Unit names and aliases that start with what was typed (typer keeps only those)."""
    found = []
    for unit in loaded.plan.units:
        for name in (unit.name, *unit.aliases):
            if name.startswith(incomplete):
                found.append((name, "" if name == unit.name else f"即 {unit.name}"))
    return found


def complete_categories(loaded: LoadedPlan, incomplete: str) -> list[tuple[str, str]]:
    """Category numbers (with the name as help) for digits; names and aliases otherwise."""
    if incomplete.isdigit() or not incomplete:
        return [
            (str(c.id), c.name) for c in loaded.plan.categories if str(c.id).startswith(incomplete)
        ]
    return [
        (name, "")
        for c in loaded.plan.categories
        for name in (c.name, *c.aliases)
        if name.startswith(incomplete)
    ]


def complete_statuses(incomplete: str) -> list[tuple[str, str]]:
    """Status codes that start with what was typed, each with its Chinese word as help."""
    return [(code, status_word(code)) for code in STATUS_CODES if code.startswith(incomplete)]
