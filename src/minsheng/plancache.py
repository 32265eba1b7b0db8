"""Outputs made from the plan alone (`list`/`show --format json`), kept by the plan's bytes.

A script asks `minsheng list --format json` many times a day; reading the YAML and building
the pydantic models costs more than starting Python. The answer depends only on the plan
file, the question (command and options) and minsheng's code, so it is kept in the user's
cache folder under the hash of all three (minsheng.cache: checksummed, written atomically)
and later printed without importing the models at all. An invalid plan or a bad option
raises before anything is kept, so an error is never answered from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from minsheng.cache import ENV_OFF, Blobs, default_folder, fingerprint


def remembered(
    plan: Path, question: tuple[object, ...], answer: Callable[[], tuple[str, bool]]
) -> str:
    """The output for `question` over this plan; `answer()` gives it and whether to keep it."""
    # A pipe or a device in the plan's place would block or never end here: the full
    # reading refuses it.
    if os.environ.get(ENV_OFF) or not plan.is_file():
        return answer()[0]
    try:
        raw = plan.read_bytes()
    except OSError:
        return answer()[0]
    # Options may carry lone surrogates: bytes of the command line that are not UTF-8.
    asked = json.dumps(question, ensure_ascii=False).encode("utf-8", "surrogatepass")
    key = hashlib.sha256(fingerprint() + asked + b"\0" + raw).hexdigest()
    blobs = Blobs(default_folder() / "plan")
    found = blobs.get(key)
    if found is not None:
        try:
            return found.decode("utf-8")
        except UnicodeDecodeError:
            pass
    text, keep = answer()
    if keep:
        blobs.put(key, text.encode("utf-8"))
    return text
