"""The money in the office workbook: the sheet 资金, one row a funded item and a 合计 row, its
amounts in 万元 as numbers and its rates as percentages; from the JSON document, and only
where it has `summary.funds` (a funds file)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.measure import format_decimal
from minsheng.core.percent import shown_percent
from minsheng.core.status import word
from minsheng.plan.funds import MONEY_UNITS, in_wan
from minsheng.render.sheets import (
    PERCENT,
    POINTS,
    Col,
    as_of_words,
    number_of,
    shown_fraction,
    title_words,
    words,
    write_heading,
    write_view,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

WAN = "#,##0.####"  # an amount in 万元: its digits, thousands grouped as Excel shows money
RATE_WORDS = {"arrived": "到位率", "paid": "拨付率", "invested": "完成投资率"}


def _funds(row: dict[str, Any]) -> dict[str, Any]:
    found = row.get("funds")
    return found if isinstance(found, dict) else {}


def _amount(key: str, unit: str) -> Any:
    def get(row: dict[str, Any]) -> Decimal | None:
        value = number_of(_funds(row).get(key))
        return None if value is None else in_wan(Decimal(str(value)), unit)

    return get


def _rate(key: str) -> Any:
    """A rate as the fraction of the figure shown (its `_pct`): one rounding, as elsewhere."""
    return lambda row: shown_fraction(_funds(row).get(f"{key}_pct"))


def _stage(row: dict[str, Any]) -> str | None:
    stage = _funds(row).get("stage")
    if not isinstance(stage, dict):
        return None
    missed = [
        f"{RATE_WORDS.get(key, key)}应达 {shown_percent(rate.get('required_pct'))}"
        for key, rate in (stage.get("rates") or {}).items()
        if isinstance(rate, dict) and not rate.get("met")
    ]
    when = stage.get("by")
    return f"{when} 前" + ";".join(missed) if missed else f"{when} 前的阶段目标已达到"


def _reason(row: dict[str, Any]) -> str | None:
    reason = _funds(row).get("reason")
    return reason.get("text") if isinstance(reason, dict) else None


def funds_columns(unit: str) -> list[Col]:
    return [
        Col("序号", lambda r: r.get("id")),
        Col("事项", lambda r: r.get("short_title"), wrap_at=24),
        Col("牵头单位", lambda r: words(r.get("units", [])), wrap_at=14),
        Col("总投资(万元)", _amount("total", unit), WAN),
        Col("年度计划投资(万元)", _amount("planned", unit), WAN),
        Col("资金到位(万元)", _amount("arrived", unit), WAN),
        Col("到位率", _rate("arrived_rate"), PERCENT),
        Col("资金拨付(万元)", _amount("paid", unit), WAN),
        Col("拨付率", _rate("paid_rate"), PERCENT),
        Col("完成投资(万元)", _amount("invested", unit), WAN),
        Col("完成投资率", _rate("invested_rate"), PERCENT),
        Col("序时进度", _rate("expected"), PERCENT),
        Col("落后(百分点)", lambda r: number_of(_funds(r).get("gap")), POINTS),
        Col("状态", lambda r: word(str(_status(r))) if _status(r) else None),
        Col("阶段目标", _stage, wrap_at=24),
        Col("原因", _reason, wrap_at=30),
        Col("资金来源", lambda r: _sources(r, unit), wrap_at=24),
    ]


def _sources(row: dict[str, Any], unit: str) -> str | None:
    sources = _funds(row).get("sources")
    if not isinstance(sources, dict) or not sources:
        return None
    shown = []
    for name, amount in sources.items():
        value = number_of(amount)
        if value is not None:
            shown.append(f"{name} {format_decimal(in_wan(Decimal(str(value)), unit))}")
    return "、".join(shown)


def add_funds_sheet(book: Workbook, report: dict[str, Any]) -> None:
    """The sheet 资金 after the others; none without `summary.funds`."""
    summary = (report.get("summary") or {}).get("funds")
    if not isinstance(summary, dict):
        return
    unit = str(summary.get("unit"))
    unit = unit if unit in MONEY_UNITS else "万元"
    funded = [i for i in report.get("items", []) if isinstance(i.get("funds"), dict)]
    total: dict[str, Any] = {
        "id": None,
        "short_title": "合计",
        "units": [],
        "funds": {key: value for key, value in summary.items() if key not in {"status", "gap"}},
    }
    sheet = book.create_sheet("资金")
    subtitle = as_of_words(report) + ";金额单位:万元"
    write_heading(sheet, f"{title_words(report)}:资金到位和拨付情况", subtitle)
    write_view(sheet, funds_columns(unit), [*funded, total], status=_status)


def _status(row: dict[str, Any]) -> Any:
    return _funds(row).get("status")
