"""The public progress page (公开进度页面): one self-contained HTML file from the report's JSON.

The input is the plain dict of `report --format json` (the contract in docs/design.md), so the
page never reaches into the computation. Charts are inline SVG drawn here; the page has no
script, loads nothing from anywhere, and its Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from minsheng.core.measure import format_decimal
from minsheng.core.percent import exact_points
from minsheng.core.percent import shown_percent as percent
from minsheng.core.status import ACTIVE as ACTIVE_STATUSES
from minsheng.core.status import CODES as STATUSES  # the JSON codes, in the bulletin's order
from minsheng.core.status import word
from minsheng.plan.models import BASIS_WORDS, Basis
from minsheng.render import html_cycle, html_funds

if TYPE_CHECKING:
    import jinja2

STATUS_WORDS = {code: word(code) for code in STATUSES}
ACTIVE = [status.value for status in ACTIVE_STATUSES]

# How 序时进度 was counted, said under the heading and in full in the footer; a document
# that does not say (None) gets the words that fit either count.
BASIS_RULES: dict[Basis | None, str] = {
    Basis.MONTH: "序时进度按月计,为计划期已经过完的整月数占全部月数的比例,统计日是月末时计入当月",
    Basis.DAY: "序时进度按天计,为计划期已经过去的天数(含统计日)占全部天数的比例",
    None: "序时进度为计划期内已经过去的时间比例",
}

# Chart geometry, in SVG user units; the charts scale to their box, the text with them.
CHART_WIDTH = 340
BAR_ROW = 44
TILE = 24
TILE_GAP = 4
TILES_PER_LINE = (CHART_WIDTH + TILE_GAP) // (TILE + TILE_GAP)


# --- numbers as people read them -------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    """A JSON number (int, float or Decimal) as an exact Decimal; anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def quantity(value: Any, unit: str | None = None) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    text = format_decimal(number)
    if not unit:
        return text
    if unit in {"%", "‰"}:
        return text + unit
    # A no-break space keeps "776 名" together when a narrow table cell wraps.
    return f"{text}\u00a0{unit}"


def bar_share(value: Any) -> Decimal:
    """How much of a bar to fill, in percent of its length: 0 to 100, over-achievement capped."""
    number = _decimal(value)
    if number is None:
        return Decimal(0)
    return (min(max(number, Decimal(0)), Decimal(1)) * 100).quantize(Decimal("0.1"))


