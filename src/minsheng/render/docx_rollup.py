"""The city's roll-up as a 通报 (.docx) on the 公文 page of gongwen: the 版头, 落款 and 版记 of
the district's 通报 (render.docx: Masthead, letterhead, signature, imprint), 一、总体进展 by
district, 二、各县区排名, 三、进度较慢的事项 with the districts named, each with its own 目标任务
and figure; made from the roll-up's JSON document (rollup.compute.document), like the other
formats.

A city keeps no plan file of its own, so what a district's plan gives its 通报 (the issuing
office, the 机关代字) comes from the command line alone; what is not given is a highlighted
blank to fill, never silently left out."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from minsheng.core.percent import shown_percent as percent
from minsheng.core.status import RETURN_WORDS
from minsheng.render.docx import (
    CORE_LIMIT,
    PLACEHOLDER,
    Masthead,
    chinese_date,
    mark_placeholder,
    number_line,
    signature,
    today_in_china,
)
from minsheng.render.gongwen import (
    BODY_FONT,
    LINE_MM,
    TITLE_FONT,
    TITLE_SIZE,
    Scrubber,
    blank,
    body,
    defaults,
    heading,
    imprint,
    letterhead,
    page_setup,
    paragraph,
    table,
)
from minsheng.render.rollup import rate_text

if TYPE_CHECKING:
    from docx.document import Document

# The 发文机关 not given (--issuer, --masthead): a blank in the 版头, 落款 and 版记 to fill.
ISSUER_PLACEHOLDER = "【待填写发文机关】"
RECIPIENTS = "各县区"  # 主送机关 of a city's 通报

COUNTS = (("done", "已完成"), ("on_track", "正常推进"), ("behind", "滞后"), ("lagging", "严重滞后"))


def area_sentence(area: dict[str, Any], clean: Scrubber) -> str:
    """花山区:有任务事项33项,已完成5项、正常推进12项……,平均完成比例46.6%,按时报送率68.8%。"""
    summary = area["summary"]
    counted = [f"{word}{summary[code]}项" for code, word in COUNTS if summary[code]]
    if summary["unreported"]:
        counted.append(f"从未报送{summary['unreported']}项")
    said = f"{clean(area['name'], '县区')}:有任务事项{area['items_with_task']}项"
    if counted:
        said += "," + "、".join(counted)
    said += f",平均完成比例{percent(area['completion_pct'])}"
    if area["on_time_rate_pct"] is not None:
        # Full-width written out: typeset leaves (29/32) and a ; after it as they are, for
        # nothing Chinese touches them, but in this sentence they are prose.
        months = area["on_time_months"]
        rate = f"{percent(area['on_time_rate_pct'])}（{months['on_time']}/{months['settled']}）"
        said += f",按时报送率{rate}"
    returns = area.get("returns")
    if returns is not None:
        month = int(str(returns["month"])[5:7])
        said += f"；{month}月份进度{RETURN_WORDS[returns['status']]}"
        if returns["missing"]:
            said += "(未报送:" + "、".join(clean(u, "单位") for u in returns["missing"]) + ")"
    return said + "。"


def masthead_for(given: Masthead | None) -> Masthead:
    """The 通报's 版头, 落款 and 版记 from the command line: the issuer names the 版头 and the
    印发机关 unless they are given apart; the date is today in China unless given."""
    given = given or Masthead()
    issuer = given.issuer or given.mark
    return replace(
        given,
        issuer=issuer,
        mark=given.mark or issuer,
        date=given.date or today_in_china(),
        recipients=RECIPIENTS if given.recipients == Masthead.recipients else given.recipients,
        printer=given.printer or issuer,
    )


def slow_sentence(item: dict[str, Any], clean: Scrubber) -> str:
    """第1项促进重点群体稳定就业:进度较慢的为乙区、丙县。乙区滞后,完成比例35.2%,目标任务:……。"""
    where = f"第{item['ref']}项"
    names = "、".join(clean(name, "县区") for name in item["slowest"])
    said = f"{where}{clean(item['short_title'], '事项')}:进度较慢的为{names}。"
    for name in item["slowest"]:
        standing = item["areas"][name]
        said += (
            f"{clean(name, '县区')}{standing['status_label']},"
            f"完成比例{percent(standing['completion_pct'])}"
        )
        target = clean(standing.get("target"), f"{where}目标任务")
        said += f",目标任务:{target}。" if target else "。"
    return said


def render_docx(document: dict[str, Any], masthead: Masthead | None = None) -> bytes:
    """The roll-up's 通报 (the JSON document in), as a .docx file."""
    from docx import Document as new_document

    masthead = masthead_for(masthead)
    clean = Scrubber()
    doc = new_document()
    defaults(doc)
    page_setup(doc)

    assert masthead.date is not None
    day = masthead.date
    issuer = clean(masthead.issuer, "发文机关") or ISSUER_PLACEHOLDER
    mark = clean(masthead.mark, "发文机关标志") or issuer
    number, to_fill = number_line(masthead, day, clean)
    numbered, sign = letterhead(doc, mark, number)
    if to_fill:
        mark_placeholder(numbered)
    if mark == ISSUER_PLACEHOLDER:
        mark_placeholder(sign)
    default_title = f"关于各县区{document['year']}年民生实事推进情况的通报"
    title = clean(masthead.title, "标题") or default_title
    paragraph(doc, [(title, TITLE_FONT)], size=TITLE_SIZE, indent=0, align="center", pitch=36)
    blank(doc)
    paragraph(doc, [(f"{clean(masthead.recipients, '主送机关')}：", BODY_FONT)], indent=0)
    areas = document["areas"]
    as_of = chinese_date(dt.date.fromisoformat(document["as_of"]))  # 2024年6月30日, as the 落款
    opening = (
        f"截至{as_of},序时进度{percent(document['expected_pct'])}。"
        f"现将{len(areas)}个县区民生实事推进情况通报如下。"
    )
    if document.get("parent"):
        opening = f"按照{clean(document['parent'], '上级清单')}," + opening
    body(doc, opening)

    heading(doc, "一、总体进展")
    for area in areas:
        body(doc, area_sentence(area, clean))

    heading(doc, "二、各县区排名")
    body(doc, document["rule"]["rank"])
    rows = [
        [
            str(area["rank"]),
            clean(area["name"], "县区"),
            str(area["items_with_task"]),
            str(area["summary"]["done"]),
            str(area["summary"]["behind"] + area["summary"]["lagging"]),
            percent(area["completion_pct"]),
            rate_text(area),
        ]
        for area in areas
    ]
    header = ["排名", "县区", "有任务事项", "已完成", "滞后", "平均完成比例", "按时报送率"]
    widths = [14.0, 30.0, 22.0, 18.0, 18.0, 26.0]
    widths.append(LINE_MM - sum(widths))
    table(doc, "各县区民生实事推进情况排名", header, rows, widths, {0, 2, 3, 4, 5, 6})

    heading(doc, "三、进度较慢的事项")
    body(doc, document["rule"]["slowest"])
    slow = [item for item in document["items"] if item["slowest"]]
    if not slow:
        body(doc, "各事项均无进度较慢的县区。")
    for item in slow:
        body(doc, slow_sentence(item, clean))

    heading(doc, "四、下步工作")
    placeholder = body(doc, PLACEHOLDER)
    mark_placeholder(placeholder)
    close(doc, placeholder, masthead, issuer, clean)

    doc.core_properties.title = title[:CORE_LIMIT]
    if issuer != ISSUER_PLACEHOLDER:
        doc.core_properties.author = issuer[:CORE_LIMIT]
    doc.core_properties.subject = f"各县区民生实事推进情况(截至 {document['as_of']})"
    clean.tell()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def close(doc: Document, last: Any, masthead: Masthead, issuer: str, clean: Scrubber) -> None:
    """落款 (署名 and 成文日期), 附注 and 版记, as the district's 通报 sets them; the 发文机关
    not given is a highlighted blank in each place it stands."""
    assert masthead.date is not None
    signed = signature(doc, last, issuer, masthead.date)
    if issuer == ISSUER_PLACEHOLDER:
        mark_placeholder(signed)
    if masthead.contact:
        # 附注: under the date, two characters in, in parentheses (GB/T 9704-2012 7.3.6).
        paragraph(doc, [(f"（{clean(masthead.contact, '附注')}）", BODY_FONT)], align="left")
    copies = [clean(office, "抄送机关") for office in masthead.copy_to]
    printer = clean(masthead.printer, "印发机关") or issuer
    imprint(doc, [c for c in copies if c], printer, chinese_date(masthead.date))
    if printer == ISSUER_PLACEHOLDER:
        for para in doc.tables[-1].rows[-1].cells[0].paragraphs:
            mark_placeholder(para)
