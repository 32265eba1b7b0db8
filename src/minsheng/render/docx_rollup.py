"""The city's roll-up as a 通报 (.docx) on the 公文 page of gongwen: 一、总体进展 by district,
二、各县区排名, 三、进度较慢的事项 with the districts named; made from the roll-up's JSON
document (rollup.compute.document), like the other formats."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from minsheng.core.percent import shown_percent as percent
from minsheng.core.status import RETURN_WORDS
from minsheng.render.docx import PLACEHOLDER, chinese_date, mark_placeholder
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
    page_setup,
    paragraph,
    table,
)
from minsheng.render.rollup import rate_text

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


def render_docx(document: dict[str, Any], day: dt.date | None = None) -> bytes:
    """The roll-up's 通报 (the JSON document in), as a .docx file."""
    from docx import Document as new_document

    from minsheng.render.docx import today_in_china

    clean = Scrubber()
    doc = new_document()
    defaults(doc)
    page_setup(doc)
    title = f"关于各县区{document['year']}年民生实事推进情况的通报"
    paragraph(doc, [(title, TITLE_FONT)], size=TITLE_SIZE, indent=0, align="center", pitch=36)
    blank(doc)
    areas = document["areas"]
    opening = (
        f"截至{document['as_of']},序时进度{percent(document['expected_pct'])}。"
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
        names = "、".join(clean(name, "县区") for name in item["slowest"])
        body(doc, f"第{item['ref']}项{clean(item['short_title'], '事项')}:进度较慢的为{names}。")

    heading(doc, "四、下步工作")
    placeholder = body(doc, PLACEHOLDER)
    mark_placeholder(placeholder)
    paragraph(doc, [(chinese_date(day or today_in_china()), BODY_FONT)], align="right")

    doc.core_properties.title = title
    doc.core_properties.subject = f"各县区民生实事推进情况(截至 {document['as_of']})"
    clean.tell()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
