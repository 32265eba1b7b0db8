"""The plan file is a faithful copy of the notice 花政办〔2024〕7号 and its attachment (附件)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTICE = (ROOT / "tests" / "fixtures" / "notice_2024.txt").read_text(encoding="utf-8")
# BaseLoader keeps every scalar a string exactly as written (0.57, 99.90, 2024-05-07).
PLAN = yaml.load((ROOT / "data" / "tasks_2024.yaml").read_text(encoding="utf-8"), yaml.BaseLoader)
ITEMS = {int(item["id"]): item for item in PLAN["items"]}
ALL = range(1, 51)

BODY, _, ATTACHMENT = NOTICE.partition("\n附件\n")
CN = "一二三四五六七八九十"
CATEGORY_RE = re.compile(rf"^[{CN}]+、(\S+)\((\d+)项\)$")
ITEM_RE = re.compile(r"^(\d+)\.(.+?)\((?:牵头单位:(.+)|我区无任务)\)$")
SECTION_RE = re.compile(rf"^\(([{CN}]+)\)(.*?)(?=^\([{CN}]+\)|^[{CN}]+、|\Z)", re.M | re.S)
TAIL_RE = re.compile(r"\((?:牵头单位:(.+)|我区无任务)\)$")


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 二十一 → 21, 五十 → 50."""
    tens, ten, ones = text.rpartition("十")
    if not ten:
        return CN.index(ones) + 1
    return (CN.index(tens) + 1 if tens else 1) * 10 + (CN.index(ones) + 1 if ones else 0)


def parse_body() -> tuple[list[tuple[str, int]], dict[int, dict[str, Any]]]:
    """The notice body: category headings, then items "N.text(牵头单位:…)" under them."""
    categories: list[tuple[str, int]] = []
    items: dict[int, dict[str, Any]] = {}
    for line in BODY.splitlines():
        if heading := CATEGORY_RE.match(line):
            categories.append((heading[1], int(heading[2])))
        elif item := ITEM_RE.match(line):
            units = item[3].split("、") if item[3] else []
            items[int(item[1])] = {
                "title": item[2],
                "units": units,
                "no_task": item[3] is None,
                "category": len(categories),
            }
    return categories, items


def parse_attachment() -> dict[int, dict[str, Any]]:
    """The attachment: "(一)heading(牵头单位:…)", then "推进措施:" and its numbered measures."""
    sections: dict[int, dict[str, Any]] = {}
    for match in SECTION_RE.finditer(ATTACHMENT):
        head, _, body = match[2].strip().partition("\n推进措施:\n")
        head = head.replace("\n", "")  # items 49 and 50 break the heading across lines
        tail = TAIL_RE.search(head)
        assert tail, head
        measures: list[str] = []
        for line in body.splitlines():
            numbered = re.match(r"^\d+\.(.*)$", line)
            if numbered or not measures:
                measures.append(numbered[1] if numbered else line)
            else:
                measures[-1] += line
        sections[cn_number(match[1])] = {
            "title": head[: tail.start()],
            "units": tail[1].split("、") if tail[1] else [],
            "measures": measures,
        }
    return sections


NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


def written_at(text: str, value: str, unit: str) -> list[int]:
    """Where `value` then `unit` is written in text as a whole number (2000 is not in 12000)."""
    return [
        match.start()
        for match in NUMBER_RE.finditer(text)
        if match[0] == value and text.startswith(unit, match.end())
    ]


def sources(item: dict[str, Any]) -> list[tuple[list[dict[str, Any]], str]]:
    """Each text of the item (heading, then each measure) with the targets written from it."""
    heading = item["title"] + item.get("attachment_title", "")
    found = [(list(item.get("targets", [])), heading)]
    for measure in item.get("measures", []):
        found.append((list(measure.get("targets", [])), measure["text"]))
    return found


