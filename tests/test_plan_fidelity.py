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
        assert int(category["no"]) == no
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
        assert target["value"] + target["unit"] in text, target["id"]
        if "baseline" in target:
            assert target["baseline"] + target["unit"] in text, target["id"]


ROLL_UPS = [n for n in ALL if any("sum_of" in target for target in all_targets(ITEMS[n]))]


@pytest.mark.parametrize("n", ROLL_UPS)
def test_roll_ups_add_up(n: int) -> None:
    targets = all_targets(ITEMS[n])
    values = {target["id"]: Decimal(target.get("value", "0")) for target in targets}
    for target in targets:
        if "sum_of" in target:
            assert sum(values[part] for part in target["sum_of"]) == values[target["id"]]
