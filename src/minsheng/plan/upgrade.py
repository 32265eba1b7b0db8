"""The plan file's format versions: telling an old file from a current one, and bringing an
old file up to date in place, comments and layout kept.

Format 2 renamed the categories' `no` to `id`: YAML 1.1 readers (PyYAML's `safe_load`
among them) read the key `no` as the boolean false, so a script over the plan got
`{False: 1}` where the tool read `{"no": 1}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from minsheng.core.issues import Code, Issue
from minsheng.core.yamlio import Document, load_single

CURRENT = 2
_OLD_KEY = "no"
_VERSION = re.compile(r"(schema_version\s*:\s*)1\b")


def _old_categories(data: Any) -> list[int]:
    """The indexes of the categories written with the old key."""
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, list):
        return []
    return [i for i, c in enumerate(categories) if isinstance(c, dict) and _OLD_KEY in c]


def old_format(doc: Document) -> list[Issue]:
    """One problem for a plan in format 1, saying how to bring it up; none otherwise."""
    data = doc.data
    version = data.get("schema_version") if isinstance(data, dict) else None
    old = _old_categories(data)
    if version != 1 and not old:
        return []
    loc: tuple[str | int, ...] = ("schema_version",) if version == 1 else ("categories", old[0])
    message = (
        "这是第 1 版格式的计划文件。第 2 版把类别的序号字段 no 改名为 id"
        "(按 YAML 1.1 读取的程序会把 no 读成 false)。"
        "运行 minsheng plan upgrade 自动改写(注释和排版不变),"
        "或手工把 schema_version 改为 2、把 categories 下每个 no: 改为 id:"
    )
    return [doc.issue(loc, Code.OLD_FORMAT, message)]


class UpgradeError(Exception):
    """The file cannot be brought up to date by the rewrite: it is said why."""


@dataclass(frozen=True)
class Upgraded:
    """The new text, and how many categories' keys it renamed."""

    text: str
    renamed: int


def upgrade_text(text: str, file: str) -> Upgraded | None:
    """Format 1 → 2 by editing only the lines that change; None when already current."""
    doc = load_single(text, file)
    if doc.broken:
        raise UpgradeError("文件有语法问题,请先用 minsheng validate 找出并修正")
    if not old_format(doc):
        return None
    lines = text.splitlines(keepends=True)
    old = _old_categories(doc.data)
    for index in old:  # a key's mark is where the key itself stands
        line, column = doc.marks[("categories", index, _OLD_KEY)]
        text_line = lines[line - 1]
        lines[line - 1] = text_line[: column - 1] + "id" + text_line[column + 1 :]
    if isinstance(doc.data, dict) and doc.data.get("schema_version") == 1:
        line, _ = doc.marks[("schema_version",)]
        lines[line - 1] = _VERSION.sub(rf"\g<1>{CURRENT}", lines[line - 1], count=1)
    new = "".join(lines)
    _require_same_data(doc, load_single(new, file), old)
    return Upgraded(new, len(old))


def _require_same_data(before: Document, after: Document, renamed: list[int]) -> None:
    """The rewrite changed the version and the renamed keys, and nothing else."""
    expected = before.data
    if isinstance(expected, dict):
        expected = dict(expected)
        if "schema_version" in expected:
            expected["schema_version"] = CURRENT
        categories = list(expected.get("categories", []))
        for index in renamed:
            category = dict(categories[index])
            categories[index] = {("id" if k == _OLD_KEY else k): v for k, v in category.items()}
        expected["categories"] = categories
    if after.broken or after.data != expected:
        raise UpgradeError("自动改写的结果与原文件的内容对不上,没有改动文件;请手工改写")
