"""Reading a notice's text as people get it: the encoding, a .docx, full-width marks, broken
spacing, and the index table a web page puts above the notice."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from minsheng.core.issues import Code
from minsheng.plan.draft.limits import (
    MAX_DOCX_BYTES,
    MAX_DOCX_PART,
    MAX_DOCX_TOTAL,
    MAX_LINES,
    MAX_TEXT_BYTES,
)


class NoticeError(Exception):
    """The notice cannot be drafted at all (empty, binary, too large, unknown encoding, no
    items, beyond a bound)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Line:
    """One non-empty line of the cleaned text and its line number in the file."""

    no: int
    text: str


def too_large(name: str, size: int, limit: int, what: str = "") -> NoticeError:
    """The refusal of a file over a bound, with its size and the bound."""
    return NoticeError(
        Code.NOTICE_TOO_LARGE,
        f"{name}{what} 有 {_size(size)},超过 {_size(limit)} 的上限,不像一份通知"
        "(通知连附件一般不到 100 KB);请确认文件选对了",
    )


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.0f} MB"
    return f"{max(1, count // 1024)} KB"


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a notice file and the encoding it was read in; NoticeError if none fits.

    UTF-8 first (with or without BOM), then UTF-16 (by its BOM, or by the zero bytes of
    Chinese-free text), then GB18030, which reads GBK and GB2312 as well: offices still
    save text in the Windows code page.
    """
    if not raw.strip():
        raise NoticeError(Code.EMPTY_NOTICE, f"{name} 是空文件,没有通知的文字")
    if raw.startswith(b"%PDF"):
        raise NoticeError(
            Code.PDF_NOTICE, f"{name} 是 PDF 文件:请先把文字复制或导出为文本(如 pdftotext)再起草"
        )
    if raw.startswith(b"PK\x03\x04"):
        if len(raw) > MAX_DOCX_BYTES:
            raise too_large(name, len(raw), MAX_DOCX_BYTES)
        text = _docx_text(raw, name)
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise too_large(name, len(text.encode("utf-8")), MAX_TEXT_BYTES, " 的文字")
        return text, "docx"
    if len(raw) > MAX_TEXT_BYTES:
        raise too_large(name, len(raw), MAX_TEXT_BYTES)
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return _strict(raw[2:], encoding, name), encoding.replace("-le", "").replace("-be", "")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    if max(even, odd) > len(raw) // 50 and min(even, odd) <= max(even, odd) // 8:
        # UTF-16 without a BOM: the zero bytes of its ASCII fall all on one side
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        return _strict(raw, encoding, name), "utf-16"
    if b"\x00" in raw:
        raise NoticeError(Code.BINARY_NOTICE, f"{name} 不是文本文件(含有零字节);请给出通知的文字")
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise NoticeError(
                Code.NOTICE_ENCODING,
                f"{name} 不是 UTF-8、UTF-16 或 GBK 编码的文本;请另存为 UTF-8 文本后再试",
            ) from None
    _refuse_binary(text, name)
    return text, encoding


def _strict(raw: bytes, encoding: str, name: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise NoticeError(
            Code.NOTICE_ENCODING, f"{name} 看起来是 UTF-16 文本,但有无法解码的字节;请另存为 UTF-8"
        ) from None
    _refuse_binary(text, name)
    return text


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _refuse_binary(text: str, name: str) -> None:
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 200):
        raise NoticeError(
            Code.BINARY_NOTICE, f"{name} 不是文本文件(含有 {controls} 个控制字符);请给出通知的文字"
        )


def _docx_text(raw: bytes, name: str) -> str:
    """The paragraphs of a Word file, one a line, with the cells of its tables. The parts'
    unpacked sizes are looked at before the file is opened: a zip may claim gigabytes."""
    import zipfile

    unreadable = NoticeError(
        Code.NOTICE_FORMAT, f"{name} 是压缩文件,但不是能读取的 Word(.docx)文档"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            sizes = [member.file_size for member in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable from None
    if max(sizes, default=0) > MAX_DOCX_PART:
        raise too_large(name, max(sizes), MAX_DOCX_PART, " 中的一个部分解压后")
    if sum(sizes) > MAX_DOCX_TOTAL:
        raise too_large(name, sum(sizes), MAX_DOCX_TOTAL, " 解压后")
    try:
        import docx

        document = docx.Document(io.BytesIO(raw))
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("| " + " | ".join(cell.text for cell in row.cells) + " |")
    except Exception:
        raise unreadable from None
    return "\n".join(lines)


# Full-width ASCII (,():;%1) to half-width, as the 2024 plan file writes the notice.
_WIDTH: dict[int, int | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xA0: 0x20})
# Characters no plan file can hold, and invisible ones (zero-width, bidi controls, tags, the
# soft hyphen): debris of copying that a reader of the notice never saw. Tab, line feed,
# carriage return and form feed stay (they are spacing and line breaks).
_INVISIBLE = [
    *range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xAD, 0x61C, 0x180E,
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
    *range(0x2066, 0x2070), *range(0xFDD0, 0xFDF0), *range(0xFFF9, 0xFFFC), 0xFEFF,
    *(plane + end for plane in range(0, 0x110000, 0x10000) for end in (0xFFFE, 0xFFFF)),
    0xE0001, *range(0xE0020, 0xE0080),
]  # fmt: skip
_WIDTH.update(dict.fromkeys(_INVISIBLE))
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’、。《》〔〕…·"
# A space beside a Chinese character or a closing mark is extraction debris (68 万人, 区 民政局).
# Runs of spaces are one space by then, so each alternative looks at one character.
_LOOSE_SPACE = re.compile(rf"(?<=[{_CJK}0-9%(),.;:]) (?=[{_CJK}])|(?<=[{_CJK}]) (?=[0-9%(),.;:])")


def clean(text: str, name: str) -> tuple[list[Line], dict[str, str]]:
    """The notice's non-empty lines, cleaned; and the fields of a web page's index table
    (文号, 发布机构, …) by their names without spaces. A form feed (a PDF's page break)
    ends a line too, but counts as none: the numbers are those an editor shows.
    NoticeError past MAX_LINES lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WIDTH)
    table: dict[str, str] = {}
    lines: list[Line] = []
    pieces = (
        (number, piece)
        for number, whole in enumerate(text.split("\n"), start=1)
        for piece in whole.split("\f")
    )
    for number, raw in pieces:
        line = " ".join(raw.split())
        if not line:
            continue
        if line.startswith("|") and line.endswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            for key, value in zip(cells[::2], cells[1::2], strict=False):
                key = key.replace(" ", "").rstrip(":")
                if key and value and key not in table:
                    table[key] = value
            continue
        lines.append(Line(number, _LOOSE_SPACE.sub("", line)))
        if len(lines) > MAX_LINES:
            raise NoticeError(
                Code.NOTICE_TOO_LARGE,
                f"{name} 有 {MAX_LINES} 行以上的文字,超过上限,不像一份通知"
                "(通知连附件一般不到 3000 行);请确认文件选对了",
            )
    return lines, table
