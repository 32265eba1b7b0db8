"""The drafter over notices as they really arrive, in the styles of other places: each notice in
tests/fixtures/notices/ with a `<name>.expected.yaml` beside it, written by hand from the
notice. Every item is drafted with its title, units and no-task flag; every numeric target is
found and none invented; page furniture never lands in a field; the draft validates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from minsheng.plan.draft.build import draft_notice
from minsheng.plan.draft.model import Draft, DraftTarget
from minsheng.plan.draft.write import to_yaml
from minsheng.plan.load import load_plan

NOTICES = Path(__file__).resolve().parent / "fixtures" / "notices"
CASES = sorted(NOTICES.glob("*.expected.yaml"))


def _case(path: Path) -> tuple[Draft, dict[str, Any]]:
    notice = path.with_name(path.name.removesuffix(".expected.yaml") + ".txt")
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    return draft_notice(notice.read_bytes(), notice.name), expected


def _spec(target: DraftTarget) -> str:
    """A numeric target as the expectations write it: `62 万人 approx quantity`."""
    spec = f"{target.value} {target.unit} {target.comparator} {target.kind}"
    return spec + (f" from {target.baseline}" if target.baseline else "")


cases = pytest.mark.parametrize(
    "case", CASES, ids=[p.name.removesuffix(".expected.yaml") for p in CASES]
)


def test_the_corpus_holds_every_shape_the_drafter_must_read() -> None:
    styles = {yaml.safe_load(p.read_text(encoding="utf-8"))["numbering"] for p in CASES}
    assert styles == {"1)", "1.", "(1)", "一、", "(一)"}
    assert len(CASES) >= 5


@cases
def test_the_document_and_the_categories(case: Path) -> None:
    draft, expected = _case(case)
    doc = draft.document
    assert (doc.title, doc.number, doc.issuer, doc.date) == tuple(
        expected["document"][key] for key in ("title", "number", "issuer", "date")
    )
    assert draft.numbering == expected["numbering"]
    categories = [[c.name, c.count] for c in draft.categories]
    assert categories == (expected["categories"] or [["民生实事", len(expected["items"])]])


@cases
def test_every_item_is_drafted_with_its_title_units_and_no_task_flag(case: Path) -> None:
    draft, expected = _case(case)
    got = [
        (item.number, item.category, item.title, item.units, item.no_task) for item in draft.items
    ]
    wanted = [
        (
            item["id"],
            item.get("category", 1),
            item["title"],
            item.get("units", []),
            item.get("no_task", False),
        )
        for item in expected["items"]
    ]
    assert got == wanted


@cases
def test_every_numeric_target_is_found_and_none_invented(case: Path) -> None:
    """Compared place by place (the item, each of its measures): the same figures, units,
    comparators, kinds and baselines, no more and no fewer. Nothing is left unplaced."""
    draft, expected = _case(case)
    for item, wanted in zip(draft.items, expected["items"], strict=True):
        numeric = [_spec(t) for t in item.targets if t.kind != "milestone"]
        assert numeric == wanted.get("targets", []), item.number
        measures = [
            ([m.text for m in item.measures]),
            [[_spec(t) for t in m.targets] for m in item.measures],
        ]
        assert measures == [
            [m["text"] for m in wanted.get("measures", [])],
            [m.get("targets", []) for m in wanted.get("measures", [])],
        ], item.number
    assert draft.unclassified == []


@cases
def test_every_guessed_figure_is_written_in_its_text(case: Path) -> None:
    draft, _ = _case(case)
    for item in draft.items:
        places = [(item.title, item.targets)] + [(m.text, m.targets) for m in item.measures]
        for text, targets in places:
            for target in targets:
                assert target.source in text, (item.number, target)
                if target.value is not None:
                    assert f"{target.value}{target.unit}" in text, (item.number, target)


@cases
def test_page_furniture_never_lands_in_a_field(case: Path) -> None:
    draft, expected = _case(case)
    fields = [c.name for c in draft.categories] + [u.name for u in draft.units]
    for item in draft.items:
        fields += [item.title, *item.units, *(m.text for m in item.measures)]
        fields += [t.name for t in item.targets] + [t.source for t in item.targets]
    for furniture in expected.get("furniture", []):
        assert all(furniture not in text for text in fields), furniture
    removed = [text for _, text in draft.removed]
    assert all(
        any(furniture in text for text in removed) for furniture in expected.get("furniture", [])
    )


@cases
def test_each_draft_validates(case: Path, tmp_path: Path) -> None:
    draft, _ = _case(case)
    path = tmp_path / f"tasks_{draft.document.year}.yaml"
    path.write_text(to_yaml(draft), encoding="utf-8")
    loaded, issues = load_plan(path)
    assert issues == [] and loaded is not None
    assert [item.title for item in loaded.plan.items] == [item.title for item in draft.items]
