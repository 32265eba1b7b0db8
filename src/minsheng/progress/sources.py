"""An entry's source (依据): a document number, a web address, or a file in the repository,
and why a file it names cannot serve as evidence."""

from __future__ import annotations

import os
import re
from pathlib import Path

from minsheng.core.issues import os_reason

_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:|urn:)")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
# A year in brackets, `〔2024〕`: a document number has one, and 号 after it, on one line.
# Matched with search, never as `.*(year).*号.*`: that form tried every split of the text and
# took a minute over 600 KB of `(2024)`. Here each character is looked at a bounded number of
# times (the opening and closing brackets are apart, so two matches never overlap).
_YEAR_GROUP = re.compile(r"[〔\[(【(]\s*\d{4}\s*[〕\])】)]")


def is_document_number(text: str) -> bool:
    """A year in brackets with no line break before it, and 号 after it with none after."""
    first_break, last_break = text.find("\n"), text.rfind("\n")
    last_number = text.rfind("号")
    for found in _YEAR_GROUP.finditer(text):
        if first_break != -1 and found.start() > first_break:
            return False
        if found.end() > last_break and last_number >= found.end():
            return True
    return False


def source_path(source: str) -> str | None:
    """The repository path a source names, or None for a URL, a document number or text.

    `花残联〔2024〕12号` is a document number and `https://…` a URL; `docs/evidence/x.pdf`
    (with a folder or a file extension) is a path.
    """
    text = source.strip()
    if _URL.match(text) or is_document_number(text):
        return None
    if "/" in text or "\\" in text or _EXTENSION.search(text):
        return text
    return None


def source_problem(source: str, repo_root: Path) -> str | None:
    """Why a source that names a path cannot be used as evidence, or None."""
    path = source_path(source)
    if path is None:
        return None
    if "\\" in path:
        return f"来源路径 {path} 请用 / 分隔"
    relative = Path(path)
    if relative.is_absolute() or ".." in relative.parts:
        return f"来源路径 {path} 应是仓库内的相对路径(不能以 / 开头,也不能含 ..)"
    try:
        os.stat(repo_root / relative)
    except FileNotFoundError:
        return f"来源文件 {path} 在仓库中不存在(路径相对于仓库根目录,即 data/ 的上一级)"
    except (OSError, ValueError) as error:  # a name over 255 bytes, a folder not readable
        reason = os_reason(error) if isinstance(error, OSError) else "路径含有不允许的字符"
        return f"来源路径 {_shown(path)} 无法查看:{reason}"
    return None


def _shown(text: str) -> str:
    """A long path cut for a message (a name of 300 bytes is the problem being reported)."""
    return text if len(text) <= 80 else text[:77] + "…"
