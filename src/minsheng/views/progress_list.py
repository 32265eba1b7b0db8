"""How progress entries are shown: `progress list` as JSON (the contract) and as a table."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from minsheng.core.datadir import DataDir
from minsheng.core.measure import format_decimal, json_number
from minsheng.plan.describe import target_words
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import Item, Kind, Target
from minsheng.progress.entry import AnyEntry, E, effective_entries, latest
from minsheng.progress.rules import find_target
from minsheng.render.tables import Cell, Column, Table, Value, to_csv, to_markdown, to_terminal


def select(
    entries: Iterable[E],
    *,
    item: int | None = None,
    unit: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[E]:
    """The entries of one item and one reporting unit, dated from `since` to `until`; each
    condition left out is no condition."""
    return [
        entry
        for entry in entries
        if (item is None or entry.item == item)
        and (unit is None or entry.unit == unit)
        and (since is None or entry.date >= since)
        and (until is None or entry.date <= until)
    ]


@dataclass(frozen=True)
class Standing:
    """On a day: the entries that count (the latest of their target), and those corrected."""

    latest: frozenset[str]
    corrected: frozenset[str]


def standing(entries: Sequence[AnyEntry], as_of: dt.date | None) -> Standing:
    """Which entries count on `as_of` (today without it), by progress.latest's rule."""
    dated = [entry for entry in entries if as_of is None or entry.date <= as_of]
    counted = {entry.id for entry in effective_entries(dated, as_of)}
    return Standing(
        frozenset(entry.id for entry in latest(entries, as_of).values()),
        frozenset(entry.id for entry in dated if entry.id not in counted),
    )


# --- JSON: the contract of docs/progress.md ---------------------------------------------------


def entries_json(
    folder: DataDir, loaded: LoadedPlan, entries: Sequence[AnyEntry], now: Standing
) -> str:
    """The entries as a JSON array, one object each, keys as docs/progress.md lists them."""
    rows = [entry_json(folder, loaded, entry, entry.id in now.latest) for entry in entries]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def entry_json(
    folder: DataDir, loaded: LoadedPlan, entry: AnyEntry, is_latest: bool
) -> dict[str, object]:
    """One entry in the JSON contract of docs/progress.md."""
    target = find_target(loaded, entry)
    path = entry.where.path
    return {
        "id": entry.id,
        "item": entry.item,
        "target": entry.target,
        "target_name": target.name if target else None,
        "date": entry.date.isoformat(),
        "value": json_number(entry.value),
        "unit_of_measure": target.unit if target else None,
        "stage": entry.stage.value if entry.stage else None,
        "percent": json_number(entry.percent),
        "unit": entry.unit,
        "note": entry.note,
        "source": entry.source,
        "reporter": entry.reporter,
        "phone": entry.phone,
        "corrects": entry.corrects,
        "received": entry.received.isoformat() if entry.received else None,
        "recorded_at": entry.recorded_at.isoformat(),
        "file": _relative(folder, path) if path else None,
        "line": entry.where.line,
        "latest": is_latest,
    }


def _relative(folder: DataDir, path: Path) -> str:
    """A progress file as `progress/<YYYY-MM>/<unit-id>.yaml`, from the data folder."""
    try:
        return path.relative_to(folder.root).as_posix()
    except ValueError:  # --progress-dir: the entries are kept elsewhere
        return path.relative_to(folder.progress.parent).as_posix()


# --- the table ------------------------------------------------------------------------------


def entries_table(
    loaded: LoadedPlan, entries: Sequence[AnyEntry], now: Standing, *, compact: bool
) -> Table:
    """Every entry a row; `compact` (a screen) drops what is empty and the target ids."""
    columns = [
        Column("date", "日期", whole=True),
        Column("item", "事项", align="right", whole=True),
        Column("target", "目标", wrap=compact),
        Column("progress", "进度", align="right", whole=True),
        Column("unit", "填报单位"),
        Column("reporter", "填报人", wrap=True),
        Column("note", "说明", wrap=True),
        Column("source", "依据", wrap=True),
        Column("state", "状态", whole=True),
        Column("corrects", "更正", whole=True),
        Column("received", "收到日期", whole=True),
        Column("id", "编号", whole=True),
    ]
    rows: list[list[Value | Cell]] = []
    for entry in entries:
        target = find_target(loaded, entry)
        name = target.name if target else entry.target
        if entry.id in now.latest:
            state: Value | Cell = Cell("最新", style="bold green")
        else:
            state = Cell("已更正", style="dim") if entry.id in now.corrected else ""
        rows.append(
            [
                entry.date.isoformat(),
                entry.item,
                name if compact else f"{name}({entry.target})",
                progress_text(entry, target),
                entry.unit,
                " ".join(said for said in (entry.reporter, entry.phone) if said),
                entry.note,
                entry.source,
                state,
                entry.corrects,
                entry.received.isoformat() if entry.received else None,
                entry.id,
            ]
        )
    # On a screen, columns nobody filled (no source, no correction) only take room from the
    # notes; files keep every column so their header is the same every month.
    keep = [
        index
        for index, column in enumerate(columns)
        if not compact
        or column.key not in {"reporter", "source", "corrects", "received"}
        or any(r[index] for r in rows)
    ]
    return Table(
        [columns[i] for i in keep], [[row[i] for i in keep] for row in rows], title="进度记录"
    )


def render(table: Table, format: str, *, color: bool, width: int | None) -> str:
    """`table`, `markdown` or `csv` text of the table."""
    if format == "markdown":
        return to_markdown([table])
    if format == "csv":
        return to_csv(table)
    return to_terminal([table], color=color, width=width)


# --- one entry, as the clerk reads it back --------------------------------------------------


def progress_text(entry: AnyEntry, target: Target | None) -> str:
    """累计 0.3万人, 95.6%, 推进中 40%."""
    if entry.stage is not None:
        share = f" {format_decimal(entry.percent)}%" if entry.percent is not None else ""
        return f"{entry.stage.value}{share}"
    if entry.value is None:
        return ""
    unit = target.unit if target is not None and target.unit else ""
    cumulative = target is not None and target.kind is Kind.QUANTITY
    return f"{'累计 ' if cumulative else ''}{format_decimal(entry.value)}{unit}"


def summary(item: Item, target: Target, entry: AnyEntry, file: str) -> str:
    """The entry line by line, as shown before it is confirmed and after it is written."""
    lines = [
        ("事项", f"第 {item.id} 项 {item.title}"),
        ("目标", f"{target.id} {target_words(target)}"),
        ("日期", entry.date.isoformat()),
        ("进度", progress_text(entry, target)),
        ("填报单位", entry.unit),
        ("填报人", " ".join(said for said in (entry.reporter, entry.phone) if said)),
        ("说明", entry.note or ""),
        ("依据", entry.source or ""),
        ("更正", entry.corrects or ""),
        ("收到日期", entry.received.isoformat() if entry.received else ""),
        ("文件", file),
    ]
    return "\n".join(f"  {label}:{text}" for label, text in lines if text)
