"""Every output format of the report, and the one place a format meets its renderer."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from minsheng.render.tables import md_escape, to_csv, to_markdown, to_terminal
from minsheng.report.bulletin import heading, summary_sentence, tables_by
from minsheng.report.compute import Report
from minsheng.report.document import document
from minsheng.report.tidy import csv_table

if TYPE_CHECKING:
    from minsheng.render.docx import Masthead

# --- the renderers and the one dispatch ---------------------------------------------------


def render_json(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    # --by does not narrow the JSON: the document is the whole contract.
    return json.dumps(document(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render_csv(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    return to_csv(csv_table(report, by))


def render_markdown(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    lines = f"## {md_escape(heading(report))}\n\n{md_escape(summary_sentence(report))}\n\n"
    return lines + to_markdown(tables_by(report, by))


def render_table(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    lines = f"{heading(report)}\n{summary_sentence(report)}\n\n"
    return lines + to_terminal(tables_by(report, by), color=color, width=width)


def render_html_page(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> str:
    from minsheng.render.html import render_html  # jinja2 and the templates: only when asked

    return render_html(document(report))


def render_xlsx_workbook(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> bytes:
    from minsheng.render.xlsx import render_xlsx  # openpyxl: only when asked

    return render_xlsx(document(report))


def render_docx_document(
    report: Report,
    by: str | None,
    *,
    color: bool,
    width: int | None,
    masthead: Masthead | None = None,
) -> bytes:
    from minsheng.render.docx import Masthead, render_docx  # python-docx: only when asked

    masthead = masthead or Masthead()
    # The bulletin goes out under the plan's issuing office unless the office says otherwise.
    if not masthead.issuer:
        masthead = replace(masthead, issuer=report.plan.document.issuer)
    return render_docx(document(report), masthead)


class Renderer(Protocol):
    def __call__(
        self,
        report: Report,
        by: str | None,
        *,
        color: bool,
        width: int | None,
        masthead: Masthead | None = None,
    ) -> str | bytes: ...


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
    return RENDERERS[format](report, by, color=color, width=width, masthead=masthead)
