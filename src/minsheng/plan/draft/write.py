"""Writing a draft: the plan file in the project's own layout (flow-style targets, the
header comment, `# 待核对:` on every guess), the same as JSON, and the summary for a person."""

from __future__ import annotations

import json
import re
from typing import Any

from minsheng.plan.draft.model import Draft, DraftItem, DraftTarget

CHECK = "# 待核对:"

_HEADER = """\
# {title} · 计划文件(草稿)
#
# 本文件由 minsheng plan draft 从通知原文起草。程序只做了誊录和猜测:凡是标有
# “待核对”的地方(指标的类型、比较方式、名称,单位 id,原文不完整之处),请对照原文逐一
# 确认或改正,确认后删去那一行“待核对”注释;全部确认后运行 minsheng validate。
# 原文的全角标点已统一为半角(与 2024 年计划文件的写法一致)。
#
# 字段和书写约定与 2024 年的计划文件相同(见 tasks_2024.yaml 开头的说明):
#   targets     kind: quantity 累计数量 / level 达到的水平 / standard 执行标准 /
#               milestone 定性节点(不写 comparator、value、unit)
#               comparator: at_least 不少于、不低于、以上、达到、提高到 / approx 左右 /
#               at_most 低于、控制在、不超过;value 和 unit 照原文写法(0.57 万人)
#   measures    附件的推进措施,逐条照录;措施里的量化指标记在该条措施的 targets 下
#   notes       通知与附件不一致、或原文有异常之处的说明
"""

