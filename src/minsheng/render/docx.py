"""The bulletin as a document (通报, Word/WPS): the report's JSON laid out as a 公文.

The layout follows GB/T 9704-2012 where a generated file can: A4 with the standard margins,
the title in 小标宋 二号, the body in 仿宋_GB2312 三号 at 22 lines a page, 一级标题 in 黑体,
二级标题 in 楷体, page numbers `— 1 —` at the foot (odd pages right, even pages left). Font
names are set on every run, East Asian attribute included, because WPS and Word pick the
Chinese font from that attribute and would otherwise fall back to the template's.

The input is the plain dict of `report --format json`, like the page and the workbook; an
`escalations` list is shown where the JSON has one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from minsheng.core.status import word
from minsheng.plan.models import BASIS_WORDS, Basis
from minsheng.render.html import percent

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

# Fonts of the standard; where one is not installed, Word, WPS and LibreOffice substitute.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
FOLIO_FONT = "宋体"  # the page number: 4号半角宋体

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12.
TITLE_SIZE = 22
BODY_SIZE = 16
FOLIO_SIZE = 14
CAPTION_SIZE = 14
TABLE_SIZE = 10.5  # 五号: nine columns of the unit ranking fit the 156 mm line
CELL_MARGIN_MM = 1

# 版心 156 × 225 mm with 22 lines: a line every 225 mm / 22 ≈ 28.95 pt.
LINE_PITCH = 28.95
INDENT = 2 * BODY_SIZE  # 首行缩进两字

# XML 1.0 cannot hold these at all (C0 controls but tab, newline and return; surrogates;
# U+FFFE and U+FFFF): they are removed, and the person is told.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CORE_LIMIT = 255  # characters a core property (title, author) may hold

PLACEHOLDER = (
    "【待填写】下步工作:请在此写明下一阶段的工作要求(如对滞后事项的督办措施、报送要求),"
    "发文前删除本段提示。"
)


class StrippedCharacters(UserWarning):
    """Text from the data held characters a Word file cannot store; they were left out."""


@dataclass(frozen=True)
class Masthead:
    """Who issues the bulletin, under what title and 文号, on what date."""

    title: str | None = None  # default: 关于{year}年民生实事推进情况的通报
    issuer: str | None = None  # default: the plan's 发布机构
    number: str | None = None  # the bulletin's own 文号; none by default
    date: dt.date | None = None  # 成文日期; default today
    recipients: str = "各牵头单位"  # 主送机关


# --- text from the data -----------------------------------------------------------------


class Scrubber:
    """Cleans data text for the document and remembers where it had to remove characters."""

    def __init__(self) -> None:
        self.removed: dict[str, int] = {}

    def __call__(self, text: Any, where: str) -> str:
        if text is None:
            return ""
        text = str(text)
        kept, count = XML_ILLEGAL.subn("", text)
        if count:
            self.removed[where] = self.removed.get(where, 0) + count
        # One line: controls (and invisible format marks that could reorder what is shown)
        # become spaces, and runs of spaces one.
        flat = "".join(" " if unicodedata.category(c) in {"Cc", "Cf"} else c for c in kept)
        return " ".join(flat.split())

    def tell(self) -> None:
        if self.removed:
            places = "、".join(f"{where}({n} 个)" for where, n in self.removed.items())
            warnings.warn(
                f"提示 [docx-stripped-characters]:Word 文件不能容纳的控制字符已去掉:{places}",
                StrippedCharacters,
                stacklevel=3,
            )


# --- numbers and dates as a 通报 writes them ---------------------------------------------


def points(value: Any) -> str:
    """Percentage points with one decimal (40.0), as the other formats show a gap."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ""
    return str(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


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


# --- runs and paragraphs ------------------------------------------------------------------


def set_font(run: Run, name: str, size: float, *, bold: bool = False) -> None:
    """The font on the run itself, for Latin, East Asian and complex scripts alike."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def paragraph(
    doc: Document,
    parts: Sequence[tuple[str, str]],
    *,
    size: float = BODY_SIZE,
    indent: float = INDENT,
    align: str = "justify",
    pitch: float | None = LINE_PITCH,
) -> Paragraph:
    """A paragraph of (text, font) runs, indented two characters like the body of a 公文."""
    from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
    from docx.shared import Pt

    para = doc.add_paragraph()
    para.alignment = {
        "justify": WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
        "center": WD_PARAGRAPH_ALIGNMENT.CENTER,
        "right": WD_PARAGRAPH_ALIGNMENT.RIGHT,
        "left": WD_PARAGRAPH_ALIGNMENT.LEFT,
    }[align]
    layout = para.paragraph_format
    layout.first_line_indent = Pt(indent) if indent else None
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    if pitch is not None:
        layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        layout.line_spacing = Pt(pitch)
    for text, font in parts:
        set_font(para.add_run(text), font, size)
    return para


def body(doc: Document, text: str) -> Paragraph:
    return paragraph(doc, [(text, BODY_FONT)])


def heading(doc: Document, text: str) -> Paragraph:
    """一级标题: 一、总体进展 in 黑体."""
    return paragraph(doc, [(text, HEADING_FONT)])


def run_in(doc: Document, head: str, text: str) -> Paragraph:
    """二级标题 run into its paragraph, as a 通报 writes it: (一)已完成事项。……"""
    return paragraph(doc, [(head, SUBHEADING_FONT), (text, BODY_FONT)])


def blank(doc: Document) -> Paragraph:
    return paragraph(doc, [("", BODY_FONT)], indent=0)


# --- the page ---------------------------------------------------------------------------


def page_setup(doc: Document) -> None:
    """A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; page numbers 7 mm under the 版心."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)
    doc.settings.odd_and_even_pages_header_footer = True
    folio(section.footer.paragraphs[0], odd=True)
    folio(section.even_page_footer.paragraphs[0], odd=False)


def folio(para: Paragraph, *, odd: bool) -> None:
    """`— 1 —`: odd pages at the right, even pages at the left, one character in."""
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    para.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT if odd else WD_PARAGRAPH_ALIGNMENT.LEFT
    inset = Pt(FOLIO_SIZE)
    if odd:
        para.paragraph_format.right_indent = inset
    else:
        para.paragraph_format.left_indent = inset
    set_font(para.add_run("— "), FOLIO_FONT, FOLIO_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = para.add_run()
        set_font(run, FOLIO_FONT, FOLIO_SIZE)
        if kind is not None:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._element.append(mark)
        elif text == " PAGE ":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._element.append(code)
        else:
            run.text = text or ""
    end = para.add_run()
    set_font(end, FOLIO_FONT, FOLIO_SIZE)
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), "end")
    end._element.append(mark)
    set_font(para.add_run(" —"), FOLIO_FONT, FOLIO_SIZE)


