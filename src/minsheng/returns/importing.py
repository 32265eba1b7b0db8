"""A filled monthly return read back (报送表导入): its rows checked by exactly the rules of
`progress add`, then against the data, into the entries to add; every problem named by its
file, sheet, row and column, none raised."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from minsheng.core.cache import Cache
from minsheng.core.datadir import DataDir
from minsheng.core.dates import DateError, read_sheet_date
from minsheng.core.issues import Code
from minsheng.core.measure import format_decimal, json_number
from minsheng.plan.load import LoadedPlan
from minsheng.plan.models import Item, Kind, Target, Unit
from minsheng.progress.checks import figure_key, read_progress
from minsheng.progress.entry import AnyEntry, Entry, ProgressEntry, latest
from minsheng.progress.ledger import open_ledger
from minsheng.progress.rollup import rolled_up
from minsheng.progress.rules import (
    Problem,
    date_problem,
    parse_percent,
    parse_stage,
    parse_text,
    parse_value,
    reported_by_message,
    shape_problem,
    stage_problem,
)
from minsheng.progress.sources import source_problem
from minsheng.returns.form import (
    AS_OF,
    COLUMNS,
    DIGEST,
    FIELD_COLUMNS,
    FILLED,
    HEADERS,
    NOTE,
    PERCENT,
    PHONE,
    PLAN,
    REPORTER,
    SOURCE,
    SOURCE_PREFIX,
    STAGE,
    STAMP,
    UNIT,
    VALUE,
    YEAR,
    Report,
    ReturnRow,
    return_rows,
)

# --- a filled return, read back --------------------------------------------------------------


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its result: there is no figure to take."""

    formula: str


@dataclass(frozen=True)
class ReturnProblem:
    """A problem with a return, where it is: `文件:工作表:第N行:列名`."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    code: Code
    message: str

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        from minsheng.core.typography import typeset  # the place as it is, the words typeset

        return f"{self.where()}: {self.code}: {typeset(self.message)}"

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "code": self.code, "message": self.message}  # fmt: skip


@dataclass
class Sheet:
    """A return as read from its file: the header, each row's cells by column title (with
    the row's number in the file), and what made the file itself unreadable."""

    file: str
    sheet: str | None  # None for a CSV file
    digest: str  # of the file's bytes
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    header_row: int = 1  # where the header was found: a form has its title and fields above
    fields: dict[str, tuple[int, object]] = field(default_factory=dict)  # 填报人 …: (row, value)
    problems: list[ReturnProblem] = field(default_factory=list)
    saved_at: dt.datetime | None = None  # when the workbook says it was last saved, if it does

    def problem(self, row: int | None, column: str | None, code: Code, message: str) -> None:
        self.problems.append(ReturnProblem(self.file, self.sheet, row, column, code, message))


@dataclass(frozen=True)
class ReturnEntry:
    """A filled row as the entry it becomes, and where it was read."""

    file: str
    sheet: str | None
    row: int
    item: Item
    target: Target
    entry: ProgressEntry
    carried: bool = False  # a note without a figure: the figure that stands is carried over

    def as_json(self, status: str) -> dict[str, object]:
        entry = self.entry
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "status": status,
            "id": entry.id if status == "added" else None,
            "item": entry.item,
            "target": entry.target,
            "target_name": self.target.name,
            "date": entry.date.isoformat(),
            "value": json_number(entry.value),
            "unit_of_measure": self.target.unit,
            "stage": entry.stage.value if entry.stage else None,
            "percent": json_number(entry.percent),
            "unit": entry.unit,
            "note": entry.note,
            "source": entry.source,
            "received": entry.received.isoformat() if entry.received else None,
        }


