"""Usage errors in Chinese, every one: the sentences typer and click can raise, and every
command run with bad arguments."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import command_tree, run_cli
from minsheng.cli.usage import sentence

# Three English words in a row: a sentence, not an option name or a choice; a command's
# own name (`minsheng progress add --help`) is no sentence.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,.]+[A-Za-z]{2,}){2,}")
COMMAND = re.compile(r"minsheng(?: [a-z]+)*")
# Where a usage sentence is raised, and which argument is the sentence.
RAISERS = {
    "fail": 0,
    "UsageError": 0,
    "BadParameter": 0,
    "BadArgumentUsage": 0,
    "BadOptionUsage": 1,
}


def _sample(node: ast.expr) -> str | None:
    """The sentence a raise site writes, with `x` for each part filled in at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                out += str(part.value)
            else:
                assert isinstance(part, ast.FormattedValue)
                out += "'x'" if part.conversion == ord("r") else "x"
        return out
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute) and func.attr == "format":
        inner = _sample(func.value)  # _("No such command {name!r}.").format(name=…)
        return None if inner is None else re.sub(r"\{\w+(!r)?\}", _fill, inner)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
        return _sample(node.args[0]) if node.args else None
    return None  # a message made elsewhere (pydantic's): read from the error's cause


def _fill(found: re.Match[str]) -> str:
    return "'x'" if found.group(1) else "x"


def _sources() -> Iterator[Path]:
    """typer's source, with click's where typer does not carry its own copy (older releases)."""
    names = ["typer"] if importlib.util.find_spec("typer._click") else ["typer", "click"]
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            yield from Path(spec.origin).parent.rglob("*.py")


def _raised_sentences() -> list[tuple[str, str]]:
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            place = RAISERS.get(name or "")
            if place is not None and len(node.args) > place:
                said = _sample(node.args[place])
                if said is not None:
                    found.append((f"{path.name}:{node.lineno}", said))
    return found


def test_the_scan_finds_typers_sentences() -> None:
    said = [s for _, s in _raised_sentences()]
    assert any(s.startswith("Got unexpected extra argument") for s in said)
    assert any("does not exist" in s for s in said)


@pytest.mark.parametrize("where,english", _raised_sentences())
def test_every_sentence_typer_can_raise_is_said_in_chinese(where: str, english: str) -> None:
    chinese = sentence(english)
    assert chinese is not None, (where, english)
    assert not ENGLISH.search(chinese), (where, chinese)


COMMANDS = command_tree()


def _bad_calls() -> Iterator[tuple[str, list[str]]]:
    for path, command in COMMANDS:
        name = " ".join(path)
        yield f"{name}: unknown option", [*path, "--no-such-option"]
        if not any(p.param_type_name == "argument" and p.nargs == -1 for p in command.params):
            yield f"{name}: empty extra argument", [*path, *_required(command), "", "x", "y"]
        for param in command.params:
            opts = [o for o in param.opts if o.startswith("--")]
            if param.param_type_name != "option" or not opts or param.is_flag:
                continue
            if opts[0] in {"--help", "--version"}:
                continue
            yield f"{name} {opts[0]}: no value", [*path, *_required(command), opts[0]]
            yield f"{name} {opts[0]}: a value", [*path, *_required(command), opts[0], "\x01?"]


def _required(command: Any) -> list[str]:
    """Stand-ins for the command's required arguments, so the option is what is wrong."""
    return ["1" for p in command.params if p.param_type_name == "argument" and p.required]


def test_every_command_is_walked() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"report", "validate", "progress add", "progress import", "plan draft"} <= names


@pytest.mark.parametrize("case,args", list(_bad_calls()))
def test_bad_arguments_get_a_chinese_message(case: str, args: list[str], tmp_path: Path) -> None:
    done = run_cli(*args, cwd=tmp_path)
    if not case.endswith(": a value"):  # a value may be a fine one (a file named so)
        assert done.code == 2, (case, done.stderr)
    assert "Traceback" not in done.stderr
    english = ENGLISH.findall(COMMAND.sub("", done.stderr))
    assert not english, (case, done.stderr)


def test_an_empty_argument_is_named_not_left_blank() -> None:
    done = run_cli("report", "")
    assert done.code == 2
    assert "多余的参数：一个空的参数（''）" in done.stderr


def test_a_choice_lists_the_choices() -> None:
    done = run_cli("report", "--by", "foo")
    assert "--by 的值不对：foo 不是可选的值，可选：item、unit、category" in done.stderr


def test_a_mistyped_command_suggests_the_right_one() -> None:
    done = run_cli("reprot")
    assert done.code == 2
    assert "没有命令 reprot（是不是 report?）" in done.stderr


def test_a_path_check_names_the_path_as_typed() -> None:
    assert sentence("File '没有这个.xlsx' does not exist.") == "没有这个.xlsx 不存在"
    assert sentence("Directory 'a b' is not readable.") == "a b 无法读取(没有读取权限)"


def test_a_group_without_a_command_shows_its_help() -> None:
    done = run_cli("progress")
    assert done.code == 2
    assert "用法：minsheng progress" in done.stderr
    assert "错误" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["rollup", "examples/rollup/jiaqu", "--as-of", "2024-6-31"],
        ["report", "--as-of", "2024-6-31"],
        ["progress", "template", "--unit", "区残联", "--as-of", "2030-06-30"],
    ],
)
def test_a_bad_date_option_reads_as_a_chinese_sentence(args: list[str]) -> None:
    # "--as-of:日期应写作…" kept its ASCII colon: typography converts only between Chinese.
    done = run_cli(*args)
    assert done.code == 2
    assert "--as-of 的值不对：" in done.stderr, done.stderr
    assert "--as-of:" not in done.stderr
