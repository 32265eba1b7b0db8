"""The 公文 page (GB/T 9704-2012) in python-docx: A4 and its margins, the fonts set on every
run (East Asian attribute included), paragraphs at a fixed line pitch, headings, the page
number `— 1 —`, bordered tables whose rows never split, the 版头 (red 发文机关标志 and
separator line) and the 版记 at the foot of the last page. What goes on the page is
docx.py's."""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from minsheng.core.cells import inert
from minsheng.core.typography import typeset

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
RED = "FF0000"  # the 版头's 发文机关标志 and separator line

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12.
TITLE_SIZE = 22
BODY_SIZE = 16
FOLIO_SIZE = 14
CAPTION_SIZE = 14
TABLE_SIZE = 10.5  # 五号: nine columns of the unit ranking fit the 156 mm line
IMPRINT_SIZE = 14  # 版记: 4号仿宋
MARK_SIZE = 42  # 发文机关标志: 初号, smaller where a long name would not fit the line
LINE_MM = 156  # 版心 width
IMPRINT_MM = 150  # the 版记's lines (see imprint)
CELL_MARGIN_MM = 1

# 版心 156 × 225 mm with 22 lines: a line every 225 mm / 22 ≈ 28.95 pt.
LINE_PITCH = 28.95
INDENT = 2 * BODY_SIZE  # 首行缩进两字

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
        set_font(para.add_run(typeset(text)), font, size)
    return para


def body(doc: Document, text: str) -> Paragraph:
    return paragraph(doc, [(text, BODY_FONT)])


def heading(doc: Document, text: str) -> Paragraph:
    """一级标题: 一、总体进展 in 黑体, never the last line of a page."""
    found = paragraph(doc, [(text, HEADING_FONT)])
    found.paragraph_format.keep_with_next = True
    return found


def run_in(doc: Document, head: str, text: str) -> Paragraph:
    """二级标题 run into its paragraph, as a 通报 writes it: (一)已完成事项。……"""
    return paragraph(doc, [(head, SUBHEADING_FONT), (text, BODY_FONT)])


def blank(doc: Document) -> Paragraph:
    return paragraph(doc, [("", BODY_FONT)], indent=0)


def keep_with_next(*paragraphs: Paragraph) -> None:
    """On the page of the paragraph after: the 落款 never stands alone on a page."""
    for para in paragraphs:
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.keep_together = True


# --- the 版头 and the 版记 ----------------------------------------------------------------


def letterhead(doc: Document, mark: str, number: str) -> list[Paragraph]:
    """版头: the 发文机关标志 in red 小标宋, centred; two lines under it the 发文字号, centred;
    4 mm under that a red line as wide as the 版心; two lines more, then the title.
    Returns the 发文字号's paragraph (for a placeholder's highlight) and the mark's."""
    size = min(MARK_SIZE, LINE_MM / 25.4 * 72 / max(text_width(mark) / BODY_SIZE, 1))
    sign = paragraph(doc, [(mark, TITLE_FONT)], size=size, indent=0, align="center", pitch=None)
    for run in sign.runs:
        run.font.color.rgb = _rgb(RED)
    blank(doc)
    numbered = paragraph(doc, [(number, BODY_FONT)], indent=0, align="center")
    border(numbered, "bottom", RED, eighths=12, space_pt=11)  # 4 mm ≈ 11 pt
    blank(doc)
    blank(doc)
    return [numbered, sign]