_YAML_SPECIAL = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`\s]|[\s]$|: |\s#")
_FLOW_SPECIAL = re.compile(r"[,\[\]{}]")
_PLAIN_LOOKALIKE = re.compile(
    r"[-+]?(\d[\d_.]*|\.\d+)([eE][-+]?\d+)?|true|false|null|yes|no|on|off|~|\d{4}-\d\d-\d\d",
    re.IGNORECASE,
)


def scalar(text: str, flow: bool = False) -> str:
    """A string as YAML writes it: plain where it reads back the same, double-quoted else."""
    if (
        not text
        or _YAML_SPECIAL.search(text)
        or (flow and _FLOW_SPECIAL.search(text))
        or _PLAIN_LOOKALIKE.fullmatch(text)
        or "\n" in text
        or "\\" in text
    ):
        return json.dumps(text, ensure_ascii=False)
    return text


def _target_line(target: DraftTarget) -> str:
    fields = [f"id: {target.id}", f"name: {scalar(target.name, True)}", f"kind: {target.kind}"]
    if target.kind != "milestone":
        fields.append(f"comparator: {target.comparator}")
        fields.append(f"value: {target.value}")
        fields.append(f"unit: {scalar(target.unit or '', True)}")
        if target.baseline:
            fields.append(f"baseline: {target.baseline}")
    return "{" + ", ".join(fields) + "}"


def _target_check(target: DraftTarget) -> str:
    if target.kind == "milestone":
        return f"{CHECK} 定性节点,名称取自原文短语;只是引出下文的开头语就删去"
    baseline = "、起点" if target.baseline else ""
    return f"{CHECK} 据“{target.source}”猜测的名称、类型、比较方式{baseline}"


# How many of a long list the header and the summary show; the JSON holds them all
SHOWN = 30


def mending(draft: Draft) -> list[str]:
    """What the restoring of the text did (page furniture taken out, broken lines joined),
    a line each, the furniture listed under its line; none for a text that needed nothing."""
    said: list[str] = []
    if draft.removed:
        said.append(f"删去了页码、页眉页脚 {len(draft.removed)} 处:")
        said += [f"  第 {line} 行:{_short(text)}" for line, text in draft.removed[:SHOWN]]
        if len(draft.removed) > SHOWN:
            said.append(f"  …另有 {len(draft.removed) - SHOWN} 处,见 --format json 的输出")
    if draft.joined:
        said.append(f"接起了断在句子、数字或单位名称中间的行 {draft.joined} 处")
    if draft.split:
        said.append(f"在事项或句子结束处分开了粘在一起的行 {draft.split} 处")
    return said


def to_yaml(draft: Draft) -> str:
    """The plan file, with a `# 待核对:` comment on each guess."""
    doc = draft.document
    year = doc.year or 2000
    out: list[str] = [_HEADER.format(title=_comment(doc.title or f"{year}年民生实事"))]
    said = mending(draft)
    if said:
        out[0] += "#\n# 起草前修复了原文的文字(PDF 导出的文字常有这些毛病),请对照原文核对:\n"
        out[0] += "".join(f"#   {_comment(sentence)}\n" for sentence in said)
    out += ["schema_version: 2", ""]
    out.append("document:")
    for key, value, missing in (
        ("title", doc.title, f"{year}年民生实事"),
        ("number", doc.number, "待填写"),
        ("issuer", doc.issuer, "待填写"),
    ):
        if value is None:
            out.append(f"  {CHECK} 原文中没有找到,请填写")
        out.append(f"  {key}: {scalar(value or missing)}")
    if doc.date is None:
        out.append(f"  {CHECK} 原文中没有找到成文日期,请填写")
    out.append(f"  date: {doc.date or f'{year}-01-01'}")
    if doc.index_no:
        out.append(f"  index_no: {scalar(doc.index_no)}")
    if doc.year is None:
        out.append(f"  {CHECK} 原文中没有找到年份,请用 --year 指定或在此填写")
    out += [f"  year: {year}", "  # 计划年度", "  period:"]
    out += [f"    start: {year}-01-01", f"    end: {year}-12-31", ""]
    out.append("# 序时进度按月计(与省里的通报口径一致);写 day 则按天计。")
    out += ["schedule:", "  basis: month", "", "thresholds:", "  behind: 10", "  lagging: 30", ""]
    out.append("categories:")
    for category in draft.categories:
        if category.count is None:
            out.append(f"  {CHECK} 标题没有写项数,这里填的是找到的项数")
        count = category.count
        if count is None:
            count = sum(item.category == category.no for item in draft.items)
        aliases = f", aliases: [{', '.join(scalar(a, True) for a in category.aliases)}]"
        if category.aliases:
            out.append(f"  # 附件的类别标题写作“{'、'.join(category.aliases)}”,作为别名")
        out.append(
            f"  - {{id: {category.no}, name: {scalar(category.name, True)}, count: {count}"
            f"{aliases if category.aliases else ''}}}"
        )
    out += ["", "# 牵头单位,按在通知中首次出现的顺序", f"{CHECK} id 由单位名称的拼音首字母生成"]
    out.append("units:" if draft.units else "units: []")
    for unit in draft.units:
        aliases = f", aliases: [{', '.join(scalar(a, True) for a in unit.aliases)}]"
        out.append(
            f"  - {{id: {unit.id}, name: {scalar(unit.name, True)}"
            f"{aliases if unit.aliases else ''}}}"
        )
    out += ["", "items:" if draft.items else "items: []"]
    current = None
    for item in draft.items:
        if item.category != current:
            current = item.category
            name = next((c.name for c in draft.categories if c.no == current), "")
            out.append(f"  # ==================== {current}、{name} ====================")
        out.extend(_item(item))
    return "\n".join(out).rstrip("\n") + "\n"


def _item(item: DraftItem) -> list[str]:
    out = [f"  - id: {item.number}", f"    category: {item.category}"]
    for problem in item.problems:
        out.append(f"    {CHECK} {problem}")
    out.append(f"    title: {scalar(item.title or '(原文缺失)')}")
    if item.attachment_title:
        out.append(f"    attachment_title: {scalar(item.attachment_title)}")
    if item.units:
        out.append(f"    units: [{', '.join(scalar(u, True) for u in item.units)}]")
    if item.no_task:
        out.append("    no_task: true")
    if item.targets:
        out.append("    targets:")
        for target in item.targets:
            out += [f"      {_target_check(target)}", f"      - {_target_line(target)}"]
    if item.measures:
        out.append("    measures:")
        for measure in item.measures:
            out.append(f"      - text: {scalar(measure.text)}")
            for note in measure.notes:
                out.append(f"        {CHECK} {note}")
            if measure.targets:
                out.append("        targets:")
                for target in measure.targets:
                    out += [
                        f"          {_target_check(target)}",
                        f"          - {_target_line(target)}",
                    ]
    if item.notes:
        out.append("    notes:")
        for note in item.notes:
            out += [f"      {CHECK} 说明是程序写的,请按实际情况改写", f"      - {scalar(note)}"]
    out.append("")
    return out


