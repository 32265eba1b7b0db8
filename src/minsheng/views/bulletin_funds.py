"""The money in the bulletin (资金到位和拨付情况): its tables and its CSV columns (its part of
the JSON document is in minsheng.report.document). Only a report with a funds file has them:
without one nothing here is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minsheng.core.cells import inert
from minsheng.core.measure import format_decimal
from minsheng.core.percent import percent_text as percent
from minsheng.core.percent import points
from minsheng.core.status import STYLES as STATUS_STYLES
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.status import Status
from minsheng.plan.describe import short_title
from minsheng.plan.funds import ARRIVED, FUNDS_TARGETS, INVESTED, PAID, PaidBasis, in_wan
from minsheng.render.tables import Cell, Column, Table
from minsheng.report.document import Report
from minsheng.report.funds import FundsReport, ItemFunds, Money, ranks, share

YI = Decimal(10_000)  # 万元 in 1 亿元
RATE_WORDS = {ARRIVED: "到位率", PAID: "拨付率", INVESTED: "完成投资率"}
SECTION = "资金到位和拨付情况"


def wan(amount: Decimal | None, unit: str) -> str:
    """An amount in 万元, digits exact (the file may be in 元 or 亿元): 1500, 0.0125."""
    return "" if amount is None else format_decimal(in_wan(amount, unit))


def amount_text(amount: Decimal | None, unit: str) -> str:
    """An amount as the bulletin writes a total: 5450万元; from 1 亿 on, 亿元 beside it."""
    if amount is None:
        return ""
    shown = in_wan(amount, unit)
    text = f"{format_decimal(shown)}万元"
    if shown >= YI:
        text += f"({format_decimal((shown / YI).normalize())}亿元)"
    return text


def _status_cell(status: Status) -> Cell:
    return Cell(STATUS_WORDS[status], STATUS_STYLES[status])


def stage_text(found: ItemFunds) -> str:
    """The stage target due, as missed: 2024-06-30 前拨付率应达 30.0%,实为 15.0%."""
    stage = found.stage
    if stage is None:
        return ""
    if not stage.missed:
        return f"{stage.stage.by} 前的阶段目标已达到"
    parts = [
        f"{RATE_WORDS[key]}应达 {percent(need)},实为 {percent(have or Decimal(0))}"
        for key, (need, have) in stage.rates.items()
        if key in stage.missed
    ]
    return f"{stage.stage.by} 前" + ";".join(parts)


def reason_text(found: ItemFunds, as_of: dt.date) -> str:
    """The latest note among the funds figures that count, dated when older than `as_of`."""
    entry = found.reason
    if entry is None:
        return ""
    return inert(entry.note) + ("" if entry.date == as_of else f"({entry.date})")


# --- the tables ------------------------------------------------------------------------------


def totals_table(report: Report, funds: FundsReport) -> Table:
    """The year's money in total, by source where sources are given, and the three rates."""
    money, unit = funds.total.money, funds.unit
    title = f"{SECTION}(序时进度 {percent(funds.expected)})"
    table = Table(
        [Column("what", "项目"), Column("amount", "金额", "right", whole=True),
         Column("rate", "比率", "right", whole=True)],
        title=title,
    )  # fmt: skip
    table.rows.append(["年度计划投资", amount_text(money.planned, unit), ""])
    for name, planned in funds.sources:
        part = share(planned, funds)
        shown = f"占 {percent(part)}" if part is not None else ""
        table.rows.append([f"其中:{name}", amount_text(planned, unit), shown])
    for key, amount in ((ARRIVED, money.arrived), (PAID, money.paid),
                        (INVESTED, money.invested)):  # fmt: skip
        rate = money.rate_of(key)
        shown = f"{RATE_WORDS[key]} {percent(rate)}" if rate is not None else ""
        if key == PAID and funds.basis is PaidBasis.ARRIVED and shown:
            shown += "(按到位资金计)"
        table.rows.append([FUNDS_TARGETS[key], amount_text(amount, unit), shown])
    return table


def items_table(report: Report, funds: FundsReport) -> Table:
    """Each funded item's plan and rates, and its funds status."""
    table = Table(
        [
            Column("id", "序号", "right", whole=True),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("planned", "年度计划投资(万元)", "right", whole=True),
            Column("arrived_rate", "到位率", "right", whole=True),
            Column("paid_rate", "拨付率", "right", whole=True),
            Column("invested_rate", "完成投资率", "right", whole=True),
            Column("status", "状态"),
        ],
        title="各项资金到位和拨付",
    )
    for found in funds.items:
        money = found.money
        table.rows.append(
            [
                found.item.id,
                short_title(found.item),
                "、".join(found.units),
                wan(money.planned, funds.unit),
                percent(money.arrived_rate),
                percent(money.paid_rate),
                percent(money.invested_rate),
                _status_cell(found.status),
            ]
        )
    return table


