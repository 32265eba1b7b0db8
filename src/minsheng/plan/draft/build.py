"""Assembling a draft (起草): the text restored, the structure, the attachment matched to the
items, guessed targets, the unit registry, and every problem of numbering and completeness."""

from __future__ import annotations

import difflib
import re
from collections import Counter

from minsheng.core.issues import Code
from minsheng.plan.draft import clean, limits, mend, structure, targets
from minsheng.plan.draft.clean import NoticeError
from minsheng.plan.draft.model import (
    Draft,
    DraftCategory,
    DraftItem,
    DraftTarget,
    DraftUnit,
    Problem,
)


def draft_notice(
    raw: bytes, name: str, attachment: tuple[bytes, str] | None = None, year: int | None = None
) -> Draft:
    """A draft plan from a notice file's bytes (and a separate attachment's); NoticeError
    when the text cannot be read, holds no numbered items, or is beyond a bound."""
    text, encoding = clean.decode(raw, name)
    lines, table = clean.clean(text, name)
    body = mend.mend(lines, table.get("文号"))
    extra = None
    removed, joined, split = list(body.removed), body.joined, body.split
    if attachment is not None:
        extra_text, _ = clean.decode(*attachment)
        extra_lines, _ = clean.clean(extra_text, attachment[1])
        mended = mend.mend(extra_lines, table.get("文号"))
        extra = mended.lines
        removed += mended.removed
        joined += mended.joined
        split += mended.split
    found = structure.parse(body.lines, extra)
    if not found.items:
        raise NoticeError(
            Code.NO_ITEMS,
            f"{name} 中没有找到编号的事项(如“1.”“(1)”“一、”开头的行);请确认这是民生实事通知的文字",
        )
    _within_bounds(found, name)
    draft = Draft(encoding=encoding, numbering=found.numbering)
    draft.removed, draft.joined, draft.split = removed, joined, split
    draft.document = structure.document_of(found, table)
    if year is not None:
        draft.document.year = year
    draft.categories = found.categories
    draft.items = found.items
    draft.skipped = sorted(found.skipped)
    _document(draft)
    _categories(draft, found.attachment_categories)
    _attachment(draft, found.sections)
    _numbering(draft)
    budget = _Budget(name)
    for item in draft.items:
        _targets(draft, item, budget)
    draft.units = _units(draft.items)
    return draft


def _within_bounds(found: structure.Structure, name: str) -> None:
    """NoticeError past a bound of limits.py: no list of livelihood projects is that large."""
    unlike = "不像一份民生实事通知;请确认文件选对了"
    for what, count, limit, code in (
        ("编号的事项", len(found.items), limits.MAX_ITEMS, Code.TOO_MANY_ITEMS),
        ("附件中编号的事项", len(found.sections), limits.MAX_ITEMS, Code.TOO_MANY_ITEMS),
        ("类别标题", len(found.categories), limits.MAX_CATEGORIES, Code.TOO_MANY_CATEGORIES),
        (
            "推进措施",
            sum(len(item.measures) for item in (*found.items, *found.sections)),
            limits.MAX_MEASURES,
            Code.TOO_MANY_MEASURES,
        ),
    ):
        if count > limit:
            raise NoticeError(code, f"{name} 中有 {count} 个{what},超过 {limit} 个的上限,{unlike}")
    names: set[str] = set()
    for item in (*found.items, *found.sections):
        if len(item.units) > limits.MAX_UNITS_PER_ITEM:
            raise NoticeError(
                Code.TOO_MANY_UNITS,
                f"{name} 第 {item.line} 行的第 {item.number} 项写了 {len(item.units)} 个牵头单位,"
                f"超过 {limits.MAX_UNITS_PER_ITEM} 个的上限,{unlike}",
            )
        names.update(item.units)
    if len(names) > limits.MAX_UNITS:
        raise NoticeError(
            Code.TOO_MANY_UNITS,
            f"{name} 中有 {len(names)} 个不同的牵头单位,超过 {limits.MAX_UNITS} 个的上限,{unlike}",
        )