@dataclass
class Outcome:
    """What importing returns would do: the entries to add, those already recorded, the blank
    rows skipped, and every problem (when there is one, nothing may be written)."""

    added: list[ReturnEntry] = field(default_factory=list)
    unchanged: list[ReturnEntry] = field(default_factory=list)
    notes_only: int = 0  # rows added whose figure stands as recorded: a new note or source
    skipped_blank: int = 0
    problems: list[ReturnProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "added": len(self.added),
            "unchanged": len(self.unchanged),
            "notes_only": self.notes_only,
            "skipped_blank": self.skipped_blank,
            "problems": [problem.as_json() for problem in self.problems],
            "entries": [e.as_json("added") for e in self.added]
            + [e.as_json("unchanged") for e in self.unchanged],
        }


def typed(entry: AnyEntry) -> tuple[object, ...]:
    """Every field a clerk typed for an entry: its figure where and when (checks.figure_key),
    its note and its source as typed. The return's own mark (报送表 <file hash>) stands for
    no source, so that a return saved again with one note changed is not every row changed."""
    source = entry.source
    if source is not None and _DEFAULT_SOURCE.fullmatch(source):
        source = None
    return (*figure_key(entry), entry.note, source)


_DEFAULT_SOURCE = re.compile(rf"{SOURCE_PREFIX} [0-9a-f]{{12}}")


def header_problems(sheet: Sheet) -> bool:
    """Whether the header is the return's (else a problem is recorded)."""
    if sheet.problems:
        return True
    header = sheet.header
    first = [str(title).strip() for title in header[: len(HEADERS)]]
    if first != list(HEADERS):
        at = next((i for i, t in enumerate(HEADERS) if i >= len(first) or first[i] != t), 0)
        message = (
            f"第{sheet.header_row}行应是报送表的表头({'、'.join(HEADERS)});"
            f"第 {at + 1} 列应为 {HEADERS[at]!r},"
            f"实际是 {first[at] if at < len(first) else '(空)'!r}。请用 minsheng progress "
            "template 生成的报送表填报,不要插入或删除行列"
        )
        sheet.problem(sheet.header_row, None, Code.NOT_A_RETURN, message)
        return True
    missing = [title for title in STAMP if title not in header]
    if missing:
        message = (
            f"缺少列 {'、'.join(missing)}:这不是 minsheng progress template 生成的报送表,"
            "无法确定填报单位和统计截止日"
        )
        sheet.problem(sheet.header_row, None, Code.NOT_A_RETURN, message)
        return True
    return False


def who_filled(sheet: Sheet, problem: Report) -> dict[str, str | None]:
    """填报人 and 联系电话 from the form's fields, by the rules of a note: kept with every
    entry the return brings (shown by `progress list`, never in the report)."""
    found: dict[str, str | None] = {}
    for key, label in (("reporter", REPORTER), ("phone", PHONE)):
        row, value = sheet.fields.get(label, (None, None))
        try:
            found[key] = parse_text(key, cell_text(value, number=False))
        except Problem as error:
            problem(row, label, error.code, error.message)
            found[key] = None
    return found


def cell_text(value: object, *, number: bool) -> str:
    """A cell as the text a clerk would have typed; Problem says why it cannot be one.

    A number cell becomes its shortest decimal (0.3, not 0.29999999999999999). A date in a
    column of numbers is Excel reading `6/30` as a date: refused, never taken as a number.
    """
    if value is None:
        return ""
    if isinstance(value, Uncomputed):
        message = f"单元格是公式 {value.formula[:40]},文件中没有保存计算结果;请填写数值本身"
        raise Problem("", Code.BAD_VALUE, message)
    if isinstance(value, bool):
        raise Problem("", Code.BAD_VALUE, f"单元格是逻辑值 {'TRUE' if value else 'FALSE'}")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if number:
            message = "单元格是日期或时间(Excel 可能把输入当成了日期),这一列应填数字"
            raise Problem("", Code.BAD_VALUE, message)
        return value.isoformat()
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value).strip()


# What a clerk types in a figure cell to say there is nothing to report this time.
NOTHING = frozenset({"/", "／", "\\", "-", "－", "—", "——", "–", "无", "暂无"})
FIGURES = (VALUE, STAGE, PERCENT)