def safe_link(source: str | None) -> str | None:
    """The source as a link target only when it is a plain http(s) address."""
    if not source:
        return None
    text = source.strip()
    if any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`\\" for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return text


# --- the view: what the template shows -------------------------------------------------------


@dataclass
class TargetView:
    name: str
    goal: str
    actual: str
    completion: str
    met: bool
    measure: int | None


@dataclass
class LatestView:
    """One entry as 最新进展: its date and unit, its own figure and note, its source."""

    date: str
    unit: str
    text: str
    source: str | None
    link: str | None


@dataclass
class ItemView:
    id: int
    title: str
    units: str
    status: str
    word: str
    completion: str
    expected: str
    fill: Decimal
    mark: Decimal
    gap: str
    targets: list[TargetView]
    measure_targets: list[TargetView]
    latest: list[LatestView]  # 最新进展: one entry, or one per lead unit of a co-led item


@dataclass
class CategoryView:
    no: int
    name: str
    completion: str
    items: list[ItemView] = field(default_factory=list)


@dataclass
class BarRow:
    label: str
    value: str
    y: int
    fill: Decimal  # length of the bar, in user units
    active: bool


@dataclass
class Tile:
    number: int
    x: int
    y: int
    status: str

    @property
    def cx(self) -> int:
        return self.x + TILE // 2


@dataclass
class TileGroup:
    status: str
    word: str
    count: int
    y: int
    tiles: list[Tile]


def actual_text(target: dict[str, Any]) -> str:
    actual = target.get("actual")
    if actual is None:
        return "从未报送"
    if target.get("kind") == "milestone":
        share = target.get("percent")
        return f"{actual}({quantity(share)}%)" if share is not None else str(actual)
    amount = quantity(actual, target.get("unit"))
    # A 合计 target not reported itself shows the sum of its parts, and says so.
    return f"{amount}(分项合计)" if target.get("actual_from") == "parts" else amount


def completion_text(target: dict[str, Any]) -> str:
    if target.get("actual") is None:
        return "—"
    if target.get("kind") == "standard":
        return "已达标" if target.get("met") else "未达标"
    return percent(target.get("completion_pct"))


def target_view(target: dict[str, Any]) -> TargetView:
    return TargetView(
        name=str(target.get("name") or target.get("id") or ""),
        goal=str(target.get("requirement") or "—"),
        actual=actual_text(target),
        completion=completion_text(target),
        met=bool(target.get("met")),
        measure=target.get("measure"),
    )


def gap_text(item: dict[str, Any]) -> str:
    gap = exact_points(item.get("gap"))
    if gap is None or item.get("status") in {"done", "unreported"}:
        return ""
    points = abs(gap)
    if gap > 0:
        return f"落后序时进度 {points} 个百分点"
    return f"超前序时进度 {points} 个百分点" if gap < 0 else "与序时进度持平"


def latest_views(item: dict[str, Any]) -> list[LatestView]:
    """最新进展 as the JSON's `latest_by_unit` gives it: each entry's own figure and note
    (`shown`), never a note from another entry."""
    found = []
    for entry in item.get("latest_by_unit") or []:
        if not isinstance(entry, dict):
            continue
        source = entry.get("source")
        found.append(
            LatestView(
                date=str(entry.get("date") or ""),
                unit=str(entry.get("unit") or ""),
                text=str(entry.get("shown") or "(未填写说明)"),
                source=str(source) if source else None,
                link=safe_link(source),
            )
        )
    return found


def item_view(item: dict[str, Any]) -> ItemView:
    targets = [target_view(t) for t in item.get("targets", [])]
    status = str(item.get("status"))
    return ItemView(
        id=int(item["id"]),
        title=str(item.get("title", "")),
        units="、".join(item.get("units", [])),
        status=status,
        word=word(status),
        completion=percent(item.get("completion_pct")),
        expected=percent(item.get("expected_pct")),
        fill=bar_share(item.get("completion")),
        mark=bar_share(item.get("expected")),
        gap=gap_text(item),
        targets=[t for t in targets if t.measure is None],
        measure_targets=[t for t in targets if t.measure is not None],
        latest=latest_views(item),
    )


def category_bars(report: dict[str, Any]) -> list[BarRow]:
    """One row per category: its mean completion, or 无任务 where it has no active item."""
    rows = []
    for index, category in enumerate(report.get("categories", [])):
        counts = category.get("counts", {})
        active = sum(counts.get(s, 0) for s in ACTIVE)
        completion = category.get("completion")
        fill = bar_share(completion) * CHART_WIDTH / 100
        rows.append(
            BarRow(
                label=f"{category.get('name', '')}({active}项)",
                value=percent(category.get("completion_pct")) if active else "无任务",
                y=index * BAR_ROW,
                fill=fill.quantize(Decimal("0.1")),
                active=bool(active),
            )
        )
    return rows


def status_tiles(report: dict[str, Any]) -> list[TileGroup]:
    """Every item as a numbered tile, grouped by status: a picture of the whole list."""
    groups = []
    y = 0
    for status in STATUSES:
        numbers = [int(i["id"]) for i in report.get("items", []) if i.get("status") == status]
        if not numbers:
            continue
        top = y + 22  # room for the group's label
        tiles = [
            Tile(
                number,
                (index % TILES_PER_LINE) * (TILE + TILE_GAP),
                top + (index // TILES_PER_LINE) * (TILE + TILE_GAP),
                status,
            )
            for index, number in enumerate(numbers)
        ]
        groups.append(TileGroup(status, STATUS_WORDS[status], len(numbers), y, tiles))
        lines = (len(numbers) + TILES_PER_LINE - 1) // TILES_PER_LINE
        y = top + lines * (TILE + TILE_GAP) + 10
    return groups


def category_sections(report: dict[str, Any]) -> list[CategoryView]:
    """The active items under their category headings, in plan order."""
    sections: dict[int, CategoryView] = {}
    for category in report.get("categories", []):
        no = int(category["no"])
        sections[no] = CategoryView(
            no, str(category["name"]), percent(category.get("completion_pct"))
        )
    for item in report.get("items", []):
        if item.get("status") == "no_task":
            continue
        no = int(item.get("category_no", 0))
        if no not in sections:
            sections[no] = CategoryView(no, str(item.get("category", "")), "—")
        sections[no].items.append(item_view(item))
    return [s for s in sections.values() if s.items]


# --- the page --------------------------------------------------------------------------------


def templates() -> jinja2.Environment:
    """The pages' templates (render/templates): every value autoescaped, a missing one an
    error rather than a blank, the markup kept as written."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("minsheng.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template_text(name: str) -> str:
    templates = resources.files("minsheng.render").joinpath("templates")
    return templates.joinpath(name).read_text(encoding="utf-8")


def style_hash(css: str) -> str:
    """The CSP hash (base64 SHA-256) that allows exactly this <style> element and no other."""
    return base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")


def render_html(report: dict[str, Any], plan_title: str | None = None) -> str:
    """The page for `report` (the JSON document), its text in Chinese typography;
    `plan_title` overrides the heading."""
    from minsheng.core.typography import typeset_html

    return typeset_html(_page(report, plan_title))


def _page(report: dict[str, Any], plan_title: str | None) -> str:
    from markupsafe import Markup

    env = templates()
    funds = html_funds.funds_view(report, percent)
    css = template_text("report.css")
    if funds is not None:  # the money's few rules, only on a page that shows money
        css += template_text("report_funds.css")
    plan = report.get("plan") or {}
    summary = report.get("summary", {})
    items = report.get("items", [])
    year = plan.get("year")
    heading = plan_title or (f"{year}年民生实事完成情况" if year else "民生实事完成情况")
    bars = category_bars(report)
    groups = status_tiles(report)
    basis = next((b for b in Basis if b.value == report.get("expected_basis")), None)
    months, returns = html_cycle.returns_grid(report)
    context = {
        "heading": heading,
        "plan": plan,
        "as_of": report.get("as_of", ""),
        "expected": percent(report.get("expected_pct")),
        "basis": BASIS_WORDS[basis] if basis is not None else "",
        "basis_rule": BASIS_RULES[basis],
        "expected_x": (bar_share(report.get("expected")) * CHART_WIDTH / 100).quantize(
            Decimal("0.1")
        ),
        "summary": [(s, STATUS_WORDS[s], int(summary.get(s, 0))) for s in STATUSES],
        "total": len(items),
        "active_total": sum(int(summary.get(s, 0)) for s in ACTIVE),
        "thresholds": report.get("thresholds") or {},
        "chart_width": CHART_WIDTH,
        "bars": bars,
        "bars_height": len(bars) * BAR_ROW + 8,
        "groups": groups,
        "groups_height": _tiles_height(groups),
        "tile_size": TILE - 2,
        "pct": percent,
        "sections": category_sections(report),
        "no_task": [i for i in items if i.get("status") == "no_task"],
        "units": report.get("units", []),
        "statuses": STATUS_WORDS,
        "active_statuses": ACTIVE,
        "months": months,
        "returns": returns,
        "rates": html_cycle.rates(report),
        "escalations": html_cycle.escalation_rows(report),
        "escalate_after": (report.get("thresholds") or {}).get("escalate_after"),
        "trends": {item.get("id"): html_cycle.trend(item) for item in items},
        "trend_size": (html_cycle.TREND_WIDTH, html_cycle.TREND_HEIGHT),
        "funds": funds,
        "money_width": html_funds.CHART_WIDTH,
        "since": report.get("since"),
        "changes": html_cycle.changes(report),
        "css": Markup(css),
        "style_hash": style_hash(css),
    }
    return env.get_template("report.html.j2").render(context)


def _tiles_height(groups: list[TileGroup]) -> int:
    if not groups:
        return 0
    last = groups[-1]
    return max(tile.y for tile in last.tiles) + TILE + 2
