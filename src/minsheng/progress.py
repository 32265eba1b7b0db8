"""Progress entries (进度记录): the model, reading every file under data/progress/, the checks."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from minsheng.datadir import DataDir
from minsheng.issues import Code, Issue
from minsheng.models import IsoDate, Item, Kind, Number, Slug, Strict, Target, Text
from minsheng.plan import LoadedPlan
from minsheng.schema import validate
from minsheng.yamlio import decode, load_documents


class Stage(StrEnum):
    """The stage of a milestone target."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"


def parse_timestamp(value: Any) -> Any:
    """An ISO 8601 timestamp with its UTC offset, as the tool writes it."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "bad_date", "时间格式不对:{value}", {"value": value}
            ) from None
        if stamp.tzinfo is None:
            raise PydanticCustomError("bad_date", "时间需带时区:{value}", {"value": value})
        return stamp
    raise PydanticCustomError("date_type", "需要时间,格式为 ISO 8601")


Timestamp = Annotated[dt.datetime, BeforeValidator(parse_timestamp)]


@dataclass(frozen=True)
class Where:
    """Where an entry was read: its file, the line of its `---`, and each key's position."""

    file: str = ""  # as shown in messages
    path: Path | None = None
    line: int = 0
    order: int = 0  # reading order across all files: the last tie-break of "latest"
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)


class ProgressEntry(Strict):
    """On `date`, target `target` of item `item` stood at `value` (累计完成) or `stage`."""

    id: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")]
    item: Annotated[int, Field(ge=1)]
    target: Slug
    date: IsoDate
    value: Annotated[Number, Field(ge=0)] | None = None  # in the target's unit of measure
    stage: Annotated[Stage | None, Field(strict=False)] = None
    percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    unit: Text  # the reporting lead unit, canonical name
    note: str | None = None
    source: str | None = None
    corrects: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")] | None = None
    recorded_at: Timestamp

    _where: Where = PrivateAttr(default_factory=Where)

    @property
    def where(self) -> Where:
        return self._where

    def located(self, where: Where) -> ProgressEntry:
        """This entry, knowing where it was read (or is about to be written)."""
        self._where = where
        return self


def sort_key(entry: ProgressEntry) -> tuple[dt.date, dt.datetime, int]:
    """Oldest first: by date, then by when it was recorded, then by file order."""
    return (entry.date, entry.recorded_at, entry.where.order)


def latest(
    entries: Iterable[ProgressEntry], as_of: dt.date | None = None
) -> dict[tuple[int, str], ProgressEntry]:
    """The entry that counts for each (item, target) on `as_of`: the latest by date.

    An entry named by another entry's `corrects` is superseded and never counts.
    """
    entries = list(entries)
    superseded = {entry.corrects for entry in entries if entry.corrects}
    found: dict[tuple[int, str], ProgressEntry] = {}
    for entry in sorted(entries, key=sort_key):
        if entry.id in superseded or (as_of is not None and entry.date > as_of):
            continue
        found[(entry.item, entry.target)] = entry
    return found


# --- reading -------------------------------------------------------------------------------


