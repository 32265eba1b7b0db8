"""Chinese prose in GB/T 15834 form, the one place it is done: ，：；（）？！ where the text
around a mark is Chinese, ASCII kept inside numbers (1,000, 2-3岁, 12:30), dates, URLs, paths,
codes, option names and Latin words.

Data files keep what was typed (the 2024 notice itself is ASCII-punctuated); every output a
person reads passes its text through `typeset` as it is shown. Machine formats (CSV cells,
JSON values) carry the data as typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Marks that take their full-width form in a Chinese context.
FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
_MARKS = frozenset(FULL)

# Spans left exactly as they are: code in backquotes, a URL, the target of a Markdown link,
# an HTML entity. (A location such as 文件:工作表:第7行 is not prose either; the callers
# that print one keep it apart and typeset only the message after it.)
_KEPT = re.compile(
    r"`[^`\n]*`"  # `--fail-on lagging,unreported`
    r"|\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\u3000-\u303f\uff00-\uffef“”‘’]*"  # https://…
    r"|\]\([^)\s]*\)"  # ](docs/report.md)
    r"|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);"  # &lt; in a page's text
)


def is_chinese(char: str) -> bool:
    """A Han character, or a mark of Chinese text (、。“”《》〔〕…—, full-width forms)."""
    if len(char) != 1:
        return False
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF  # CJK unified ideographs and extension A
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and after
        or 0x3001 <= code <= 0x303F  # CJK symbols and punctuation, the ideographic space apart
        or 0xFF01 <= code <= 0xFF60  # full-width forms
        or char in "“”‘’…—·"
    )


def _neighbour(text: str, index: int, step: int) -> int:
    """Where the nearest character that is not a space is, from `index` in the direction
    `step`, within the paragraph (a wrapped line goes on); -1 past its end."""
    index += step
    newlines = 0
    while 0 <= index < len(text) and text[index] in " \t\r\n":
        newlines += text[index] == "\n"
        index += step
    return index if 0 <= index < len(text) and newlines < 2 else -1


def _ascii_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_-./%")


def typeset(text: str) -> str:
    """`text` with its ASCII ,:;()?! in Chinese contexts made full-width and the spaces
    beside a converted mark dropped; everything else, and every kept span, as it was."""
    if not text or not _MARKS.intersection(text) or not _HAN.search(text):
        return text  # most cells: a number, a date, a name, an id
    kept = [(m.start(), m.end()) for m in _KEPT.finditer(text)]
    marks = [m.start() for m in _MARK.finditer(text) if not _inside(m.start(), kept)]
    change: dict[int, str] = {}

    def chinese_at(index: int) -> bool:
        return index >= 0 and (is_chinese(text[index]) or index in change)

    for opening, closing in _pairs(text, marks):
        inside = text[opening + 1 : closing]
        if any(is_chinese(c) for c in inside) or any(
            chinese_at(_neighbour(text, at, step)) for at, step in ((opening, -1), (closing, 1))
        ):
            change[opening], change[closing] = "（", "）"
    for index in marks:
        char = text[index]
        if char in "()":
            continue
        before, after = _neighbour(text, index, -1), _neighbour(text, index, 1)
        tight_before = text[index - 1] if index else ""
        tight_after = text[index + 1] if index + 1 < len(text) else ""
        if tight_before.isdigit() and (
            (char == ":" and tight_after.isdigit())
            or (char == "," and _THOUSANDS.match(text, index))
        ):
            continue  # 12:30 and 1,000 (but 2024-07,2024-08-05 is two dates in a sentence)
        if char in "?!":
            wide = chinese_at(before)
        elif char == ":":  # data.yaml:12 and 区残联6月.xlsx:进度报送表 are places, not prose
            wide = chinese_at(before) or (not _ascii_word(tight_before) and chinese_at(after))
        else:
            wide = chinese_at(before) or chinese_at(after)
        if wide:
            change[index] = FULL[char]
    return _join(text, change) if change else text


_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_MARK = re.compile(r"[,:;()?!]")
_THOUSANDS = re.compile(r",[0-9]{3}(?![0-9])")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


def _inside(index: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= index < end for start, end in spans)


def _pairs(text: str, marks: list[int]) -> list[tuple[int, int]]:
    """The matching ASCII parentheses among the marks, within a paragraph (a wrapped line
    may break a pair; a blank line ends every open one)."""
    found: list[tuple[int, int]] = []
    open_at: list[int] = []
    ends = [match.start() for match in _BLANK_LINE.finditer(text)]
    for index in marks:
        char = text[index]
        if open_at and any(open_at[-1] < end < index for end in ends):
            open_at.clear()
        if char == "(":
            open_at.append(index)
        elif char == ")" and open_at:
            found.append((open_at.pop(), index))
    return found


def _join(text: str, change: dict[int, str]) -> str:
    """The text with its changed marks; a full-width mark carries its own space, so the
    spaces beside it go (on its line), but a Markdown table's `| ` stays as it is."""
    out: list[str] = []
    start = 0
    for index in sorted(change):
        piece = text[start:index]
        if start and not piece.lstrip(" \t").startswith("|"):
            piece = piece.lstrip(" \t")  # after the previous mark
        stripped = piece.rstrip(" \t")
        if not stripped.endswith("|"):
            piece = stripped
        out.append(piece)
        out.append(change[index])
        start = index + 1
    rest = text[start:]
    out.append(rest if rest.lstrip(" \t").startswith("|") else rest.lstrip(" \t"))
    return "".join(out)


_PAGE_TEXT = re.compile(r"(<(style|script)\b.*?</\2>|<[^>]*>)|([^<]+)", re.S)


def typeset_html(page: str) -> str:
    """A page's text between its tags typeset; tags, attributes, style and script as they
    are (the style's hash is in the page's Content-Security-Policy)."""
    return _PAGE_TEXT.sub(lambda m: m.group(1) or typeset(m.group(3)), page)


def typeset_tree(value: Any) -> Any:
    """Every string of a JSON-like document typeset (keys as they are): for the outputs made
    from the report's JSON document (the page, the workbook, the Word bulletin)."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, dict):
        return {key: typeset_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typeset_tree(item) for item in value]
    return value


# Characters that show as nothing (or as a space) on a page: a name holding one looks like
# another name and is not the same (区民政局 and 区民政局 + U+200B). Besides the Unicode
# categories below, the variation selectors, fillers and joiners that render as nothing.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs", "Me"}
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0000-\U000e0fff]"
)


def invisible_char(text: str) -> str | None:
    """The first character of `text` that shows as nothing or passes for a space, if any: a
    plain space between words shows, and is allowed; at either end it does not."""
    if text != text.strip(" "):
        return " "
    for char in text:
        if char == " ":
            continue
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or _INVISIBLE.match(char):
            return char
    return None
