"""The office workbook (工作簿): the report's JSON as an xlsx file, one sheet per view.

Numbers stay numbers (percentages are fractions with a percent format), dates are dates,
and text from the data is always text: a note that starts with `=` is never a formula.
Each sheet is set up for an office printer: landscape A4, one page wide, the header row on
every page, a title and the as-of date above the table; the English codes are on a sheet of
their own (数据) for machines, hidden, so that printing the workbook leaves it out.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from minsheng.core.cells import display_width
from minsheng.core.status import CODES as STATUSES
from minsheng.core.status import word
from minsheng.plan.models import COMPARATOR_WORDS, KIND_WORDS, Comparator, Kind
from minsheng.render.sheets import (
    ACTIVE,
    DATE,
    GENERAL,
    PERCENT,
    POINTS,
    UNREPORTED,
    Col,
    as_of_words,
    basis_words,
    date_of,
    number_of,
    print_setup,
    put,
    shown_fraction,
    status_fill,
    thin_box,
    title_words,
    words,
    write_heading,
    write_view,
)
from minsheng.render.xlsx_cycle import add_cycle_sheets
from minsheng.render.xlsx_funds import add_funds_sheet

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def _latest(key: str) -> Callable[[dict[str, Any]], Any]:
    def get(item: dict[str, Any]) -> Any:
        latest = item.get("latest") or {}
        return latest.get(key)

    return get


ITEM_COLUMNS = [
    Col("序号", lambda i: i.get("id")),
    Col("类别", lambda i: i.get("category"), wrap_at=12),
    Col("事项", lambda i: i.get("title"), wrap_at=30),
    Col("牵头单位", lambda i: words(i.get("units", [])), wrap_at=16),
    Col("状态", lambda i: word(str(i.get("status", "")))),
    Col("完成进度", lambda i: shown_fraction(i.get("completion_pct")), PERCENT),
    Col("序时进度", lambda i: shown_fraction(i.get("expected_pct")), PERCENT),
    Col("落后(百分点)", lambda i: number_of(i.get("gap")), POINTS),
    Col("最新报送日期", lambda i: date_of(_latest("date")(i)), DATE),
    Col("报送单位", _latest("unit"), wrap_at=14),
    Col("最新进展", lambda i: i.get("latest_text") or None, wrap_at=30),
    Col("来源", _latest("source"), wrap_at=20),
]


def _kind_word(target: dict[str, Any]) -> str | None:
    kind = target.get("kind")
    return KIND_WORDS[Kind(kind)] if kind in {k.value for k in Kind} else kind


def _comparator_word(target: dict[str, Any]) -> str | None:
    comparator = target.get("comparator")
    if comparator in {c.value for c in Comparator}:
        return COMPARATOR_WORDS[Comparator(comparator)]
    return comparator


def unreported(target: dict[str, Any]) -> bool:
    """Nothing reported for the target: 未报送, not a 0% or a 否 that reads like a breach."""
    return target.get("actual") is None and target.get("percent") is None


def _where(target: dict[str, Any]) -> str:
    measure = target.get("measure")
    return "事项指标" if measure is None else f"推进措施第{measure}条"


ACTUAL_FROM = {"entry": "填报", "parts": "分项合计"}  # where 累计完成 came from

TARGET_COLUMNS = [
    Col("事项序号", lambda t: t.get("item")),
    Col("指标代码", lambda t: t.get("id")),
    Col("指标", lambda t: t.get("name")),
    Col("所属", _where),
    Col("类型", _kind_word),
    Col("要求", _comparator_word),
    Col("目标值", lambda t: number_of(t.get("value"))),
    Col("计量单位", lambda t: t.get("unit")),
    Col("基数", lambda t: number_of(t.get("baseline"))),
    Col("累计完成", lambda t: number_of(t.get("actual"))),
    Col("完成数来源", lambda t: ACTUAL_FROM.get(t.get("actual_from") or "")),
    Col("阶段", lambda t: t.get("actual") if isinstance(t.get("actual"), str) else None),
    Col("阶段百分比", lambda t: number_of(t.get("percent"))),
    Col("报送日期", lambda t: date_of(t.get("date")), DATE),
    Col(
        "完成进度",
        lambda t: UNREPORTED if unreported(t) else shown_fraction(t.get("completion_pct")),
        PERCENT,
    ),
    Col("是否达到目标", lambda t: UNREPORTED if unreported(t) else "是" if t.get("met") else "否"),
]

# For machines: the English codes of the JSON, one row an item, the header in row 1.
DATA_COLUMNS = [
    Col("id", lambda i: i.get("id")),
    Col("status", lambda i: i.get("status")),
    Col("completion", lambda i: number_of(i.get("completion"))),
    Col("expected", lambda i: number_of(i.get("expected"))),
    Col("gap", lambda i: number_of(i.get("gap"))),
    Col("latest_date", _latest("date")),
]


def _count(code: str) -> Col:
    return Col(word(code), lambda g: (g.get("counts") or {}).get(code, 0))


UNIT_COLUMNS = [
    Col("名次", lambda u: u.get("rank")),
    Col("牵头单位", lambda u: u.get("name")),
    Col("事项数", lambda u: len(u.get("items", []))),
    Col("平均完成进度", lambda u: shown_fraction(u.get("completion_pct")), PERCENT),
    *(_count(code) for code in ACTIVE),
    Col("事项序号", lambda u: words(u.get("items", []))),
    Col("从未报送事项", lambda u: words(u.get("unreported", []))),
]

CATEGORY_COLUMNS = [
    Col("序号", lambda c: c.get("no")),
    Col("类别", lambda c: c.get("name")),
    Col("事项数", lambda c: len(c.get("items", []))),
    Col("平均完成进度", lambda c: shown_fraction(c.get("completion_pct")), PERCENT),
    *(_count(code) for code in STATUSES),
]


def target_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of every item, each knowing its item's number (tidy: one row a target)."""
    return [
        {**target, "item": item.get("id")}
        for item in report.get("items", [])
        for target in item.get("targets", [])
    ]


