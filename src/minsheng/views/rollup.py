"""The city's roll-up (`minsheng rollup`): the one place a format meets its renderer, each
made from the roll-up's JSON document (rollup.compute.document)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minsheng.render.rollup import to_csv_text, to_json_text, to_markdown_text, to_terminal

if TYPE_CHECKING:
    from minsheng.render.docx import Masthead


def render(
    document: dict[str, Any],
    format: str,
    *,
    color: bool = False,
    width: int | None = None,
    masthead: Masthead | None = None,
) -> str | bytes:
    """The roll-up in one format: table, markdown, csv, json, html, xlsx or docx; `color`
    and `width` are for the terminal, `masthead` (title, issuing office, 文号, date) for the
    通报."""
    if format == "table":
        return to_terminal(document, color=color, width=width)
    if format == "markdown":
        return to_markdown_text(document)
    if format == "csv":
        return to_csv_text(document)
    if format == "json":
        return to_json_text(document)
    if format == "html":
        from minsheng.render.html_rollup import render_html

        return render_html(document)
    if format == "xlsx":
        from minsheng.render.xlsx_rollup import render_xlsx

        return render_xlsx(document)
    if format == "docx":
        from minsheng.render.docx_rollup import render_docx

        return render_docx(document, masthead)
    raise ValueError(f"unknown format {format!r}")