def all_targets(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's own targets, then each measure's."""
    targets = list(item.get("targets", []))
    for measure in item.get("measures", []):
        targets += measure.get("targets", [])
    return targets


CATEGORIES, BODY_ITEMS = parse_body()
SECTIONS = parse_attachment()
ATTACHMENT_CATEGORIES = [m[1] for m in map(CATEGORY_RE.match, ATTACHMENT.splitlines()) if m]
UNIT_NAMES = {
    alias: unit["name"]
    for unit in PLAN["units"]
    for alias in [unit["name"], *unit.get("aliases", [])]
}


def test_fifty_items_in_order() -> None:
    assert [int(item["id"]) for item in PLAN["items"]] == list(ALL)
    assert sorted(BODY_ITEMS) == list(ALL)
    assert list(SECTIONS) == list(ALL)


def test_categories_match_headings() -> None:
    assert len(CATEGORIES) == len(PLAN["categories"]) == len(ATTACHMENT_CATEGORIES) == 10
    for no, (category, (name, count)) in enumerate(
        zip(PLAN["categories"], CATEGORIES, strict=True), 1
    ):
        assert int(category["id"]) == no
        assert category["name"] == name
        assert int(category["count"]) == count
        assert sum(int(item["category"]) == no for item in PLAN["items"]) == count
        assert ATTACHMENT_CATEGORIES[no - 1] in [name, *category.get("aliases", [])]


@pytest.mark.parametrize("n", ALL)
def test_item_matches_notice(n: int) -> None:
    item, notice, section = ITEMS[n], BODY_ITEMS[n], SECTIONS[n]
    assert int(item["category"]) == notice["category"]
    assert item["title"] == notice["title"]
    assert item.get("units", []) == notice["units"]
    assert [UNIT_NAMES[name] for name in section["units"]] == notice["units"]
    assert (item.get("no_task") == "true") == notice["no_task"]
    if "attachment_title" in item:
        assert item["attachment_title"] == section["title"] != item["title"]
    else:
        assert section["title"] == item["title"]
    assert [m["text"] for m in item.get("measures", [])] == section["measures"]


@pytest.mark.parametrize("n", ALL)
def test_targets_are_written_as_in_the_text(n: int) -> None:
    item = ITEMS[n]
    heading = item["title"] + item.get("attachment_title", "")
    sources = [(t, heading) for t in item.get("targets", [])]
    for measure in item.get("measures", []):
        sources += [(t, measure["text"]) for t in measure.get("targets", [])]
    ids = [target["id"] for target in all_targets(item)]
    assert len(ids) == len(set(ids)), "target ids must be unique within an item"
    if item.get("no_task") != "true":
        assert item.get("targets"), "an active item needs at least one target"
    for target, text in sources:
        if target["kind"] == "milestone":
            assert item.get("no_task") != "true"
            assert not {"comparator", "value", "unit"} & target.keys()
            continue
        assert written_at(text, target["value"], target["unit"]), target["id"]
        if "baseline" in target:
            assert written_at(text, target["baseline"], target["unit"]), target["id"]


ROLL_UPS = [n for n in ALL if any("sum_of" in target for target in all_targets(ITEMS[n]))]


@pytest.mark.parametrize("n", ROLL_UPS)
def test_roll_ups_add_up(n: int) -> None:
    targets = all_targets(ITEMS[n])
    values = {target["id"]: Decimal(target.get("value", "0")) for target in targets}
    for target in targets:
        if "sum_of" in target:
            assert sum(values[part] for part in target["sum_of"]) == values[target["id"]]


HEADER = {
    re.sub(r"\s", "", key).rstrip(":"): value
    for key, value in re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", BODY, re.M)
}


def test_document_metadata_matches_the_notice_header() -> None:
    document = PLAN["document"]
    assert document["title"] == HEADER["名称"]
    assert document["number"] == HEADER["文号"]
    assert document["issuer"] == HEADER["发布机构"]
    assert document["date"] == HEADER["成文日期"]
    assert document["index_no"] == HEADER["索引号"]


AT_MOST_RE = re.compile(r"不超过|(?<!不)低于|控制在")


def wording(text: str, start: int, written: str) -> str:
    """The comparator the wording around a number at `start` asks for (see the plan's header)."""
    if text.startswith("左右", start + len(written)):
        return "approx"
    clause = re.split(r"[,;。]", text[:start])[-1]
    return "at_most" if AT_MOST_RE.search(clause) else "at_least"


@pytest.mark.parametrize("n", ALL)
def test_comparators_follow_the_wording(n: int) -> None:
    for targets, text in sources(ITEMS[n]):
        for target in targets:
            if target["kind"] == "milestone":
                continue
            written = target["value"] + target["unit"]
            found = {
                wording(text, at, written)
                for at in written_at(text, target["value"], target["unit"])
            }
            assert target["comparator"] in found, (target["id"], found)


# Numbers in the text that are not commitments: document numbers, addresses, years, ages, names.
NOT_TARGETS: dict[int, list[str]] = {
    12: ["2024年政府目标管理绩效考核"],
    13: ["马民秘〔2023〕59号", "湖东北路831号-2号楼"],
    20: ["2024年"],
    21: ["2-3岁"],
    24: ["2024年省级资助"],
    26: ["6~9岁", "3~6岁"],
    27: ["0~6岁"],
    34: ["15分钟阅读圈"],
    37: ["村集体收益20万元以下"],  # who is helped, not how much (and 我区无任务)
    47: ["3·15"],
}
# Measures that only repeat a target of the item's heading (each has a note in the plan).
REPEATS: dict[int, list[str]] = {
    18: ["全区49家村(社区)登记成立"],
    19: ["参保率稳定在95%以上纳入"],
    21: ["全年新增托位423个"],
    25: ["老年人数达到2.71万人左右"],
}


@pytest.mark.parametrize("n", ALL)
def test_every_number_is_a_target_or_known_not_to_be_one(n: int) -> None:
    item = ITEMS[n]
    exempt = NOT_TARGETS.get(n, []) + REPEATS.get(n, [])
    texts = [text for _, text in sources(item)]
    for snippet in exempt:
        assert any(snippet in text for text in texts), snippet
    for targets, text in sources(item):
        covered = {
            at
            for target in targets
            if target["kind"] != "milestone"
            for number in (target["value"], target.get("baseline"))
            if number is not None
            for at in written_at(text, number, target["unit"])
        }
        spans = [
            range(found.start(), found.end())
            for snippet in exempt
            for found in re.finditer(re.escape(snippet), text)
        ]
        for number in NUMBER_RE.finditer(text):
            at = number.start()
            assert at in covered or any(at in span for span in spans), (
                f"{number[0]} in {text[max(0, at - 10) : at + 10]!r} is not a target"
            )


# Opening words of an active item that only introduce the quantified or milestone commitment
# that follows them ("实施放心家政行动,培训家政服务人员1865人次"): no milestone of their own.
LEAD_INS: dict[int, list[str]] = {
    1: ["促进重点群体稳定就业"],
    3: ["实施放心家政行动"],
    4: ["加强城乡低保人员和特困人员生活保障"],
    9: ["开展困难职工帮扶救助"],
    10: ["实施困难残疾人康复工程"],
    11: ["推动实现残疾人较高质量就业", "实施“阳光家园计划”托养服务项目"],
    12: ["持续优化无障碍环境"],
    13: ["大力推进社区居家养老服务"],
    14: ["加强困难大病患者救治"],
    15: ["强化残疾人福利保障"],
    16: ["做好困难群体法律援助工作"],
    17: ["强化困难退役军人服务保障"],
    19: ["分类资助低收入人口参加基本医保"],
    20: ["切实做好孤儿、事实无人抚养儿童基本生活保障"],
    21: ["实施“安心托幼”行动"],
    24: ["积极做好学生资助工作"],
    25: ["实施老有所学行动"],
    26: ["实施健康口腔行动", "加强儿童口腔疾病综合干预"],
    27: ["实施出生缺陷防治提升行动"],
    31: ["扎实推进“四好农村路”建设"],
    32: ["实施便民停车行动"],
    33: ["实施文化惠民工程"],
    34: ["依托“15分钟阅读圈”建设", "实施公共文化空间工程"],
    35: ["开展“送戏进万村”活动"],
    36: ["推动充换电基础设施建设"],
    38: ["稳步推进城市危旧房和城镇老旧小区改造"],  # see the item's note
    45: ["加强对户外劳动者的关心关爱"],
    47: ["深入开展放心满意消费单位、街区培育活动"],
    49: ["围绕重点民生食品"],
    50: ["实施“食安名坊”培育行动"],
}
ACTIVE = [n for n in ALL if ITEMS[n].get("no_task") != "true"]


@pytest.mark.parametrize("n", ACTIVE)
def test_every_commitment_of_an_active_item_is_tracked(n: int) -> None:
    """Each clause of the heading holds a target, or is a known lead-in; milestones quote it."""
    item = ITEMS[n]
    milestones = [t["name"] for t in item["targets"] if t["kind"] == "milestone"]
    for name in milestones:
        assert name in item["title"], f"milestone {name!r} should quote the item's text"
    untracked = []
    for clause in filter(None, re.split(r"[,;。]", item["title"])):
        numbers = [
            t
            for t in item["targets"]
            if t["kind"] != "milestone" and written_at(clause, t["value"], t["unit"])
        ]
        if not numbers and not any(name in clause for name in milestones):
            untracked.append(clause)
    assert untracked == LEAD_INS.get(n, [])
