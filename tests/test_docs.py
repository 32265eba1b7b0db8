"""The docs are true: every `minsheng …` line of a code block in README.md and docs/*.md runs
without a usage error (against a copy of the examples), and every command and option of the
command line is documented."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, TESTS, cli_env, command_tree, run_cli

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = {"", "sh", "bash", "console", "shell"}


@dataclass(frozen=True)
class Line:
    """One command of a doc's code block, as a person would type it."""

    doc: str
    number: int  # the line in the doc where the command starts
    args: list[str]

    def __str__(self) -> str:
        return f"{self.doc}:{self.number}: minsheng {shlex.join(self.args)}"


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each shell code block: the number of its first line, and its lines."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        fence = lines[index].strip()
        index += 1
        if not fence.startswith("```"):
            continue
        start, body = index + 1, []
        while index < len(lines) and not lines[index].strip().startswith("```"):
            body.append(lines[index])
            index += 1
        index += 1  # the closing fence
        if fence[3:].strip() in SHELL:
            yield start, body


def _commands(path: Path) -> Iterator[Line]:
    for first, lines in _blocks(path.read_text(encoding="utf-8")):
        index = 0
        while index < len(lines):
            number = first + index
            line = lines[index]
            while line.rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                line = line.rstrip()[:-1] + " " + lines[index]
            index += 1
            args = _minsheng_args(line)
            if args is not None:
                yield Line(str(path.relative_to(ROOT)), number, args)


def _minsheng_args(line: str) -> list[str] | None:
    """The arguments of the `minsheng` command on a shell line; None if there is none, or if
    the line is a synopsis (`[--unit 单位]`) rather than a command."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return None
    for separator in ("&&", "|", ";"):  # `pip install . && minsheng report`
        if separator in words:
            cut = words.index(separator)
            head, tail = words[:cut], words[cut + 1 :]
            words = tail if "minsheng" in tail else head
    if not words or words[0] != "minsheng":
        return None
    args = []
    for word in words[1:]:
        if word.startswith(">") or word in {"2>&1"}:
            break  # a redirection: the output goes somewhere, the command is the same
        args.append(word)
    if any(a.startswith("[") or "|" in a or a in {"NOTICE", "N", "FILE...", "D"} for a in args):
        return None
    return args


LINES = [line for doc in DOCS for line in _commands(doc)]


def _interactive(args: list[str]) -> bool:
    """`progress add` asking on the terminal: no figure given on the command line."""
    given = {"--value", "--stage", "--percent", "--help", "-h"}
    return args[:2] == ["progress", "add"] and not given.intersection(args)


def _workspace(root: Path) -> Path:
    """A data repository as the docs assume one: the plan, the example's records as its
    progress, the examples beside it, and a notice to draft from."""
    shutil.copytree(ROOT / "examples", root / "examples")
    (root / "data").mkdir()
    for plan in (ROOT / "data").glob("*.yaml"):
        shutil.copy(plan, root / "data" / plan.name)
    shutil.copytree(ROOT / "examples" / "2024-06" / "progress", root / "data" / "progress")
    shutil.copy(TESTS / "fixtures" / "notice_2024.txt", root / "通知.txt")
    (root / "site").mkdir()
    return root


def test_the_docs_have_commands_to_run() -> None:
    assert len(LINES) > 40
    assert any(line.args[:1] == ["report"] for line in LINES)
    assert any(line.args[:2] == ["plan", "draft"] for line in LINES)


def test_a_synopsis_is_not_taken_for_a_command() -> None:
    assert _minsheng_args("minsheng list [--unit 单位] [--active]") is None
    assert _minsheng_args("python -m pip install . && minsheng report  # 注") == ["report"]
    assert _minsheng_args('minsheng report --format markdown >> "$X"') == [
        "report",
        "--format",
        "markdown",
    ]


# The commands of one doc run in order, in one workspace of their own: a template made by one
# line is the file the next line imports, as a clerk following the page would do.
@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_documented_command_runs_without_a_usage_error(doc: Path, tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    for line in _commands(doc):
        if _interactive(line.args):
            code, said = _on_terminal(line.args, workspace)
        else:
            done = run_cli(*line.args, cwd=workspace)
            code, said = done.code, done.stderr
        assert "Traceback" not in said, str(line)
        assert "[usage]" not in said and code != 2, (str(line), said)


def _on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run on a pseudo-terminal until the first question, then press Ctrl-C."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "minsheng", *args], cli_env())
    seen = b""
    try:
        while b"\xef\xbc\x9a" not in seen and b":" not in seen and b"[" not in seen:
            ready, _, _ = select.select([fd], [], [], 30)
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                break
            seen += chunk
        os.write(fd, b"\x03")
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            try:
                chunk = os.read(fd, 4096) if ready else b""
            except OSError:
                chunk = b""
            if not chunk:
                break
            seen += chunk
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


def test_the_comments_of_the_code_blocks_are_chinese_prose_too() -> None:
    """A comment beside a command is a sentence a clerk reads: ，：；（） as elsewhere."""
    beside_han = re.compile(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]")
    found = []
    for doc in DOCS:
        for first, lines in _blocks(doc.read_text(encoding="utf-8")):
            for offset, line in enumerate(lines):
                comment = re.search(r"(?:^|\s)#\s(.*)", line)
                if comment and beside_han.search(comment.group(1)):
                    found.append(f"{doc.name}:{first + offset}: {comment.group(1)}")
    assert not found, found


# --- every command and option is documented ------------------------------------------------


COMMANDS = command_tree()
TEXTS = {doc: doc.read_text(encoding="utf-8") for doc in DOCS}


@pytest.mark.parametrize(
    "path,command", COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_every_command_and_its_options_are_documented(path: list[str], command: Any) -> None:
    name = "minsheng " + " ".join(path)
    docs = [text for text in TEXTS.values() if name in text]
    assert docs, f"{name} appears in no doc"
    missing = []
    for param in command.params:
        opts = [opt for opt in param.opts if opt.startswith("--")]
        if param.param_type_name != "option" or not opts or opts[0] == "--help":
            continue
        if not any(re.search(re.escape(opts[0]) + r"(?![\w-])", text) for text in docs):
            missing.append(opts[0])
    assert not missing, f"{name}: options documented nowhere beside the command: {missing}"
