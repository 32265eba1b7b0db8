"""What every reported problem must carry: a file, a line in it, a column and a known code."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from adversarial.harness import KNOWN_CODES
from minsheng.core.issues import Code, Issue


def line_count(raw: bytes) -> int:
    """Lines of a file, counted generously (every line break YAML or Python knows)."""
    text = raw.decode("utf-8", errors="replace")
    return max(len(text.splitlines()), raw.count(b"\n")) + 1


def assert_located(issues: Iterable[Issue], files: dict[str, bytes]) -> None:
    """Each issue names one of `files` (display name -> bytes) and a line inside it."""
    for issue in issues:
        assert isinstance(issue.code, Code), issue
        assert issue.file in files, (issue, sorted(files))
        assert 1 <= issue.line <= line_count(files[issue.file]), (issue, len(files[issue.file]))
        assert issue.column >= 1, issue
        assert issue.message.strip(), issue


def assert_json_issues(payload: Any, files: Collection[str]) -> None:
    """`validate --format json`: the contract, and every issue located with a known code."""
    assert set(payload) == {"valid", "issues"}
    assert payload["valid"] is (not payload["issues"])
    for issue in payload["issues"]:
        assert set(issue) == {"file", "line", "column", "code", "path", "message"}, issue
        assert issue["code"] in KNOWN_CODES, issue
        assert issue["file"] in files, (issue, files)
        assert isinstance(issue["line"], int) and issue["line"] >= 1, issue
        assert isinstance(issue["column"], int) and issue["column"] >= 1, issue


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, raw in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
