"""最新进展 in words: what an item's latest entries say, said once for the JSON document and
every table alike (a figure and a note from the same entry, never from two)."""

from __future__ import annotations

from minsheng.core.cells import inert
from minsheng.core.measure import format_decimal
from minsheng.plan.models import Kind, reporter_of
from minsheng.progress.entry import AnyEntry, tells_progress
from minsheng.report.results import ItemResult


def state_text(result: ItemResult, entry: AnyEntry | None = None) -> str:
    """Where an entry (the latest by default) put its target: the stage (with percent), or
    the value."""
    entry = result.latest if entry is None else entry
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


def shown_entry(result: ItemResult, entry: AnyEntry) -> str:
    """One entry as 最新进展 shows it, without its date: its stage or value, then its own
    note (a correction's note says why a figure changed, no news of the work: left out)."""
    text = state_text(result, entry)
    if tells_progress(entry):
        text = f"{text};{inert(entry.note)}" if text else inert(entry.note)
    return text


def latest_text(result: ItemResult) -> str:
    """最新进展 in a line: one entry's date, figure and note, never a figure from one entry
    and a note from another; for a co-led item, each lead unit's own, named."""
    entries = result.latest_by_unit
    parts = [f"{entry.date} {shown_entry(result, entry)}".rstrip() for entry in entries]
    # Named by unit where more than one unit reports the item's targets (Target.by).
    reporters = {reporter_of(result.item, t.target, result.units) for t in result.targets}
    if len(reporters) > 1:
        parts = [f"{entry.unit}:{part}" for entry, part in zip(entries, parts, strict=True)]
    return "。".join(parts)
