"""Format versions: an old plan is named as such, and `minsheng plan upgrade` brings it up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SMALL_PLAN, TESTS
from minsheng.plan.upgrade import UpgradeError, upgrade_text

OLD = TESTS / "data" / "invalid" / "old_format.yaml"


def test_the_old_fixture_differs_from_the_current_one_only_in_the_renamed_keys() -> None:
    old = OLD.read_text(encoding="utf-8").splitlines()
    new = SMALL_PLAN.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 3  # schema_version and the two categories


def test_upgrade_gives_the_current_file_byte_for_byte() -> None:
    upgraded = upgrade_text(OLD.read_text(encoding="utf-8"), "old.yaml")
    assert upgraded is not None
    assert upgraded.renamed == 2
    assert upgraded.text == SMALL_PLAN.read_text(encoding="utf-8")


def test_a_current_file_is_left_alone() -> None:
    assert upgrade_text(SMALL_PLAN.read_text(encoding="utf-8"), "plan.yaml") is None


@pytest.mark.parametrize(
    "category",
    ["- no: 1\n    name: 促进就业\n    count: 2", "- {name: 促进就业, no: 1, count: 2}"],
    ids=["block", "key-not-first"],
)
def test_upgrade_renames_the_key_wherever_it_stands(category: str) -> None:
    text = OLD.read_text(encoding="utf-8").replace("- {no: 1, name: 促进就业, count: 2}", category)
    upgraded = upgrade_text(text, "old.yaml")
    assert upgraded is not None
    assert "no:" not in upgraded.text.split("units:")[0]
    assert upgrade_text(upgraded.text, "old.yaml") is None


def test_a_key_the_rewrite_cannot_place_is_refused_not_guessed() -> None:
    text = OLD.read_text(encoding="utf-8").replace("{no: 1,", '{"no": 1,')
    with pytest.raises(UpgradeError, match="对不上"):
        upgrade_text(text, "old.yaml")


def test_validate_names_the_old_format_and_the_way_out(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(OLD, data / "tasks_2024.yaml")
    result = cli("validate", "--data-dir", str(data))
    assert result.code == 1
    assert result.stdout.count("old-format") == 1
    assert "tasks_2024.yaml:2:" in result.stdout
    assert "minsheng plan upgrade" in result.stdout


def test_the_command_rewrites_in_place_and_the_plan_then_validates(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    plan = data / "tasks_2024.yaml"
    shutil.copy(OLD, plan)
    plan.chmod(0o640)
    result = cli("plan", "upgrade", "--data-dir", str(data))
    assert result.code == 0, result.stderr
    assert "2 个类别" in result.stderr
    assert plan.read_bytes() == SMALL_PLAN.read_bytes()
    assert plan.stat().st_mode & 0o777 == 0o640
    assert cli("validate", "--data-dir", str(data)).code == 0
    again = cli("plan", "upgrade", str(plan))
    assert again.code == 0 and "已是当前格式" in again.stderr


def test_a_refused_upgrade_changes_nothing(cli, tmp_path: Path) -> None:
    plan = tmp_path / "tasks_2024.yaml"
    text = OLD.read_text(encoding="utf-8").replace("{no: 1,", '{"no": 1,')
    plan.write_text(text, encoding="utf-8")
    result = cli("plan", "upgrade", str(plan))
    assert result.code == 1
    assert "old-format" in result.stderr
    assert plan.read_text(encoding="utf-8") == text
