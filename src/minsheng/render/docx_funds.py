"""The money in the Word bulletin: a section 资金到位和拨付情况, a paragraph as a 通报 writes it
(the totals, the items whose 拨付 lags with their reason, the units first and last by 拨付率)
and a table of the funded items; from the JSON document, only where it has `summary.funds`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.measure import format_decimal
from minsheng.core.status import word
from minsheng.plan.funds import MONEY_UNITS, in_wan
from minsheng.render.gongwen import body, heading, prose_title, table

if TYPE_CHECKING:
    from docx.document import Document

    from minsheng.render.gongwen import Scrubber as Clean  # data text made safe for the document


def _wan(value: Any, unit: str) -> str:
    """An amount in 万元 as the prose writes it: 5450万元, 1.2亿元 from 1 亿 on."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "—"
    amount = in_wan(Decimal(str(value)), unit)
    if amount >= 10_000:
        return f"{format_decimal((amount / 10_000).normalize())}亿元"
    return f"{format_decimal(amount)}万元"


def funds_paragraph(
    report: dict[str, Any], summary: dict[str, Any], percent: Callable[[Any], str], clean: Clean
) -> str:

    unit = _unit(summary)
    items = {item.get("id"): item for item in report.get("items", [])}
    text = (
        f"列入资金计划的{len(summary.get('items', []))}项民生实事,年度计划投资"
        f"{_wan(summary.get('planned'), unit)},已到位{_wan(summary.get('arrived'), unit)},"
        f"到位率{percent(summary.get('arrived_rate_pct'))};已拨付{_wan(summary.get('paid'), unit)},"
        f"拨付率{percent(summary.get('paid_rate_pct'))}"
        f"{'(按到位资金计)' if summary.get('paid_basis') == 'arrived' else ''},"
        f"序时进度{percent(summary.get('expected_pct'))};"
        f"完成投资{_wan(summary.get('invested'), unit)}。"
    )
    lagging = []
    for number in summary.get("lagging", []):
        item = items.get(number) or {}
        funds = item.get("funds") or {}
        where = f"第 {number} 项"
        title = prose_title(item, clean, f"{where}标题")
        leads = "、".join(clean(u, f"{where}牵头单位") for u in item.get("units", []))
        said = (
            f"第{number}项“{title}”({leads})拨付率{percent(funds.get('paid_rate_pct'))},"
            f"{word(str(funds.get('status', '')))}"
        )
        reason = (funds.get("reason") or {}).get("text")
        if reason:
            said += f",原因:{clean(reason, f'{where}资金说明').rstrip('。;,')}"
        lagging.append(said)
    if lagging:
        text += "资金拨付滞后的有:" + ";".join(lagging) + "。"
    ranked = [u for u in summary.get("units", []) if isinstance(u, dict)]
    if len(ranked) > 1:
        first = [str(u.get("name")) for u in ranked if u.get("rank") == 1]
        last_rank = ranked[-1].get("rank")
        last = [str(u.get("name")) for u in ranked if u.get("rank") == last_rank]
        text += f"按拨付率,{'、'.join(first)}居前,{'、'.join(last)}居后。"
    return text


def has_funds(report: dict[str, Any]) -> bool:
    """Whether the JSON has money (`summary.funds`: a funds file was read)."""
    return isinstance((report.get("summary") or {}).get("funds"), dict)


def _unit(summary: dict[str, Any]) -> str:
    unit = str(summary.get("unit"))
    return unit if unit in MONEY_UNITS else "万元"


def write_funds(
    doc: Document,
    report: dict[str, Any],
    number: str,
    table_number: int,
    percent: Callable[[Any], str],
    clean: Clean,
) -> None:
    """The section, numbered `number` with its table 表`table_number` (has_funds says whether
    the JSON has one)."""

    summary = (report.get("summary") or {}).get("funds")
    assert isinstance(summary, dict)
    heading(doc, f"{number}、资金到位和拨付情况")
    body(doc, funds_paragraph(report, summary, percent, clean))
    body(doc, f"各项资金到位和拨付情况见表{table_number}。")
    unit = _unit(summary)
    rows = []
    for item in report.get("items", []):
        funds = item.get("funds")
        if not isinstance(funds, dict):
            continue
        where = f"第 {item.get('id')} 项"
        planned = in_wan(Decimal(str(funds.get("planned", 0))), unit)
        rows.append(
            [
                str(item.get("id")),
                prose_title(item, clean, f"{where}标题"),
                "、".join(clean(u, f"{where}牵头单位") for u in item.get("units", [])),
                format_decimal(planned),
                percent(funds.get("arrived_rate_pct")),
                percent(funds.get("paid_rate_pct")),
                word(str(funds.get("status", ""))),
            ]
        )
    table(
        doc,
        f"表{table_number} 资金到位和拨付情况",
        ["序号", "事项", "牵头单位", "年度计划投资(万元)", "到位率", "拨付率", "状态"],
        rows,
        [11, 40, 28, 21, 18, 18, 20],
        right={0, 3, 4, 5},
    )