def border(para: Paragraph, side: str, color: str, *, eighths: int, space_pt: int = 1) -> None:
    """A line along one side of a paragraph, `eighths` of a point thick."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = para._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        in_place(ppr, borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    borders.append(line)


def _rgb(color: str) -> Any:
    from docx.shared import RGBColor

    return RGBColor.from_string(color)


# 版记 lines: the first and the last thick (0.35 mm), those between thin (0.25 mm).
THICK, THIN = 8, 6  # eighths of a point: 1 pt ≈ 0.35 mm, 0.75 pt ≈ 0.26 mm


def imprint(doc: Document, copy_to: Sequence[str], printer: str, printed: str) -> None:
    """版记 at the foot of the last page (GB/T 9704-2012 7.4): 抄送 one character in from
    either side, then 印发机关 one character in from the left and 印发日期 one from the
    right, between the lines the standard draws, the last on the 版心's lower edge. A table
    floated to the bottom of the 版心 holds it, so the text above never pushes it off the
    foot (Word, WPS and LibreOffice float it there)."""
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def element(tag: str, **attributes: str) -> Any:
        made = OxmlElement(f"w:{tag}")
        for name, value in attributes.items():
            made.set(qn(f"w:{name}"), value)
        return made

    # LibreOffice 7 floats a table only when it leaves some 6 mm of the line free (wider, it
    # sets it in the text, wherever the text ends): the lines are 150 mm, 3 mm short of the
    # 版心 at either side, and at the foot of the page in every program.
    width = round(IMPRINT_MM / 25.4 * 1440)
    grid = doc.add_table(rows=2 if copy_to else 1, cols=1)
    grid.autofit = False
    properties = grid._tbl.tblPr
    at_the_foot = element(
        "tblpPr", vertAnchor="margin", horzAnchor="margin", tblpXSpec="center",
        tblpYSpec="bottom", leftFromText="0", rightFromText="0", topFromText="0",
        bottomFromText="0",
    )  # fmt: skip
    properties.insert(0, at_the_foot)
    properties.find(qn("w:tblW")).attrib.update({qn("w:type"): "dxa", qn("w:w"): str(width)})
    properties.append(element("tblLayout", type="fixed"))
    lines = element("tblBorders")
    for side, size in (("top", THICK), ("left", 0), ("bottom", THICK), ("right", 0),
                       ("insideH", THIN), ("insideV", 0)):  # fmt: skip
        if size:
            lines.append(element(side, val="single", sz=str(size), space="0", color="000000"))
        else:
            lines.append(element(side, val="nil"))
    properties.append(lines)
    margins = element("tblCellMar")
    for side in ("left", "right"):
        margins.append(element(side, w="0", type="dxa"))
    properties.append(margins)
    grid._tbl.tblGrid.find(qn("w:gridCol")).set(qn("w:w"), str(width))
    inset = Pt(IMPRINT_SIZE)  # one character
    texts = [f"抄送：{'，'.join(copy_to)}。"] if copy_to else []
    texts.append(f"{printer}\t{printed}印发")
    for row, text in zip(grid.rows, texts, strict=True):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cell = row.cells[0]
        cell.width = Pt(width / 20)
        para = cell.paragraphs[0]
        para.alignment = WD_PARAGRAPH_ALIGNMENT.LEFT
        layout = para.paragraph_format
        layout.space_before = layout.space_after = Pt(0)
        layout.line_spacing = Pt(LINE_PITCH)
        layout.left_indent = layout.right_indent = inset
        set_font(para.add_run(typeset(text)), BODY_FONT, IMPRINT_SIZE)
    if copy_to:
        # A second line of 抄送 starts under the first name, after the colon.
        layout = grid.rows[0].cells[0].paragraphs[0].paragraph_format
        layout.left_indent = Pt(4 * IMPRINT_SIZE)
        layout.first_line_indent = Pt(-3 * IMPRINT_SIZE)
    issued = grid.rows[-1].cells[0].paragraphs[0]
    issued.paragraph_format.tab_stops.add_tab_stop(
        Pt(width / 20 - IMPRINT_SIZE), WD_TAB_ALIGNMENT.RIGHT
    )
    # A document ends in a paragraph; this one is tiny, so it never spills onto a new page.
    paragraph(doc, [("", BODY_FONT)], size=1, indent=0, pitch=1)


def in_place(properties: Any, borders: Any) -> None:
    """A paragraph's borders where the schema orders them among its properties: Word refuses
    a file whose order is wrong, and LibreOffice ignores what it finds out of place."""
    properties.insert_element_before(borders, *AFTER_BORDERS)


# What may follow w:pBdr in w:pPr (ECMA-376 17.3.1.26).
AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


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
        # A row is read as a line: never half on one page and half on the next.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
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
            set_font(para.add_run(typeset(text)), font, TABLE_SIZE)
    # The paragraph after a table keeps it from running into the next heading.
    blank(doc)


def points_length(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def text_width(text: str) -> float:
    """Points a line of body text takes: a wide character is one 三号 character, others half."""
    return sum(
        BODY_SIZE if unicodedata.east_asian_width(c) in "WF" else BODY_SIZE / 2 for c in text
    )


# --- text from the data -----------------------------------------------------------------

# XML 1.0 cannot hold these at all (C0 controls but tab, newline and return; surrogates;
# U+FFFE and U+FFFF): they are removed, and the person is told.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class StrippedCharacters(UserWarning):
    """Text from the data held characters a Word file cannot store; they were left out."""


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
        return inert(kept)

    def tell(self) -> None:
        if self.removed:
            places = "、".join(f"{where}({n} 个)" for where, n in self.removed.items())
            warnings.warn(
                f"提示 [docx-stripped-characters]：Word 文件不能容纳的控制字符已去掉:{places}",
                StrippedCharacters,
                stacklevel=3,
            )


def prose_title(item: dict[str, Any], clean: Scrubber, where: str) -> str:
    """The item's short title, whole: where the short title was cut (…), the clause it was
    cut from; inner quotation marks become single ones, as Chinese nests them."""
    title = clean(item.get("title"), where)
    short = clean(item.get("short_title"), where) or title
    if short.endswith("…"):
        clauses = re.split(r"[,;。,;]", title)
        short = next((c for c in clauses if c.startswith(short[:-1])), short)
    return short.replace("“", "‘").replace("”", "’")