def lagging_table(report: Report, funds: FundsReport) -> Table:
    """The items whose 拨付 lags 序时进度 or a stage target, furthest behind first, with the
    reason their unit gave."""
    table = Table(
        [
            Column("id", "序号", "right", whole=True),
            Column("title", "事项", wrap=True),
            Column("units", "牵头单位", wrap=True),
            Column("status", "状态"),
            Column("paid_rate", "拨付率", "right", whole=True),
            Column("gap", "落后(百分点)", "right", whole=True),
            Column("stage", "阶段目标", wrap=True),
            Column("reason", "原因", wrap=True),
        ],
        title="资金拨付滞后事项",
    )
    for found in funds.lagging_items:
        table.rows.append(
            [
                found.item.id,
                short_title(found.item),
                "、".join(found.units),
                _status_cell(found.status),
                percent(found.money.paid_rate),
                str(found.gap),
                stage_text(found),
                reason_text(found, report.now.as_of),
            ]
        )
    return table


def units_table(report: Report, funds: FundsReport) -> Table:
    """The lead units ranked by 拨付率."""
    table = Table(
        [
            Column("rank", "名次", "right", whole=True),
            Column("unit", "牵头单位"),
            Column("items", "事项数", "right", whole=True),
            Column("planned", "年度计划投资(万元)", "right", whole=True),
            Column("arrived", "到位(万元)", "right", whole=True),
            Column("paid", "拨付(万元)", "right", whole=True),
            Column("paid_rate", "拨付率", "right", whole=True),
        ],
        title="牵头单位资金拨付排名",
    )
    for rank, group in zip(ranks(funds.units), funds.units, strict=True):
        money = group.money
        table.rows.append(
            [
                rank,
                group.name,
                len(group.items),
                wan(money.planned, funds.unit),
                wan(money.arrived, funds.unit),
                wan(money.paid, funds.unit),
                percent(money.paid_rate),
            ]
        )
    return table


def funds_tables(report: Report) -> list[Table]:
    """The section 资金到位和拨付情况: totals, each item, the lagging ones, the ranking; none
    without a funds file."""
    funds = report.funds
    if funds is None:
        return []
    tables = [totals_table(report, funds), items_table(report, funds)]
    if funds.lagging_items:
        tables.append(lagging_table(report, funds))
    tables.append(units_table(report, funds))
    return tables


# --- CSV: the money beside each row, numbers as numbers ---------------------------------------

MONEY_COLUMNS = [
    Column("funds_planned", "年度计划投资(万元)"),
    Column("funds_arrived", "资金到位(万元)"),
    Column("funds_arrived_rate", "到位率(%)"),
    Column("funds_paid", "资金拨付(万元)"),
    Column("funds_paid_rate", "拨付率(%)"),
    Column("funds_invested", "完成投资(万元)"),
    Column("funds_invested_rate", "完成投资率(%)"),
]
ITEM_COLUMNS = [
    *MONEY_COLUMNS,
    Column("funds_status", "资金状态"),
    Column("funds_reason", "资金情况说明"),
]


def _money_cells(money: Money | None, unit: str) -> list[Any]:
    if money is None:
        return [None] * len(MONEY_COLUMNS)

    def amount(value: Decimal | None) -> Decimal | None:
        return None if value is None else in_wan(value, unit)

    def share(value: Decimal | None) -> Decimal | None:
        return None if value is None else points(value)

    return [
        amount(money.planned),
        amount(money.arrived),
        share(money.arrived_rate),
        amount(money.paid),
        share(money.paid_rate),
        amount(money.invested),
        share(money.invested_rate),
    ]


def item_csv_cells(report: Report, number: int) -> list[Any]:
    """An item's money for its CSV row: empty cells for an item without funds."""
    funds = report.funds
    assert funds is not None
    found = funds.item(number)
    if found is None:
        return [None] * len(ITEM_COLUMNS)
    reason = reason_text(found, report.now.as_of) or None
    return [*_money_cells(found.money, funds.unit), STATUS_WORDS[found.status], reason]


def group_csv_cells(report: Report, name: str, by_unit: bool) -> list[Any]:
    """A unit's or a category's money summed, for its CSV row."""
    funds = report.funds
    assert funds is not None
    groups = funds.units if by_unit else funds.categories
    group = next((found for found in groups if found.name == name), None)
    return _money_cells(group.money if group is not None else None, funds.unit)
