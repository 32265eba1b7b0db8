"""The monthly return's files: the template written as xlsx (locked, validated) or CSV, and a
filled one read back safely: a file that is not what it claims, a zip bomb, merged cells or
hidden rows are named problems, never a crash or a hang."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minsheng.core.cells import csv_text, csv_typed, display_width, write_cell
from minsheng.core.issues import Code
from minsheng.core.measure import is_percent
from minsheng.plan.models import Kind
from minsheng.returns.form import (
    COLUMNS,
    FILLED,
    FORM_FIELDS,
    HEADERS,
    NOTE,
    PERCENT,
    PHONE,
    REPORTER,
    REVIEWER,
    SENT,
    SOURCE,
    STAGE,
    STAMP,
    VALUE,
    ReturnRow,
    Stamp,
)
from minsheng.returns.importing import Sheet, Uncomputed
from minsheng.returns.workbook import MAX_COLUMNS, MAX_ROWS

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_TITLE = "进度报送表"
UNIT_SEALED = "填报单位（盖章）"
HIDDEN = ("指标编号", *STAMP)  # kept for the import, not shown
STAGES = ("未启动", "推进中", "已完成")
# A return has a row per target (a unit leads a few dozen at most): anything far beyond is
# not a return, and must not be read into memory (the workbook's own bounds: workbook.py).
MAX_FILE = 16 << 20
MAX_LINE = 20_000  # characters of a line of a CSV return
MAX_CELL = 2_000  # characters of a cell (a note has at most 500)
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
    Kind.STANDARD: ("执行标准", "截至 {as_of} 执行的标准（填现行的标准本身）"),
}


def _cells(row: ReturnRow, stamp: Stamp) -> dict[str, object]:
    return {**row.fixed(), **stamp.cells()}


def template_csv(rows: Sequence[ReturnRow], stamp: Stamp) -> bytes:
    """UTF-8 with a BOM (Excel reads the Chinese): the form's title, its fields and 填表说明
    a line each, then the header and one row per target."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The unit's name is data: like every cell, never a formula (a unit named =… was one).
    writer.writerow([csv_text(stamp.title())])
    writer.writerow([csv_text(f"{UNIT_SEALED}：{stamp.unit}")])
    for label in FORM_FIELDS:
        writer.writerow([f"{label}：", ""])
    for number, line in enumerate(stamp.instructions()):
        writer.writerow([("填表说明：" if number == 0 else "") + line])
    writer.writerow([])
    writer.writerow(COLUMNS)
    for row in rows:
        cells = _cells(row, stamp)
        writer.writerow([csv_text(cells.get(title)) for title in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# The form (xlsx): its font and sizes, the columns' widths in characters (wider text wraps),
# and A4 landscape's printable width in the same units at 100%.
FORM_FONT = "宋体"
TITLE_SIZE, FIELD_SIZE, TABLE_SIZE = 16, 12, 11
LINE_HEIGHT = 14.5  # points a line of 11 pt text takes
WRAPPED = {"事项": 22, "指标": 16, "目标": 18, NOTE: 40, SOURCE: 16}
AT_LEAST = {STAGE: 8, PERCENT: 8}  # room for the drop-down's words
A4_LANDSCAPE = 150  # about 267 mm between 15 mm margins, a character of 11 pt 宋体 ≈ 1.8 mm
LEGIBLE = 0.8  # fit to one page wide only where the print stays at 80% or larger
# Where the fields sit on the form: (label's column, value's column) in the header's titles.
FIELD_PLACES = {REPORTER: ("事项", "指标"), PHONE: ("目标", "上次报送"),
                REVIEWER: (VALUE, STAGE), SENT: (NOTE, SOURCE)}  # fmt: skip
HEADER_ROW = 9  # the title, the unit, the fields, 填表说明 (four lines), a blank line


def template_xlsx(rows: Sequence[ReturnRow], stamp: Stamp) -> bytes:
    """The return as a form an office sends: the title, 填报单位(盖章), the fields the unit
    fills (填报人, 联系电话, 审核人, 报送日期) and 填表说明 with the deadline above the table;
    the table bordered, in 宋体, 进展说明 wide and wrapping; A4 landscape with the header
    repeated on every page and page numbers at the foot. The fixed cells are locked (sheet
    protection, no password), the value column takes only numbers with the target's unit in
    its input message, 阶段 is a drop-down on milestone rows; what a row does not take is
    locked and grey. The target ids and what the return was made for are in hidden columns:
    the import reads them, the clerk does not."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    letter = {title: get_column_letter(index) for index, title in enumerate(COLUMNS, 1)}
    shown = [title for title in HEADERS if title not in HIDDEN]
    last_shown = letter[shown[-1]]
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    fill_here = PatternFill("solid", fgColor="FFF2CC")
    blocked = PatternFill("solid", fgColor="D9D9D9")
    thin = Side(style="thin", color="000000")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    table_font = Font(name=FORM_FONT, size=TABLE_SIZE)
    field_font = Font(name=FORM_FONT, size=FIELD_SIZE)

    # --- above the table: the title, the unit, the fields, 填表说明 ---
    title = write_cell(sheet, 1, 1, stamp.title())  # the unit's name is data: never a formula
    title.font = Font(name=FORM_FONT, size=TITLE_SIZE, bold=True)
    title.alignment = Alignment(horizontal="centerContinuous", vertical="center")
    for column in range(2, COLUMNS.index(shown[-1]) + 2):  # centred across, never merged
        sheet.cell(row=1, column=column).alignment = Alignment(horizontal="centerContinuous")
    sheet.row_dimensions[1].height = 30
    unit = write_cell(sheet, 2, 1, f"{UNIT_SEALED}：{stamp.unit}")
    unit.font = field_font
    for label, (at, value_at) in FIELD_PLACES.items():
        named = sheet.cell(row=3, column=COLUMNS.index(at) + 1, value=f"{label}：")
        named.font = field_font
        named.alignment = Alignment(horizontal="right")
        blank = sheet.cell(row=3, column=COLUMNS.index(value_at) + 1)
        blank.font = field_font
        blank.fill = fill_here
        blank.border = Border(bottom=thin)
        blank.number_format = "@"  # a telephone number stays as typed
        blank.protection = Protection(locked=False)
    for offset, line in enumerate(stamp.instructions()):
        said = sheet.cell(row=4 + offset, column=1, value=("" if offset else "填表说明：") + line)
        said.font = Font(name=FORM_FONT, size=TABLE_SIZE, bold=not offset)
        if offset:  # under the first line's text, past 填表说明：
            said.alignment = Alignment(indent=5)
    top = max(HEADER_ROW, 4 + len(stamp.instructions()) + 1)

    # --- the table ---
    for index, name in enumerate(COLUMNS, 1):
        head = sheet.cell(row=top, column=index, value=name)
        head.font = Font(name=FORM_FONT, size=TABLE_SIZE, bold=True)
        head.fill = header_fill
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if name in HEADERS:
            head.border = boxed
    widths = {name: display_width(name) for name in COLUMNS}
    by_unit: dict[tuple[Kind, str], list[str]] = {}
    milestone_rows: list[int] = []
    for number, row in enumerate(rows, top + 1):
        cells = _cells(row, stamp)
        milestone = row.target.kind is Kind.MILESTONE
        for name in COLUMNS:
            cell = write_cell(sheet, number, COLUMNS.index(name) + 1, cells.get(name))
            widths[name] = max(widths[name], display_width(_shown(cells.get(name))))
            cell.font = table_font
            if name in HEADERS:
                cell.border = boxed
            cell.alignment = Alignment(
                horizontal="center" if name == "序号" else None,
                vertical="center",
                wrap_text=name in WRAPPED or name in {VALUE, STAGE},
            )
            takes = name in {NOTE, SOURCE} or (
                name in {STAGE, PERCENT} if milestone else name == VALUE
            )
            if takes:
                cell.protection = Protection(locked=False)
                cell.fill = fill_here
            elif name in FILLED:
                cell.fill = blocked
        if milestone:
            milestone_rows.append(number)
        else:
            key = (row.target.kind, row.target.unit or "")
            by_unit.setdefault(key, []).append(f"{letter[VALUE]}{number}")
    _checks(sheet, stamp, by_unit, milestone_rows, letter, DataValidation)
    for name in COLUMNS:
        width = WRAPPED.get(name) or max(min(widths[name], MAX_WIDTH), AT_LEAST.get(name, 4))
        if name in WRAPPED and name not in FILLED and widths[name] < width:
            width = max(widths[name], display_width(name))  # a short text needs no more room
        sheet.column_dimensions[letter[name]].width = width + 2
    for number, row in enumerate(rows, top + 1):
        # Lines a wrapped cell takes, for a row height every program shows alike.
        cells = _cells(row, stamp)
        lines = max(
            -(
                -display_width(_shown(cells.get(name)))
                // int(sheet.column_dimensions[letter[name]].width - 1)
            )
            for name in WRAPPED
        )
        sheet.row_dimensions[number].height = max(lines, 1) * LINE_HEIGHT + 4
    for name in HIDDEN:  # for the program, not for the clerk
        sheet.column_dimensions[letter[name]].hidden = True

    # --- the page ---
    end = top + len(rows)
    sheet.freeze_panes = f"A{top + 1}"
    sheet.print_title_rows = f"{top}:{top}"
    sheet.print_area = f"A1:{last_shown}{end}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6  # inches: 15 mm
    sheet.page_margins.top, sheet.page_margins.bottom = 0.7, 0.7
    footer = sheet.oddFooter
    assert footer is not None
    footer.center.text = "第 &P 页，共 &N 页"
    footer.center.font = FORM_FONT
    total = sum(sheet.column_dimensions[letter[name]].width for name in shown)
    if A4_LANDSCAPE / total >= LEGIBLE:  # one page wide, never smaller than legible
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        if sheet.sheet_properties.pageSetUpPr is not None:
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
    protection = sheet.protection
    protection.sheet = True  # no password: it guards against slips, not against people
    protection.formatColumns = False  # False means allowed: widths can be changed
    protection.formatRows = False
    as_of = stamp.as_of.isoformat()
    book.properties.title = f"{stamp.unit} 进度报送表（截至 {as_of}）"
    book.properties.subject = f"{stamp.plan} {stamp.year}"
    book.properties.keywords = f"minsheng-return {stamp.digest}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _checks(
    sheet: Worksheet,
    stamp: Stamp,
    by_unit: dict[tuple[Kind, str], list[str]],
    milestone_rows: list[int],
    letter: dict[str, str],
    validation: Any,
) -> None:
    """What a cell takes: numbers in the value column (what the row asks for, by its
    target's kind, and the unit in the input message), a stage from the list and a share
    from 0 to 100 on milestone rows."""
    as_of = stamp.as_of.isoformat()
    for (kind, unit), refs in by_unit.items():
        shown = f"单位：{unit}。" if unit else ""
        percent = "（填百分数，如 95.6）" if is_percent(unit) else ""
        title, asked = ASKED.get(kind, ASKED[Kind.QUANTITY])
        check = validation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle=title,
            prompt=f"{asked.format(as_of=as_of)}{percent}。{shown}只填数字；不报的留空。",
            errorTitle="只能填数字",
            error=f"请填写不小于 0 的数字{f'，单位：{unit}' if unit else ''}。",
        )
        for ref in refs:
            check.add(ref)
        sheet.add_data_validation(check)
    if milestone_rows:
        stages = validation(
            type="list",
            formula1=f'"{",".join(STAGES)}"',
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle="阶段",
            prompt="定性节点目标：选择 未启动、推进中 或 已完成。",
            errorTitle="阶段不对",
            error="请从下拉列表中选择：未启动、推进中、已完成。",
        )
        shares = validation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="百分比不对",
            error="完成百分比填 0 到 100 之间的数字（可留空）。",
        )
        for n in milestone_rows:
            stages.add(f"{letter[STAGE]}{n}")
            shares.add(f"{letter[PERCENT]}{n}")
        sheet.add_data_validation(stages)
        sheet.add_data_validation(shares)


def _shown(value: object) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


# --- reading a filled return -------------------------------------------------------------------


def read_returns(paths: Sequence[Path]) -> list[Sheet]:
    """The returns given, each read; one given twice (the same file, or a copy of it) is a
    problem of the second (its rows would be recorded twice), reported as its own."""
    sheets: list[Sheet] = []
    seen: dict[str, Sheet] = {}
    for path in paths:
        sheet = read_return(path, str(path))
        earlier = seen.setdefault(sheet.digest, sheet) if sheet.digest else sheet
        if earlier is not sheet:
            same = "同一个文件" if earlier.file == sheet.file else f"与 {earlier.file} 内容完全相同"
            message = f"这份报送表给了两次({same}),同一份报送表只能导入一次;请只给一次"
            sheet.rows.clear()
            sheet.problems.clear()
            sheet.problem(None, None, Code.SAME_FILE, message)
        sheets.append(sheet)
    return sheets


def read_return(path: Path, display: str) -> Sheet:
    """A filled return (xlsx or CSV, by its content, not its name) as a Sheet; what makes it
    unreadable is in `problems`. Only a regular file is read (a pipe named .xlsx would hang,
    /dev/zero never end), and never past MAX_FILE."""
    from minsheng.core.issues import os_reason
    from minsheng.core.readfile import NotRegular, TooLarge, read_bounded

    sheet = Sheet(display, None, "")
    try:
        raw = read_bounded(path, MAX_FILE)
    except (NotRegular, IsADirectoryError):
        message = "不是普通文件(可能是管道、设备或文件夹),不予读取;请给出报送表文件"
        sheet.problem(None, None, Code.NOT_A_FILE, message)
        return sheet
    except TooLarge:
        message = f"文件超过 {MAX_FILE >> 20} MB 的上限,报送表不会这么大;请检查是否选错了文件"
        sheet.problem(None, None, Code.TOO_LARGE, message)
        return sheet
    except OSError as error:
        sheet.problem(None, None, Code.UNREADABLE, f"无法读取:{os_reason(error)}")
        return sheet
    sheet.digest = file_digest(raw)
    if raw.startswith(OLE_MAGIC):
        message = (
            "这是旧版 Excel(.xls)或 WPS(.et)格式的文件;请在 Excel/WPS 中“另存为”"
            "Excel 工作簿(.xlsx)或 CSV 后再导入"
        )
        sheet.problem(None, None, Code.XLS_FORMAT, message)
        return sheet
    if raw.startswith(b"PK"):
        sheet.sheet = SHEET_TITLE
        _read_xlsx(raw, sheet)
        return sheet
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        message = "文件名是 Excel 文件,但内容不是 xlsx 工作簿(不是 zip 格式);请重新另存为 .xlsx"
        sheet.problem(None, None, Code.NOT_XLSX, message)
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
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            message = f"这一行有 {len(line)} 个字符,超过 {MAX_LINE} 个的上限,不是一份报送表"
            sheet.problem(number, None, Code.TOO_LARGE, message)
            return
    try:
        records = list(_bounded(csv.reader(io.StringIO(text, newline="")), sheet))
    except csv.Error as error:
        sheet.problem(None, None, Code.CSV_SYNTAX, f"CSV 格式有误:{error}")
        return
    if not records:
        sheet.problem(1, None, Code.EMPTY, "文件是空的")
        return
    top = _header_at(records)
    sheet.header_row = top + 1
    sheet.header = [cell.strip() for cell in records[top]]
    _take_fields(sheet, records[:top])
    rows = enumerate(records[top + 1 :], top + 2)
    _take_rows(sheet, ((n, [csv_typed(c) for c in r]) for n, r in rows))


def _bounded(records: Iterator[list[str]], sheet: Sheet) -> Iterator[list[str]]:
    for number, record in enumerate(records, 1):
        if number > MAX_ROWS + 1:
            sheet.problem(number, None, Code.TOO_LARGE, f"行数超过 {MAX_ROWS},不是一份报送表")
            return
        if len(record) > MAX_COLUMNS:
            message = f"这一行有 {len(record)} 列,超过 {MAX_COLUMNS} 列的上限,不是一份报送表"
            sheet.problem(number, None, Code.TOO_LARGE, message)
            return
        yield record


MAX_ABOVE = 30  # rows a form may have above its header


def _header_at(records: Sequence[Sequence[object]]) -> int:
    """The index of the header's row: the first whose cells begin 序号, 事项 (the form puts
    its title, fields and 填表说明 above it); the first row when none does, to be named as
    not a return's header."""
    for index, record in enumerate(records[:MAX_ABOVE]):
        if ["" if cell is None else str(cell).strip() for cell in record[:2]] == [*HEADERS[:2]]:
            return index
    return 0


def _take_fields(sheet: Sheet, above: Sequence[Sequence[object]]) -> None:
    """The form's fields above the header (填报人：, 联系电话：…): each label's value is the
    first filled cell after it in its row, before the next label."""
    for number, record in enumerate(above, 1):
        texts = ["" if cell is None else str(cell).strip() for cell in record]
        labels = [i for i, text in enumerate(texts) if text.rstrip("：: ") in FORM_FIELDS]
        for index in labels:
            label = texts[index].rstrip("：: ")
            stop = next((i for i in labels if i > index), len(texts))
            value = next((record[i] for i in range(index + 1, stop) if texts[i]), None)
            sheet.fields.setdefault(label, (number, value))


def _take_rows(sheet: Sheet, rows: Iterator[tuple[int, list[Any]]]) -> None:
    """Each row's cells by their column's title (the header's first occurrence); a text far
    longer than any cell of a return (a 5,000-digit "number") is a problem of its cell."""
    index = {title: i for i, title in reversed(list(enumerate(sheet.header))) if title}
    for number, values in rows:
        cells = {title: values[i] if i < len(values) else None for title, i in index.items()}
        for title, value in cells.items():
            if isinstance(value, str) and len(value) > MAX_CELL:
                message = f"单元格有 {len(value)} 个字符,超过 {MAX_CELL} 个的上限"
                sheet.problem(number, title, Code.TOO_LARGE, message)
        sheet.rows.append((number, cells))


def _read_xlsx(raw: bytes, sheet: Sheet) -> None:
    """The first worksheet: its parts checked and its layout judged first (workbook.inspect),
    then its values read by openpyxl in read-only mode, the formulas (to name them) and their
    saved results side by side."""
    from openpyxl import load_workbook

    from minsheng.returns.workbook import Unreadable, damaged, inspect

    try:
        layout = inspect(raw)
    except Unreadable as error:
        sheet.problem(None, None, error.code, error.message)
        return
    first = layout.first
    sheet.sheet = first.name
    formulas = results = None
    try:
        formulas = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        results = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet.saved_at = _saved_at(formulas)
        pairs = zip(
            formulas.worksheets[0].iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS),
            results.worksheets[0].iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS),
            strict=False,
        )
        rows = [[_value(f, r) for f, r in zip(frow, rrow, strict=False)] for frow, rrow in pairs]
    except Exception as error:  # what the checks let through and openpyxl still refuses
        reason = f"{type(error).__name__}: {str(error)[:80]}"
        found = damaged(f"第一个工作表无法读取({reason})")
        sheet.problem(None, None, found.code, found.message)
        return
    finally:
        for book in (formulas, results):
            if book is not None:
                book.close()
    for other in layout.sheets[1:]:
        if other.has_content:
            message = (
                f"工作簿里还有工作表 {other.name!r} 且有内容;报送表只读第一个工作表,"
                "为免漏报,请删除其他工作表或把内容移到第一个工作表的“进展说明”"
            )
            sheet.problem(None, None, Code.EXTRA_SHEET, message)
    for ref in first.merges:
        start = re.match(r"\$?([A-Z]+)\$?([0-9]+)", ref)
        row = int(start.group(2)) if start else None
        message = f"有合并单元格 {ref};报送表的单元格不能合并,请取消合并后再导入"
        sheet.problem(row, None, Code.MERGED_CELLS, message)
    if not rows:
        sheet.problem(1, None, Code.EMPTY, "第一个工作表是空的")
        return
    top = _header_at(rows)
    sheet.header_row = top + 1
    sheet.header = ["" if v is None else str(v).strip() for v in rows[top]]
    _take_fields(sheet, rows[:top])
    _take_rows(sheet, ((n, values) for n, values in enumerate(rows[top + 1 :], top + 2)))
    _hidden_problems(sheet, first.hidden_rows, first.hidden_columns)


def _hidden_problems(sheet: Sheet, rows: set[int], columns: set[int]) -> None:
    """A hidden row or column of the return with something filled in: the clerk who checks
    the sheet before sending it never saw it."""
    titles = {i + 1: title for i, title in enumerate(sheet.header)}
    for number, cells in sheet.rows:
        filled = [t for t in FILLED if cells.get(t) not in (None, "")]
        if number in rows and filled:
            message = "这一行被隐藏了,但填了内容;请取消隐藏、核对后再导入"
            sheet.problem(number, filled[0], Code.HIDDEN_ROW, message)
    for column in sorted(columns):
        title = titles.get(column, "")
        if title not in HEADERS or title in HIDDEN:
            continue  # the target ids and the plan's marks are hidden by the template itself
        if any(cells.get(title) not in (None, "") for _, cells in sheet.rows):
            message = "这一列被隐藏了,但有内容;请取消隐藏、核对后再导入"
            sheet.problem(None, title, Code.HIDDEN_COLUMN, message)


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
