"""The bulletin as a Word document (`report --format docx`): read back with python-docx, its
layout follows GB/T 9704-2012, its fonts are set on the runs, its prose names the lagging items;
rendered by LibreOffice (slow), its pages are numbered and its text holds those names."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX, WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from conftest import ROOT, UPDATE_GOLDEN, plain_example, run_cli
from minsheng.core.typography import typeset
from minsheng.render.docx import PLACEHOLDER, Masthead, render_docx
from minsheng.render.gongwen import StrippedCharacters

SCREENSHOTS = ROOT / "docs" / "screenshots"
# The example month without its money: the layout as it is without a funds file.
EXAMPLE_PROGRESS = plain_example()
PUBLISH_DATA = ROOT / "tests" / "data" / "publish"
AS_OF = "2024-06-30"
EXAMPLE = ("--as-of", AS_OF, "--progress-dir", str(EXAMPLE_PROGRESS))


def report_json(*args: str) -> dict[str, Any]:
    done = run_cli("report", "--format", "json", *args)
    assert done.code == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def docx_from_cli(path: Path, *args: str) -> Any:
    done = run_cli("report", "--format", "docx", "--output", str(path), *args)
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    return Document(str(path))


def text_of(doc: Any) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def east_asian(run: Any) -> str | None:
    fonts = run._element.rPr.rFonts
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def paragraph_starting(doc: Any, start: str) -> Any:
    return next(p for p in doc.paragraphs if p.text.startswith(start))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any, Path]:
    """The example month as JSON and as a document made by the command line."""
    path = tmp_path_factory.mktemp("docx") / "通报.docx"
    # A 成文日期 of its own, so the pictures of the pages do not change with the day.
    return report_json(*EXAMPLE), docx_from_cli(path, *EXAMPLE, "--date", "2024-07-08"), path


def test_the_page_is_a4_with_the_standard_margins(example: tuple[Any, Any, Path]) -> None:
    _, doc, _ = example
    (section,) = doc.sections

    def mm(*lengths: Any) -> tuple[float, ...]:
        return tuple(round(length.mm, 1) for length in lengths)  # Word stores twips

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)
    # 版心 156 × 225 mm
    assert mm(Length(section.page_width - section.left_margin - section.right_margin)) == (156,)
    assert mm(Length(section.page_height - section.top_margin - section.bottom_margin)) == (225,)


def test_page_numbers_sit_at_the_foot_odd_right_even_left(example: tuple[Any, Any, Path]) -> None:
    _, doc, _ = example
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in [
        (section.footer, WD_PARAGRAPH_ALIGNMENT.RIGHT),
        (section.even_page_footer, WD_PARAGRAPH_ALIGNMENT.LEFT),
    ]:
        (para,) = footer.paragraphs
        assert para.alignment == align
        assert para.text.startswith("— ") and para.text.endswith(" —")
        codes = [t.text for t in para._p.iter(qn("w:instrText"))]
        assert [c.strip() for c in codes] == ["PAGE"]
        assert {east_asian(r) for r in para.runs} == {"宋体"}


def test_title_body_and_headings_have_their_fonts(example: tuple[Any, Any, Path]) -> None:
    _, doc, _ = example
    title = paragraph_starting(doc, "关于")
    assert title.text == "关于2024年民生实事推进情况的通报"
    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert [(east_asian(r), r.font.size) for r in title.runs] == [("方正小标宋简体", Pt(22))]
    opening = paragraph_starting(doc, "根据")
    assert {(east_asian(r), r.font.size) for r in opening.runs} == {("仿宋_GB2312", Pt(16))}
    assert opening.paragraph_format.first_line_indent == Pt(32)
    first = paragraph_starting(doc, "一、")
    assert [east_asian(r) for r in first.runs] == ["黑体"]
    second = paragraph_starting(doc, "（一）")
    assert [east_asian(r) for r in second.runs][:2] == ["楷体_GB2312", "仿宋_GB2312"]
    # Every run of the body names its East Asian font: WPS and Word choose by that attribute.
    for para in doc.paragraphs:
        for run in para.runs:
            fonts = run._element.rPr.rFonts
            assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:eastAsia")) == run.font.name


def test_the_opening_paragraph_says_basis_date_schedule_and_counts(
    example: tuple[dict[str, Any], Any, Path],
) -> None:
    report, doc, _ = example
    opening = paragraph_starting(doc, "根据").text
    assert "（花政办〔2024〕7号）" in opening
    assert "截至2024年6月30日" in opening
    assert "序时进度为50.0%（按月计）" in opening
    summary = report["summary"]
    assert f"已完成{summary['done']}项、正常推进{summary['on_track']}项" in opening
    assert f"严重滞后{summary['lagging']}项、从未报送{summary['unreported']}项" in opening
    assert f"无任务{summary['no_task']}项" in opening


def test_lagging_items_are_named_with_unit_and_gap(
    example: tuple[dict[str, Any], Any, Path],
) -> None:
    report, doc, _ = example
    text = text_of(doc)
    lagging = [i for i in report["items"] if i["status"] in {"behind", "lagging"}]
    assert len(lagging) == 12
    for item in lagging:
        named = paragraph_starting(doc, f"第{item['id']}项").text
        assert f"牵头单位{'、'.join(item['units'])}" in named
        assert f"低于序时进度{item['gap']:.1f}个百分点" in named
        assert typeset(item["note"]["text"]) in named  # as the bulletin prints it
    # Worst first within each group: item 12 (40.0 points) opens the 严重滞后 list.
    assert text.index("第12项") < text.index("第50项") < text.index("第38项")


def test_done_and_on_track_items_and_silent_units_are_named(
    example: tuple[dict[str, Any], Any, Path],
) -> None:
    report, doc, _ = example
    done = paragraph_starting(doc, "（一）已完成事项").text
    going = paragraph_starting(doc, "（二）正常推进事项").text
    for item in report["items"]:
        if item["status"] == "done":
            assert f"第{item['id']}项" in done
        if item["status"] == "on_track":
            assert f"第{item['id']}项" in going
    # A title cut short on the page (…) is named whole in the prose; inner quotes nest.
    assert "切实做好孤儿、事实无人抚养儿童基本生活保障" in going
    assert "第21项“实施‘安心托幼’行动”" in going
    silent = paragraph_starting(doc, "应报送进度的").text  # this month's returns
    for unit, number in [("区文旅体局", 35), ("区工会", 45), ("区公安分局", 48), ("区残联", 24)]:
        assert f"{unit}（第{number}项）" in silent


def test_tables_have_borders_a_repeated_header_and_numbers_as_on_the_page(
    example: tuple[dict[str, Any], Any, Path],
) -> None:
    report, doc, _ = example
    items, units, _ = doc.tables  # the last is the 版记
    for table in (items, units):
        assert table.style.name == "Table Grid"  # every cell bordered
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        # No row is ever split across two pages (it was: "80批" / "次").
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    header = [c.text for c in items.rows[0].cells]
    assert header == ["序号", "事项", "牵头单位", "完成进度", "序时进度", "状态"]
    active = [i for i in report["items"] if i["status"] != "no_task"]
    assert len(items.rows) == 1 + len(active)
    row21 = next(r for r in items.rows[1:] if r.cells[0].text == "21")
    assert [c.text for c in row21.cells[3:]] == ["63.1%", "50.0%", "正常推进"]
    row17 = next(r for r in items.rows[1:] if r.cells[0].text == "17")
    assert [c.text for c in row17.cells[3:]] == ["—", "50.0%", "从未报送"]  # no report, no 0%
    assert len(units.rows) == 1 + len(report["units"])
    assert [c.text for c in units.rows[1].cells[:4]] == ["1", "区医保局", "1", "86.7%"]


def test_next_steps_placeholder_then_the_office_and_date_on_the_right(
    example: tuple[Any, Any, Path],
) -> None:
    _, doc, _ = example
    paragraphs = [p for p in doc.paragraphs if p.text]
    heading, placeholder, issuer, date = paragraphs[-4:]
    # The 落款 goes to the page of the text before it: every paragraph from the
    # placeholder to the office's name keeps with the next.
    every = [p._p for p in doc.paragraphs]
    start, end = every.index(placeholder._p), every.index(issuer._p)
    kept = doc.paragraphs[start:end]
    assert all(p.paragraph_format.keep_with_next for p in kept)
    assert [p.text for p in kept[1:]] == ["", ""]  # room for the seal
    assert heading.text.endswith("、下步工作")
    assert placeholder.text == PLACEHOLDER
    assert placeholder.text.startswith("【待填写】")
    assert {r.font.highlight_color for r in placeholder.runs} == {WD_COLOR_INDEX.YELLOW}
    assert issuer.text == "花山区人民政府办公室"  # the plan's bulletin settings
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date.text)
    for para in (issuer, date):
        assert para.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
    assert date.paragraph_format.right_indent == Pt(64)  # 右空四字


def test_no_escalation_section_without_the_monthly_cycle() -> None:
    report = report_json(*EXAMPLE)
    del report["escalations"]  # a report from a plan without the monthly cycle
    doc = Document(io.BytesIO(render_docx(report, Masthead(issuer="区民生办"))))
    assert "连续滞后" not in text_of(doc)


def test_the_example_month_names_the_items_to_escalate(example: tuple[Any, Any, Path]) -> None:
    report, doc, _ = example
    assert report["escalations"]  # the example plan runs the monthly cycle
    text = text_of(doc)
    assert "连续滞后事项" in text
    for escalated in report["escalations"]:
        assert f"第{escalated['id']}项" in text


def test_escalations_are_listed_where_the_report_has_them() -> None:
    report = report_json(*EXAMPLE)
    report["escalations"] = [{"id": 12, "units": ["区残联"], "months": 3, "status": "lagging"}]
    doc = Document(io.BytesIO(render_docx(report, Masthead(issuer="区民生办"))))
    text = text_of(doc)
    assert "四、连续滞后事项" in text
    assert "第12项“持续优化无障碍环境”（牵头单位区残联）已连续3个月滞后，目前为严重滞后" in text
    assert "五、各项完成情况及牵头单位排名" in text and "六、下步工作" in text


def test_title_issuer_and_number_from_the_command_line(tmp_path: Path) -> None:
    doc = docx_from_cli(
        tmp_path / "b.docx",
        *EXAMPLE,
        "--title", "关于2024年上半年民生实事推进情况的通报",
        "--issuer", "花山区民生实事办公室",
        "--number", "花民生办〔2024〕6号",
    )  # fmt: skip
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:3] == [
        "花山区人民政府办公室",  # the plan's 发文机关标志
        "花民生办〔2024〕6号",
        "关于2024年上半年民生实事推进情况的通报",
    ]
    assert texts[-2] == "花山区民生实事办公室"
    assert doc.core_properties.title == "关于2024年上半年民生实事推进情况的通报"


def test_the_head_is_a_red_mark_and_a_red_line_under_the_number(
    example: tuple[Any, Any, Path],
) -> None:
    _, doc, _ = example
    mark, _, number = doc.paragraphs[:3]
    assert mark.text == "花山区人民政府办公室"  # bulletin.masthead of the shipped plan
    assert mark.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert {east_asian(r) for r in mark.runs} == {"方正小标宋简体"}
    assert {str(r.font.color.rgb) for r in mark.runs} == {"FF0000"}
    assert mark.runs[0].font.size > Pt(22)  # larger than the title
    # No --number: the 机关代字 and the year, the sequence number a highlighted blank.
    assert re.fullmatch(r"花政办〔\d{4}〕　号", number.text)
    assert {r.font.highlight_color for r in number.runs} == {WD_COLOR_INDEX.YELLOW}
    line = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "FF0000" and line.get(qn("w:val")) == "single"
    # The title two lines under the line, the 主送机关 after it.
    texts = [p.text for p in doc.paragraphs[3:7]]
    assert texts == ["", "", "关于2024年民生实事推进情况的通报", ""]
    assert doc.paragraphs[7].text == "各牵头单位："


def imprint_of(doc: Any) -> Any:
    return doc.tables[-1]


def test_the_imprint_sits_at_the_foot_between_thick_and_thin_lines(
    example: tuple[Any, Any, Path],
) -> None:
    _, doc, _ = example
    table = imprint_of(doc)
    copies, issued = (row.cells[0].text for row in table.rows)
    assert copies == "抄送：区委办公室，区人大常委会办公室，区政协办公室。"
    assert re.fullmatch(r"花山区人民政府办公室\t\d{4}年\d{1,2}月\d{1,2}日印发", issued)
    properties = table._tbl.tblPr
    floating = properties.find(qn("w:tblpPr"))
    assert floating.get(qn("w:tblpYSpec")) == "bottom"  # at the foot of the page
    assert floating.get(qn("w:vertAnchor")) == "margin"
    lines = properties.find(qn("w:tblBorders"))
    sizes = {side: lines.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "bottom")}
    assert sizes == {"top": "8", "bottom": "8"}  # thick, first and last
    assert lines.find(qn("w:insideH")).get(qn("w:sz")) == "6"  # thin, between
    assert lines.find(qn("w:left")).get(qn("w:val")) == "nil"
    assert {east_asian(r) for row in table.rows for r in row.cells[0].paragraphs[0].runs} == {
        "仿宋_GB2312"
    }


def test_number_date_masthead_copies_and_contact_from_the_command_line(tmp_path: Path) -> None:
    doc = docx_from_cli(
        tmp_path / "b.docx", *EXAMPLE,
        "--number", "6", "--date", "2024-07-08", "--masthead", "花山区民生实事办公室文件",
        "--copy-to", "区委办公室、区纪委监委", "--contact", "联系人：张三，电话：0555-1234567",
    )  # fmt: skip
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:2] == ["花山区民生实事办公室文件", "花政办〔2024〕6号"]
    date_at = texts.index("2024年7月8日")
    assert texts[date_at + 1] == "（联系人：张三，电话：0555-1234567）"
    copies, issued = (row.cells[0].text for row in imprint_of(doc).rows)
    assert copies == "抄送：区委办公室，区纪委监委。"
    assert issued.endswith("\t2024年7月8日印发")


def test_a_bare_number_needs_the_plans_prefix(tmp_path: Path) -> None:
    done = run_cli("report", "--data-dir", str(PUBLISH_DATA), "-f", "docx", "-o",
                   str(tmp_path / "b.docx"), "--number", "6")  # fmt: skip
    assert done.code == 2
    assert "no-number-prefix" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_bulletin_settings_the_notices_issuer_heads_and_signs() -> None:
    report = report_json(*EXAMPLE)
    doc = Document(io.BytesIO(render_docx(report, Masthead(issuer="区民生办", number="1号"))))
    assert doc.paragraphs[0].text == "区民生办"
    assert len(imprint_of(doc).rows) == 1  # no 抄送: the 印发 line alone
    assert imprint_of(doc).rows[0].cells[0].text.startswith("区民生办\t")


def test_docx_needs_an_output_file(tmp_path: Path) -> None:
    done = run_cli("report", "--data-dir", str(PUBLISH_DATA), "--format", "docx", cwd=tmp_path)
    assert done.code == 2
    assert done.stdout == ""
    assert "needs-output" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_title_is_refused_for_other_formats(tmp_path: Path) -> None:
    done = run_cli("report", "--data-dir", str(PUBLISH_DATA), "-f", "markdown", "--title", "x")
    assert done.code == 2
    assert done.stdout == ""
    assert "masthead-needs-docx" in done.stderr


HOSTILE = [
    "<w:p>标签</w:p> & <script>alert(1)</script>",
    '=HYPERLINK("http://example.invalid","点我")',
    "**粗体** [链接](http://example.invalid) {{ 模板 }}",
    "超长" * 2000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_inert_and_intact(text: str) -> None:
    report = report_json(*EXAMPLE)
    item = next(i for i in report["items"] if i["id"] == 12)
    item["note"]["text"] = text
    item["units"] = [text]
    doc = Document(io.BytesIO(render_docx(report, Masthead(title=text, issuer=text))))
    named = paragraph_starting(doc, "第12项").text
    assert f"牵头单位{text}" in named and text in named
    assert doc.paragraphs[0].text == text
    assert [p for p in doc.paragraphs if p.text == text]  # the issuer, at the end
    # Nothing the text held became markup: the document has exactly its own elements.
    body = doc.element.body
    assert body.find(".//" + qn("w:hyperlink")) is None
    assert not [e for e in body.iter() if "script" in str(e.tag)]


def test_characters_xml_cannot_hold_are_removed_and_reported(tmp_path: Path) -> None:
    # The progress files refuse control characters; a title typed on the command line can
    # still carry one, and a JSON document made elsewhere anything at all.
    path = tmp_path / "b.docx"
    done = run_cli(*("report", *EXAMPLE, "-f", "docx", "-o", str(path)), "--title", "通报\x07标题")
    assert done.code == 0, done.stderr
    assert "docx-stripped-characters" in done.stderr and "标题（1 个）" in done.stderr
    assert paragraph_starting(Document(str(path)), "通报").text == "通报标题"

    report = report_json(*EXAMPLE)
    item = next(i for i in report["items"] if i["id"] == 12)
    item["latest_by_unit"][0]["shown"] = "响铃\x07退格\x08代理\ud800换页\x0c完"
    with pytest.warns(StrippedCharacters, match=re.escape("第 12 项进展说明(4 个)")):
        doc = Document(io.BytesIO(render_docx(report)))
    assert "响铃退格代理换页完" in paragraph_starting(doc, "第12项").text


# --- through LibreOffice: what an office prints ----------------------------------------------


def _unavailable(message: str) -> None:
    """In CI a missing LibreOffice fails the run; on a workstation these tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def to_pdf(docx: Path, folder: Path) -> Path:
    """The document as LibreOffice prints it, with a profile of its own."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftotext") is None:
        _unavailable(
            "找不到 LibreOffice 或 pdftotext:"
            "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-microhei"
            " poppler-utils"
        )
    assert office is not None
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / (docx.stem + ".pdf")


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    # Lines break anywhere in Chinese text: compare without any white space.
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


@pytest.mark.slow
def test_libreoffice_prints_numbered_pages_naming_the_lagging_items(
    example: tuple[dict[str, Any], Any, Path], tmp_path: Path
) -> None:
    report, _, docx = example
    pdf = to_pdf(docx, tmp_path)
    pages = pdf_pages(pdf)
    if UPDATE_GOLDEN:
        for page, name in ((1, "bulletin-docx"), (len(pages), "bulletin-docx-last")):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", str(page), "-l",
                 str(page), str(pdf), str(SCREENSHOTS / name)],
                check=True,
            )  # fmt: skip
    # Prose, two tables and the signature: more than a page, and not the 19 of the page.
    assert 3 <= len(pages) <= 12  # fonts differ from machine to machine
    for number, page in enumerate(pages, start=1):
        assert f"—{number}—" in page  # the PAGE field, evaluated on every page
    text = "".join(pages)
    assert "关于2024年民生实事推进情况的通报" in pages[0]
    for item in report["items"]:
        if item["status"] in {"behind", "lagging"}:
            title = item["short_title"].replace("“", "‘").replace("”", "’")
            assert f"第{item['id']}项“{title}”" in text
    assert "【待填写】下步工作" in text
    # The 落款 with the text before it, the 版记 after it, on the last page.
    assert pages[-1].index("下步工作") < pages[-1].index("花山区人民政府办公室")
    assert re.search(r"抄送：区委办公室，区人大常委会办公室，区政协办公室。", pages[-1])
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发", pages[-1])


def test_the_months_returns_name_each_unit_that_missed_with_its_items() -> None:
    report = report_json(*EXAMPLE)
    june = {u["unit"]: u["periods"][-1] for u in report["reporting"]}
    missed = {
        unit: period["items_missing"]
        for unit, period in june.items()
        if period["status"] == "missing"
    }
    assert missed  # the example month has units that did not report
    text = text_of(Document(io.BytesIO(render_docx(report, Masthead(issuer="区民生办")))))
    assert "三、2024年6月报送情况" in text and "从未报送情况" not in text
    for unit, numbers in missed.items():
        assert f"{unit}（第{'、'.join(str(n) for n in numbers)}项）" in text
    on_time = sum(1 for period in june.values() if period["status"] == "on_time")
    assert f"应报送进度的{len(june)}个牵头单位中，{on_time}个按时报送" in text


def test_without_the_monthly_cycle_the_items_never_reported_are_named() -> None:
    report = report_json(*EXAMPLE)
    del report["reporting"]
    text = text_of(Document(io.BytesIO(render_docx(report, Masthead(issuer="区民生办")))))
    assert "三、从未报送情况" in text
