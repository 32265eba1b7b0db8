"""Chinese typography (GB/T 15834), once: the one function, and every output a person reads
of the example month, the messages, the help, the README and the docs, with no ASCII
`,:;()` beside a Chinese character; the data files keep what was typed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import ROOT, run_cli
from minsheng.core.typography import typeset, typeset_html, typeset_tree

EXAMPLE = (
    "--as-of",
    "2024-06-30",
    "--progress-dir",
    str(ROOT / "examples" / "2024-06" / "progress"),
)
# An ASCII mark of Chinese prose next to a Han character.
ASCII_BESIDE_HAN = re.compile(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]")


def found(text: str) -> list[str]:
    """Each place an ASCII mark stands beside a Han character, with a little context."""
    return [text[max(m.start() - 8, 0) : m.end() + 8] for m in ASCII_BESIDE_HAN.finditer(text)]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("各牵头单位:", "各牵头单位："),
        ("根据《通知》(花政办〔2024〕7号)要求", "根据《通知》（花政办〔2024〕7号）要求"),
        ("全部 50 项中,有任务 33 项;无任务 17 项", "全部 50 项中，有任务 33 项；无任务 17 项"),
        ("完善村(社区)“救急难”", "完善村（社区）“救急难”"),
        ("第 3 项 (滞后)", "第 3 项（滞后）"),
        ("是吗?对!", "是吗？对！"),
        # ASCII kept inside numbers, dates, times, URLs, codes, paths and Latin words
        ("累计1,000人", "累计1,000人"),
        ("2-3岁儿童", "2-3岁儿童"),
        ("12:30 开会", "12:30 开会"),
        ("截至 2024-06-30 的进度", "截至 2024-06-30 的进度"),
        ("见 https://e.com/a?b=1,2;c=(3) 的网页", "见 https://e.com/a?b=1,2;c=(3) 的网页"),
        ("data/x.yaml:12:3: bad-value: 数值不对", "data/x.yaml:12:3: bad-value: 数值不对"),
        ("用 `--fail-on lagging,unreported` 设定", "用 `--fail-on lagging,unreported` 设定"),
        ("例:minsheng report --fail-on a,b", "例：minsheng report --fail-on a,b"),
        ("见 [报告](docs/report.md)。", "见 [报告](docs/report.md)。"),
        ("100.0%(1/1)", "100.0%(1/1)"),
        ("Hello, world (test): yes", "Hello, world (test): yes"),
        ("标签&lt;w:p&gt;标签", "标签&lt;w:p&gt;标签"),
    ],
)  # fmt: skip
def test_typeset_puts_chinese_prose_in_full_width_and_keeps_the_rest(
    typed: str, shown: str
) -> None:
    assert typeset(typed) == shown
    assert typeset(shown) == shown  # once is enough: typeset again changes nothing


def test_a_tree_keeps_its_keys_and_codes() -> None:
    tree = {"status": "on_track", "title": "完善村(社区)", "n": 1, "list": ["a,b", "甲,乙"]}
    assert typeset_tree(tree) == {
        "status": "on_track", "title": "完善村（社区）", "n": 1, "list": ["a,b", "甲，乙"],
    }  # fmt: skip


def test_a_page_keeps_its_tags_and_style() -> None:
    page = '<style>a:b;c(d)</style><p title="x:中">甲:乙</p><b>(丙)</b>'
    assert typeset_html(page) == '<style>a:b;c(d)</style><p title="x:中">甲：乙</p><b>（丙）</b>'


# --- every output of the example month ---------------------------------------------------------


def report(fmt: str, tmp_path: Path, *extra: str) -> Any:
    if fmt in {"xlsx", "docx"}:
        path = tmp_path / f"report.{fmt}"
        done = run_cli("report", *EXAMPLE, "--format", fmt, "--output", str(path), *extra)
        assert done.code == 0, done.stderr
        return path
    done = run_cli("report", *EXAMPLE, "--format", fmt, *extra)
    assert done.code == 0, done.stderr
    assert not found(done.stderr), found(done.stderr)  # the messages too
    return done.stdout


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_text_reports_read_in_full_width(fmt: str, tmp_path: Path) -> None:
    text = report(fmt, tmp_path)
    assert "（按月计）" in text or "(按月计)" not in text
    assert not found(text), found(text)


def test_the_page_reads_in_full_width(tmp_path: Path) -> None:
    page = report("html", tmp_path)
    text = re.sub(r"<(style|script)\b.*?</\1>|<[^>]*>", " ", page, flags=re.S)
    assert "完善村（社区）" in text
    assert not found(text), found(text)


def test_the_workbook_reads_in_full_width_but_its_data_sheet_keeps_the_data(
    tmp_path: Path,
) -> None:
    book = load_workbook(report("xlsx", tmp_path))
    for sheet in book.worksheets:
        texts = " ".join(
            str(v) for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)
        )
        if sheet.title == "数据":  # for programs: codes and the data as typed
            continue
        assert not found(texts), (sheet.title, found(texts))


def test_the_bulletin_reads_in_full_width(tmp_path: Path) -> None:
    doc = Document(str(report("docx", tmp_path, "--contact", "联系人:张三,电话:0555-1234567")))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join(texts)
    assert "各牵头单位：" in text and "（联系人：张三，电话：0555-1234567）" in text
    assert not found(text), found(text)


def test_csv_and_json_carry_the_data_as_typed_and_label_it_in_full_width(tmp_path: Path) -> None:
    import csv as csv_module

    text = report("csv", tmp_path)
    header, *rows = csv_module.reader(io.StringIO(text.lstrip("\ufeff")))
    assert "完成进度（%）" in header
    assert not [title for title in header if found(title)]
    assert any("完善村(社区)" in cell for row in rows for cell in row)  # data, as typed
    document = json.loads(report("json", tmp_path))
    item = next(i for i in document["items"] if i["id"] == 18)
    assert "完善村(社区)" in item["title"]  # as typed: JSON is for programs
    assert set(document) >= {"as_of", "summary", "items"}  # keys as they were


def test_the_plan_keeps_what_was_typed() -> None:
    plan = (ROOT / "data" / "tasks_2024.yaml").read_text(encoding="utf-8")
    assert "完善村(社区)“救急难”" in plan  # the notice's own ASCII punctuation


def test_messages_and_help_read_in_full_width() -> None:
    done = run_cli("report", "--fomat", "csv")
    assert done.code == 2
    assert "错误 [usage]：没有选项 --fomat（" in done.stderr
    for command in (["report"], ["progress", "template"], ["progress", "import"], ["list"]):
        shown = run_cli(*command, "--help")
        assert shown.code == 0, shown.stderr
        assert not found(shown.stdout), (command, found(shown.stdout))


def prose_of(markdown: str) -> str:
    """A Markdown file's Chinese prose: no code block, no code span, no link target, and no
    paragraph or table row written in English (its Chinese words in ASCII brackets are
    English typography, as it should be)."""
    text = re.sub(r"^(```|~~~).*?^\1", "", markdown, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    parts = re.split(r"\n\s*\n|\n(?=\|)", text)

    def chinese(part: str) -> bool:
        return 4 * len(re.findall(r"[\u4e00-\u9fff]", part)) >= len(re.findall(r"[A-Za-z]", part))

    return "\n\n".join(part for part in parts if chinese(part))


@pytest.mark.parametrize(
    "path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name
)
def test_the_readme_and_docs_read_in_full_width(path: Path) -> None:
    text = prose_of(path.read_text(encoding="utf-8"))
    assert not found(text), found(text)


def test_a_return_round_trips_whatever_its_typography(small_data: Path, tmp_path: Path) -> None:
    """A note typed with ASCII punctuation is recorded as typed, and shown typeset."""
    returned = tmp_path / "r.csv"
    made = run_cli("progress", "template", "--data-dir", str(small_data), "--unit", "区城管局",
                   "--as-of", "2024-06-30", "--output", str(returned))  # fmt: skip
    assert made.code == 0, made.stderr
    lines = returned.read_text(encoding="utf-8-sig").splitlines()
    for index, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) > 10 and cells[2] == "rate":
            cells[7], cells[10] = "95", '"已完成(上半年);见文件"'
            lines[index] = ",".join(cells)
    returned.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli("progress", "import", str(returned), "--yes", "--data-dir", str(small_data))
    assert done.code == 0, done.stderr
    listed = run_cli("progress", "list", "--format", "json", "--data-dir", str(small_data))
    assert json.loads(listed.stdout)[0]["note"] == "已完成(上半年);见文件"
    shown = run_cli("progress", "list", "--data-dir", str(small_data))
    assert "已完成（上半年）；见文件" in shown.stdout
    files = list((small_data / "progress").rglob("*.yaml"))
    assert any("已完成(上半年);见文件" in f.read_text(encoding="utf-8") for f in files)