def _document(draft: Draft) -> None:
    doc = draft.document
    for label, value in (
        ("标题", doc.title),
        ("文号", doc.number),
        ("发布机构", doc.issuer),
        ("成文日期", doc.date),
        ("年份", doc.year),
    ):
        if value is None:
            message = f"原文中没有找到{label},计划文件里填了待填写的值"
            draft.problems.append(Problem(0, "no-document-field", message))


def _categories(draft: Draft, attachment_names: dict[int, str]) -> None:
    if not draft.categories:
        count = len(draft.items)
        draft.categories = [DraftCategory(1, "民生实事", count, 0)]
        draft.problems.append(
            Problem(0, "no-categories", "通知没有分类标题:全部事项归入一个类别“民生实事”")
        )
        for item in draft.items:
            item.category = 1
        return
    held = Counter(item.category for item in draft.items)
    for category in draft.categories:
        other = attachment_names.get(category.no)
        if other and other != category.name:
            category.aliases.append(other)
        if category.count is None:
            draft.problems.append(
                Problem(category.line, "no-count", f"类别“{category.name}”的标题没有写项数")
            )
        elif category.count != held[category.no]:
            message = f"类别“{category.name}”标题写 {category.count} 项,找到 {held[category.no]} 项"
            draft.problems.append(Problem(category.line, "category-count", message))
    orphans = [item.number for item in draft.items if item.category == 0]
    if orphans:
        message = f"第 {_numbers(orphans)} 项出现在第一个类别标题之前"
        draft.problems.append(Problem(0, "no-category", message))


# Titles are compared only so far: enough to tell one item from another, and the comparison
# takes time in the square of what it compares.
_COMPARED = 300


def _attachment(draft: Draft, sections: list[DraftItem]) -> None:
    by_number = {item.number: item for item in draft.items}
    for section in sections:
        item = by_number.get(section.number)
        if item is None:
            message = f"附件第 {section.number} 项在通知正文中没有对应的事项,其推进措施未采用"
            draft.problems.append(Problem(section.line, "attachment-unmatched", message))
            continue
        if section.title != item.title:
            similar = difflib.SequenceMatcher(
                None, section.title[:_COMPARED], item.title[:_COMPARED]
            ).ratio()
            if similar < 0.6:
                message = (
                    f"附件第 {section.number} 项的标题与正文第 {item.number} 项相差很大,请核对编号"
                )
                draft.problems.append(Problem(section.line, "attachment-title", message))
            item.attachment_title = section.title
            item.notes.append("附件中本项标题的文字与通知不同,照录于 attachment_title")
        item.attachment_units = section.units
        if item.measures and section.measures:
            message = f"第 {item.number} 项在正文和附件中都有推进措施,附件的接在后面"
            draft.problems.append(Problem(section.line, "measures-twice", message))
        item.measures.extend(section.measures)
        item.problems.extend(section.problems)
        item.notes.extend(note for note in section.notes if note not in item.notes)


def _numbering(draft: Draft) -> None:
    numbers = [item.number for item in draft.items]
    lines: dict[int, list[str]] = {}
    for item in draft.items:
        lines.setdefault(item.number, []).append(str(item.line))
    for number, times in Counter(numbers).items():
        if times > 1:
            message = f"事项编号 {number} 出现了 {times} 次(第 {'、'.join(lines[number])} 行)"
            draft.problems.append(Problem(0, "duplicate-number", message))
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        message = f"事项编号不连续,缺少第 {_numbers(missing)} 项"
        draft.problems.append(Problem(0, "missing-number", message))
    closed = sum(item.tail_closed for item in draft.items)
    last = draft.items[-1]
    if closed and not last.tail_closed and not last.units:
        message = (
            f"通知在第 {last.number} 项中间结束(没有牵头单位或“无任务”的括号):"
            "这一项只照录了已有的文字,请对照原文补全"
        )
        draft.problems.append(Problem(last.line, "cut-off", message))
        last.problems.append("原文在这一项中间结束,请对照原文补全标题和牵头单位")
    for item in draft.items:
        if not item.no_task and not item.units and item is not last:
            item.problems.append("没有找到牵头单位(牵头单位:…)")
        for problem in item.problems:
            draft.problems.append(Problem(item.line, "item", f"第 {item.number} 项:{problem}"))
        if item.has_measures_block and not item.measures:
            message = f"第 {item.number} 项写了“推进措施”但下面没有措施"
            draft.problems.append(Problem(item.line, "no-measures", message))


