"""click's usage errors in the clerk's language.

Each error is read by its kind and its parts (the option, the parameter, the value and why
it was refused), not by matching its English sentence whole: a kind of error is never shown
in English because a release reworded it. The few free sentences click and typer write
(`Got unexpected extra argument(s) …`) are in `_SENTENCES`; tests/test_usage.py reads
typer's source for every sentence it can raise and checks that each one is in Chinese here.
"""

from __future__ import annotations

import re
from typing import Any

# The sentences of click's and typer's own usage errors and parameter checks, in Chinese.
# A pattern matches the whole sentence; its groups are the parts kept as typed.
_QUOTED = r"'(.*)'"
_PATH = r"\w+ (.*)"  # `File 'x.txt'`, `Directory 'data'`, `Path …`
_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), words)
    for pattern, words in (
        (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", "多余的参数:{0}"),
        (rf"No such command {_QUOTED}\.(?: Did you mean (.*)\?)?", "没有命令 {0}{1}"),
        (r"Missing command\.", "缺少命令"),
        (rf"Option {_QUOTED} does not take a value\.", "选项 {0} 后面不能写值"),
        (rf"Option {_QUOTED} requires an argument\.", "选项 {0} 后面需要写一个值"),
        (rf"Option {_QUOTED} requires (\d+) arguments\.", "选项 {0} 后面需要写 {1} 个值"),
        (rf"Option {_QUOTED} requires .*", "选项 {0} 后面需要写值"),
        (rf"Argument {_QUOTED} takes (.+) values\.", "参数 {0} 需要 {1} 个值"),
        (rf"{_PATH} does not exist\.", "{0} 不存在"),
        (rf"{_PATH} is a file\.", "{0} 是一个文件,这里应给出文件夹"),
        (
            rf"{_PATH} is a directory\.",
            "{0} 是一个文件夹,这里应给出文件",
        ),
        (
            rf"{_PATH} is not readable\.",
            "{0} 无法读取(没有读取权限)",
        ),
        (
            rf"{_PATH} is not writable\.",
            "{0} 无法写入(没有写入权限)",
        ),
        (r"Value '(.*)' is not a valid (?:int|integer)\.", "{0} 不是整数"),
        (r"Value '(.*)' is not a valid (?:float|number)\.", "{0} 不是数字"),
        (r"Value '(.*)' is not a valid (.*)\.", "{0} 不是有效的 {1}"),
        (r"Value must be an iterable\.", "应是一组值"),
        (r"'(.*)' is not one of (.*)\.", "{0} 不是可选的值,可选:{1}"),
        (r"'(.*)': (.*)", "{0}:{1}"),
    )
)
# Why pydantic (which typer uses to read a value) refused one: by the error's type.
_VALUE_WORDS = {
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "应为日期(YYYY-MM-DD)",
    "date_from_datetime_parsing": "应为日期(YYYY-MM-DD)",
    "string_type": "应为文字",
    "missing": "缺少值",
}


def _kinds(error: BaseException) -> set[str]:
    """The names of the error's classes: click's, whether vendored by typer or not."""
    return {kind.__name__ for kind in type(error).__mro__}


def _name(error: Any) -> str:
    """The parameter an error is about, as the person typed it (`--format`, `ITEM`)."""
    hint = getattr(error, "param_hint", None)
    if isinstance(hint, str):
        return hint
    if hint:
        return " / ".join(hint)
    param = getattr(error, "param", None)
    if param is None:
        return ""
    opts = [opt for opt in getattr(param, "opts", []) if opt.startswith("--")]
    if getattr(param, "param_type_name", "") == "option" and (opts or param.opts):
        return " / ".join(opts or param.opts)
    return str(getattr(param, "metavar", None) or param.name or "").upper()


def sentence(english: str) -> str | None:
    """One of click's or typer's sentences in Chinese; None for a sentence not known here."""
    text = english.strip()
    for pattern, words in _SENTENCES:
        found = pattern.fullmatch(text)
        if found:
            parts = [_choices(part or "") for part in found.groups()]
            if words.startswith("没有命令") and parts[1]:
                parts[1] = f"(是不是 {parts[1]}?)"
            if words.startswith("多余的参数") and not parts[0].strip("' "):
                parts[0] = "一个空的参数('')"
            return words.format(*parts)
    return None


def _choices(listed: str) -> str:
    """A part as the person typed it: `'x.txt'` as `x.txt`, `'a', 'b' or 'c'` as `a、b、c`."""
    return "、".join(re.findall(r"'([^']*)'", listed)) or listed


def _value_reason(error: BaseException) -> str | None:
    """Why typer's reading of a value failed, from the pydantic error behind it."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    details = errors()
    if not details:
        return None
    first = details[0]
    kind = first.get("type", "")
    value = first.get("input")
    shown = f"{value!r} " if isinstance(value, str) else ""
    if kind in {"enum", "literal_error"}:
        expected = str(first.get("ctx", {}).get("expected", ""))
        return f"{shown}不是可选的值,可选:{_choices(expected)}"
    if kind == "value_error":  # typer's own checks (choices) and ours, said in a sentence
        said = str(first.get("msg", "")).removeprefix("Value error, ")
        return sentence(said) or said
    words = _VALUE_WORDS.get(kind)
    return f"{shown}{words}".strip() if words else None


def usage_message(error: BaseException) -> str:
    """A usage error of click in Chinese, whatever its kind (the names stay as typed)."""
    kinds = _kinds(error)
    message = str(getattr(error, "message", "") or "")
    if "NoSuchOption" in kinds:
        name = getattr(error, "option_name", "") or message
        possible = sorted(getattr(error, "possibilities", None) or [])
        hint = f"(是不是 {'、'.join(possible)}?)" if possible else ""
        return f"没有选项 {name}{hint}"
    if "MissingParameter" in kinds:
        param = getattr(error, "param", None)
        kind = getattr(error, "param_type", None) or getattr(param, "param_type_name", "")
        what = "选项" if kind == "option" else "参数"
        return f"缺少{what} {_name(error)}".rstrip()
    if "BadParameter" in kinds:
        reason = _value_reason(error) or sentence(message) or message
        name = _name(error)
        return f"{name} 的值不对:{reason}" if name else f"值不对:{reason}"
    if "FileError" in kinds:
        where = getattr(error, "ui_filename", "")
        return f"无法打开文件 {where}:{message}"
    return sentence(message) or f"命令行有误:{message}"
