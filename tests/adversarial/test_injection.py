"""Data never becomes code: formulas stay text in CSV and xlsx, markup and links stay text in
the HTML page and in Markdown, control sequences never reach a terminal, and nothing a
person types (a unit, an item, a source, an output path) leads a write out of its place.

A property test takes the small plan, puts hostile text into every title, name and note,
and renders every format; example tests drive the real commands with each hostile string.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from adversarial.budget import cases
from adversarial.generate import HOSTILE, dump, plan_text, progress_text, unit_name
from adversarial.harness import (
    assert_clear_refusal,
    assert_no_crash,
    files_only,
    run_main,
    snapshot,
)
from conftest import SMALL_PLAN
from minsheng.core.cells import FORMULA_START
from minsheng.core.yamlio import load_single

NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?")
# Sources that pass validation (no path that must exist) but attack a link or a page.
SOURCES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    'https://example.org/"><img src=x onerror=alert(1)>',
    "https://example.org/?q=<script>alert(1)</script>",
    "花残联〔2024〕12号",
]


# --- what a format must never contain ------------------------------------------------------


def assert_csv_inert(text: str) -> None:
    """No cell a spreadsheet would run: text starting like a formula got its leading quote."""
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            assert not cell.startswith(FORMULA_START) or NUMBER.fullmatch(cell), cell


def assert_docx_inert(data: bytes) -> str:
    """No link, no field but the page number, no element the data could have named: the
    document's text, where the data is, is plain runs. Returns the body's text."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))
    body = doc.element.body
    assert body.find(".//" + qn("w:hyperlink")) is None
    assert body.find(".//" + qn("w:fldSimple")) is None
    assert body.find(".//" + qn("w:instrText")) is None  # the PAGE field is in the footer
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(texts)


def assert_xlsx_inert(data: bytes) -> list[str]:
    """No formula anywhere; text that starts like one is text, marked so. Returns the texts."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    texts = []
    for sheet in load_workbook(io.BytesIO(data)):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_START):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    return texts


class Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_CLEAN_TAGS: list[set[str]] = []


def clean_tags() -> set[str]:
    """The tags the page has when no data is hostile: the template's own."""
    if not _CLEAN_TAGS:
        with tempfile.TemporaryDirectory() as root:
            data = Path(root) / "data"
            (data / "progress").mkdir(parents=True)
            shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
            done = run_main(
                ["report", "--data-dir", str(data), "--as-of", "2024-06-30", "--format", "html"]
            )
            assert done.code == 0, done.stderr
            _CLEAN_TAGS.append(Page(done.text).tags)
    return _CLEAN_TAGS[0]


def assert_html_inert(html: str) -> Page:
    page = Page(html)
    assert page.tags <= clean_tags(), page.tags - clean_tags()
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name, value)
        if name in {"href", "src", "action", "formaction", "xlink:href"}:
            assert value.strip().lower().startswith(("https://", "http://", "#")), (tag, value)
    return page


def assert_markdown_inert(text: str) -> None:
    assert not re.search(r"<\s*[a-zA-Z!/]", text), "raw HTML in Markdown"
    assert not re.search(r"(?<!\\)\]\s*\(", text), "a Markdown link formed from data"


def assert_terminal_inert(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), "a control character"


# --- a plan and its progress, hostile everywhere ------------------------------------------


def _small_plan() -> dict[str, Any]:
    data: dict[str, Any] = load_single(SMALL_PLAN.read_text(encoding="utf-8"), "plan").data
    return data


