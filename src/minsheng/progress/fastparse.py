"""Fast reading of the progress files the tool writes itself: rapidyaml, or None to fall back.

The safe event-based loader (yamlio) is the reference: it knows every error and its line.
This path only takes files in the exact shape the store writes (a header of comments, then
records of single-line `key: value` pairs, each between `---` and `...`) whose every entry is
valid; for anything else — an unusual line, a character the two parsers might read apart, a
value the schema refuses, rapidyaml missing or failing — it returns None and the caller
reads the file the reference way, so every message and line number stays the reference's.

rapidyaml parses the bytes and writes them out as JSON in C++; `json` builds the dicts in C.
JSON would blur what YAML keeps apart (`~` or `True` are not null or true to rapidyaml, `.5`
becomes `0.5`), so the grammar below lets through only values both parsers read alike: plain
numbers written exactly as the reference reads them, dates, quoted strings with the escapes
the store writes, and plain text that cannot be mistaken for a number, a null or a boolean.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from minsheng.core.yamlio import MAX_NODES
from minsheng.plan.models import in_range

ENV_OFF = "MINSHENG_NO_FAST_PARSE"

# One entry as plain values, the same from either path and as cached: id, item, target, date
# (YYYY-MM-DD), value, stage, percent (numbers as written), unit, note, source, corrects,
# reporter, phone, recorded_at (ISO 8601), its document's number in the file, the line of
# its `---`, where its keys are (the keys in order, one a line after `---` (column 1), or
# (key, line, column)s), and received (YYYY-MM-DD or None).
Record = tuple[
    str, int, str, str, str | None, str | None, str | None, str, str | None, str | None,
    str | None, str | None, str | None, str, int, int, tuple[Any, ...], str | None,
]  # fmt: skip
KEYS = ("id", "item", "target", "date", "value", "stage", "percent", "unit", "note", "source",
        "reporter", "phone", "corrects", "received", "recorded_at")  # fmt: skip
REQUIRED = frozenset({"id", "item", "target", "date", "unit", "recorded_at"})
STAGES = frozenset({"未启动", "推进中", "已完成"})

# Characters the two parsers may treat apart (U+2028, U+2029, NEL, a BOM, non-characters),
# the ones the reference refuses (C0 and C1 controls, bidirectional controls), and tab and
# carriage return, which the reference reports with their own messages: never let through.
_BAD = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff\ufffe\uffff"
)
_NUMBER = r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Digits and small letters (ids like 23470904e0): rapidyaml writes the exponent forms among
# them as JSON numbers, verbatim; the reference reads them as text, and so does `_float`.
_ALNUM = r"[0-9][0-9a-z]*"
# Only the escapes the store writes; `\/`, `\x..` and the like are YAML 1.2 or 1.1 only.
_DOUBLE = rf'"(?:[^"\\{_BAD}]|\\["\\nt])*"'
_SINGLE = rf"'(?:[^'{_BAD}]|'')*'"
# Whole values the reference reads as something other than text, or that one parser might
# read as a number and the other not (1e5, .5, 5., +1, 1_000): these are never plain text.
_NUMBERISH = r"[-+.0-9][-+.0-9eE_]*"
_SPECIAL = r"(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?\.?(?i:nan|inf|infinity))"
# Plain text: not starting with an indicator, a quote or a space; no `: `, no ` #` comment,
# no trailing `:` or space.
_PLAIN = (
    rf"(?!(?:{_NUMBERISH}|{_SPECIAL})\n)"
    rf"[^ {_BAD}\-?:,\[\]{{}}#&*!|>'\"%@`]"
    rf"[^ :{_BAD}]*(?:(?::+| +)[^ :#{_BAD}][^ :{_BAD}]*)*"
)
# A value often fits more than one of the forms (a date is also plain text): each line and
# each record is an atomic group, so a file that fails to match (a comment after the last
# record) fails at once instead of trying every combination of forms, line by line.
_GRAMMAR = re.compile(
    rf"(?:#[^{_BAD}]*\n|\n)*"  # the header: comments and blank lines
    r"(?>---\n"
    rf"(?>[a-z_]+: (?:{_NUMBER}|{_DATE}|{_ALNUM}|{_DOUBLE}|{_SINGLE}|{_PLAIN})\n)+"
    r"\.\.\.\n)+"  # records back to back, each closed by `...`
)
_ID = re.compile(r"[0-9a-z]{6,32}")
_SLUG = re.compile(r"[a-z][a-z0-9-]{0,39}")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\.[0-9]+")
_DATE_TEXT = re.compile(_DATE)
# YYYY-MM-DDTHH:MM:SS[.ffffff] with a UTC offset, as `progress add` writes it.
STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?[+-][0-9]{2}:[0-9]{2}"
)
_EXPONENT = re.compile(r"[0-9]+[eE][0-9]+")


class Unusual(Exception):
    """Something this path does not vouch for: the reference reads the file."""


def enabled() -> bool:
    """rapidyaml is installed and not switched off (MINSHENG_NO_FAST_PARSE=1)."""
    if os.environ.get(ENV_OFF):
        return False
    try:
        import ryml  # noqa: F401
    except ImportError:
        return False
    return True


def parse(raw: bytes, text: str) -> list[Record] | None:
    """Every entry of a progress file (`raw` without BOM, `text` its decoding), or None."""
    try:
        return _parse(raw, text)
    except Exception:  # anything at all: the reference path decides
        return None


def _parse(raw: bytes, text: str) -> list[Record] | None:
    if not _GRAMMAR.fullmatch(text):
        return None
    # A duplicate key leaves a mapping one key short of its lines: the count below fails.
    docs = json.loads(_to_json(raw), parse_float=_float, parse_constant=_refuse)
    if not isinstance(docs, list):  # a single document is emitted bare
        docs = [docs]
    # The reference's bound on the work of one file (yamlio.MAX_NODES) holds here too, so
    # that a file is valid or `too-large` whether rapidyaml is installed or not: it counts
    # the stream's start, and each record's start and end, mapping start and end, keys and
    # values. Past it, the reference reads the file and words the problem.
    if 1 + sum(4 + 2 * len(doc) for doc in docs) > MAX_NODES:
        return None
    first = text.find("\n---\n") + 1 if not text.startswith("---\n") else 0
    line = text.count("\n", 0, first) + 1  # the first `---`
    records = []
    dates: dict[str, bool] = {}
    for number, doc in enumerate(docs):
        records.append(_record(doc, number, line, dates))
        line += len(doc) + 2
    if line != text.count("\n") + 1:  # the records and the lines do not add up
        return None
    return records


def _to_json(raw: bytes) -> bytearray:
    import ryml

    with _quiet_stderr():  # rapidyaml prints its parse errors itself, in English
        tree = ryml.parse_in_arena(raw)
        # Into a buffer of our own: rapidyaml's emit_json() never frees the one it allocates
        # (a megabyte a file, so a third of the memory at a million entries).
        out = bytearray(ryml.compute_json_length(tree))
        ryml.emit_json_in_place(tree, out)
        return out


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    sys.stderr.flush()  # what is already written goes out before the redirection
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _float(text: str) -> Decimal | str:
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    if _EXPONENT.fullmatch(text):  # text to the reference: neither an integer nor a decimal
        return text
    raise Unusual(text)


def _refuse(text: str) -> None:
    raise Unusual(text)


_layouts: dict[tuple[str, ...], tuple[str, ...]] = {}


def _record(doc: dict[str, Any], number: int, line: int, dates: dict[str, bool]) -> Record:
    """One entry exactly as the schema would accept it, or Unusual."""
    if not doc.keys() >= REQUIRED or not doc.keys() <= _ALLOWED:
        raise Unusual("keys")
    get = doc.get
    entry_id, item, target, date = doc["id"], doc["item"], doc["target"], doc["date"]
    unit, recorded_at = doc["unit"], doc["recorded_at"]
    if not (type(entry_id) is str and _ID.fullmatch(entry_id)):
        raise Unusual("id")
    if not (type(item) is int and item >= 1):
        raise Unusual("item")
    if not (type(target) is str and _SLUG.fullmatch(target)):
        raise Unusual("target")
    if type(date) is not str or not (dates.get(date) or _valid_date(date, dates)):
        raise Unusual("date")
    if not (type(unit) is str and unit and "\n" not in unit and "\r" not in unit):
        raise Unusual("unit")
    if not (type(recorded_at) is str and _aware(recorded_at)):
        raise Unusual("recorded_at")
    value = _number(get("value"), None)
    percent = _number(get("percent"), Decimal(100))
    stage = get("stage")
    if stage is not None and stage not in STAGES:
        raise Unusual("stage")
    note, source, corrects = get("note"), get("source"), get("corrects")
    if not (note is None or type(note) is str) or not (source is None or type(source) is str):
        raise Unusual("text")
    if corrects is not None and not (type(corrects) is str and _ID.fullmatch(corrects)):
        raise Unusual("corrects")
    reporter, phone = get("reporter"), get("phone")
    for said in (reporter, phone):  # one line, not empty: else the reference words it
        if said is not None and not (type(said) is str and said and _one_line(said)):
            raise Unusual("text")
    received = get("received")
    if received is not None and not (
        type(received) is str and (dates.get(received) or _valid_date(received, dates))
    ):
        raise Unusual("received")
    keys = tuple(doc)
    layout = _layouts.setdefault(keys, keys)  # one tuple per layout, shared (and cached once)
    return (entry_id, item, target, date, value, stage, percent, unit, note, source, corrects,
            reporter, phone, recorded_at, number, line, layout, received)  # fmt: skip


_ALLOWED = frozenset(KEYS)


def _one_line(text: str) -> bool:
    return "\n" not in text and "\r" not in text


def _valid_date(text: str, dates: dict[str, bool]) -> bool:
    if not _DATE_TEXT.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    dates[text] = True
    return True


def _aware(text: str) -> bool:
    """A timestamp exactly as the store writes it; anything else goes the reference way."""
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return bool(STAMP.fullmatch(text)) and stamp.tzinfo is not None and stamp.isoformat() == text


def _number(value: Any, most: Decimal | None) -> str | None:
    """A number as written (never a bool, never negative, at most `most`), or None."""
    if value is None:
        return None
    if type(value) not in (int, Decimal):
        raise Unusual("number")
    number = Decimal(value)
    # The schema's own bound (models.in_range): what it refuses, the reference must word.
    if not in_range(number) or number < 0 or (most is not None and number > most):
        raise Unusual("number")
    return str(value)