def read_bytes_nofollow(path: Path) -> bytes:
    """A file's bytes; a symlink raises OSError (ELOOP) instead of being followed."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


def progress_files(root: Path, display: Callable[[Path], str]) -> tuple[list[Path], list[Issue]]:
    """Every `<YYYY-MM>/<unit-id>.yaml` under root, in order; symlinks are reported, not read."""
    files: list[Path] = []
    issues: list[Issue] = []
    message = "是符号链接,出于安全不予读取;进度文件和文件夹必须是普通文件和文件夹"
    if root.is_symlink():
        return [], [Issue(display(root), 1, 1, Code.SYMLINK, message)]
    if not root.is_dir():
        return [], []
    for month in sorted(root.iterdir()):
        if month.name.startswith("."):
            continue
        if month.is_symlink():
            issues.append(Issue(display(month), 1, 1, Code.SYMLINK, message))
            continue
        if not month.is_dir():
            continue
        for path in sorted(month.iterdir()):
            if path.name.startswith(".") or path.suffix != ".yaml":
                continue
            if path.is_symlink():
                issues.append(Issue(display(path), 1, 1, Code.SYMLINK, message))
            elif path.is_file():
                files.append(path)
    return files, issues


@dataclass
class ProgressFile:
    """One progress file as read: its bytes, entries and problems, and whether it is whole."""

    path: Path
    display: str
    raw: bytes | None = None  # None: it could not be read
    entries: list[ProgressEntry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    whole: bool = True  # every record parsed and ended with `...`: safe to append to
    size: int = 0  # documents read, for the file order of the next file


def parse_entries(text: str, into: ProgressFile, first_order: int = 0) -> None:
    """The entries of one progress file; a record without its closing `...` is torn."""
    file = into.display
    docs = load_documents(text, file)
    into.size = len(docs)
    for number, doc in enumerate(docs):
        into.issues.extend(doc.issues)
        if doc.broken:
            into.whole = False
            break
        if not doc.explicit_end:
            message = (
                "这条记录没有以 ... 结尾,可能是写入中断或被截断,不予采用;"
                "请核对原始材料后补全结尾的 ...,或删除这条不完整的记录"
            )
            into.issues.append(Issue(file, doc.start_line, 1, Code.TORN_RECORD, message))
            into.whole = False
            continue
        if doc.issues:
            continue
        if not isinstance(doc.data, dict):
            message = "每条进度记录应是映射(键: 值),以 --- 开始、以 ... 结束"
            into.issues.append(Issue(file, doc.start_line, 1, Code.NOT_MAPPING, message))
            continue
        entry, found = validate(ProgressEntry, doc)
        into.issues.extend(found)
        if entry is None:
            continue
        fields = {str(loc[0]): pos for loc, pos in doc.marks.items() if len(loc) == 1}
        where = Where(file, into.path, doc.start_line, first_order + number, fields)
        into.entries.append(entry.located(where))


def read_files(folder: DataDir) -> tuple[list[ProgressFile], list[Issue]]:
    """Every progress file, parsed, in order; and the problems of the folders themselves."""
    paths, issues = progress_files(folder.progress, folder.display)
    files = []
    order = 0
    for path in paths:
        read = ProgressFile(path, folder.display(path))
        files.append(read)
        try:
            read.raw = read_bytes_nofollow(path)
        except OSError as error:
            message = f"无法读取文件:{error.strerror}"
            read.issues.append(Issue(read.display, 1, 1, Code.SYNTAX, message))
            read.whole = False
            continue
        text, problems = decode(read.raw, read.display)
        read.issues.extend(problems)
        if text is None:
            read.whole = False
            continue
        parse_entries(text, read, order)
        order += read.size
    return files, issues


def read_progress(
    folder: DataDir, plan: LoadedPlan, *, today: dt.date | None = None
) -> tuple[list[ProgressEntry], list[Issue]]:
    """Every entry under `folder.progress`, oldest first, and the problems found."""
    files, issues = read_files(folder)
    entries = [entry for read in files for entry in read.entries]
    issues.extend(issue for read in files for issue in read.issues)
    context = Context(plan, folder.root.parent, today or dt.date.today())
    for check in CHECKS:
        issues.extend(check(entries, context))
    entries.sort(key=sort_key)
    return entries, issues


# --- checks: each is (entries, context) -> problems ------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the checks look entries up in."""

    plan: LoadedPlan
    repo_root: Path  # where a `source` path is looked up: the data folder's parent
    today: dt.date


Check = Callable[[list[ProgressEntry], Context], list[Issue]]


def entry_issue(entry: ProgressEntry, key: str, code: Code, message: str) -> Issue:
    where = entry.where
    line, column = where.fields.get(key, (where.line, 1))
    return Issue(where.file, line, column, code, message, key)


def find_item(plan: LoadedPlan, number: int) -> Item | None:
    return next((item for item in plan.plan.items if item.id == number), None)


def find_target(plan: LoadedPlan, entry: ProgressEntry) -> Target | None:
    item = find_item(plan, entry.item)
    if item is None or item.no_task:
        return None
    return next((t for t in item.all_targets() if t.id == entry.target), None)


