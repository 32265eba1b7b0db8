"""Every output format of the report, and the one place a format meets its renderer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from minsheng.core.typography import typeset
from minsheng.render.tables import md_escape, to_csv, to_markdown, to_terminal
from minsheng.report.document import Report, document
from minsheng.views.bulletin import heading, summary_sentence, tables_by
from minsheng.views.tidy import csv_table

if TYPE_CHECKING:
    from minsheng.render.docx import Masthead

# --- the renderers and the one dispatch ---------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """What a format may be asked besides the report: one table only (`by`), the terminal's
    colour and width, the 通报's 版头 and 落款 (`masthead`); each format takes what it uses."""

    by: str | None = None
    color: bool = False
    width: int | None = None
    masthead: Masthead | None = None


def render_json(report: Report, asked: Asked) -> str:
    # --by does not narrow the JSON: the document is the whole contract.
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render_csv(report: Report, asked: Asked) -> str:
    return to_csv(csv_table(report, asked.by))


def render_markdown(report: Report, asked: Asked) -> str:
    said = typeset(summary_sentence(report))
    lines = f"## {md_escape(typeset(heading(report)))}\n\n{md_escape(said)}\n\n"
    return lines + to_markdown(tables_by(report, asked.by))


def render_table(report: Report, asked: Asked) -> str:
    lines = f"{typeset(heading(report))}\n{typeset(summary_sentence(report))}\n\n"
    tables = tables_by(report, asked.by)
    return lines + to_terminal(tables, color=asked.color, width=asked.width)


def render_html_page(report: Report, asked: Asked) -> str:
    from minsheng.render.html import render_html  # jinja2 and the templates: only when asked

    return render_html(document(report))


def render_xlsx_workbook(report: Report, asked: Asked) -> bytes:
    from minsheng.render.xlsx import render_xlsx  # openpyxl: only when asked

    return render_xlsx(document(report))


def render_docx_document(report: Report, asked: Asked) -> bytes:
    from minsheng.render.docx import render_docx  # python-docx: only when asked

    return render_docx(document(report), masthead_for(report, asked.masthead))


def masthead_for(report: Report, given: Masthead | None) -> Masthead:
    """The bulletin's 版头, 落款 and 版记: what the command line gave, else the plan's
    `bulletin` settings (the office's own), else the notice's issuing office. A 发文字号
    given as its sequence number alone (`--number 6`) takes the settings' 机关代字 and the
    year of the 成文日期: 花政办〔2024〕6号."""
    from minsheng.render.docx import Masthead, today_in_china

    given = given or Masthead()
    settings = report.plan.bulletin
    issuer = (
        given.issuer
        or settings.issuer
        or given.mark
        or settings.masthead
        or report.plan.document.issuer
    )
    day = given.date or today_in_china()
    number = given.number
    prefix = settings.number_prefix
    if number and number.isdigit():
        number = f"{prefix or ''}〔{day.year}〕{int(number)}号"
    return replace(
        given,
        issuer=issuer,
        mark=given.mark or settings.masthead or issuer,
        number=number,
        date=day,
        prefix=given.prefix or prefix,
        copy_to=given.copy_to or tuple(settings.copy_to),
        printer=given.printer or settings.printer or issuer,
        contact=given.contact or settings.contact,
    )


Renderer = Callable[[Report, Asked], str | bytes]

# The one place a report format meets its renderer (cli.report.ReportFormat lists the names).
RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html_page,  # the public page, from the JSON document
    "xlsx": render_xlsx_workbook,  # the office workbook, from the JSON document
    "docx": render_docx_document,  # the 通报 as a 公文, from the JSON document
}


def render(
    report: Report,
    format: str,
    by: str | None = None,
    *,
    color: bool = False,
    width: int | None = None,
    masthead: Masthead | None = None,
) -> str | bytes:
    """The report in one format (a key of RENDERERS); `color` and `width` are for the terminal,
    `masthead` (title, issuing office, 文号, date) for the document."""
    return RENDERERS[format](report, Asked(by, color, width, masthead))
