"""Running the command line in-process (thousands of times a minute) and checking its answer."""

from __future__ import annotations

import re

from conftest import files_only, snapshot
from inprocess import Outcome, run_main
from minsheng.core.issues import Code

__all__ = ["Outcome", "files_only", "run_main", "snapshot"]

KNOWN_CODES = frozenset(str(code) for code in Code)
# What a person sees when something escaped the error handling: never acceptable.
CRASH_MARKS = ("Traceback", "[internal]", "内部错误")
# `错误 [code]:…`, `拒绝 [code]:…` or a located issue `file:line:column: code: …`.
_CODED = re.compile(r"\[[a-z][a-z0-9-]*\]|:\d+:\d+: [a-z][a-z0-9-]*: ")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_no_crash(outcome: Outcome, allowed: frozenset[int] = frozenset({0, 1, 2})) -> None:
    """An exit code from the contract and no trace of an unhandled exception."""
    assert outcome.code in allowed, (outcome.code, outcome.stderr)
    for mark in CRASH_MARKS:
        assert mark not in outcome.stderr, outcome.stderr


def assert_clear_refusal(outcome: Outcome, code: int = 1) -> None:
    """The exit code, and a message in Chinese that carries a stable code."""
    assert_no_crash(outcome)
    assert outcome.code == code, (outcome.code, outcome.stderr)
    said = outcome.text + outcome.stderr  # validate's product (stdout) is the problems
    assert _CODED.search(said), said
    assert _CJK.search(outcome.stderr), outcome.stderr
