"""The bulletin as a document (通报, Word/WPS): the report's JSON laid out as a 公文.

The layout follows GB/T 9704-2012 where a generated file can: A4 with the standard margins;
the 版头 (发文机关标志 in red 小标宋, the 发文字号, the red separator line); the title in 小标宋
二号, the 主送机关, the body in 仿宋_GB2312 三号 at 22 lines a page, 一级标题 in 黑体, 二级标题
in 楷体; the 落款 (发文机关署名 and 成文日期, room above them for the seal) kept on the page of
the text before it; the 附注 (contact); the 版记 (抄送, 印发机关 and 印发日期) at the foot of the
last page; page numbers `— 1 —` (odd pages right, even pages left). Font names are set on
every run, East Asian attribute included, because WPS and Word pick the Chinese font from
that attribute and would otherwise fall back to the template's.

The input is the plain dict of `report --format json`, like the page and the workbook; an
`escalations` list is shown where the JSON has one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.dates import BEIJING
from minsheng.core.percent import shown_percent as percent
from minsheng.core.percent import shown_points as points
from minsheng.core.status import CODES as STATUS_CODES
from minsheng.core.status import word
from minsheng.plan.models import BASIS_WORDS, Basis
from minsheng.render.docx_funds import has_funds, write_funds
from minsheng.render.gongwen import (
    BODY_FONT,
    BODY_SIZE,
    TITLE_FONT,
    TITLE_SIZE,
    Scrubber,
    blank,
    body,
    defaults,
    heading,
    imprint,
    keep_with_next,
    letterhead,
    page_setup,
    paragraph,
    points_length,
    prose_title,
    run_in,
    table,
    text_width,
)

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

CORE_LIMIT = 255  # characters a core property (title, author) may hold

PLACEHOLDER = (
    "【待填写】下步工作：请在此写明下一阶段的工作要求（如对滞后事项的督办措施、报送要求），"
    "发文前删除本段提示。"
)


@dataclass(frozen=True)
class Masthead:
    """Who issues the bulletin, under what title and 文号, on what date, and who gets a copy:
    the plan's `bulletin` settings with the command line's over them (views.report_formats)."""

    title: str | None = None  # default: 关于{year}年民生实事推进情况的通报
    issuer: str | None = None  # 落款的发文机关署名; default: the mark
    number: str | None = None  # 发文字号 in full; without it a highlighted blank to fill
    date: dt.date | None = None  # 成文日期 (and 印发日期); default today in China
    recipients: str = "各牵头单位"  # 主送机关
    mark: str | None = None  # 发文机关标志; default: the issuer
    prefix: str | None = None  # 机关代字 of the 发文字号 left to fill in
    copy_to: tuple[str, ...] = ()  # 抄送机关
    printer: str | None = None  # 印发机关; default: the issuer
    contact: str | None = None  # 附注: 联系人 and 电话


def today_in_china() -> dt.date:
    """The 成文日期 an office in China writes today, wherever the program runs."""
    return dt.datetime.now(BEIJING).date()


# --- text from the data -----------------------------------------------------------------


# --- numbers and dates as a 通报 writes them ---------------------------------------------


def chinese_date(day: dt.date) -> str:
    """2024年6月30日: the 公文's Arabic-numeral date, without leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def date_of(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def basis_words(code: Any) -> str:
    basis = next((b for b in Basis if b.value == code), None)
    return BASIS_WORDS[basis] if basis is not None else ""


# --- the bulletin -----------------------------------------------------------------------


@dataclass
class Named:
    """An item as the prose names it."""

    id: int
    title: str
    units: str
    status: str
    completion: str
    gap: str
    latest: str


def named_items(report: dict[str, Any], clean: Scrubber) -> list[Named]:
    found = []
    for item in report.get("items", []):
        number = item.get("id")
        where = f"第 {number} 项"
        latest = latest_words(item, clean, where)
        found.append(
            Named(
                id=number,
                title=prose_title(item, clean, f"{where}标题"),
                units="、".join(clean(u, f"{where}牵头单位") for u in item.get("units", [])),
                status=str(item.get("status", "")),
                completion=percent(item.get("completion_pct")),
                gap=points(item.get("gap")),
                latest=latest,
            )
        )
    return found


