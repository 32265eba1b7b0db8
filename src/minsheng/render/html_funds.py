"""The money on the public page (资金到位和拨付情况): the totals, an inline SVG chart of planned,
arrived and paid per category, the items whose 拨付 lags with their reason, and the units by
拨付率; views built from the JSON document (its `summary.funds` and each item's `funds`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minsheng.core.measure import format_decimal
from minsheng.core.status import word
from minsheng.plan.funds import MONEY_UNITS, in_wan

# The chart, in SVG user units: a category's name, then its three bars.
CHART_WIDTH = 340
LABEL = 18
BAR = 9
BAR_GAP = 3
ROW = LABEL + 3 * (BAR + BAR_GAP) + 10
KINDS = (("planned", "计划"), ("arrived", "到位"), ("paid", "拨付"))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def wan(value: Any, unit: str) -> Decimal | None:
    """A JSON amount in the funds file's unit, in 万元."""
    number = _decimal(value)
    return None if number is None else in_wan(number, unit)


def wan_text(value: Any, unit: str) -> str:
    """5450 万元; 亿元 beside it from 1 亿 on; — for none."""
    shown = wan(value, unit)
    if shown is None:
        return "—"
    text = f"{format_decimal(shown)}\u00a0万元"
    if shown >= 10_000:
        text += f"({format_decimal((shown / 10_000).normalize())}\u00a0亿元)"
    return text


def points_text(value: Any) -> str:
    """Percentage points with one decimal (35.0), as the other formats show a gap."""
    number = _decimal(value)
    return "" if number is None else str(number.quantize(Decimal("0.1")))


@dataclass
class MoneyBar:
    kind: str  # planned, arrived or paid: its CSS class
    word: str
    y: int
    width: Decimal
    value: str


@dataclass
class MoneyRow:
    label: str
    y: int
    bars: list[MoneyBar]
    values: str  # planned / arrived / paid in 万元, beside the label


@dataclass
class FundsView:
    sentence: str
    totals: list[tuple[str, str, str]]  # what, amount, rate
    rows: list[MoneyRow]
    height: int
    lagging: list[dict[str, Any]]
    units: list[dict[str, Any]]


def chart_rows(summary: dict[str, Any], unit: str) -> list[MoneyRow]:
    """One row a category with funded items: planned, arrived and paid to one scale, the
    largest planned amount the chart's width."""
    categories = [c for c in summary.get("categories", []) if isinstance(c, dict)]
    largest = max((wan(c.get("planned"), unit) or Decimal(0) for c in categories), default=0)
    rows = []
    for index, category in enumerate(categories):
        top = index * ROW
        bars = []
        for position, (key, words) in enumerate(KINDS):
            amount = wan(category.get(key), unit) or Decimal(0)
            width = amount * CHART_WIDTH / largest if largest else Decimal(0)
            bars.append(
                MoneyBar(
                    key,
                    words,
                    top + LABEL + position * (BAR + BAR_GAP),
                    min(width, Decimal(CHART_WIDTH)).quantize(Decimal("0.1")),
                    wan_text(category.get(key), unit),
                )
            )
        amounts = [format_decimal(wan(category.get(key), unit) or Decimal(0)) for key, _ in KINDS]
        rows.append(MoneyRow(str(category.get("name", "")), top, bars, "/".join(amounts)))
    return rows


def funds_view(report: dict[str, Any], percent: Any) -> FundsView | None:
    """The section, or None where the JSON has no `summary.funds` (no funds file); `percent`
    shows a figure the JSON carries already rounded (a `_pct`)."""
    summary = (report.get("summary") or {}).get("funds")
    if not isinstance(summary, dict):
        return None
    unit = str(summary.get("unit"))
    unit = unit if unit in MONEY_UNITS else "万元"
    basis = "(按到位资金计)" if summary.get("paid_basis") == "arrived" else ""
    sentence = (
        f"列入资金计划的 {len(summary.get('items', []))} 项民生实事,年度计划投资 "
        f"{wan_text(summary.get('planned'), unit)},已到位 {wan_text(summary.get('arrived'), unit)}"
        f"(到位率 {percent(summary.get('arrived_rate_pct'))}),已拨付 "
        f"{wan_text(summary.get('paid'), unit)}"
        f"(拨付率 {percent(summary.get('paid_rate_pct'))}{basis}),"
        f"完成投资 {wan_text(summary.get('invested'), unit)};序时进度 "
        f"{percent(summary.get('expected_pct'))}。"
    )
    totals = [("年度计划投资", wan_text(summary.get("planned"), unit), "")]
    for source in summary.get("sources", []):
        totals.append((f"其中:{source.get('name', '')}", wan_text(source.get("planned"), unit),
                       f"占 {percent(source.get('share_pct'))}"))  # fmt: skip
    totals += [
        ("资金到位", wan_text(summary.get("arrived"), unit),
         f"到位率 {percent(summary.get('arrived_rate_pct'))}"),
        ("资金拨付", wan_text(summary.get("paid"), unit),
         f"拨付率 {percent(summary.get('paid_rate_pct'))}{basis}"),
        ("完成投资", wan_text(summary.get("invested"), unit),
         f"完成投资率 {percent(summary.get('invested_rate_pct'))}"),
    ]  # fmt: skip
    items = {item.get("id"): item for item in report.get("items", [])}
    lagging = []
    for number in summary.get("lagging", []):
        item = items.get(number) or {}
        funds = item.get("funds") or {}
        reason = funds.get("reason") or {}
        lagging.append(
            {
                "id": number,
                "title": item.get("short_title") or item.get("title") or "",
                "units": "、".join(item.get("units", [])),
                "status": funds.get("status", ""),
                "word": word(str(funds.get("status", ""))),
                "paid_rate": percent(funds.get("paid_rate_pct")),
                "gap": points_text(funds.get("gap")),
                "reason": reason.get("text") or "(未说明原因)",
            }
        )
    units = [
        {
            "rank": found.get("rank"),
            "name": found.get("name"),
            "items": len(found.get("items", [])),
            "planned": wan_text(found.get("planned"), unit),
            "paid": wan_text(found.get("paid"), unit),
            "paid_rate": percent(found.get("paid_rate_pct")),
        }
        for found in summary.get("units", [])
    ]
    rows = chart_rows(summary, unit)
    return FundsView(sentence, totals, rows, len(rows) * ROW, lagging, units)
