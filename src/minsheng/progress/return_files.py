"""The monthly return's files: the template written as xlsx (locked, validated) or CSV, and a
filled one read back safely: a file that is not what it claims, a zip bomb, merged cells or
hidden rows are named problems, never a crash or a hang."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minsheng.core.issues import Code
from minsheng.core.measure import is_percent
from minsheng.plan.models import Kind
from minsheng.progress.return_import import Sheet, Uncomputed
from minsheng.progress.returns import (
    COLUMNS,
    FILLED,
    NOTE,
    PERCENT,
    SOURCE,
    STAGE,
    STAMP,
    VALUE,
    ReturnRow,
    Stamp,
)

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE = "进度报送表"
STAGES = ("未启动", "推进中", "已完成")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A return has a row per target (a unit leads a few dozen at most): anything far beyond is
# not a return, and must not be read into memory. Sizes are of the file and its parts as
# stored unpacked, checked before anything is unpacked.
MAX_ROWS = 2000
MAX_COLUMNS = 64
MAX_FILE = 16 << 20
MAX_PART = 16 << 20
MAX_UNPACKED = 64 << 20
MAX_PARTS = 1000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .et) format
MAX_WIDTH = 40


def file_digest(raw: bytes) -> str:
    """The hash a return is known by (in the source of its entries)."""
    return hashlib.sha256(raw).hexdigest()[:12]


# --- the template ----------------------------------------------------------------------------


# What the figure cell of a row asks for, by the target's kind: a standard is the standard
# applied (执行标准), a level where it stands, a quantity the cumulative count (累计完成).
ASKED = {
    Kind.QUANTITY: ("本期累计完成", "截至 {as_of} 的累计完成数"),
    Kind.LEVEL: ("达到的水平", "截至 {as_of} 达到的水平"),
    Kind.STANDARD: ("执行标准", "截至 {as_of} 执行的标准(填现行的标准本身)"),
}


def _cells(row: ReturnRow, stamp: Stamp) -> dict[str, object]:
    return {**row.fixed(), **stamp.cells()}


def template_csv(rows: Sequence[ReturnRow], stamp: Stamp) -> bytes:
    """UTF-8 with a BOM (Excel reads the Chinese), the header, one row per target."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = _cells(row, stamp)
        writer.writerow([_csv_text(cells.get(title)) for title in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def template_xlsx(rows: Sequence[ReturnRow], stamp: Stamp) -> bytes:
    """The return as a workbook: the header in row 1 (repeated on every printed page), the
    fixed cells locked (sheet protection, no password), the value column taking only numbers
    with the target's unit in its input message, 阶段 a drop-down on milestone rows; what a
    row does not take is locked and grey. The last columns say what it was made for."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    letter = {title: get_column_letter(index) for index, title in enumerate(COLUMNS, 1)}
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    fill_here = PatternFill("solid", fgColor="FFF2CC")
    blocked = PatternFill("solid", fgColor="D9D9D9")
    for index, title in enumerate(COLUMNS, 1):
        head = sheet.cell(row=1, column=index, value=title)
        head.font = Font(bold=True)
        head.fill = header_fill
    widths = {title: _width(title) for title in COLUMNS}
    by_unit: dict[tuple[Kind, str], list[str]] = {}
    milestone_rows: list[int] = []
    for number, row in enumerate(rows, 2):
        cells = _cells(row, stamp)
        milestone = row.target.kind is Kind.MILESTONE
        for title in COLUMNS:
            cell = _put(sheet, number, COLUMNS.index(title) + 1, cells.get(title))
            widths[title] = max(widths[title], _width(_shown(cells.get(title))))
            takes = title in {NOTE, SOURCE} or (
                title in {STAGE, PERCENT} if milestone else title == VALUE
            )
            if takes:
                cell.protection = Protection(locked=False)
                cell.fill = fill_here
            elif title in FILLED:
                cell.fill = blocked
        if milestone:
            milestone_rows.append(number)
        else:
            key = (row.target.kind, row.target.unit or "")
            by_unit.setdefault(key, []).append(f"{letter[VALUE]}{number}")
    as_of = stamp.as_of.isoformat()
    for (kind, unit), refs in by_unit.items():
        shown = f"单位:{unit}。" if unit else ""
        percent = "(填百分数,如 95.6)" if is_percent(unit) else ""
        title, asked = ASKED[kind] if kind in ASKED else ASKED[Kind.QUANTITY]
        check = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle=title,
            prompt=f"{asked.format(as_of=as_of)}{percent}。{shown}只填数字;不报的留空。",
            errorTitle="只能填数字",
            error=f"请填写不小于 0 的数字{f',单位:{unit}' if unit else ''}。",
        )
        for ref in refs:
            check.add(ref)
        sheet.add_data_validation(check)
    if milestone_rows:
        stages = DataValidation(
            type="list",
            formula1=f'"{",".join(STAGES)}"',
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle="阶段",
            prompt="定性节点目标:选择 未启动、推进中 或 已完成。",
            errorTitle="阶段不对",
            error="请从下拉列表中选择:未启动、推进中、已完成。",
        )
        shares = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="百分比不对",
            error="完成百分比填 0 到 100 之间的数字(可留空)。",
        )
        for n in milestone_rows:
            stages.add(f"{letter[STAGE]}{n}")
            shares.add(f"{letter[PERCENT]}{n}")
        sheet.add_data_validation(stages)
        sheet.add_data_validation(shares)
    for title in COLUMNS:
        width = max(widths[title], 12 if title in {NOTE, SOURCE} else 0)
        sheet.column_dimensions[letter[title]].width = min(width, MAX_WIDTH) + 2
        if width > MAX_WIDTH:
            for number in range(2, len(rows) + 2):
                place = f"{letter[title]}{number}"
                sheet[place].alignment = Alignment(wrap_text=True, vertical="top")
    for title in STAMP[2:]:  # the plan's marks are for the program, not the clerk
        sheet.column_dimensions[letter[title]].hidden = True
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is not None:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    protection = sheet.protection
    protection.sheet = True  # no password: it guards against slips, not against people
    protection.formatColumns = False  # False means allowed: widths can be changed
    protection.formatRows = False
    book.properties.title = f"{stamp.unit} 进度报送表(截至 {as_of})"
    book.properties.subject = f"{stamp.plan} {stamp.year}"
    book.properties.keywords = f"minsheng-return {stamp.digest}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown(value: object) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _put(sheet: Worksheet, row: int, column: int, value: object) -> Cell | MergedCell:
    """A cell: a number stays a number, text is always text (never a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = text
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell
    cell.value = value  # type: ignore[assignment]
    return cell


# --- reading a filled return -------------------------------------------------------------------


def read_return(path: Path, display: str) -> Sheet:
    """A filled return (xlsx or CSV, by its content, not its name) as a Sheet; what makes it
    unreadable is in `problems`."""
    sheet = Sheet(display, None, "")
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            message = f"文件有 {size >> 20} MB,报送表不会这么大;请检查是否选错了文件"
            sheet.problem(None, None, Code.TOO_LARGE, message)
            return sheet
        raw = path.read_bytes()
    except OSError as error:
        from minsheng.core.issues import os_reason

        sheet.problem(None, None, "unreadable", f"无法读取:{os_reason(error)}")
        return sheet
    sheet.digest = file_digest(raw)
    if raw.startswith(OLE_MAGIC):
        message = (
            "这是旧版 Excel(.xls)或 WPS(.et)格式的文件;请在 Excel/WPS 中“另存为”"
            "Excel 工作簿(.xlsx)或 CSV 后再导入"
        )
        sheet.problem(None, None, "xls-format", message)
        return sheet
    if raw.startswith(b"PK"):
        sheet.sheet = SHEET_TITLE
        _read_xlsx(raw, sheet)
        return sheet
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        message = "文件名是 Excel 文件,但内容不是 xlsx 工作簿(不是 zip 格式);请重新另存为 .xlsx"
        sheet.problem(None, None, "not-xlsx", message)
        return sheet
    _read_csv(raw, sheet)
    return sheet


def _decode(raw: bytes) -> str | None:
    """UTF-8 (with or without a BOM), else GB 18030 (GBK, as Excel saves CSV on Chinese
    Windows); None when it is neither."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(raw: bytes, sheet: Sheet) -> None:
    text = _decode(raw)
    if text is None:
        message = "无法识别文件的编码(应为 UTF-8 或 GBK 的 CSV 文件,或 xlsx 工作簿)"
        sheet.problem(None, None, Code.ENCODING, message)
        return
    if "\x00" in text:
        sheet.problem(None, None, Code.BAD_CHAR, "文件含有空字符(NUL),不是 CSV 文本文件")
        return
    try:
        records = list(_bounded(csv.reader(io.StringIO(text, newline="")), sheet))
    except csv.Error as error:
        sheet.problem(None, None, "csv-syntax", f"CSV 格式有误:{error}")
        return
    if not records:
        sheet.problem(1, None, Code.EMPTY, "文件是空的")
        return
    sheet.header = [cell.strip() for cell in records[0]]
    _take_rows(sheet, ((n, list(r)) for n, r in enumerate(records[1:], 2)))


def _bounded(records: Iterator[list[str]], sheet: Sheet) -> Iterator[list[str]]:
    for number, record in enumerate(records, 1):
        if number > MAX_ROWS + 1:
            sheet.problem(number, None, Code.TOO_LARGE, f"行数超过 {MAX_ROWS},不是一份报送表")
            return
        yield record


def _take_rows(sheet: Sheet, rows: Iterator[tuple[int, list[Any]]]) -> None:
    """Each row's cells by their column's title (the header's first occurrence)."""
    index = {title: i for i, title in reversed(list(enumerate(sheet.header))) if title}
    for number, values in rows:
        cells = {title: values[i] if i < len(values) else None for title, i in index.items()}
        sheet.rows.append((number, cells))


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z0-9:]{2,20})\"")
_ATTR = re.compile(rb"\b(r|hidden)=\"([^\"]*)\"")


def _read_xlsx(raw: bytes, sheet: Sheet) -> None:
    """The first worksheet, read in openpyxl's read-only mode after the zip's parts were
    sized: the formulas (to name them) and their saved results side by side."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        sheet.problem(None, None, "not-xlsx", "文件已损坏或不是 xlsx 工作簿,请重新另存为 .xlsx")
        return
    unpacked = sum(part.file_size for part in parts)
    biggest = max((part.file_size for part in parts), default=0)
    if len(parts) > MAX_PARTS or biggest > MAX_PART or unpacked > MAX_UNPACKED:
        message = (
            f"工作簿解压后有 {unpacked >> 20} MB({len(parts)} 个部件),远超一份报送表的大小,"
            "不予读取(可能是被构造的压缩炸弹,或选错了文件)"
        )
        sheet.problem(None, None, Code.TOO_LARGE, message)
        return
    from openpyxl import load_workbook

    try:
        formulas = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        results = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        message = (
            f"无法作为 xlsx 工作簿读取({type(error).__name__}),请在 Excel/WPS 中重新另存为 .xlsx"
        )
        sheet.problem(None, None, "not-xlsx", message)
        return
    try:
        sheet.saved_at = _saved_at(formulas)
        first, *others = formulas.worksheets
        sheet.sheet = first.title
        for other in others:
            if _has_content(other):
                message = (
                    f"工作簿里还有工作表 {other.title!r} 且有内容;报送表只读第一个工作表,"
                    "为免漏报,请删除其他工作表或把内容移到第一个工作表的“进展说明”"
                )
                sheet.problem(None, None, "extra-sheet", message)
        xml = archive.read(first._worksheet_path)  # type: ignore[attr-defined]
        if not _scan(xml, sheet):
            return
        pairs = zip(
            first.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS),
            results.worksheets[0].iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS),
            strict=False,
        )
        rows = [[_value(f, r) for f, r in zip(frow, rrow, strict=False)] for frow, rrow in pairs]
    finally:
        formulas.close()
        results.close()
    hidden = _hidden_rows(xml)
    if not rows:
        sheet.problem(1, None, Code.EMPTY, "第一个工作表是空的")
        return
    sheet.header = ["" if v is None else str(v).strip() for v in rows[0]]
    _take_rows(sheet, ((n, values) for n, values in enumerate(rows[1:], 2)))
    for number, cells in sheet.rows:
        filled = [t for t in FILLED if cells.get(t) not in (None, "")]
        if number in hidden and filled:
            message = "这一行被隐藏了,但填了内容;请取消隐藏、核对后再导入"
            sheet.problem(number, filled[0], "hidden-row", message)


def _saved_at(book: Any) -> dt.datetime | None:
    """When the workbook says it was last saved (its core properties, in UTC): a hint of
    when the unit sent it, shown to the clerk; never used as a date by itself."""
    saved = getattr(getattr(book, "properties", None), "modified", None)
    if not isinstance(saved, dt.datetime):
        return None
    return saved if saved.tzinfo is not None else saved.replace(tzinfo=dt.UTC)


def _value(formula: Any, result: Any) -> object:
    """A cell's value: a formula's saved result, or Uncomputed when it has none; a number
    shown as a percent is the percent shown (Excel keeps 66% as 0.66 with a 0% format)."""
    if getattr(formula, "data_type", None) == "f":
        saved = getattr(result, "value", None)
        return Uncomputed(str(formula.value)) if saved is None else _as_shown(saved, result)
    return _as_shown(getattr(formula, "value", None), formula)


def _as_shown(value: object, cell: Any) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not is_percent_format(str(getattr(cell, "number_format", "") or "")):
        return value
    return (Decimal(repr(value)) * 100).normalize()


_QUOTED = re.compile(r'"[^"]*"|\\.')


def is_percent_format(number_format: str) -> bool:
    """Whether an Excel number format shows its number times 100 with a % sign (`0%`,
    `0.0%`); a % in quotes or escaped (`0.0"%"`, `0\\%`) is only a character."""
    return "%" in _QUOTED.sub("", number_format)


def _scan(xml: bytes, sheet: Sheet) -> bool:
    """Merged cells and rows beyond MAX_ROWS, from the sheet's XML (whose size is bounded);
    False when the rows must not be read at all."""
    last = max((int(m.group(2)) for m in _CELL_REF.finditer(xml)), default=0)
    if last > MAX_ROWS + 1:
        message = f"第一个工作表有 {last} 行,超过 {MAX_ROWS} 行,不是一份报送表"
        sheet.problem(None, None, Code.TOO_LARGE, message)
        return False
    for match in _MERGE.finditer(xml):
        ref = match.group(1).decode("ascii")
        start = re.match(r"([A-Z]+)([0-9]+)", ref)
        row = int(start.group(2)) if start else None
        message = f"有合并单元格 {ref};报送表的单元格不能合并,请取消合并后再导入"
        sheet.problem(row, None, "merged-cells", message)
    return True


def _hidden_rows(xml: bytes) -> set[int]:
    hidden = set()
    for match in _ROW.finditer(xml):
        attrs = dict(_ATTR.findall(match.group(1)))
        if attrs.get(b"hidden") in {b"1", b"true"} and attrs.get(b"r", b"").isdigit():
            hidden.add(int(attrs[b"r"]))
    return hidden


def _has_content(other: Any) -> bool:
    for row in other.iter_rows(max_row=200, max_col=MAX_COLUMNS, values_only=True):
        if any(value not in (None, "") for value in row):
            return True
    return False