def latest_words(item: dict[str, Any], clean: Scrubber, where: str) -> str:
    """最新进展 as the 通报 says it: each entry's own figure and note with the day it was
    reported (区教育局 and 区残联 each their own on a co-led item), never mixed."""
    entries = [e for e in item.get("latest_by_unit") or [] if isinstance(e, dict)]
    parts = []
    for entry in entries:
        # The sentence closes after the date it was reported: its own stop goes.
        text = re.sub(r"[。;,]+$", "", clean(entry.get("shown"), f"{where}进展说明"))
        if not text:
            continue
        day = date_of(entry.get("date"))
        if day is not None:
            text += f"({day.month}月{day.day}日报送)"
        if len(entries) > 1:
            text = f"{clean(entry.get('unit'), f'{where}填报单位')}:{text}"
        parts.append(text)
    return ";".join(parts) + "。" if parts else ""


def brief(items: Sequence[Named], with_completion: bool) -> str:
    """第4项加强……(区民政局)、第9项……: items named in one run of text."""
    shown = []
    for item in items:
        where = f"{item.units},完成{item.completion}" if with_completion else item.units
        shown.append(f"第{item.id}项“{item.title}”({where})")
    return "、".join(shown) + "。"


def opening(report: dict[str, Any], clean: Scrubber) -> str:
    plan = report.get("plan") or {}
    summary = report.get("summary") or {}
    as_of = date_of(report.get("as_of"))
    when = chinese_date(as_of) if as_of else "统计截止日"
    total = sum(int(summary.get(code, 0)) for code in STATUS_CODES)
    working = total - int(summary.get("no_task", 0))
    counts = "、".join(
        f"{word(code)}{summary.get(code, 0)}项"
        for code in ("done", "on_track", "behind", "lagging", "unreported")
    )
    basis = basis_words(report.get("expected_basis"))
    title = clean(plan.get("title"), "计划标题")
    number = clean(plan.get("number"), "计划文号")
    source = f"《{title}》({number})" if title else number
    return (
        f"根据{source}要求,现将截至{when}民生实事推进情况通报如下:"
        f"序时进度为{percent(report.get('expected_pct'))}{'(' + basis + ')' if basis else ''},"
        f"全部{total}项中有任务{working}项,其中{counts},"
        f"无任务{summary.get('no_task', 0)}项。"
    )


def write_progress(doc: Document, items: list[Named]) -> int:
    """一、总体进展: done and on-track items named briefly. Returns the next heading number."""
    heading(doc, "一、总体进展")
    done = [i for i in items if i.status == "done"]
    going = [i for i in items if i.status == "on_track"]
    run_in(doc, f"(一)已完成事项({len(done)}项)。", brief(done, False) if done else "暂无。")
    run_in(doc, f"(二)正常推进事项({len(going)}项)。", brief(going, True) if going else "暂无。")
    return 2


def write_lagging(doc: Document, items: list[Named], number: str) -> None:
    """二、滞后事项: each named with its lead unit and how far behind (点名)."""
    heading(doc, f"{number}、滞后事项")
    groups = [("lagging", "(一)严重滞后事项"), ("behind", "(二)滞后事项")]
    for code, head in groups:
        found = [i for i in items if i.status == code]
        found.sort(key=lambda i: (-Decimal(i.gap or "0"), i.id))
        run_in(doc, f"{head}({len(found)}项)。", "" if found else "暂无。")
        for item in found:
            text = (
                f"第{item.id}项“{item.title}”,牵头单位{item.units},完成进度{item.completion},"
                f"低于序时进度{item.gap}个百分点。"
            )
            text += f"最新进展:{item.latest}" if item.latest else "未说明最新进展。"
            body(doc, text)


def write_unreported(doc: Document, items: list[Named], number: str) -> None:
    heading(doc, f"{number}、从未报送情况")
    silent: dict[str, list[int]] = {}
    for item in items:
        if item.status == "unreported":
            for unit in item.units.split("、"):
                silent.setdefault(unit, []).append(item.id)
    if not silent:
        body(doc, "各牵头单位均已报送进度。")
        return
    named = "、".join(
        f"{unit}(第{'、'.join(str(n) for n in numbers)}项)" for unit, numbers in silent.items()
    )
    body(doc, f"{named}从未报送进度,请于收到本通报后及时报送。")


