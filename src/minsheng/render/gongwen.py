"""The 公文 page (GB/T 9704-2012) in python-docx: A4 and its margins, the fonts set on every
run (East Asian attribute included), paragraphs at a fixed line pitch, headings, the page
number `— 1 —`, and bordered tables. What goes on the page is docx.py's."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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


def points_length(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def text_width(text: str) -> float:
    """Points a line of body text takes: a wide character is one 三号 character, others half."""
    return sum(
        BODY_SIZE if unicodedata.east_asian_width(c) in "WF" else BODY_SIZE / 2 for c in text
    )
