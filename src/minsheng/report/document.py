"""The report as JSON (the contract in DESIGN.md): the document the page, the workbook and the
Word bulletin are made from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from minsheng.core.measure import json_number
from minsheng.core.percent import json_percent as pct
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.plan.describe import requirement_words, short_title, target_json
from minsheng.plan.models import Kind
from minsheng.progress.entry import AnyEntry
from minsheng.report import funds_bulletin, monthly
from minsheng.report.bulletin import category_name, latest_text, shown_entry
from minsheng.report.compute import ItemResult, Report, TargetResult, ranks

# --- JSON: the contract in DESIGN.md ------------------------------------------------------


def fraction(value: Decimal | None) -> int | float | None:
    """A fraction (0.4124 is 41.24%) to four places, for computing."""
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
        "completion_pct": pct(result.completion),
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
        "completion_pct": pct(result.completion),
        "expected": fraction(result.expected) if result.completion is not None else None,
        "expected_pct": pct(result.expected) if result.completion is not None else None,
        "gap": json_number(result.gap),
        "latest": _entry_json(result.latest),
        "latest_by_unit": [
            {**(_entry_json(entry) or {}), "shown": shown_entry(result, entry)}
            for entry in result.latest_by_unit
        ],
        "latest_text": latest_text(result),
        "note": _note_json(result.note),
        "targets": [_target_json(t) for t in result.targets],
    }
    if report.since is not None:
        then = report.since.items[index]
        found["since"] = {
            "completion": fraction(then.completion),
            "completion_pct": pct(then.completion),
            "status": then.status.value,
        }
    found["history"] = monthly.history_json(report, item.id)
    if report.funds is not None:  # without a funds file the document is as it was
        found["funds"] = funds_bulletin.item_funds_json(report, item.id)
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
            "completion_pct": pct(unit.completion),
            "counts": _counts_json(unit.counts),
            "unreported": [r.item.id for r in unit.unreported],
        }
        for rank, unit in zip(ranks(now.units), now.units, strict=True)
    ]
    categories = [
        {
            "no": category.id,
            "name": group.name,
            "items": [r.item.id for r in group.items],
            "completion": fraction(group.completion),
            "completion_pct": pct(group.completion),
            "counts": _counts_json(group.counts),
        }
        for category, group in zip(plan.categories, now.categories, strict=True)
    ]
    summary: dict[str, Any] = dict(_counts_json(now.summary))
    if report.funds is not None:
        summary["funds"] = funds_bulletin.summary_funds_json(report)
    return {
        "as_of": now.as_of.isoformat(),
        "generated_at": report.generated_at.isoformat() if report.generated_at else None,
        "since": report.since.as_of.isoformat() if report.since is not None else None,
        "expected": fraction(now.expected),
        "expected_pct": pct(now.expected),
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
        "summary": summary,
        "items": [_item_json(report, i, r) for i, r in enumerate(now.items)],
        "units": units,
        "categories": categories,
        "reporting": monthly.reporting_json(report),
        "escalations": monthly.escalations_json(report),
    }
