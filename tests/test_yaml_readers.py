"""Every YAML file the project ships reads the same in any YAML reader as in the tool.

The tool reads scalars by the YAML 1.2 core rules; PyYAML's `safe_load`, which a clerk's
script is likely to use, reads them the YAML 1.1 way (`no` is false, `010` is 8, `1:30` is
90). A file that means one thing to the tool and another to a script is a trap.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, TESTS
from minsheng.core.yamlio import load_documents
from minsheng.plan.draft.build import draft_notice
from minsheng.plan.draft.write import to_yaml

SHIPPED = sorted(
    [
        *(ROOT / "data").glob("*.yaml"),
        *(ROOT / "examples").rglob("*.yaml"),
        *(TESTS / "data" / "valid").glob("*.yaml"),
    ]
)


def _plain(value: Any) -> Any:
    """The two readings in one vocabulary: numbers exact, dates as written."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same_readings(text: str, name: str) -> None:
    """A plan is one document; a progress file one record a document (`---` … `...`)."""
    ours = load_documents(text, name)
    theirs = list(yaml.safe_load_all(text))
    assert len(ours) == len(theirs), name
    for number, (mine, other) in enumerate(zip(ours, theirs, strict=True), 1):
        assert not mine.issues, (name, number, mine.issues)
        assert _plain(other) == _plain(mine.data), f"{name}: document {number} reads otherwise"
        keys = _keys(other)
        assert not any(isinstance(k, bool) for k in keys), f"{name}: a key YAML 1.1 reads as bool"


def _keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_the_files_are_found() -> None:
    assert ROOT / "data" / "tasks_2024.yaml" in SHIPPED
    assert any("progress" in p.parts for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_shipped_file_reads_the_same_to_safe_load(path: Path) -> None:
    _same_readings(path.read_text(encoding="utf-8-sig"), str(path.relative_to(ROOT)))


def test_a_drafted_plan_reads_the_same_to_safe_load() -> None:
    notice = (TESTS / "fixtures" / "notice_2024.txt").read_bytes()
    _same_readings(to_yaml(draft_notice(notice, "notice_2024.txt", None, None)), "draft")


def test_the_comparison_would_see_a_yaml_1_1_reading() -> None:
    with pytest.raises(AssertionError):
        _same_readings("categories:\n  - {no: 1, name: 促进就业}\n", "old")
    with pytest.raises(AssertionError):
        _same_readings("value: 010\n", "octal")
