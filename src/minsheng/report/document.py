"""The report as JSON (the contract in docs/design.md, every key here): the document the page,
the workbook and the Word bulletin are made from, with its monthly cycle and its money."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.core.measure import json_number
from minsheng.core.percent import json_percent as pct
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.plan.describe import requirement_words, short_title, target_json
from minsheng.plan.funds import ARRIVED, INVESTED, PAID
from minsheng.plan.models import Kind, Plan
from minsheng.progress.entry import AnyEntry
from minsheng.report.cycle import Cycle
from minsheng.report.funds import FundsGroup, FundsReport, Money, share
from minsheng.report.funds import ranks as funds_ranks
from minsheng.report.latest import latest_text, shown_entry
from minsheng.report.results import ItemResult, Snapshot, TargetResult, ranks

RATE_KEYS = {ARRIVED: "arrived", PAID: "paid", INVESTED: "invested"}

# --- JSON: the contract in docs/design.md -------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The plan, its snapshot at the as-of date, and at `--since` when asked."""

    plan: Plan
    now: Snapshot
    since: Snapshot | None = None
    cycle: Cycle | None = None  # the monthly cycle (月调度), when asked for
    generated_at: dt.datetime | None = None  # when the report was made (returns due by then)
    funds: FundsReport | None = None  # money beside the work, where a funds file exists

    def to_dict(self) -> dict[str, Any]:
        """The JSON document, as `minsheng report --format json` prints it (docs/design.md)."""
        return document(self)


def category_name(report: Report, number: int) -> str:
    """A category's name as the plan gives it (the notice's heading)."""
    return next(c.name for c in report.plan.categories if c.id == number)


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
    found["history"] = history_json(report, item.id)
    if report.funds is not None:  # without a funds file the document is as it was
        found["funds"] = item_funds_json(report, item.id)
    return found


def _counts_json(counts: dict[Status, int]) -> dict[str, int]:
    """Counts by status code, in the order of `Status` (the funds' leave out 无任务)."""
    return {status.value: count for status, count in counts.items()}


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
        summary["funds"] = summary_funds_json(report)
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
        "reporting": reporting_json(report),
        "escalations": escalations_json(report),
    }


# --- the monthly cycle (月调度) -----------------------------------------------------------


def history_json(report: Report, item: int) -> list[dict[str, Any]]:
    cycle = report.cycle
    if cycle is None:
        return []
    return [
        {
            "as_of": point.as_of.isoformat(),
            "completion": fraction(point.completion),
            "completion_pct": pct(point.completion),
            "status": point.status.value,
        }
        for point in cycle.history.get(item, [])
    ]


def reporting_json(report: Report) -> list[dict[str, Any]]:
    cycle = report.cycle
    if cycle is None:
        return []
    return [
        {
            "unit": unit.unit,
            "on_time_rate": fraction(unit.on_time_rate),
            "on_time_rate_pct": pct(unit.on_time_rate),
            "periods": [
                {
                    "period": period.label,
                    "due": period.due.isoformat(),
                    "status": period.status.value,
                    "items_missing": period.items_missing,
                    "items_late": period.items_late,
                    "items_pending": period.items_pending,
                }
                for period in unit.periods
            ],
        }
        for unit in cycle.reporting
    ]


def escalations_json(report: Report) -> list[dict[str, Any]]:
    cycle = report.cycle
    if cycle is None:
        return []
    return [
        {"id": e.item, "units": e.units, "months": e.months, "status": e.status.value}
        for e in cycle.escalations
    ]


# --- the money (资金到位和拨付), only with a funds file -----------------------------------


def _money_json(money: Money) -> dict[str, Any]:
    """Amounts as written, each rate as a fraction and beside it the figure shown (`_pct`)."""
    return {
        "planned": json_number(money.planned),
        "arrived": json_number(money.arrived),
        "paid": json_number(money.paid),
        "invested": json_number(money.invested),
        "arrived_rate": fraction(money.arrived_rate),
        "arrived_rate_pct": pct(money.arrived_rate),
        "paid_rate": fraction(money.paid_rate),
        "paid_rate_pct": pct(money.paid_rate),
        "invested_rate": fraction(money.invested_rate),
        "invested_rate_pct": pct(money.invested_rate),
    }


def item_funds_json(report: Report, number: int) -> dict[str, Any] | None:
    """An item's `funds`: None for an item the funds file does not name."""
    funds = report.funds
    found = funds.item(number) if funds is not None else None
    if funds is None or found is None:
        return None
    stage = found.stage
    reason = found.reason
    return {
        "unit": funds.unit,
        **_money_json(found.money),
        "total": json_number(found.funded.total),
        "sources": {name: json_number(amount) for name, amount in found.funded.sources.items()},
        "expected": fraction(found.expected),
        "expected_pct": pct(found.expected),
        "gap": json_number(found.gap),
        "status": found.status.value,
        "status_label": STATUS_WORDS[found.status],
        "stage": None
        if stage is None
        else {
            "by": stage.stage.by.isoformat(),
            "rates": {
                RATE_KEYS[key]: {
                    "required": fraction(need),
                    "required_pct": pct(need),
                    "actual": fraction(have),
                    "actual_pct": pct(have),
                    "met": key not in stage.missed,
                }
                for key, (need, have) in stage.rates.items()
            },
        },
        "reason": None
        if reason is None
        else {"date": reason.date.isoformat(), "target": reason.target, "text": reason.note},
    }


def _group_json(group: FundsGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "items": [found.item.id for found in group.items],
        **_money_json(group.money),
        "counts": _counts_json(group.counts),
    }


def summary_funds_json(report: Report) -> dict[str, Any]:
    """`summary.funds`: the totals and rates, by source, by unit (ranked) and by category."""
    funds = report.funds
    assert funds is not None
    categories = {category.name: category.id for category in report.plan.categories}
    return {
        "unit": funds.unit,
        "paid_basis": funds.basis.value,
        **_money_json(funds.total.money),
        "expected": fraction(funds.expected),
        "expected_pct": pct(funds.expected),
        "thresholds": {"behind": json_number(funds.behind), "lagging": json_number(funds.lagging)},
        "items": [found.item.id for found in funds.items],
        "counts": _counts_json(funds.total.counts),
        "lagging": [found.item.id for found in funds.lagging_items],
        "sources": [
            {
                "name": name,
                "planned": json_number(amount),
                "share": fraction(share(amount, funds)),
                "share_pct": pct(share(amount, funds)),
            }
            for name, amount in funds.sources
        ],
        "units": [
            {"rank": rank, **_group_json(group)}
            for rank, group in zip(funds_ranks(funds.units), funds.units, strict=True)
        ],
        "categories": [
            {"no": categories[group.name], **_group_json(group)} for group in funds.categories
        ],
    }