def defaults(doc: Document) -> None:
    """The Normal style in the body font, Chinese, so that an empty paragraph matches too."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_SIZE)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), BODY_FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(language)


# --- tables -----------------------------------------------------------------------------


def table(
    doc: Document,
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    right: set[int],
) -> None:
    """A captioned table with real borders, its header row repeated on every page."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    paragraph(doc, [(caption, HEADING_FONT)], size=CAPTION_SIZE, indent=0, align="center")
    grid = doc.add_table(rows=1 + len(rows), cols=len(header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(CELL_MARGIN_MM / 25.4 * 1440)))  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    grid._tbl.tblPr.append(margins)
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for number, values in enumerate([header, *rows]):
        row = grid.rows[number]
        if number == 0:
            # Repeat the header row at the top of each page the table runs onto.
            marker = OxmlElement("w:tblHeader")
            marker.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(marker)
        for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(widths_mm[index])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            para = cell.paragraphs[0]
            para.paragraph_format.space_before = Pt(1.5)
            para.paragraph_format.space_after = Pt(1.5)
            para.alignment = (
                WD_PARAGRAPH_ALIGNMENT.CENTER
                if number == 0
                else WD_PARAGRAPH_ALIGNMENT.RIGHT
                if index in right
                else WD_PARAGRAPH_ALIGNMENT.LEFT
            )
            font = HEADING_FONT if number == 0 else BODY_FONT
            set_font(para.add_run(text), font, TABLE_SIZE)
    # The paragraph after a table keeps it from running into the next heading.
    blank(doc)


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
        note = item.get("note") or {}
        # The sentence closes after the date it was reported: its own stop goes.
        latest = re.sub(r"[。;,]+$", "", clean(note.get("text"), f"{where}进展说明"))
        noted = date_of(note.get("date"))
        if latest and noted is not None:
            latest += f"({noted.month}月{noted.day}日报送)"
        if latest:
            latest += "。"
        found.append(
            Named(
                id=number,
                title=prose_title(item, clean, f"{where}标题"),
                units="、".join(clean(u, f"{where}牵头单位") for u in item.get("units", [])),
                status=str(item.get("status", "")),
                completion=percent(item.get("completion")),
                gap=points(item.get("gap")),
                latest=latest,
            )
        )
    return found


