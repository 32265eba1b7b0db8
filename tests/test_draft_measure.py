"""The drafter measured against the hand-kept 2024 plan: the draft of the 2024 notice holds
the same items, units, categories and measures, and finds the hand-kept targets."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from minsheng.plan.draft.build import draft_notice
from minsheng.plan.draft.model import Draft, DraftTarget
from minsheng.plan.draft.write import to_yaml
from minsheng.plan.load import load_plan

ROOT = Path(__file__).resolve().parent.parent
NOTICE = ROOT / "tests" / "fixtures" / "notice_2024.txt"
HAND = yaml.load((ROOT / "data" / "tasks_2024.yaml").read_text(encoding="utf-8"), yaml.BaseLoader)


def _draft() -> Draft:
    return draft_notice(NOTICE.read_bytes(), "notice_2024.txt")


def _key(target: dict[str, Any] | DraftTarget) -> tuple[Any, ...]:
    """A target without its id and name: what the text commits to."""
    get = target.get if isinstance(target, dict) else lambda field: getattr(target, field)
    value = get("value")
    baseline = get("baseline")
    return (
        get("kind"),
        get("comparator"),
        value if value is None else str(value),
        get("unit"),
        baseline if baseline is None else str(baseline),
    )


def _places(item: dict[str, Any]) -> dict[str, Counter[tuple[Any, ...]]]:
    places = {"item": Counter(_key(t) for t in item.get("targets", []))}
    for number, measure in enumerate(item.get("measures", []), start=1):
        places[f"measure {number}"] = Counter(_key(t) for t in measure.get("targets", []))
    return places


def _share(equal: int, total: int) -> str:
    return f"{equal}/{total} ({100 * equal / total:.1f}%)"


def test_the_draft_of_the_2024_notice_matches_the_hand_kept_plan() -> None:
    draft = _draft()
    hand_items = HAND["items"]
    by_id = {item.number: item for item in draft.items}
    assert sorted(by_id) == [int(item["id"]) for item in hand_items]

    figures: dict[str, tuple[int, int]] = {}

    def count(name: str, equal: bool) -> None:
        done, total = figures.get(name, (0, 0))
        figures[name] = (done + equal, total + 1)

    found = numeric = invented = milestones_found = milestones = 0
    missed: list[str] = []
    extra: list[str] = []
    for hand in hand_items:
        ours = by_id[int(hand["id"])]
        count("titles", ours.title == hand["title"])
        count("attachment titles", ours.attachment_title == hand.get("attachment_title"))
        count("units", ours.units == hand.get("units", []))
        count("no-task flags", ours.no_task == (hand.get("no_task") == "true"))
        count("item categories", ours.category == int(hand["category"]))
        hand_measures = [m["text"] for m in hand.get("measures", [])]
        count("measure lists", [m.text for m in ours.measures] == hand_measures)
        for position, text in enumerate(hand_measures):
            mine = ours.measures[position].text if position < len(ours.measures) else None
            count("measure texts", mine == text)
        theirs = _places(hand)
        mine_places = {"item": Counter(_key(t) for t in ours.targets)}
        for number, measure in enumerate(ours.measures, start=1):
            mine_places[f"measure {number}"] = Counter(_key(t) for t in measure.targets)
        for place, wanted in theirs.items():
            got = mine_places.get(place, Counter())
            for key, times in wanted.items():
                hits = min(times, got[key])
                if key[0] == "milestone":
                    milestones += times
                    milestones_found += hits
                    continue
                numeric += times
                found += hits
                if hits < times:
                    missed.append(f"{hand['id']} {place}: {key}")
        for place, got in mine_places.items():
            wanted = theirs.get(place, Counter())
            for key, times in got.items():
                if key[0] != "milestone" and times > wanted[key]:
                    invented += times - wanted[key]
                    extra.append(f"{hand['id']} {place}: {key}")
    hand_categories = [(int(c["id"]), c["name"], int(c["count"])) for c in HAND["categories"]]
    ours_categories = [(c.no, c.name, c.count) for c in draft.categories]
    count("categories and counts", ours_categories == hand_categories)
    hand_units = [(u["name"], u.get("aliases", [])) for u in HAND["units"]]
    count("unit registry", [(u.name, u.aliases) for u in draft.units] == hand_units)
    count("unit ids", [u.id for u in draft.units] == [u["id"] for u in HAND["units"]])

    print("\ndraft of the 2024 notice against data/tasks_2024.yaml")
    for name, (equal, total) in figures.items():
        print(f"  {name:24} {_share(equal, total)}")
    print(f"  {'targets found':24} {_share(found, numeric)} (value, unit, comparator, kind)")
    print(f"  {'milestones found':24} {_share(milestones_found, milestones)}")
    print(f"  {'targets not hand-kept':24} {invented}")
    for line in missed:
        print(f"    missed  {line}")
    for line in extra:
        print(f"    extra   {line}")

    for name, (equal, total) in figures.items():
        assert equal == total, name
    assert found / numeric >= 0.9
    assert invented == 0, extra


def test_every_guessed_figure_is_written_in_its_text() -> None:
    """None invented: each guessed value and unit stands in the text it was read from."""
    for item in _draft().items:
        places = [(item.title, item.targets)] + [(m.text, m.targets) for m in item.measures]
        for text, targets in places:
            for target in targets:
                if target.value is not None:
                    assert f"{target.value}{target.unit}" in text, (item.number, target)
                    assert target.source in text


def test_the_draft_loads_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "tasks_2024.yaml"
    path.write_text(to_yaml(_draft()), encoding="utf-8")
    loaded, issues = load_plan(path)
    assert issues == []
    assert loaded is not None
    plan = loaded.plan
    assert len(plan.items) == 50
    assert sum(item.no_task for item in plan.items) == 17
    assert plan.items[42].targets[0].baseline == Decimal("99.90")
    assert plan.items[0].targets[0].value == Decimal("0.57")


def test_every_guess_is_marked_for_checking() -> None:
    text = to_yaml(_draft())
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s*- {id: t\d+,", line):
            assert lines[number - 1].lstrip().startswith("# 待核对:"), line
