"""Running the command line in-process (thousands of times a minute) and checking its answer."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from minsheng.cli import app as cli
from minsheng.core.issues import Code

KNOWN_CODES = frozenset(str(code) for code in Code)
# What a person sees when something escaped the error handling: never acceptable.
CRASH_MARKS = ("Traceback", "[internal]", "内部错误")
# `错误 [code]:…`, `拒绝 [code]:…` or a located issue `file:line:column: code: …`.
_CODED = re.compile(r"\[[a-z][a-z0-9-]*\]|:\d+:\d+: [a-z][a-z0-9-]*: ")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Outcome:
    code: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, like sys.stdout (it has .buffer), never a terminal."""

    def isatty(self) -> bool:
        return False


@contextmanager
def _patched(argv: list[str], stdin: str) -> Iterator[tuple[_Stream, _Stream]]:
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr
    out = _Stream(io.BytesIO(), encoding="utf-8", errors="surrogateescape", write_through=True)
    err = _Stream(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    sys.argv = ["minsheng", *argv]
    sys.stdin = _Stream(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved


_COMMAND: list[object] = []


def _built_app() -> object:
    """The app as the click command typer builds from it on every call (built here once)."""
    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(cli.app))
    return _COMMAND[0]


def run_main(argv: list[str], stdin: str = "") -> Outcome:
    """`minsheng ARGV` through minsheng.cli.app.main, as the console script runs it.

    The typer app is swapped for the click command it builds, built once: typer would
    rebuild it on every call, which costs more than most commands.
    """
    app = cli.app
    with _patched(argv, stdin) as (out, err):
        cli.app = _built_app()  # type: ignore[assignment]
        try:
            cli.main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        finally:
            cli.app = app
        out.flush()
        err.flush()
        assert isinstance(out.buffer, io.BytesIO) and isinstance(err.buffer, io.BytesIO)
        stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue()
    return Outcome(code, stdout, stderr.decode("utf-8", errors="replace"))


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


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (bytes) and folder under root, the lock file aside."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if path.name == ".lock":
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


def files_only(tree: dict[str, bytes | str]) -> dict[str, bytes]:
    return {key: value for key, value in tree.items() if isinstance(value, bytes)}