def prose_title(item: dict[str, Any], clean: Scrubber, where: str) -> str:
    """The item's short title, whole: where the short title was cut (…), the clause it was
    cut from; inner quotation marks become single ones, as Chinese nests them."""
    title = clean(item.get("title"), where)
    short = clean(item.get("short_title"), where) or title
    if short.endswith("…"):
        clauses = re.split(r"[,;。,;]", title)
        short = next((c for c in clauses if c.startswith(short[:-1])), short)
    return short.replace("“", "‘").replace("”", "’")


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
    total = sum(int(v) for v in summary.values())
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
        f"序时进度为{percent(report.get('expected'))}{'(' + basis + ')' if basis else ''},"
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
    heading(doc, f"{number}、未报送情况")
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
    body(doc, f"{named}至今未报送进度,请于收到本通报后及时报送。")


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
    expected = {i.get("id"): percent(i.get("expected")) for i in report.get("items", [])}
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
            percent(u.get("completion")),
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


def signature(doc: Document, issuer: str, day: dt.date) -> None:
    """署名 and 成文日期: the date four characters in from the right, the office centred
    over it (GB/T 9704-2012 7.3.5.1)."""
    date = chinese_date(day)
    blank(doc)
    blank(doc)
    inset = 4 * BODY_SIZE
    over = (text_width(date) - text_width(issuer)) / 2
    paragraph(doc, [(issuer, BODY_FONT)], indent=0, align="right")
    doc.paragraphs[-1].paragraph_format.right_indent = points_length(inset + max(over, 0))
    paragraph(doc, [(date, BODY_FONT)], indent=0, align="right")
    doc.paragraphs[-1].paragraph_format.right_indent = points_length(inset)


def points_length(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def text_width(text: str) -> float:
    """Points a line of body text takes: a wide character is one 三号 character, others half."""
    return sum(
        BODY_SIZE if unicodedata.east_asian_width(c) in "WF" else BODY_SIZE / 2 for c in text
    )


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

    if masthead.number:
        paragraph(doc, [(clean(masthead.number, "文号"), BODY_FONT)], indent=0, align="center")
        blank(doc)
    year = plan.get("year")
    title = clean(masthead.title, "标题") or f"关于{year or ''}年民生实事推进情况的通报"
    paragraph(doc, [(title, TITLE_FONT)], size=TITLE_SIZE, indent=0, align="center", pitch=36)
    blank(doc)
    paragraph(doc, [(f"{clean(masthead.recipients, '主送机关')}:", BODY_FONT)], indent=0)
    body(doc, opening(report, clean))

    items = named_items(report, clean)
    write_progress(doc, items)
    sections = iter(NUMERALS[1:])
    write_lagging(doc, items, next(sections))
    write_unreported(doc, items, next(sections))
    if "escalations" in report:
        escalations = report.get("escalations") or []
        write_escalations(doc, list(escalations), items, next(sections), clean)
    write_tables(doc, report, items, next(sections))
    heading(doc, f"{next(sections)}、下步工作")
    placeholder = body(doc, PLACEHOLDER)
    mark_placeholder(placeholder)

    issuer = clean(masthead.issuer, "发文机关")
    signature(doc, issuer, masthead.date or dt.date.today())

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
