"""A workbook (xlsx) read as untrusted input, before openpyxl sees it: the zip's members sized
and unpacked only up to a bound, every XML part parsed with DTDs and entities refused and its
elements counted, the parts a 报送表 needs bounded (rows, columns, shared strings, cell
formats, merges, defined names), every cell's reference and value checked, and the layout
of the sheets judged from that parse: row numbers, hidden rows and columns (any spelling),
merged cells, other sheets with content. What is wrong is Unreadable, with a message in
Chinese; openpyxl then reads only a workbook that passed."""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from minsheng.core.issues import Code

# A 报送表 has a row per target (a few hundred at most): these are generous for one, and far
# below what makes a reader slow or large. Sizes are of the parts unpacked.
MAX_ROWS = 2000
MAX_COLUMNS = 64
MAX_PART = 8 << 20
MAX_UNPACKED = 32 << 20
MAX_PARTS = 500
MAX_ELEMENTS = 400_000  # XML elements in one part
MAX_SHARED_STRINGS = 50_000
MAX_STYLES = 4_000  # cell formats, fonts, fills, borders, number formats, each counted
MAX_MERGES = 1_000
MAX_NAMES = 1_000  # defined names
MAX_SHEETS = 100
MAX_NUMBER = 40  # characters of a number cell

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_FALSE = {"0", "false", ""}
_STYLE_LISTS = {"numFmt", "font", "fill", "border", "xf", "cellStyle", "dxf"}


class Unreadable(Exception):
    """What makes the workbook unreadable: `code` is `too-large` for a bound passed, else
    `damaged-xlsx`; `message` says what and where, in Chinese."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def damaged(what: str) -> Unreadable:
    return Unreadable(
        Code.DAMAGED_XLSX, f"报送表文件已损坏:{what};请在 Excel/WPS 中重新另存为 .xlsx"
    )


def over(what: str) -> Unreadable:
    return Unreadable(
        Code.TOO_LARGE, f"{what},不是一份报送表(可能是被构造的文件或选错了文件),不予读取"
    )


@dataclass
class SheetLayout:
    """One worksheet as parsed: what openpyxl's values do not tell."""

    name: str
    part: str
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)  # 1-based column numbers
    merges: list[str] = field(default_factory=list)
    has_content: bool = False


@dataclass
class Layout:
    """The workbook's sheets in order (the first is the return)."""

    sheets: list[SheetLayout]

    @property
    def first(self) -> SheetLayout:
        return self.sheets[0]


def inspect(raw: bytes) -> Layout:
    """The layout of a workbook's sheets, every part read within its bounds; Unreadable
    says what is wrong (the first thing found)."""
    parts = _unpack(raw)
    strings = _count_shared_strings(parts)
    _check_styles(parts)
    sheets = _sheets(parts)
    for sheet in sheets:
        _read_sheet(parts, sheet, strings, first=sheet is sheets[0])
    return Layout(sheets)


# --- the zip -------------------------------------------------------------------------------------


def _unpack(raw: bytes) -> dict[str, bytes]:
    """Every member of the zip, unpacked up to its bound whatever its header claims: the XML
    parts kept by name, the others only checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise damaged("不是完整的 zip 格式的工作簿") from None
    if len(members) > MAX_PARTS:
        raise over(f"工作簿有 {len(members)} 个部件,超过 {MAX_PARTS} 个的上限")
    declared = sum(member.file_size for member in members)
    biggest = max(members, key=lambda member: member.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_PART:
        shown = _shown_size(biggest.file_size)
        raise over(
            f"部件 {biggest.filename} 解压后声明有 {shown},超过 {MAX_PART >> 20} MB 的上限"
            "(可能是压缩炸弹)"
        )
    if declared > MAX_UNPACKED:
        raise over(
            f"工作簿解压后声明有 {_shown_size(declared)},超过 {MAX_UNPACKED >> 20} MB 的上限"
            "(可能是压缩炸弹)"
        )
    parts: dict[str, bytes] = {}
    total = 0
    for member in members:
        if member.is_dir():
            continue
        try:
            with archive.open(member) as stream:
                content = stream.read(MAX_PART + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
            raise damaged(f"部件 {member.filename} 无法解压({_reason(error)})") from None
        except (NotImplementedError, RuntimeError):  # another compression, or encrypted
            raise damaged(f"部件 {member.filename} 加密了或用了不支持的压缩方式") from None
        total += len(content)
        if len(content) > MAX_PART or total > MAX_UNPACKED:
            raise over(f"部件 {member.filename} 解压后超过 {MAX_PART >> 20} MB 的上限")
        if member.filename.endswith((".xml", ".rels", ".vml")):
            parts[member.filename] = content
    return parts


def _shown_size(size: int) -> str:
    return f"{size >> 20} MB" if size >= 1 << 20 else f"{size} 字节"


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:80]}"


# --- XML, parsed safely -----------------------------------------------------------------------


def _elements(parts: dict[str, bytes], name: str) -> Iterator[tuple[str, str, Any]]:
    """(event, local name, element) of a part, "start" and "end"; DTDs and entities refused,
    and at most MAX_ELEMENTS elements."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    count = 0
    try:
        for event, element in iterparse(
            io.BytesIO(parts[name]), events=("start", "end"), forbid_dtd=True
        ):
            local = element.tag.rpartition("}")[2]
            if event == "start":
                count += 1
                if count > MAX_ELEMENTS:
                    raise over(f"部件 {name} 有超过 {MAX_ELEMENTS} 个 XML 元素")
            yield event, local, element
            if event == "end":
                element.clear()
    except ParseError as error:
        raise damaged(f"部件 {name} 不是完整的 XML({str(error)[:80]})") from None
    except DefusedXmlException:
        raise damaged(f"部件 {name} 含有 DTD 或实体声明,出于安全不予读取") from None


