"""Reading a notice's text as people get it: the encoding, a .docx, and the debris of web
pages and PDF extraction (header tables, page numbers, running footers, broken spacing)."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from minsheng.core.issues import Code

# A notice with its attachment is some 50 KB; anything past this is the wrong file, and
# reading it would only make the person wait for a draft of nothing.
MAX_BYTES = 2 * 1024 * 1024


class NoticeError(Exception):
    """The notice cannot be read at all (empty, binary, too large, unknown encoding)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Line:
    """One non-empty line of the cleaned text and its line number in the file."""

    no: int
    text: str


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a notice file and the encoding it was read in; NoticeError if none fits.

    UTF-8 first (with or without BOM), then UTF-16 (by its BOM, or by the zero bytes of
    Chinese-free text), then GB18030, which reads GBK and GB2312 as well: offices still
    save text in the Windows code page.
    """
    if not raw.strip():
        raise NoticeError(Code.EMPTY_NOTICE, f"{name} 是空文件,没有通知的文字")
    if len(raw) > MAX_BYTES:
        # the caller may read no more than MAX_BYTES + 1: the size is "over the limit"
        limit = MAX_BYTES // 1024 // 1024
        raise NoticeError(
            Code.NOTICE_TOO_LARGE,
            f"{name} 超过 {limit} MB,不像一份通知(通知连附件一般不到 1 MB);请确认文件选对了",
        )
    if raw.startswith(b"%PDF"):
        raise NoticeError(
            Code.PDF_NOTICE, f"{name} 是 PDF 文件:请先把文字复制或导出为文本(如 pdftotext)再起草"
        )
    if raw.startswith(b"PK\x03\x04"):
        return _docx_text(raw, name), "docx"
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
    """The paragraphs of a Word file, one a line, with the cells of its tables."""
    try:
        import docx

        document = docx.Document(io.BytesIO(raw))
    except Exception:
        raise NoticeError(
            Code.NOTICE_FORMAT, f"{name} 是压缩文件,但不是能读取的 Word(.docx)文档"
        ) from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("| " + " | ".join(cell.text for cell in row.cells) + " |")
    return "\n".join(lines)


# Full-width ASCII (,():;%1) to half-width, as the 2024 plan file writes the notice.
_WIDTH: dict[int, int | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0x200B: None, 0xFEFF: None})
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’、。《》〔〕…·"
# A space beside a Chinese character or a closing mark is extraction debris (68 万人, 区 民政局)
_LOOSE_SPACE = re.compile(
    rf"(?<=[{_CJK}0-9%(),.;:])\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+(?=[0-9%(),.;:])"
)
_PAGE_NUMBER = re.compile(
    r"[-—–\s]*\d{1,3}[-—–\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+"
)
# A page number glued after the end of a sentence or an item (…(牵头单位:区民政局)12)
_GLUED_PAGE = re.compile(r"(?<=[。)])\s*[-—–]?\s*\d{1,3}\s*[-—–]?$")
_DOC_NUMBER = re.compile(r"\S{1,12}〔\d{4}〕\d+号")


def clean(text: str) -> tuple[list[Line], list[tuple[int, str]], dict[str, str]]:
    """The notice's lines, cleaned; the lines dropped (page numbers, footers, the index
    table); and the index table's fields (文号, 发布机构, …) by their names without spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_WIDTH)
    table: dict[str, str] = {}
    lines: list[Line] = []
    dropped: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|") and line.endswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            for key, value in zip(cells[::2], cells[1::2], strict=False):
                key = re.sub(r"\s+", "", key).rstrip(":")
                if key and value and key not in table:
                    table[key] = value
            continue
        if _PAGE_NUMBER.fullmatch(line):
            dropped.append((number, line))
            continue
        glued = _GLUED_PAGE.search(line)
        if glued:
            dropped.append((number, glued.group().strip()))
            line = line[: glued.start()]
        lines.append(Line(number, _LOOSE_SPACE.sub("", line)))
    return _drop_running_lines(lines, dropped), dropped, table


def _drop_running_lines(lines: list[Line], dropped: list[tuple[int, str]]) -> list[Line]:
    """Running headers and footers: a document number alone on a line past the document's
    head (its first lines), or a short line repeated on three pages or more that is not part
    of the structure."""
    counts = Counter(line.text for line in lines)
    kept: list[Line] = []
    for position, line in enumerate(lines):
        footer = _DOC_NUMBER.fullmatch(line.text) and position >= _HEAD_LINES
        repeated = (
            counts[line.text] >= 3
            and len(line.text) <= 30
            and not re.search(
                r"[。;:,)]$|^推进措施|^附件|^\(?\d|^\(?[一二三四五六七八九十]", line.text
            )
        )
        if footer or repeated:
            dropped.append((line.no, line.text))
            continue
        kept.append(line)
    return kept


# The title, the document number and the salutation come first: a number alone on a line
# there is the document's own, anywhere later it is a page's footer.
_HEAD_LINES = 6
