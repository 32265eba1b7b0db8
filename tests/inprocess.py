"""The command line run in-process: the console script's own entry point, with sys.argv, the
standard streams, the environment and the working folder swapped for the call.

A launch of `python -m minsheng` costs a quarter of a second, most of it Python and typer
starting; the same call in-process costs milliseconds. Tests that need a real process (the
entry point itself, signals, pipes, a terminal, arguments that are not UTF-8, concurrency)
start one; every other CLI test runs here.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from minsheng import launch
from minsheng.cli import app as cli


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
def _swapped(
    argv: list[str], stdin: str, env: Mapping[str, str] | None, cwd: Path | None
) -> Iterator[tuple[_Stream, _Stream]]:
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr
    saved_env = dict(os.environ) if env is not None else None
    saved_cwd = Path.cwd() if cwd is not None else None
    out = _Stream(io.BytesIO(), encoding="utf-8", errors="surrogateescape", write_through=True)
    err = _Stream(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    sys.argv = ["minsheng", *argv]
    sys.stdin = _Stream(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    if env is not None:
        _set_environment(env)
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield out, err
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved
        if saved_env is not None:
            _set_environment(saved_env)
        if saved_cwd is not None:
            os.chdir(saved_cwd)


def _set_environment(env: Mapping[str, str]) -> None:
    changes_zone = os.environ.get("TZ") != env.get("TZ")
    os.environ.clear()
    os.environ.update(env)
    if changes_zone:
        time.tzset()


_COMMAND: list[object] = []


def _built_app() -> object:
    """The app as the click command typer builds from it on every call (built here once)."""
    if not _COMMAND:
        _COMMAND.append(typer.main.get_command(cli.app))
    return _COMMAND[0]


def run_main(
    argv: list[str],
    stdin: str = "",
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Outcome:
    """`minsheng ARGV` through the console script's entry point (minsheng.launch.main).

    `env`, if given, replaces the whole environment for the call; `cwd` the working folder.
    The typer app is swapped for the click command it builds, built once: typer would
    rebuild it on every call, which costs more than most commands.
    """
    app = cli.app
    with _swapped(argv, stdin, env, cwd) as (out, err):
        cli.app = _built_app()  # type: ignore[assignment]
        try:
            launch.main()
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