def check_known(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """The item exists and has a task; the target exists in the item."""
    found = []
    count = len(context.plan.plan.items)
    for entry in entries:
        item = find_item(context.plan, entry.item)
        if item is None:
            message = f"没有第 {entry.item} 项(共 {count} 项)"
            found.append(entry_issue(entry, "item", Code.UNKNOWN_ITEM, message))
        elif item.no_task:
            message = f"第 {entry.item} 项标注“我区无任务”,不登记进度"
            found.append(entry_issue(entry, "item", Code.NO_TASK_ENTRY, message))
        elif find_target(context.plan, entry) is None:
            ids = "、".join(t.id for t in item.all_targets())
            message = f"第 {entry.item} 项没有目标 {entry.target}(可选:{ids})"
            found.append(entry_issue(entry, "target", Code.UNKNOWN_TARGET, message))
    return found


def check_dates(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """The date is inside the plan period and not in the future."""
    found = []
    period = context.plan.plan.document.period
    for entry in entries:
        if not period.start <= entry.date <= period.end:
            message = f"日期 {entry.date} 不在计划期 {period.start} 至 {period.end} 内"
            found.append(entry_issue(entry, "date", Code.OUT_OF_PERIOD, message))
        elif entry.date > context.today:
            message = f"日期 {entry.date} 晚于今天 {context.today},不能登记将来的进度"
            found.append(entry_issue(entry, "date", Code.OUT_OF_PERIOD, message))
    return found


def check_stage_value(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """A milestone reports a stage; every other kind a value in its unit of measure."""
    found = []
    for entry in entries:
        target = find_target(context.plan, entry)
        if target is None:
            continue
        for key, message in _shape_problems(entry, target):
            found.append(entry_issue(entry, key, Code.STAGE_VALUE, message))
    return found


def _shape_problems(entry: ProgressEntry, target: Target) -> list[tuple[str, str]]:
    name = f"目标 {target.id}({target.name})"
    if target.kind is Kind.MILESTONE:
        if entry.value is not None:
            return [("value", f"{name}是定性节点,应登记阶段 stage,不能登记数值 value")]
        if entry.stage is None:
            return [("stage", f"{name}是定性节点,缺少阶段 stage(未启动/推进中/已完成)")]
        if entry.percent is not None:
            if entry.stage is Stage.DONE and entry.percent != 100:
                return [("percent", f"阶段为已完成,百分比应为 100,实际是 {entry.percent}")]
            if entry.stage is Stage.NOT_STARTED and entry.percent != 0:
                return [("percent", f"阶段为未启动,百分比应为 0,实际是 {entry.percent}")]
        return []
    if entry.stage is not None:
        return [("stage", f"{name}应登记数值 value(单位:{target.unit}),不能登记阶段 stage")]
    if entry.percent is not None:
        return [("percent", f"百分比 percent 只用于定性节点目标,{name}应只登记数值 value")]
    if entry.value is None:
        return [("value", f"{name}缺少数值 value(单位:{target.unit})")]
    return []


def check_units(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """The reporting unit is a lead unit of the item, by its canonical name."""
    found = []
    plan = context.plan
    for entry in entries:
        item = find_item(plan, entry.item)
        if item is None or item.no_task:
            continue
        leads = plan.canonical_units(item)
        unit = plan.unit_named(entry.unit)
        if unit is None or unit.name not in leads:
            message = f"{entry.unit} 不是第 {item.id} 项的牵头单位(牵头单位:{'、'.join(leads)})"
            found.append(entry_issue(entry, "unit", Code.NOT_LEAD_UNIT, message))
        elif unit.name != entry.unit:
            message = f"填报单位请写规范名称 {unit.name},而不是别名 {entry.unit}"
            found.append(entry_issue(entry, "unit", Code.NOT_LEAD_UNIT, message))
    return found


_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:|urn:)")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
_DOC_NUMBER = re.compile(r".*[〔\[(【(]\s*\d{4}\s*[〕\])】)].*号.*")


def source_path(source: str) -> str | None:
    """The repository path a source names, or None for a URL, a document number or text.

    `花残联〔2024〕12号` is a document number and `https://…` a URL; `docs/evidence/x.pdf`
    (with a folder or a file extension) is a path.
    """
    text = source.strip()
    if _URL.match(text) or _DOC_NUMBER.fullmatch(text):
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
    if not (repo_root / relative).exists():
        return f"来源文件 {path} 在仓库中不存在(路径相对于仓库根目录,即 data/ 的上一级)"
    return None


def check_sources(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """A source that is a path in the repository must exist there."""
    found = []
    for entry in entries:
        if entry.source is None:
            continue
        message = source_problem(entry.source, context.repo_root)
        if message:
            found.append(entry_issue(entry, "source", Code.MISSING_SOURCE, message))
    return found


def check_corrects(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """A correction names an existing entry of the same item and target."""
    found = []
    by_id = {entry.id: entry for entry in entries}
    for entry in entries:
        if entry.corrects is None:
            continue
        named = by_id.get(entry.corrects)
        if named is None:
            message = f"corrects 指向的记录 {entry.corrects} 不存在"
        elif named is entry:
            message = "一条记录不能更正它自己"
        elif (named.item, named.target) != (entry.item, entry.target):
            message = (
                f"corrects 指向的记录 {named.id} 属于第 {named.item} 项的 {named.target},"
                f"与本条(第 {entry.item} 项的 {entry.target})不是同一目标"
            )
        else:
            continue
        found.append(entry_issue(entry, "corrects", Code.UNKNOWN_ENTRY, message))
    return found


def _content(entry: ProgressEntry) -> tuple[object, ...]:
    return (entry.item, entry.target, entry.date, entry.value, entry.stage, entry.percent,
            entry.unit)  # fmt: skip


def check_duplicates(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """No id twice; no entry that repeats another's item, target, date, value and unit."""
    found = []
    ids: dict[str, ProgressEntry] = {}
    contents: dict[tuple[object, ...], ProgressEntry] = {}
    for entry in sorted(entries, key=sort_key):
        first = ids.setdefault(entry.id, entry)
        if first is not entry:
            message = f"记录编号 {entry.id} 与 {_at(first)} 的记录重复"
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
            continue
        same = contents.setdefault(_content(entry), entry)
        if same is not entry and same.id != entry.corrects and entry.id != same.corrects:
            message = f"与 {_at(same)} 的记录重复(同一事项、目标、日期、数值和填报单位)"
            found.append(entry_issue(entry, "id", Code.DUPLICATE_ENTRY, message))
    return found


def check_decreasing(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """A cumulative quantity never goes down, unless the entry is a correction."""
    found = []
    superseded = {entry.corrects for entry in entries if entry.corrects}
    previous: dict[tuple[int, str], ProgressEntry] = {}
    for entry in sorted(entries, key=sort_key):
        target = find_target(context.plan, entry)
        if target is None or target.kind is not Kind.QUANTITY or entry.value is None:
            continue
        if entry.id in superseded:
            continue
        key = (entry.item, entry.target)
        before = previous.get(key)
        if before is not None and _went_down(entry, before):
            message = (
                f"累计完成 {_number(entry.value)} 小于 {before.date} 登记的 "
                f"{_number(before.value or Decimal(0))}({_at(before)});累计值不应减少,"
                "如是更正,请用 corrects 写明被更正记录的 id"
            )
            found.append(entry_issue(entry, "value", Code.DECREASING, message))
            continue
        previous[key] = entry
    return found


def _went_down(entry: ProgressEntry, before: ProgressEntry) -> bool:
    if entry.corrects is not None or entry.value is None or before.value is None:
        return False
    return entry.value < before.value


def check_placement(entries: list[ProgressEntry], context: Context) -> list[Issue]:
    """An entry lives in progress/<its month>/<its unit's id>.yaml, where the tool puts it."""
    found = []
    for entry in entries:
        path = entry.where.path
        unit = context.plan.unit_named(entry.unit)
        if path is None or unit is None:
            continue
        month = f"{entry.date:%Y-%m}"
        if (path.parent.name, path.name) != (month, f"{unit.id}.yaml"):
            message = f"这条记录应放在 progress/{month}/{unit.id}.yaml(按日期的月份和填报单位)"
            found.append(entry_issue(entry, "date", Code.MISPLACED, message))
    return found


def _at(entry: ProgressEntry) -> str:
    return f"{entry.where.file}:{entry.where.line}" if entry.where.file else "本次登记"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


# Checks on one entry against the plan, and checks across entries.
ENTRY_CHECKS: tuple[Check, ...] = (
    check_known,
    check_dates,
    check_stage_value,
    check_units,
    check_sources,
    check_placement,
)
CROSS_CHECKS: tuple[Check, ...] = (check_corrects, check_duplicates, check_decreasing)
CHECKS: tuple[Check, ...] = ENTRY_CHECKS + CROSS_CHECKS
