"""Outputs made from the plan alone (`list`/`show --format json`), kept by the plan's bytes.

A script asks `minsheng list --format json` many times a day; reading the YAML and building
the pydantic models costs more than starting Python. The answer depends only on the plan
file, the question (command and options) and minsheng's code, so it is kept in the user's
cache folder under the hash of all three (minsheng.core.cache: checksummed, written atomically)
and later printed without importing the models at all. An invalid plan or a bad option
raises before anything is kept, so an error is never answered from the cache.

Building the command line itself (typer makes a pydantic adapter for every option) costs
more than the bare import of typer, pydantic, yaml and rich. So the command line as typed is
kept too, with what typer made of it: the data folder and year options and the question.
`minsheng.launch` looks a command line up before typer is imported; on a hit it finds the
plan again by the usual rules (the folder named, else $MINSHENG_DATA_DIR, else upward from
the working folder) and prints the answer kept for that plan's bytes. Anything else, and any
miss, takes the full path, which keeps the answer for next time.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Callable
from pathlib import Path

from minsheng.core.cache import ENV_OFF, Blobs, default_folder, fingerprint

KEEP_COMMANDS = 256  # command lines kept, the newest

# The command line as typed, set by minsheng.launch before the full path runs: a question
# answered from the plan is then kept under it. None when minsheng.cli.app runs some other way.
typed: list[str] | None = None


def remembered(
    plan: Path, question: tuple[object, ...], answer: Callable[[], tuple[str, bool]]
) -> str:
    """The output for `question` over this plan; `answer()` gives it and whether to keep it."""
    raw = _plan_bytes(plan)
    if raw is None:
        return answer()[0]
    key = _answer_key(_asked(question), raw)
    blobs = _blobs("plan")
    if blobs is None:
        return answer()[0]
    found = _text(blobs.get(key))
    if found is not None:
        return found
    text, keep = answer()
    if keep:
        blobs.put(key, text.encode("utf-8"))
    return text


def note_command(data_dir: Path | None, year: int | None, question: tuple[object, ...]) -> None:
    """Keep what typer made of the command line typed (see the module), for `answer_again`."""
    key = _command_key(typed) if typed is not None else None
    blobs = _blobs("command")
    if key is None or blobs is None:
        return
    folder = None if data_dir is None else os.fsencode(data_dir)
    blobs.put(key, marshal.dumps((folder, year, _asked(question))))
    blobs.keep_newest(KEEP_COMMANDS)


def answer_again(args: list[str]) -> str | None:
    """The output kept for this command line over the plan it names now, or None."""
    key = _command_key(args)
    commands, answers = _blobs("command"), _blobs("plan")
    if key is None or commands is None or answers is None:
        return None
    kept = commands.get(key)
    if kept is None:
        return None
    try:
        folder, year, asked = marshal.loads(kept)
        if not (folder is None or isinstance(folder, bytes)) or not isinstance(asked, str):
            return None
        from minsheng.core.datadir import find_data_dir
        from minsheng.core.issues import UsageError

        data_dir = None if folder is None else Path(os.fsdecode(folder))
        plan = find_data_dir(data_dir).plan_path(year)
    except (EOFError, ValueError, TypeError, UsageError, OSError):
        return None  # the full path says what is wrong
    raw = _plan_bytes(plan)
    if raw is None:
        return None
    return _text(answers.get(_answer_key(asked, raw)))


def _command_key(args: list[str]) -> str | None:
    """The name of a command line's entry; None when it must not be answered from the cache:
    the cache is off, --debug is asked for, or the shell is completing a word."""
    if os.environ.get(ENV_OFF) or os.environ.get("MINSHENG_DEBUG") or "--debug" in args:
        return None
    if any(name.endswith("_COMPLETE") for name in os.environ):
        return None
    typed = json.dumps(args, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(fingerprint() + typed).hexdigest()


def _blobs(name: str) -> Blobs | None:
    folder = default_folder()
    return None if folder is None else Blobs(folder / name)


def _plan_bytes(plan: Path) -> bytes | None:
    # A pipe or a device in the plan's place would block or never end here: the full
    # reading refuses it.
    if os.environ.get(ENV_OFF) or not plan.is_file():
        return None
    try:
        return plan.read_bytes()
    except OSError:
        return None


def _asked(question: tuple[object, ...]) -> str:
    return json.dumps(question, ensure_ascii=False)


def _answer_key(asked: str, raw: bytes) -> str:
    # Options may carry lone surrogates: bytes of the command line that are not UTF-8.
    text = asked.encode("utf-8", "surrogatepass")
    return hashlib.sha256(fingerprint() + text + b"\0" + raw).hexdigest()


def _text(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError:
        return None