def write_summary(sheet: Worksheet, report: dict[str, Any]) -> None:
    """The headline: what, as of when, expected progress, and the counts by status."""
    from openpyxl.styles import Font

    plan = report.get("plan") or {}
    thresholds = report.get("thresholds") or {}
    put(sheet, 1, 1, title_words(report))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    facts: list[tuple[str, Any, str]] = [
        ("依据", plan.get("title"), GENERAL),
        ("文号", plan.get("number"), GENERAL),
        ("数据截至", date_of(report.get("as_of")), DATE),
        ("序时进度", shown_fraction(report.get("expected_pct")), PERCENT),
        ("滞后阈值(百分点)", number_of(thresholds.get("behind")), GENERAL),
        ("严重滞后阈值(百分点)", number_of(thresholds.get("lagging")), GENERAL),
    ]
    row = 3
    for label, value, number_format in facts:
        put(sheet, row, 1, label)
        put(sheet, row, 2, value, number_format)
        if label == "序时进度":  # how it was counted, beside it: 50.0% 按月计
            put(sheet, row, 3, basis_words(report.get("expected_basis")))
        row += 1
    row += 1
    box = thin_box()
    for index, title in enumerate(["状态", "项数"], start=1):
        put(sheet, row, index, title)
        sheet.cell(row=row, column=index).font = Font(bold=True)
        sheet.cell(row=row, column=index).border = box
    summary = report.get("summary") or {}
    for code in STATUSES:
        row += 1
        put(sheet, row, 1, word(code))
        put(sheet, row, 2, summary.get(code, 0))
        fill = status_fill(code)
        if fill is not None:
            sheet.cell(row=row, column=1).fill = fill
        for column in (1, 2):
            sheet.cell(row=row, column=column).border = box
    row += 1
    put(sheet, row, 1, "合计")
    put(sheet, row, 2, sum(int(summary.get(code, 0)) for code in STATUSES))
    sheet.cell(row=row, column=1).font = Font(bold=True)
    for column in (1, 2):
        sheet.cell(row=row, column=column).border = box
    print_setup(sheet, None)
    label_width = max(display_width(label) for label, _, _ in facts)
    sheet.column_dimensions["A"].width = label_width + 2
    sheet.column_dimensions["B"].width = min(display_width(str(plan.get("title") or "")), 70) + 2
    sheet.column_dimensions["C"].width = 8


def render_xlsx(report: dict[str, Any]) -> bytes:
    """The workbook for `report` (the JSON document): 概况, 事项, 指标, 单位, 类别, the monthly
    cycle's sheets, 资金 where there is money, and 数据 (the English codes, for machines)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概况"
    write_summary(summary, report)
    items = list(report.get("items", []))
    views = [
        ("事项", "各项完成情况", ITEM_COLUMNS, items),
        ("指标", "各项指标完成情况", TARGET_COLUMNS, target_rows(report)),
        ("单位", "牵头单位排名", UNIT_COLUMNS, list(report.get("units", []))),
        ("类别", "分类完成情况", CATEGORY_COLUMNS, list(report.get("categories", []))),
    ]
    heading = title_words(report)
    for name, title, columns, rows in views:
        sheet = book.create_sheet(name)
        write_heading(sheet, f"{heading}:{title}", as_of_words(report))
        status = (lambda i: i.get("status")) if name == "事项" else None
        write_view(sheet, columns, rows, status=status)
    add_cycle_sheets(book, report)  # 报送, 趋势, 连续滞后, 变化
    add_funds_sheet(book, report)  # 资金, where a funds file exists
    data = book.create_sheet("数据")
    write_view(data, DATA_COLUMNS, items, header_row=1, as_typed=True)
    # For programs, which read it all the same; a hidden sheet is one Excel, WPS and
    # LibreOffice never print (nor export to PDF) with the workbook.
    data.sheet_state = "hidden"
    book.properties.creator = "minsheng"
    book.properties.title = f"民生实事完成情况(截至 {report.get('as_of', '')})"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