def write_returns(doc: Document, report: dict[str, Any], number: str) -> None:
    """This month's returns, unit by unit, where the plan runs the monthly cycle: who
    reported on time, who late, who not at all, with the items (点名)."""
    units = [u for u in report.get("reporting") or [] if u.get("periods")]
    latest = [(str(u.get("unit", "")), u["periods"][-1]) for u in units]
    month = str(latest[0][1].get("period", "")) if latest else ""
    heading(doc, f"{number}、{_month_words(month)}报送情况")

    def named(status: str, key: str) -> str:
        return "、".join(
            f"{unit}(第{'、'.join(str(n) for n in period.get(key) or [])}项)"
            for unit, period in latest
            if period.get("status") == status
        )

    on_time = sum(1 for _, period in latest if period.get("status") == "on_time")
    said = f"应报送进度的{len(latest)}个牵头单位中,{on_time}个按时报送"
    late, missing = named("late", "items_late"), named("missing", "items_missing")
    pending = named("pending", "items_pending")
    if late:
        said += f";{late}逾期报送"
    if missing:
        said += f";{missing}未报送,请于收到本通报后及时报送"
    if pending:  # not yet due when the bulletin was made: nobody is chased for it
        due = date_of(next((p.get("due") for _, p in latest if p.get("status") == "pending"), None))
        by = f"报送截止日为{chinese_date(due)}," if due is not None else ""
        said += f";{pending}尚未报送,{by}待报送"
    body(doc, said + "。")


def _month_words(period: str) -> str:
    """2024-06 as 2024年6月."""
    year, _, month = period.partition("-")
    return f"{year}年{int(month)}月" if month.isdigit() else "本月"


def write_escalations(
    doc: Document, escalations: list[Any], items: list[Named], number: str, clean: Scrubber
) -> None:
    """Items behind for months running (约谈、挂牌督办), as the monthly cycle lists them."""
    heading(doc, f"{number}、连续滞后事项")
    titles: dict[Any, str] = {i.id: i.title for i in items}
    if not escalations:
        body(doc, "无连续滞后事项。")
        return
    for found in escalations:
        if not isinstance(found, dict):
            continue
        item = found.get("id")
        units = "、".join(clean(u, f"第 {item} 项牵头单位") for u in found.get("units", []))
        body(
            doc,
            f"第{item}项“{titles.get(item, '')}”(牵头单位{units})"
            f"已连续{found.get('months')}个月滞后,目前为{word(str(found.get('status', '')))},"
            "列为重点督办事项。",
        )


def write_tables(doc: Document, report: dict[str, Any], items: list[Named], number: str) -> None:
    heading(doc, f"{number}、各项完成情况及牵头单位排名")
    body(doc, "各项完成情况见表1,牵头单位排名见表2。")
    expected = {i.get("id"): percent(i.get("expected_pct")) for i in report.get("items", [])}
    rows = [
        [
            str(i.id),
            i.title,
            i.units,
            "—" if i.status == "unreported" else i.completion,
            expected.get(i.id, ""),
            word(i.status),
        ]
        for i in items
        if i.status != "no_task"
    ]
    table(
        doc,
        "表1 各项完成情况",
        ["序号", "事项", "牵头单位", "完成进度", "序时进度", "状态"],
        rows,
        [11, 58, 34, 17, 17, 19],
        right={0, 3, 4},
    )
    active = ("done", "on_track", "behind", "lagging", "unreported")
    units = [
        [
            str(u.get("rank", "")),
            str(u.get("name", "")),
            str(len(u.get("items", []))),
            percent(u.get("completion_pct")),
            *(str((u.get("counts") or {}).get(code, 0)) for code in active),
        ]
        for u in report.get("units", [])
    ]
    table(
        doc,
        "表2 牵头单位排名",
        ["名次", "牵头单位", "事项数", "平均完成进度", *(word(c) for c in active)],
        units,
        [11, 36, 14, 21, 14, 17, 12, 17, 14],
        right={0, 2, 3, 4, 5, 6, 7, 8},
    )