def to_json(draft: Draft) -> str:
    """The draft for machines: the plan's fields, and each guess's source and the problems."""

    def target(t: DraftTarget) -> dict[str, Any]:
        return {
            "id": t.id,
            "name": t.name,
            "kind": t.kind,
            "comparator": t.comparator,
            "value": t.value,
            "unit": t.unit,
            "baseline": t.baseline,
            "source": t.source,
        }

    doc = draft.document
    payload = {
        "document": {
            "title": doc.title,
            "number": doc.number,
            "issuer": doc.issuer,
            "date": doc.date,
            "index_no": doc.index_no,
            "year": doc.year,
        },
        "categories": [
            {"no": c.no, "name": c.name, "count": c.count, "aliases": c.aliases}
            for c in draft.categories
        ],
        "units": [{"id": u.id, "name": u.name, "aliases": u.aliases} for u in draft.units],
        "items": [
            {
                "id": item.number,
                "line": item.line,
                "category": item.category,
                "title": item.title,
                "attachment_title": item.attachment_title,
                "units": item.units,
                "no_task": item.no_task,
                "targets": [target(t) for t in item.targets],
                "measures": [
                    {"text": m.text, "targets": [target(t) for t in m.targets]}
                    for m in item.measures
                ],
                "notes": item.notes,
                "problems": item.problems,
            }
            for item in draft.items
        ],
        "problems": [
            {"line": p.line, "code": p.code, "message": p.message} for p in draft.problems
        ],
        "skipped": [{"line": line, "text": text} for line, text in draft.skipped],
        "removed": [{"line": line, "text": text} for line, text in draft.removed],
        "joined": draft.joined,
        "split": draft.split,
        "unclassified": [{"item": item, "text": text} for item, text in draft.unclassified],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def summary(draft: Draft, name: str) -> str:
    """What a person reads first: what was found, against what the headings declare."""
    items = draft.items
    declared = sum(c.count or 0 for c in draft.categories)
    no_task = sum(item.no_task for item in items)
    targets = sum(len(item.targets) + sum(len(m.targets) for m in item.measures) for item in items)
    measures = sum(len(item.measures) for item in items)
    numbers = [item.number for item in items]
    lines = [
        f"从 {name} 起草{f'(按 {draft.encoding} 编码读取)' if draft.encoding != 'utf-8' else ''}:",
        f"  标题:{draft.document.title or '(未找到)'};文号:{draft.document.number or '(未找到)'}",
        f"  事项:找到 {len(items)} 项(编号 {min(numbers)}–{max(numbers)},格式“{draft.numbering}”),"
        f"类别标题合计声明 {declared} 项;{len(draft.categories)} 个类别",
        f"  无任务 {no_task} 项;牵头单位 {len(draft.units)} 个;推进措施 {measures} 条;"
        f"猜测的指标 {targets} 个(均标为“待核对”)",
    ]
    without = [str(i.number) for i in items if not i.no_task and not i.units]
    if without:
        lines.append(f"  没有牵头单位的事项:第 {'、'.join(without)} 项")
    lines += [f"  {sentence}" for sentence in mending(draft)]
    if draft.problems:
        lines.append(f"  需要注意的问题 {len(draft.problems)} 个:")
        lines += [f"    - {_short(str(problem), 200)}" for problem in draft.problems]
    if draft.unclassified:
        lines.append(f"  无法归类的数字 {len(draft.unclassified)} 个(未设指标):")
        lines += [f"    - 第 {item} 项:…{text}…" for item, text in draft.unclassified[:SHOWN]]
        lines += _more(len(draft.unclassified))
    if draft.skipped:
        lines.append(f"  未采用的文字 {len(draft.skipped)} 段:")
        lines += [f"    - 第 {line} 行:{_short(text)}" for line, text in draft.skipped[:SHOWN]]
        lines += _more(len(draft.skipped))
    return "\n".join(lines) + "\n"


def _more(count: int) -> list[str]:
    return [f"    …另有 {count - SHOWN} 个,见 --format json 的输出"] if count > SHOWN else []


def _comment(text: str) -> str:
    """Text that stays inside its `#` comment line (the cleaning made every text one line
    already: this is the guard of the comment's own shape)."""
    return text.replace("\r", " ").replace("\n", " ")


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