def is_blank(cells: dict[str, object]) -> bool:
    """A row the unit left alone: nothing but spaces in the columns it fills, or a mark
    for nothing to report (/, —, 无) in a figure cell."""
    return all(
        cells.get(column) is None
        or (
            isinstance(cells[column], str)
            and (not str(cells[column]).strip() or _nothing(column, str(cells[column])))
        )
        for column in FILLED
    )


def _nothing(column: str, text: str) -> bool:
    return column in FIGURES and text.strip() in NOTHING


def read_sheet(
    sheet: Sheet,
    plan: LoadedPlan,
    outcome: Outcome,
    *,
    day: dt.date | None,
    today: dt.date,
    repo_root: Path,
    allow_large: bool = False,
    received: dt.date | None = None,
) -> list[ReturnEntry]:
    """The entries of a return's filled rows; every problem goes to `outcome` (never raised),
    so that all of them are reported at once. `received` is the day the office received it."""
    from minsheng.progress.store import new_id, now

    found: list[ReturnEntry] = []
    if header_problems(sheet):
        outcome.problems.extend(sheet.problems)
        return found
    stamp: dict[str, str] | None = None
    unit: Unit | None = None
    date: dt.date | None = None
    seen: dict[tuple[int, str], int] = {}
    rows_of: dict[str, dict[tuple[int, str], ReturnRow]] = {}

    def problem(row: int | None, column: str | None, code: Code, message: str) -> None:
        outcome.problems.append(ReturnProblem(sheet.file, sheet.sheet, row, column, code, message))

    said = who_filled(sheet, problem)

    for number, cells in sheet.rows:
        if is_blank(cells):
            outcome.skipped_blank += 1
            continue
        texts: dict[str, str] = {}
        broken = False
        for column in COLUMNS:
            try:
                texts[column] = cell_text(cells.get(column), number=column in {VALUE, PERCENT})
            except Problem as error:
                problem(number, column, error.code, error.message)
                broken = True
        if broken:
            continue
        for column in FIGURES:
            if _nothing(column, texts[column]):
                texts[column] = ""
        mine = {column: texts[column] for column in STAMP}
        mine[AS_OF] = _date_text(mine[AS_OF])  # 2024/6/30 and 2024-06-30 are one date
        if stamp is None:
            stamp = mine
            unit, date = _stamp(plan, mine, number, day, today, problem, outcome)
        else:
            for column in STAMP:
                if mine[column] != stamp[column]:
                    message = (
                        f"与前面的行({stamp[column]!r})不同:一份报送表只能属于一个单位、一个统计期"
                    )
                    problem(number, column, Code.MIXED_RETURN, message)
        if unit is None or date is None:
            continue
        rows = rows_of.get(unit.id)
        if rows is None:
            every = return_rows(plan, unit, [], None)
            rows = rows_of[unit.id] = {(r.item.id, r.target.id): r for r in every}
        key = _fixed_key(plan, texts, rows, number, problem, unit)
        if key is None:
            continue
        if key in seen:
            message = f"与第 {seen[key]} 行是同一指标({key[0]} 项 {key[1]}),一个指标只填一行"
            problem(number, "指标编号", Code.DUPLICATE_ROW, message)
            continue
        seen[key] = number
        target = rows[key].target
        entry = _entry(texts, rows[key], unit, date, sheet.digest, number, problem, repo_root,
                       new_id(), now(), allow_large, said, received)  # fmt: skip
        if entry is not None:
            carried = entry.value is None and entry.stage is None
            found.append(
                ReturnEntry(sheet.file, sheet.sheet, number, rows[key].item, target, entry, carried)
            )
    return found


