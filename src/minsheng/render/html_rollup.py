"""The city's roll-up as one self-contained page: the district page's colours and words, a
matrix sortable by any column (a few lines of inline script, allowed by its hash and nothing
else), made from the roll-up's JSON document (rollup.compute.document)."""

from __future__ import annotations

from typing import Any

from minsheng.core.percent import shown_percent as percent
from minsheng.core.status import RETURN_WORDS, Status
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.render.html import style_hash, template_text, templates
from minsheng.render.rollup import area_names, heading, rate_text

EXTRA_CSS = """
.rule { color: var(--muted); font-size: .9em; }
.scroll { overflow-x: auto; }
table.sortable thead th { white-space: nowrap; }
#matrix td[class^="status-"] { min-width: 12em; }
.goal { display: block; margin-top: .25em; color: var(--muted); font-size: .85em; }
table.sortable thead th[aria-sort="ascending"]::after { content: " ▲"; }
table.sortable thead th[aria-sort="descending"]::after { content: " ▼"; }
"""


def render_html(document: dict[str, Any]) -> str:
    """The page for the roll-up's JSON document, its text in Chinese typography."""
    from markupsafe import Markup

    from minsheng.core.typography import typeset_html

    env = templates()
    css = template_text("report.css") + EXTRA_CSS
    script = template_text("rollup.js")
    context = {
        "heading": heading(document),
        "parent": document.get("parent"),
        "as_of": document["as_of"],
        "expected": percent(document.get("expected_pct")),
        "rank_rule": document["rule"]["rank"],
        "slowest_rule": document["rule"]["slowest"],
        "statuses": [(s.value, STATUS_WORDS[s]) for s in Status],
        "areas": document["areas"],
        "names": area_names(document),
        "items": document["items"],
        "returns": [(a, a["returns"]) for a in document["areas"] if a["returns"] is not None],
        "return_words": RETURN_WORDS,
        "pct": percent,
        "rate": rate_text,
        "css": Markup(css),
        "style_hash": style_hash(css),
        "script": Markup(script),
        "script_hash": style_hash(script),
    }
    return typeset_html(env.get_template("rollup.html.j2").render(context))