def _relations(parts: dict[str, bytes], rels: str) -> dict[str, tuple[str, str]]:
    """A .rels part: each id's (type, target)."""
    found: dict[str, tuple[str, str]] = {}
    if rels not in parts:
        return found
    for event, local, element in _elements(parts, rels):
        if event == "start" and local == "Relationship":
            found[element.get("Id", "")] = (element.get("Type", ""), element.get("Target", ""))
    return found


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a member name (relative to the part's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _workbook_part(parts: dict[str, bytes]) -> str:
    for kind, target in _relations(parts, "_rels/.rels").values():
        if kind.endswith("/officeDocument"):
            name = _resolve("", target)
            if name in parts:
                return name
    raise damaged("缺少工作簿部件(xl/workbook.xml)")


def _sheets(parts: dict[str, bytes]) -> list[SheetLayout]:
    """The sheets in the workbook's order; defined names counted."""
    book = _workbook_part(parts)
    relations = _relations(parts, _rels_of(book))
    sheets: list[SheetLayout] = []
    names = 0
    for event, local, element in _elements(parts, book):
        if event != "start":
            continue
        if local == "sheet":
            if len(sheets) >= MAX_SHEETS:
                raise over(f"工作簿有超过 {MAX_SHEETS} 个工作表")
            target = relations.get(element.get(f"{{{_REL}}}id", ""))
            title = element.get("name", "")
            if target is None:
                raise damaged(f"工作表 {title!r} 没有对应的部件")
            sheets.append(SheetLayout(title, _resolve(book, target[1])))
        elif local == "definedName":
            names += 1
            if names > MAX_NAMES:
                raise over(f"工作簿有超过 {MAX_NAMES} 个定义的名称")
    if not sheets:
        raise damaged("工作簿里没有工作表")
    return sheets


def _part_of(parts: dict[str, bytes], kind: str) -> str | None:
    """The workbook's part of a relationship kind (sharedStrings, styles), if any."""
    book = _workbook_part(parts)
    for relation, target in _relations(parts, _rels_of(book)).values():
        if relation.endswith(f"/{kind}"):
            return _resolve(book, target)
    return None


def _count_shared_strings(parts: dict[str, bytes]) -> int | None:
    """How many shared strings there are (None: no such part), at most MAX_SHARED_STRINGS."""
    name = _part_of(parts, "sharedStrings")
    if name is None:
        return None
    if name not in parts:
        raise damaged(f"缺少共享字符串部件 {name}")
    count = 0
    for event, local, _ in _elements(parts, name):
        if event == "start" and local == "si":
            count += 1
            if count > MAX_SHARED_STRINGS:
                raise over(f"共享字符串超过 {MAX_SHARED_STRINGS} 个的上限")
    return count


def _check_styles(parts: dict[str, bytes]) -> None:
    """Cell formats, fonts, fills, borders and number formats: each at most MAX_STYLES."""
    name = _part_of(parts, "styles")
    if name is None:
        return
    if name not in parts:
        raise damaged(f"缺少样式部件 {name}")
    counts: dict[str, int] = {}
    for event, local, _ in _elements(parts, name):
        if event == "start" and local in _STYLE_LISTS:
            counts[local] = counts.get(local, 0) + 1
            if counts[local] > MAX_STYLES:
                raise over(f"样式中的 {local}(单元格格式等)超过 {MAX_STYLES} 个的上限")


# --- a worksheet ---------------------------------------------------------------------------------


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in _FALSE


def _zero(value: str | None) -> bool:
    try:
        return value is not None and float(value) <= 0
    except ValueError:
        return False


def _read_sheet(
    parts: dict[str, bytes], sheet: SheetLayout, strings: int | None, *, first: bool
) -> None:
    """Rows, cells, columns and merges of a worksheet, checked as openpyxl will read them."""
    if sheet.part not in parts:
        raise damaged(f"缺少工作表 {sheet.name!r} 的部件 {sheet.part}")
    where = f"工作表 {sheet.name!r}"
    row = 0  # the row being read (openpyxl counts a row without r= as the next)
    column = 0
    cell: dict[str, Any] = {}
    hidden_by_default = False
    for event, local, element in _elements(parts, sheet.part):
        if event == "start":
            if local == "row":
                row = _row_number(element.get("r"), row, where)
                column = 0
                ht = element.get("ht")
                if (
                    _is_true(element.get("hidden"))
                    or _zero(ht)
                    or (hidden_by_default and ht is None)
                ):
                    sheet.hidden_rows.add(row)
            elif local == "c":
                column = _cell_column(element.get("r"), row, column, where)
                cell = {"ref": f"{_letters(column)}{row}", "t": element.get("t") or "n"}
            elif local == "col":
                if _is_true(element.get("hidden")) or _zero(element.get("width")):
                    low, high = _span(element.get("min"), element.get("max"), where)
                    sheet.hidden_columns.update(range(low, min(high, MAX_COLUMNS) + 1))
            elif local == "mergeCell":
                if len(sheet.merges) >= MAX_MERGES:
                    raise over(f"{where} 有超过 {MAX_MERGES} 处合并单元格")
                sheet.merges.append(str(element.get("ref", "?"))[:40])
            elif local == "sheetFormatPr":
                hidden_by_default = _is_true(element.get("zeroHeight"))
            elif local in {"chartsheet", "dialogsheet"}:
                sheet.has_content = True  # not a worksheet: whatever it shows is content
        elif local in {"v", "f", "t"}:  # a value, a formula, the text of an inline string
            if element.text:
                cell["text" if local == "t" else local] = element.text
        elif local == "c":
            if _check_cell(cell, strings, where) and column > MAX_COLUMNS and first:
                message = f"{where} 的单元格 {cell['ref']} 有内容,超过 {MAX_COLUMNS} 列的上限"
                raise over(message)
            sheet.has_content = sheet.has_content or _has_content(cell)
            cell = {}


def _row_number(text: str | None, previous: int, where: str) -> int:
    if text is None:
        number = previous + 1
    elif text.isascii() and text.isdigit() and len(text) <= 9:
        number = int(text)
    else:
        raise damaged(f"{where} 的行号 {text[:20]!r} 不是正整数")
    if number < 1:
        raise damaged(f"{where} 的行号 {text!r} 不是正整数")
    if number > MAX_ROWS + 1:
        raise over(f"{where} 有第 {number} 行,超过 {MAX_ROWS} 行的上限")
    if number <= previous:
        raise damaged(f"{where} 的第 {number} 行出现在第 {previous} 行之后,行的顺序错乱")
    return number


def _cell_column(text: str | None, row: int, previous: int, where: str) -> int:
    if row == 0:
        raise damaged(f"{where} 有不在任何行中的单元格")
    if text is None:
        number = previous + 1
    else:
        found = _REF.fullmatch(text)
        if found is None or _column_number(found.group(1)) > 16384:
            raise damaged(f"{where} 的单元格引用 {text[:20]!r} 不合法")
        if int(found.group(2)) != row:
            raise damaged(f"{where} 的单元格 {text} 写在第 {row} 行中")
        number = _column_number(found.group(1))
    if number <= previous:
        raise damaged(f"{where} 第 {row} 行的单元格顺序错乱或重复")
    return number


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _span(low: str | None, high: str | None, where: str) -> tuple[int, int]:
    try:
        start, end = int(low or ""), int(high or "")
    except ValueError:
        raise damaged(f"{where} 的列范围 {low!r}–{high!r} 不合法") from None
    if not 1 <= start <= end <= 16384:
        raise damaged(f"{where} 的列范围 {start}–{end} 不合法")
    return start, end


def _check_cell(cell: dict[str, Any], strings: int | None, where: str) -> bool:
    """A cell's value is what its type says (True when it has one)."""
    kind, value, ref = cell["t"], cell.get("v"), cell["ref"]
    if value is None:
        return bool(cell.get("text") or cell.get("f"))
    text = value.strip()
    if kind == "n":
        if len(text) > MAX_NUMBER or not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
            raise damaged(f"{where} 的单元格 {ref} 应是数字,实际是 {text[:20]!r}")
    elif kind == "s":
        if strings is None:
            raise damaged(f"{where} 的单元格 {ref} 引用共享字符串,但工作簿里没有共享字符串部件")
        if not (text.isascii() and text.isdigit()) or int(text) >= strings:
            raise damaged(f"{where} 的单元格 {ref} 引用的共享字符串 {text[:20]!r} 不存在")
    elif kind == "b":
        if text not in {"0", "1"}:
            raise damaged(f"{where} 的单元格 {ref} 应是逻辑值 0 或 1,实际是 {text[:20]!r}")
    elif kind == "d":
        try:
            dt.datetime.fromisoformat(text)
        except ValueError:
            raise damaged(f"{where} 的单元格 {ref} 的日期 {text[:30]!r} 不合法") from None
    elif kind not in {"e", "str", "inlineStr"}:
        raise damaged(f"{where} 的单元格 {ref} 的类型 {kind[:10]!r} 不合法")
    return True


def _has_content(cell: dict[str, Any]) -> bool:
    return any(str(cell.get(key) or "").strip() for key in ("v", "f", "text"))
