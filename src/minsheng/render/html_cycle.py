"""The monthly cycle on the public page: the returns grid, the escalations, each item's trend
as an inline SVG line, and the changes since `--since`; views built from the JSON document."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.core.percent import exact_points
from minsheng.core.percent import shown_percent as percent
from minsheng.core.status import RETURN_WORDS, word

# The trend chart, in SVG user units: a point per month end, completion 0 at the bottom.
TREND_WIDTH = 200
TREND_HEIGHT = 44
TREND_PAD = 6


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


@dataclass
class ReturnCell:
    status: str
    word: str
    title: str  # which items were late or missing, for the reader who hovers or listens


@dataclass
class ReturnRow:
    unit: str
    cells: list[ReturnCell]
    rate: str


@dataclass
class TrendDot:
    x: Decimal
    y: Decimal
    status: str
    label: str


@dataclass
class Trend:
    line: str  # the polyline's points
    dots: list[TrendDot]
    desc: str


@dataclass
class Change:
    id: int
    title: str
    then: str
    now: str
    change: str
    status: str
    moved: str


def _items(numbers: list[Any]) -> str:
    return "、".join(str(n) for n in numbers)


def returns_grid(report: dict[str, Any]) -> tuple[list[str], list[ReturnRow]]:
    """The months, and one row per unit: each month's return with its word, and the rate."""
    units = report.get("reporting") or []
    if not units:
        return [], []
    months = [str(p.get("period")) for p in units[0].get("periods", [])]
    rows = []
    for unit in units:
        cells = []
        for period in unit.get("periods", []):
            status = str(period.get("status"))
            said = []
            if period.get("items_late"):
                said.append(f"逾期事项 {_items(period['items_late'])}")
            if period.get("items_missing"):
                said.append(f"未报送事项 {_items(period['items_missing'])}")
            if period.get("items_pending"):
                said.append(f"待报送事项 {_items(period['items_pending'])}")
            title = f"{period.get('period')}(截止 {period.get('due')}):" + (
                ";".join(said) or "全部按时"
            )
            cells.append(ReturnCell(status, RETURN_WORDS.get(status, status), title))
        rows.append(ReturnRow(str(unit.get("unit")), cells, percent(unit.get("on_time_rate_pct"))))
    return months, rows


def rates(report: dict[str, Any]) -> dict[str, str]:
    """Each unit's on-time rate as shown, for the ranking."""
    return {
        str(u.get("unit")): percent(u.get("on_time_rate_pct"))
        for u in report.get("reporting") or []
    }


def escalation_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    titles = {
        item.get("id"): item.get("short_title") or item.get("title")
        for item in report.get("items", [])
    }
    return [
        {
            "id": e.get("id"),
            "title": titles.get(e.get("id"), ""),
            "units": "、".join(e.get("units", [])),
            "months": e.get("months"),
            "status": str(e.get("status")),
            "word": word(str(e.get("status"))),
        }
        for e in report.get("escalations") or []
    ]


def trend(item: dict[str, Any]) -> Trend | None:
    """The item's completion at each point of its history as a line, or None with one point."""
    history = item.get("history") or []
    if len(history) < 2:
        return None
    step = Decimal(TREND_WIDTH - 2 * TREND_PAD) / (len(history) - 1)
    span = Decimal(TREND_HEIGHT - 2 * TREND_PAD)
    dots = []
    for index, point in enumerate(history):
        share = min(max(_decimal(point.get("completion")) or Decimal(0), Decimal(0)), Decimal(1))
        x = (TREND_PAD + step * index).quantize(Decimal("0.1"))
        y = (TREND_HEIGHT - TREND_PAD - span * share).quantize(Decimal("0.1"))
        status = str(point.get("status"))
        label = f"{point.get('as_of')} {percent(point.get('completion_pct'))} {word(status)}"
        dots.append(TrendDot(x, y, status, label))
    line = " ".join(f"{dot.x},{dot.y}" for dot in dots)
    return Trend(line, dots, ";".join(dot.label for dot in dots))


def changes(report: dict[str, Any]) -> list[Change]:
    """Active items whose completion or status moved since `--since`, as the bulletin lists."""
    found = []
    for item in report.get("items", []):
        then, status = item.get("since"), str(item.get("status"))
        if not isinstance(then, dict) or status == "no_task":
            continue
        before, after = _decimal(then.get("completion")), _decimal(item.get("completion"))
        if before == after and then.get("status") == status:
            continue
        moved = word(status)
        if then.get("status") != status:
            moved = f"{word(str(then.get('status')))} → {moved}"
        # The difference of the figures shown, as the bulletin has it: 41.2% − 32.3% is +8.9.
        shown_before = exact_points(then.get("completion_pct")) or Decimal(0)
        shown_after = exact_points(item.get("completion_pct")) or Decimal(0)
        change = f"{shown_after - shown_before:+}"
        found.append(
            Change(
                int(item["id"]),
                str(item.get("short_title") or item.get("title", "")),
                percent(then.get("completion_pct")),
                percent(item.get("completion_pct")),
                change,
                status,
                moved,
            )
        )
    return found