def _stamp(
    plan: LoadedPlan,
    cells: dict[str, str],
    number: int,
    day: dt.date | None,
    today: dt.date,
    problem: Report,
    outcome: Outcome,
) -> tuple[Unit | None, dt.date | None]:
    """The unit and date of a return, from the first filled row; problems where they are."""
    document = plan.plan.document
    fine = True
    if cells[YEAR] != str(document.year) or cells[PLAN] != document.number:
        message = (
            f"这份报送表是按 {cells[YEAR] or '?'} 年的计划({cells[PLAN] or '?'})生成的,"
            f"当前计划是 {document.year} 年的 {document.number};请用当前计划重新生成报送表"
        )
        problem(
            number, PLAN if cells[YEAR] == str(document.year) else YEAR, Code.OTHER_PLAN, message
        )
        fine = False
    elif cells[DIGEST] != plan.digest.hex()[:16]:
        outcome.notices.append(
            "注意:报送表生成之后计划文件有过改动;已逐行核对指标编号和名称与当前计划一致。"
        )
    unit = plan.unit_named(cells[UNIT])
    if unit is None:
        problem(number, UNIT, Code.UNKNOWN_UNIT, f"{cells[UNIT]!r} 不是计划单位名录中的单位")
        fine = False
    column = AS_OF if day is None else "--date"
    try:
        date = day or parse_return_date(cells[AS_OF])
    except Problem as error:
        problem(number, column, error.code, error.message)
        return None, None
    found = date_problem(document.period, date, today)
    if found is not None:
        problem(number, column, found.code, found.message)
        fine = False
    return (unit, date) if fine else (None, None)


def _integer(text: str) -> int | None:
    folded = unicodedata.normalize("NFKC", text).strip()
    return int(folded) if folded.isascii() and folded.isdigit() else None


def _fixed_key(
    plan: LoadedPlan,
    texts: dict[str, str],
    rows: dict[tuple[int, str], ReturnRow],
    number: int,
    problem: Report,
    unit: Unit,
) -> tuple[int, str] | None:
    """The (item, target) of a row, if its fixed cells are as the template wrote them."""
    item = _integer(texts["序号"])
    key = (item or 0, texts["指标编号"])
    other = _reported_by_another(plan, key, unit)
    if other is not None:
        problem(number, "指标编号", Code.NOT_REPORTER, other)
        return None
    if key not in rows:
        column = "序号" if item is None or all(k[0] != item for k in rows) else "指标编号"
        message = (
            f"{unit.name} 的报送表中没有第 {texts['序号'] or '?'} 项的指标 {texts['指标编号']!r}:"
            "序号和指标编号不能改动(请用 minsheng progress template 重新生成报送表)"
        )
        problem(number, column, Code.FIXED_CELL_CHANGED, message)
        return None
    if texts["指标"] != rows[key].target.name:
        message = f"指标名称被改动了:应为 {rows[key].target.name!r},实际是 {texts['指标']!r}"
        problem(number, "指标", Code.FIXED_CELL_CHANGED, message)
        return None
    return key


def _reported_by_another(plan: LoadedPlan, key: tuple[int, str], unit: Unit) -> str | None:
    """Why a row of a co-led item's target belongs in another unit's return, if it does."""
    item = next((one for one in plan.plan.items if one.id == key[0] and not one.no_task), None)
    target = next((t for t in item.all_targets() if t.id == key[1]), None) if item else None
    if item is None or target is None or unit.name not in plan.canonical_units(item):
        return None
    reporter = plan.reporter(item, target)
    return None if reporter == unit.name else reported_by_message(item, target, reporter)


