"""Turns pydantic validation errors into located problems, in Chinese, with stable codes; and
a data file (the plan, the funds file) read, parsed and validated against its model, one way."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from minsheng.core.cache import digest
from minsheng.core.issues import Code, Issue
from minsheng.core.yamlio import Document, Loc, format_loc, load_single, read_file

M = TypeVar("M", bound=BaseModel)

_TYPE_WORDS = {
    "int_type": "整数",
    "int_parsing": "整数",
    "string_type": "文字",
    "bool_type": " true 或 false",
    "list_type": "列表",
    "dict_type": "映射(键: 值)",
    "model_type": "映射(键: 值)",
    "model_attributes_type": "映射(键: 值)",
    "decimal_type": "数字",
    "float_type": "数字",
    "date_type": "日期(YYYY-MM-DD)",
}


def _shown(value: Any) -> str:
    """A value as the message quotes it: a container by its type, anything long cut short."""
    text = type(value).__name__ if isinstance(value, dict | list) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _code_and_message(error: Any) -> tuple[Code, str]:
    kind = error["type"]
    shown = _shown(error.get("input"))
    if kind == "extra_forbidden":
        return Code.UNKNOWN_FIELD, f"不认识的字段 {error['loc'][-1]}(拼写错了?)"
    if kind == "missing":
        return Code.MISSING_FIELD, f"缺少必填字段 {error['loc'][-1]}"
    if kind == "finite_number":
        return Code.BAD_VALUE, "数字不能是 NaN 或无穷大"
    if kind == "bad_date":
        return Code.BAD_DATE, error["msg"]
    if kind in _TYPE_WORDS:
        return Code.WRONG_TYPE, f"应为{_TYPE_WORDS[kind]},实际是 {shown}"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return Code.BAD_VALUE, f"取值 {shown} 不在允许的范围内:{expected}"
    if kind == "literal_error":
        return Code.BAD_VALUE, f"取值 {shown} 不对,应为 {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return Code.BAD_VALUE, f"{shown} 格式不对(只能用小写英文字母、数字和 -)"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(iter(error.get("ctx", {}).values()), "")
        words = {
            "greater_than": "大于",
            "greater_than_equal": "不小于",
            "less_than": "小于",
            "less_than_equal": "不大于",
        }[kind]
        return Code.BAD_VALUE, f"取值 {shown} 应{words} {bound}"
    if kind in {"string_too_short", "too_short"}:
        return Code.BAD_VALUE, "不能为空"
    return Code.BAD_VALUE, str(error["msg"])


def _data_loc(data: Any, loc: tuple[Any, ...]) -> Loc:
    """Keep the parts of pydantic's loc that walk the data (it adds tags for unions)."""
    found: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            found.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            found.append(part)
        elif isinstance(node, dict) and isinstance(part, str):
            found.append(part)  # a missing or unknown key names itself
            break
    return tuple(found)


def validate(model: type[M], doc: Document, base: Loc = ()) -> tuple[M | None, list[Issue]]:
    """Validate `doc.data` (or the part of it at `base`) against a model."""
    data: Any = doc.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        found = []
        for detail in error.errors():
            loc = (*base, *_data_loc(data, detail["loc"]))
            code, message = _code_and_message(detail)
            if code is Code.MISSING_FIELD:
                loc_for_position = loc[:-1]
                line, column = doc.position(loc_for_position)
                found.append(Issue(doc.file, line, column, code, message, format_loc(loc)))
            else:
                found.append(doc.issue(loc, code, message))
        return None, found


@dataclass(frozen=True)
class ModelFile(Generic[M]):
    """A data file of one YAML mapping, validated against its model."""

    model: M
    doc: Document
    digest: bytes  # of the text as read


def _no_problems(doc: Document) -> list[Issue]:
    return []


def read_model(
    path: Path,
    model: type[M],
    file: str | None = None,
    first: Callable[[Document], list[Issue]] = _no_problems,
) -> tuple[ModelFile[M] | None, list[Issue]]:
    """Read a file safely, parse its one mapping and validate it against `model`: the file and
    the problems its parsing found, or None and every problem that stopped it. `first` looks
    at the parsed document before the schema; a problem it finds stops there (an old format
    wants one message that says how to bring it up, not one per field)."""
    name = file or str(path)
    text, issues = read_file(path, name)
    if text is None:
        return None, issues
    doc = load_single(text, name)
    if doc.broken:
        return None, doc.issues
    stopped = first(doc)
    if stopped:
        return None, doc.issues + stopped
    found, schema_issues = validate(model, doc)
    issues = doc.issues + schema_issues
    if found is None:  # the checks across records need a whole model: fix these first
        return None, in_file_order(issues)
    return ModelFile(found, doc, digest(text.encode("utf-8", "surrogatepass"))), issues


def in_file_order(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda issue: (issue.line, issue.column))


def file_year(path: Path, stem: str, year: int, doc: Document, loc: Loc, what: str) -> list[Issue]:
    """A file named `<stem>_<year>.yaml` holds that year's data (`--year` finds it by name):
    the problem where `year`, at `loc` in `doc`, says another."""
    named = re.fullmatch(rf"{stem}_([0-9]{{4}})\.ya?ml", path.name)
    if named is None or int(named.group(1)) == year:
        return []
    field = ".".join(map(str, loc))
    message = f"文件名 {path.name} 是 {named.group(1)} 年的{what},而 {field} 是 {year}"
    return [doc.issue(loc, Code.YEAR, message)]