@st.composite
def hostile_data(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    """The small plan with hostile text in every title, name and note, and one entry for
    each of its lead units' targets with hostile notes and sources."""
    plan = _small_plan()
    text = plan_text
    plan["document"]["title"] = draw(text)
    for category in plan["categories"]:
        category["name"] = draw(text)
    fold = partial(unicodedata.normalize, "NFKC")  # names that read alike are one name
    names = draw(st.lists(text.map(unit_name), min_size=3, max_size=3, unique_by=fold))
    renamed = {unit["name"]: new for unit, new in zip(plan["units"], names, strict=True)}
    for unit, new in zip(plan["units"], names, strict=True):
        for alias in unit.pop("aliases", []):
            renamed[alias] = new
        unit["name"] = new
    for item in plan["items"]:
        item["title"] = draw(text)
        item["units"] = [renamed[name] for name in item.get("units", [])]
        for target in item.get("targets", []):
            target["name"] = draw(text)
            if "by" in target:  # the unit that reports it, by its new name
                target["by"] = renamed[target["by"]]
        for measure in item.get("measures", []):
            measure["text"] = draw(text)
        if "notes" in item:
            item["notes"] = [draw(text)]
    entries: dict[str, list[dict[str, Any]]] = {}
    for number, (item, target, unit_id) in enumerate(
        [(1, "jobs", "rsj"), (3, "rate", "cgj"), (3, "dibao", "mzj")]
    ):
        unit = plan["units"][["rsj", "cgj", "mzj"].index(unit_id)]["name"]
        entry: dict[str, Any] = {
            "id": f"{number:09x}e",
            "item": item,
            "target": target,
            "date": dt.date(2024, 6, 1 + number),
        }
        if target == "dibao":
            entry["stage"] = "推进中"
        else:
            plausible = [0, Decimal("0.1"), Decimal("0.3")] if target == "jobs" else [0, 50, 96]
            entry["value"] = draw(st.sampled_from(plausible))
        entry["unit"] = unit
        entry["note"] = draw(
            st.one_of(
                text, st.sampled_from(HOSTILE).filter(lambda t: "\r" not in t and "\x1b" not in t)
            )
        )
        entry["source"] = draw(st.sampled_from(SOURCES))
        entry["recorded_at"] = "2024-07-01T09:00:00+08:00"
        entries.setdefault(f"2024-06/{unit_id}.yaml", []).append(entry)
    files = {name: progress_text(found).encode("utf-8") for name, found in entries.items()}
    return dump(plan), files


class Data:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.out = root / "out"

    def put(self, plan: str, files: dict[str, bytes]) -> None:
        for folder in (self.data, self.out):
            shutil.rmtree(folder, ignore_errors=True)
        (self.data / "progress").mkdir(parents=True)
        self.out.mkdir()
        (self.data / "tasks_2024.yaml").write_text(plan, encoding="utf-8")
        for name, raw in files.items():
            (self.data / "progress" / name).parent.mkdir(parents=True, exist_ok=True)
            (self.data / "progress" / name).write_bytes(raw)

    def run(self, *args: str) -> Any:
        done = run_main([*args, "--data-dir", str(self.data)])
        assert_no_crash(done)
        assert done.code == 0, (args, done.stderr)
        return done


@pytest.fixture
def place() -> Iterator[Data]:
    with tempfile.TemporaryDirectory(prefix="minsheng-inject-") as root:
        yield Data(Path(root))


COUNT = cases(100, 1500)


@pytest.mark.slow
@pytest.mark.parametrize("count", [pytest.param(COUNT, id=f"{COUNT}-examples")])
def test_hostile_text_is_inert_in_every_format(count: int, place: Data) -> None:
    tried = 0

    @settings(max_examples=count)
    @given(hostile_data())
    def check(case: tuple[str, dict[str, bytes]]) -> None:
        nonlocal tried
        tried += 1
        plan, files = case
        note(plan)
        place.put(plan, files)
        report = ["report", "--as-of", "2024-06-30"]
        assert place.run("validate").code == 0
        assert_csv_inert(place.run(*report, "--format", "csv").text)
        assert_csv_inert(place.run("list", "--format", "csv").text)
        assert_csv_inert(place.run("show", "3", "--format", "csv").text)
        assert_csv_inert(place.run("progress", "list", "--format", "csv").text)
        workbook = place.out / "report.xlsx"
        place.run(*report, "--format", "xlsx", "--output", str(workbook))
        texts = assert_xlsx_inert(workbook.read_bytes())
        bulletin = place.out / "通报.docx"
        place.run(*report, "--format", "docx", "--output", str(bulletin))
        assert_docx_inert(bulletin.read_bytes())
        page = assert_html_inert(place.run(*report, "--format", "html").text)
        assert_markdown_inert(place.run(*report, "--format", "markdown").text)
        assert_markdown_inert(place.run("list", "--format", "markdown").text)
        assert_terminal_inert(place.run(*report).text)
        assert_terminal_inert(place.run("progress", "list").text)
        # The notes are shown, as text, as written: only their punctuation in Chinese
        # typography (and spaces beside it), in a cell of the workbook (最新进展 puts the figure
        # before the note) and on the page.
        document = json.loads(place.run(*report, "--format", "json").text)
        for item in document["items"]:
            latest = item.get("latest") or {}
            written = as_written(latest.get("note") or "")
            if written:
                assert any(written in as_written(text) for text in texts)
                assert written in as_written("".join(page.text))

    check()
    assert tried == count


def as_written(text: str) -> str:
    """Text with no space and its full-width marks ASCII again: what was typed, however the
    output typesets it."""
    return "".join(text.split()).translate(str.maketrans("，：；（）？！", ",:;()?!"))


# --- the real commands, one hostile string at a time --------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_note_is_refused_or_comes_out_as_text(workspace: Path, text: str) -> None:
    before = files_only(snapshot(workspace))
    done = run_main(
        [
            "progress",
            "add",
            "1",
            "--target",
            "jobs",
            "--value",
            "0.3",
            "--date",
            "2024-06-30",
            "--note",
            text,
            "--source",
            SOURCES[0],
            "--yes",
        ]
    )
    assert_no_crash(done)
    if any(not c.isprintable() for c in text.strip()):  # a tab, a return, an escape inside
        assert_clear_refusal(done)
        assert "[bad-char]" in done.stderr
        assert files_only(snapshot(workspace)) == before
        return
    assert done.code == 0, done.stderr
    report = ["report", "--as-of", "2024-06-30"]
    assert_csv_inert(run_main([*report, "--format", "csv"]).text)
    assert_csv_inert(run_main(["progress", "list", "--format", "csv"]).text)
    out = workspace.parent / "r.xlsx"
    assert run_main([*report, "--format", "xlsx", "--output", str(out)]).code == 0
    assert any(text.strip() in cell for cell in assert_xlsx_inert(out.read_bytes()))
    bulletin = workspace.parent / "r.docx"
    assert run_main([*report, "--format", "docx", "--output", str(bulletin)]).code == 0
    assert_docx_inert(bulletin.read_bytes())
    page = assert_html_inert(run_main([*report, "--format", "html"]).text)
    assert " ".join(text.split()) in " ".join("".join(page.text).split())
    assert_markdown_inert(run_main([*report, "--format", "markdown"]).text)
    assert_terminal_inert(run_main(["progress", "list"]).text)