class _Budget:
    """The targets (figures, milestones, numbers left unplaced) the notice may still yield."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.left = limits.MAX_TARGETS

    def spend(self, count: int) -> None:
        """Take `count` from what is left; NoticeError once past the bound."""
        self.left -= count
        if self.left < 0:
            raise NoticeError(
                Code.TOO_MANY_TARGETS,
                f"{self.name} 中的数字和定性指标超过 {limits.MAX_TARGETS} 个的上限,"
                "不像一份民生实事通知;请确认文件选对了",
            )

    @property
    def reading(self) -> int:
        """How many figures a text may be read for: one past what is left tells."""
        return self.left + 1


def _targets(draft: Draft, item: DraftItem, budget: _Budget) -> None:
    """The item's and its measures' targets."""
    guessed = targets.guess(item.title, budget.reading)
    budget.spend(len(guessed.targets) + len(guessed.unclassified))
    found = list(guessed.targets)
    if not item.no_task:
        steps = targets.milestones(item.title, budget.reading)
        budget.spend(len(steps))
        found.extend(steps)
        if not found:
            whole = item.title.rstrip("。")
            found.append(DraftTarget(name=whole, kind="milestone", source=whole))
    draft.unclassified.extend((item.number, text) for text in guessed.unclassified)
    item.targets = found
    own = {(t.value, t.unit) for t in found if t.value}
    for measure in item.measures:
        measured = targets.guess(measure.text, budget.reading)
        budget.spend(len(measured.targets) + len(measured.unclassified))
        for target in measured.targets:
            if (target.value, target.unit) in own:
                measure.notes.append(f"“{target.value}{target.unit}”重复事项指标,未另设措施指标")
            else:
                measure.targets.append(target)
        draft.unclassified.extend((item.number, text) for text in measured.unclassified)
    for number, target in enumerate(item.targets + [t for m in item.measures for t in m.targets]):
        target.id = f"t{number + 1}"


def _units(items: list[DraftItem]) -> list[DraftUnit]:
    """The lead units in order of first mention; another spelling in the attachment for the
    same place in the same item is an alias (区城市管理局 for 区城管局)."""
    registry: dict[str, DraftUnit] = {}
    aliases: dict[str, str] = {}
    taken: set[str] = set()
    for item in items:
        for name in item.units:
            if name not in registry:
                registry[name] = DraftUnit(_unit_id(name, taken), name)
        if len(item.attachment_units) == len(item.units):
            for ours, theirs in zip(item.units, item.attachment_units, strict=True):
                if ours != theirs and theirs not in registry:
                    aliases.setdefault(theirs, ours)
    for alias, name in aliases.items():
        registry[name].aliases.append(alias)
    for item in items:
        spelled = [u for u in item.attachment_units if u not in item.units]
        if spelled:
            item.notes.append(f"附件中牵头单位写作“{'、'.join(spelled)}”,已作为单位别名")
    return list(registry.values())


def _unit_id(name: str, taken: set[str]) -> str:
    """Pinyin initials without the level prefix: 区民政局 → mzj, 市人社局 → rsj; `taken`
    holds the ids given so far, and gets this one."""
    from pypinyin import Style, lazy_pinyin

    short = name[1:] if len(name) > 2 and name[0] in "区市县省" else name
    letters = "".join(lazy_pinyin(short[:40], style=Style.FIRST_LETTER, errors="ignore")).lower()
    letters = re.sub(r"[^a-z0-9]", "", letters)[:36] or "unit"
    if not letters[0].isalpha():
        letters = "u" + letters
    candidate, suffix = letters, 2
    while candidate in taken:
        candidate, suffix = f"{letters}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _numbers(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)