def signature(doc: Document, last: Paragraph, issuer: str, day: dt.date) -> Paragraph:
    """署名 and 成文日期: the date four characters in from the right, the office centred
    over it (GB/T 9704-2012 7.3.5.1); two blank lines above them hold the seal, which
    presses down on both. The last paragraph of the text goes to the same page. Returns the
    署名's paragraph (for a placeholder's highlight)."""
    date = chinese_date(day)
    space = [blank(doc), blank(doc)]
    inset = 4 * BODY_SIZE
    over = (text_width(date) - text_width(issuer)) / 2
    office = paragraph(doc, [(issuer, BODY_FONT)], indent=0, align="right")
    office.paragraph_format.right_indent = points_length(inset + max(over, 0))
    dated = paragraph(doc, [(date, BODY_FONT)], indent=0, align="right")
    dated.paragraph_format.right_indent = points_length(inset)
    keep_with_next(last, *space, office)
    return office


def number_line(masthead: Masthead, day: dt.date, clean: Scrubber) -> tuple[str, bool]:
    """The 发文字号, and whether it is a blank left to fill (no --number was given)."""
    if masthead.number:
        return clean(masthead.number, "文号"), False
    return f"{clean(masthead.prefix, '机关代字')}〔{day.year}〕　号", True


NUMERALS = "一二三四五六七八九十"


def render_docx(report: dict[str, Any], masthead: Masthead | None = None) -> bytes:
    """The 通报 for `report` (the JSON document) as a .docx file."""
    from docx import Document as new_document

    masthead = masthead or Masthead()
    clean = Scrubber()
    plan = report.get("plan") or {}
    doc = new_document()
    defaults(doc)
    page_setup(doc)

    day = masthead.date or today_in_china()
    issuer = clean(masthead.issuer, "发文机关") or clean(masthead.mark, "发文机关标志")
    mark = clean(masthead.mark, "发文机关标志") or issuer
    number, to_fill = number_line(masthead, day, clean)
    numbered, _ = letterhead(doc, mark, number)
    if to_fill:
        mark_placeholder(numbered)
    year = plan.get("year")
    title = clean(masthead.title, "标题") or f"关于{year or ''}年民生实事推进情况的通报"
    paragraph(doc, [(title, TITLE_FONT)], size=TITLE_SIZE, indent=0, align="center", pitch=36)
    blank(doc)
    paragraph(doc, [(f"{clean(masthead.recipients, '主送机关')}：", BODY_FONT)], indent=0)
    body(doc, opening(report, clean))

    items = named_items(report, clean)
    write_progress(doc, items)
    sections = iter(NUMERALS[1:])
    write_lagging(doc, items, next(sections))
    if report.get("reporting"):  # the monthly cycle says who missed this month's return
        write_returns(doc, report, next(sections))
    else:
        write_unreported(doc, items, next(sections))
    if "escalations" in report:
        escalations = report.get("escalations") or []
        write_escalations(doc, list(escalations), items, next(sections), clean)
    write_tables(doc, report, items, next(sections))
    if has_funds(report):
        write_funds(doc, report, next(sections), 3, percent, clean)
    heading(doc, f"{next(sections)}、下步工作")
    placeholder = body(doc, PLACEHOLDER)
    mark_placeholder(placeholder)

    signature(doc, placeholder, issuer, day)
    if masthead.contact:
        # 附注: under the date, two characters in, in parentheses (GB/T 9704-2012 7.3.6).
        paragraph(doc, [(f"（{clean(masthead.contact, '附注')}）", BODY_FONT)], align="left")
    copies = [clean(office, "抄送机关") for office in masthead.copy_to]
    printer = clean(masthead.printer, "印发机关") or issuer
    imprint(doc, [c for c in copies if c], printer, chinese_date(day))

    # The file's properties hold at most 255 characters each; the document holds the whole.
    doc.core_properties.title = title[:CORE_LIMIT]
    doc.core_properties.author = issuer[:CORE_LIMIT]
    as_of = clean(report.get("as_of"), "统计截止日期")
    doc.core_properties.subject = f"民生实事完成情况(截至 {as_of})"[:CORE_LIMIT]
    clean.tell()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def mark_placeholder(para: Paragraph) -> None:
    """Yellow, like a reviewer's highlight, so nobody sends it unedited."""
    from docx.enum.text import WD_COLOR_INDEX

    for run in para.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