def _entry(
    texts: dict[str, str],
    row: ReturnRow,
    unit: Unit,
    date: dt.date,
    digest: str,
    number: int,
    problem: Report,
    repo_root: Path,
    new_id: str,
    recorded_at: dt.datetime,
    allow_large: bool = False,
    said: dict[str, str | None] | None = None,
    received: dt.date | None = None,
) -> ProgressEntry | None:
    """A filled row as an entry, by the rules of `progress add`; None after a problem."""
    target = row.target
    value, stage, percent = texts[VALUE], texts[STAGE], texts[PERCENT]
    # A note (or source) without a figure is recorded with the figure that stands
    # (plan_import carries it over): a clerk's 本月无新增 is news, not a blank.
    note_only = not (value or stage or percent)
    try:
        shape = shape_problem(target, value=bool(value), stage=bool(stage), percent=bool(percent))
        if shape is not None and not note_only:
            raise shape
        amount = (
            parse_value(value, target, allow_large=allow_large)
            if target.kind is not Kind.MILESTONE and value
            else None
        )
        phase = parse_stage(stage) if stage else None
        share = parse_percent(percent) if percent else None
        if phase is not None and (found := stage_problem(phase, share)) is not None:
            raise found
        note = parse_text("note", texts[NOTE])
        source = parse_text("source", texts[SOURCE])
        if source and (reason := source_problem(source, repo_root)):
            raise Problem("source", Code.MISSING_SOURCE, reason)
    except Problem as error:
        problem(number, FIELD_COLUMNS.get(error.field), error.code, error.message)
        return None
    try:
        return ProgressEntry.model_validate(
            {
                "id": new_id,
                "item": row.item.id,
                "target": target.id,
                "date": date,
                "value": amount,
                "stage": phase,
                "percent": share,
                "unit": unit.name,
                "note": note,
                "source": source or f"{SOURCE_PREFIX} {digest}",
                **(said or {}),
                "received": received,
                "recorded_at": recorded_at,
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        column = FIELD_COLUMNS.get(str(first["loc"][0]) if first["loc"] else "")
        problem(number, column, Code.BAD_VALUE, first["msg"])
        return None


# --- the import: against the data ----------------------------------------------------------------


def plan_import(
    folder: DataDir,
    plan: LoadedPlan,
    sheets: Sequence[Sheet],
    *,
    day: dt.date | None = None,
    today: dt.date | None = None,
    cache: Cache | None = None,
    allow_large: bool = False,
    received: dt.date | None = None,
) -> Outcome:
    """What importing the returns would add; all their problems, none raised. `received`,
    the day the office received them, is kept on each entry (on-time is judged by it).

    A filled row is unchanged when every field the clerk typed (figure, stage, percent,
    note, source; and the item, target, date and unit it is for) is what the latest
    effective entry of its target on that date says: importing a return twice adds nothing.
    It is compared with that latest entry and no earlier one: an older return imported after
    a newer one is a new entry, and checked (it would go back on the figure that stands). A
    row whose figure stands but whose note or source is new is recorded, and counted in
    `notes_only`. The rest are checked against the data and each other as `progress add`
    checks one entry.
    """
    from minsheng.progress import store

    today = today or dt.date.today()
    outcome = Outcome()
    found: list[ReturnEntry] = []
    for sheet in sheets:
        found.extend(
            read_sheet(
                sheet,
                plan,
                outcome,
                day=day,
                today=today,
                repo_root=folder.root.parent,
                allow_large=allow_large,
                received=received,
            )
        )
    if outcome.problems:
        return outcome
    standing: dict[dt.date, dict[tuple[int, str], Entry]] = {}
    # What stands for each target on a day: the checked ledger answers it from the cache
    # without reading and checking a year of entries again (a warm import of a return takes
    # well under a second); data with problems has no ledger series, and is read whole.
    ledger = open_ledger(folder, plan, cache, today)
    entries: list[Entry] | None = None
    if ledger.issues:
        entries, _ = read_progress(folder, plan, today=today, cache=cache)

    def latest_on(day: dt.date) -> dict[tuple[int, str], Entry]:
        on_day = standing.get(day)
        if on_day is None:
            pool = ledger.entries_at(day) if entries is None else entries
            on_day = standing[day] = latest(pool, day)
        return on_day

    found = _carried(found, latest_on, outcome)
    _totals(found, latest_on, outcome)
    if outcome.problems:
        return outcome
    for read in found:
        entry = read.entry
        now = latest_on(entry.date).get((entry.item, entry.target))
        if now is not None and typed(now) == typed(entry):
            outcome.unchanged.append(read)
            continue
        outcome.added.append(read)
        if now is not None and figure_key(now) == figure_key(entry):
            outcome.notes_only += 1
    if not outcome.added:
        return outcome
    for index, issue in store.problems_all(
        folder, plan, [read.entry for read in outcome.added], today, cache
    ):
        if index is None:
            message = f"与已登记的记录矛盾:{issue.message}"
            outcome.problems.append(
                ReturnProblem(issue.file, None, None, None, issue.code, message)
            )
            continue
        read = outcome.added[index]
        column = FIELD_COLUMNS.get(issue.path)
        outcome.problems.append(
            ReturnProblem(read.file, read.sheet, read.row, column, issue.code, issue.message)
        )
    return outcome


Standing = Callable[[dt.date], Mapping[tuple[int, str], AnyEntry]]


def _carried(found: list[ReturnEntry], latest_on: Standing, outcome: Outcome) -> list[ReturnEntry]:
    """Rows with a note and no figure, given the figure that stands for their target on
    their date (the value, or the stage and percent): the note is recorded beside the same
    figure. A target that has no figure yet cannot lend one: a problem at the row."""
    done = []
    for read in found:
        if not read.carried:
            done.append(read)
            continue
        entry = read.entry
        now = latest_on(entry.date).get((entry.item, entry.target))
        if now is None:
            milestone = read.target.kind is Kind.MILESTONE
            what = "阶段" if milestone else "本期累计完成"
            message = (
                f"这一行只填了进展说明或依据,没有填{what};该指标还没有登记过"
                f"{'阶段' if milestone else '数值'},无法沿用上次的数,请填写{what}"
            )
            column = STAGE if milestone else VALUE
            problem = ReturnProblem(read.file, read.sheet, read.row, column, Code.STAGE_VALUE,
                                    message)  # fmt: skip
            outcome.problems.append(problem)
            continue
        figure = {"value": now.value, "stage": now.stage, "percent": now.percent}
        done.append(dataclasses.replace(read, entry=entry.model_copy(update=figure)))
    return done


def _totals(found: list[ReturnEntry], latest_on: Standing, outcome: Outcome) -> None:
    """A total with listed parts (sum_of) filled in a return equals the sum of its parts as
    they stand on its date (this return's rows, else their latest figures; a part with none
    counts 0), once any part has a figure: else a problem at the total's row."""
    typed = {(read.entry.item, read.entry.target, read.entry.date): read for read in found}
    for read in found:
        target, entry = read.target, read.entry
        if not target.sum_of or entry.value is None:
            continue
        now = latest_on(entry.date)
        by_id = {one.id: one for one in read.item.all_targets()}
        parts: list[tuple[Target, AnyEntry | None]] = []
        for part in target.sum_of:
            if part not in by_id:
                continue
            same = typed.get((entry.item, part, entry.date))
            parts.append((by_id[part], same.entry if same else now.get((entry.item, part))))
        summed = rolled_up(target, parts)
        if summed is None or summed.value is None or summed.value == entry.value:
            continue
        added = " + ".join(
            f"{one.name} {format_decimal(reading.value or Decimal(0))}{one.unit or ''}"
            for one, reading in parts
            if reading is not None
        )
        message = (
            f"合计 {format_decimal(entry.value)}{target.unit or ''} 与各分项之和 "
            f"{format_decimal(summed.value.normalize())}{target.unit or ''} 不符({added});"
            "合计应等于各分项之和,可以不填,由分项相加"
        )
        outcome.problems.append(
            ReturnProblem(read.file, read.sheet, read.row, VALUE, Code.ROLLUP, message)
        )


def parse_return_date(text: str) -> dt.date:
    """A date in a return as a clerk's spreadsheet may have written it; Problem says why not."""
    try:
        return read_sheet_date(text)
    except DateError as error:
        raise Problem("date", Code.BAD_DATE, str(error)) from None


def _date_text(text: str) -> str:
    """A date cell as one text whatever way it was written (for comparing rows)."""
    try:
        return parse_return_date(text).isoformat()
    except Problem:
        return text
