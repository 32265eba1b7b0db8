"""The public page (`report --format html`): escaping, links, the CSP, a golden file, and the
page as a real browser (headless Chromium driven by Playwright) shows it at phone and desktop
width.

The golden file tests/golden/publish/report.html is the page for tests/data/publish; after an
intended change, regenerate it with `MINSHENG_UPDATE_GOLDEN=1 pytest -m "" tests/test_html.py` and
review the diff. The same run rewrites docs/screenshots/report-{phone,desktop}.png from the
example month (examples/2024-06). Browser tests need Debian's `chromium` (and a Chinese font,
`fonts-wqy-microhei`): without it they are skipped on a workstation and fail in CI (CI=true).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, UPDATE_GOLDEN, check_golden, plain_example, run_cli
from minsheng.core.typography import typeset
from minsheng.render.html import latest_views, percent, render_html, safe_link, target_view

PUBLISH_DATA = ROOT / "tests" / "data" / "publish"
# The example month without its money: the layout as it is without a funds file.
EXAMPLE_PROGRESS = plain_example()
AS_OF = "2024-06-30"
GOLDEN = ROOT / "tests" / "golden" / "publish"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def report_json(*args: str) -> dict[str, Any]:
    done = run_cli("report", "--as-of", AS_OF, "--format", "json", *args)
    assert done.code == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def report_html(*args: str) -> str:
    done = run_cli("report", "--as-of", AS_OF, "--format", "html", *args)
    assert done.code == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    """The JSON document of tests/data/publish: notes with scripts, formulas, fake links."""
    return report_json("--data-dir", str(PUBLISH_DATA))


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    """The JSON document of the example month: the shipped plan and examples/2024-06."""
    return report_json("--progress-dir", str(EXAMPLE_PROGRESS))


# --- the page as text ------------------------------------------------------------------------


def test_data_text_is_escaped_never_markup(hostile: dict[str, Any]) -> None:
    page = render_html(hostile)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page  # the plan's title is data too
    assert "社会保障 &amp; 救助" in page
    assert not re.search(r"<\s*(script|img|iframe|object|embed)\b", page, re.I)
    assert "onerror=" not in page.replace("&lt;img src=x onerror=alert(2)&gt;", "")


def test_only_http_sources_become_links(hostile: dict[str, Any]) -> None:
    page = render_html(hostile)
    hrefs = re.findall(r'href="([^"]*)"', page)
    # Item 3's, one for each of its two reporting units; item 1's is javascript:
    assert hrefs == ["https://example.org/cgj", "https://example.org/mzj?a=1&amp;b=2"]
    assert "来源：javascript:alert(1)</p>" in page  # shown, as text


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("http://www.hs.gov.cn/x.html", "http://www.hs.gov.cn/x.html"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("//example.org/x", None),
        ("https://", None),
        ('https://example.org/" onmouseover="alert(1)', None),
        ("https://example.org/a b", None),
        ("花残联〔2024〕12号", None),
        ("docs/evidence/2024-06.pdf", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_link(source: str | None, link: str | None) -> None:
    assert safe_link(source) == link


def test_csp_forbids_scripts_and_allows_exactly_the_page_style(hostile: dict[str, Any]) -> None:
    page = render_html(hostile)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    rules = dict(rule.strip().split(" ", 1) for rule in csp.group(1).split(";"))
    assert rules["default-src"] == "'none'"  # no script, font, frame or connection from anywhere
    assert "script-src" not in rules
    assert rules["img-src"] == "data:"
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert rules["style-src"] == f"'sha256-{digest}'"
    assert page.index("Content-Security-Policy") < page.index("<style>")
    assert " style=" not in page  # a style attribute would be blocked by the hash


def test_page_needs_nothing_from_elsewhere(hostile: dict[str, Any]) -> None:
    page = render_html(hostile)
    assert not re.search(r"<[^>]*\ssrc=|@import|url\(|<link\b", page)
    assert '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_every_item_is_on_the_page(example: dict[str, Any]) -> None:
    page = render_html(example)
    for item in example["items"]:
        if item["status"] == "no_task":
            assert f'<li><span class="item-no">{item["id"]}</span>' in page
            assert f'id="item-{item["id"]}"' not in page
        else:
            card = page.split(f'id="item-{item["id"]}"', 1)[1].split("</article>", 1)[0]
            assert item["status_label"] in card
            assert f"完成 <strong>{percent(item['completion_pct'])}</strong>" in card
            for unit in item["units"]:
                assert unit in card


def test_charts_have_text_alternatives(example: dict[str, Any]) -> None:
    page = render_html(example)
    charts = re.findall(
        r'<svg class="chart"[^>]*aria-label="([^"]+)" aria-describedby="([^"]+)"', page
    )
    assert len(charts) == 2
    for label, described in charts:
        chart = page.split(f'aria-describedby="{described}">', 1)[1].split("</svg>", 1)[0]
        assert f"<title>{label}</title>" in chart
        assert f'<desc id="{described}">' in chart
    hidden = page.split('<table class="sr-only">', 1)[1].split("</table>", 1)[0]
    for category in example["categories"]:
        assert category["name"] in hidden
    for code, count in example["summary"].items():
        word = {i["status"]: i["status_label"] for i in example["items"]}.get(code)
        if word:
            assert f"{word} {count} 项" in page


def test_the_footer_speaks_to_the_public(example: dict[str, Any]) -> None:
    """Where the data comes from and when; no word about scripts or files."""
    page = render_html(example)
    footer = page[page.index("<footer>") : page.index("</footer>")]
    assert "数据来源：各牵头单位报送的进度，依据花政办〔2024〕7号；统计截至 2024-06-30。" in footer
    for word in ("脚本", "文件", "静态页面", "网络"):
        assert word not in footer


def test_the_page_shows_the_figure_the_json_rounded_once() -> None:
    # The page shows `*_pct` as it is: it never rounds a rounded fraction again.
    assert percent(49.7) == "49.7%"
    assert percent(100) == "100.0%"
    assert percent(187.9) == "187.9%"
    assert percent(None) == "—"
    assert percent(49.73) == "—"  # not a figure rounded by the report: not shown as one


def test_targets_show_the_plans_words_and_where_the_actual_came_from() -> None:
    target = {
        "name": "残疾人康复救助", "kind": "quantity", "requirement": "不少于776名",
        "value": 776, "unit": "名", "actual": 392, "actual_from": "parts", "completion": 0.5052,
    }  # fmt: skip
    view = target_view(target)
    assert view.goal == "不少于776名"  # browse.requirement_words, via the JSON
    assert view.actual == "392\u00a0名(分项合计)"
    assert target_view({**target, "actual_from": "entry"}).actual == "392\u00a0名"


def test_the_latest_progress_is_each_entrys_own_never_an_older_note() -> None:
    # The JSON's `shown` is an entry's own figure and note: the page never adds another's.
    item = {"latest_by_unit": [
        {"date": "2024-07-31", "unit": "区民政局", "shown": "累计100户", "source": None},
        {"date": "2024-06-30", "unit": "区残联", "shown": "", "source": "https://x.example/a"},
    ], "note": {"date": "2024-06-30", "text": "适老化改造完工60户"}}  # fmt: skip
    first, second = latest_views(item)
    assert (first.date, first.unit, first.text) == ("2024-07-31", "区民政局", "累计100户")
    assert second.text == "(未填写说明)" and second.link == "https://x.example/a"


def test_golden_page() -> None:
    page = report_html("--data-dir", str(PUBLISH_DATA))
    check_golden(GOLDEN / "report.html", page)


# --- the command line ------------------------------------------------------------------------


def test_html_to_a_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    done = run_cli(
        "report", "--data-dir", str(PUBLISH_DATA), "--as-of", AS_OF, "--format", "html",
        "--output", str(site / "index.html"),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    assert "已写入" in done.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == report_html(
        "--data-dir", str(PUBLISH_DATA)
    )


def test_html_output_makes_its_folder(tmp_path: Path) -> None:
    # README's `--output site/index.html` works in a fresh checkout, without `mkdir site`.
    done = run_cli(
        "report", "--data-dir", str(PUBLISH_DATA), "--as-of", AS_OF, "--format", "html",
        "--output", str(tmp_path / "site" / "index.html"),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert done.stdout == ""
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


# --- in a real browser -----------------------------------------------------------------------


def _unavailable(message: str) -> None:
    """In CI a missing browser fails the run; on a workstation the browser tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Visit:
    """What a page did while it was open: requests, console errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium with a fresh profile, driven by Playwright (no download)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("找不到 chromium:apt-get install chromium fonts-wqy-microhei")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("缺少 playwright:pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=DESKTOP,
            device_scale_factor=1,
            java_script_enabled=True,  # so that a script that slipped through would run
        )
        yield context
        context.close()


def open_page(browser: Any, path: Path, viewport: dict[str, int], visit: Visit) -> Any:
    """Open a file:// page; record every request and abort any that would leave the page."""
    page = browser.new_page()
    page.set_viewport_size(viewport)

    def on_route(route: Any) -> None:
        url = route.request.url
        visit.requests.append(url)
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", on_route)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def assert_quiet(visit: Visit, path: Path) -> None:
    assert visit.errors == []
    assert visit.dialogs == []
    leaving = [u for u in visit.requests if u != path.as_uri() and not u.startswith("data:")]
    assert leaving == []


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    done = run_cli(
        "report", "--progress-dir", str(EXAMPLE_PROGRESS), "--as-of", AS_OF,
        "--format", "html", "--output", str(folder / "index.html"),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    return folder / "index.html"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_example_month_in_the_browser(
    browser: Any,
    example_page: Path,
    example: dict[str, Any],
    tmp_path: Path,
    name: str,
    viewport: dict[str, int],
) -> None:
    visit = Visit()
    page = open_page(browser, example_page, viewport, visit)

    counts = page.locator("ul.counts li").all_inner_texts()
    shown = {" ".join(text.split()) for text in counts}
    words = {i["status"]: i["status_label"] for i in example["items"]}
    for code, count in example["summary"].items():
        assert f"{count} {words[code]}" in shown
    assert AS_OF in page.locator("header").inner_text()

    for item in example["items"]:
        if item["status"] == "no_task":
            assert typeset(item["title"]) in page.locator("ul.notask").inner_text()
            continue
        card = page.locator(f"#item-{item['id']}")
        assert card.is_visible()
        text = card.inner_text()
        assert typeset(item["title"]) in text  # as a person reads it
        assert item["status_label"] in text
        assert percent(item["completion_pct"]) in text

    # Readable on a phone: nothing wider than the screen but the ranking, which scrolls.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    assert page.evaluate("document.scripts.length") == 0

    shot = tmp_path / f"report-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if UPDATE_GOLDEN:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"report-{name}.png"))
    assert_quiet(visit, example_page)
    page.close()


@pytest.mark.slow
def test_hostile_text_shows_as_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text(report_html("--data-dir", str(PUBLISH_DATA)), encoding="utf-8")
    visit = Visit()
    page = open_page(browser, path, PHONE, visit)

    card = page.locator("#item-1").inner_text()
    assert "<script>alert(1)</script> 上半年新增就业3100人" in card
    assert "来源：javascript:alert(1)" in card
    assert "<img src=x onerror=alert(2)>" in page.locator("#item-3").inner_text()
    assert "<b>粗体</b>" in page.locator("header").inner_text()
    assert page.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
    hrefs = page.evaluate("[...document.links].map(a => a.href)")
    # Item 3's, one for each of its two reporting units; item 1's is javascript:
    assert hrefs == ["https://example.org/cgj", "https://example.org/mzj?a=1&b=2"]
    assert_quiet(visit, path)
    page.close()


@pytest.mark.slow
def test_the_page_prints_whole_and_short(
    browser: Any, example_page: Path, example: dict[str, Any], tmp_path: Path
) -> None:
    visit = Visit()
    page = open_page(browser, example_page, DESKTOP, visit)
    page.emulate_media(media="print")
    # Every collapsed section is written out; the screen's hints are not printed.
    nested = [i for i in example["items"] if any(t["measure"] for t in i["targets"])]
    assert nested
    for item in nested:
        card = page.locator(f"#item-{item['id']}")
        assert card.locator(".print-only table").is_visible()
        assert not card.locator("details").is_visible()
    assert not page.locator(".scroll-hint").is_visible()
    # The category chart fills its panel on paper.
    panel = page.locator("section.panel", has=page.locator("#cat-chart-title"))
    chart = panel.locator("svg.chart")
    assert chart.bounding_box()["width"] >= 0.85 * panel.bounding_box()["width"]
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 4 <= pages <= 16  # it printed 19 pages before the print stylesheet
    if UPDATE_GOLDEN:
        (tmp_path / "page.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", "1", "-l", "1",
             str(tmp_path / "page.pdf"), str(SCREENSHOTS / "report-print")],
            check=True,
        )  # fmt: skip
    assert_quiet(visit, example_page)
    page.close()


@pytest.mark.slow
def test_a_phone_is_told_the_ranking_scrolls(browser: Any, example_page: Path) -> None:
    visit = Visit()
    page = open_page(browser, example_page, PHONE, visit)
    hint = page.locator("#units-title ~ .scroll-hint")
    assert hint.is_visible()
    # the ranking itself (the monthly-cycle tables above it are scrollers too)
    table = page.locator("#units-title ~ .scroll")
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll
    page.set_viewport_size(DESKTOP)
    assert not hint.is_visible()
    page.close()
