"""The plan loader and `minsheng validate`: every kind of bad input, located, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REAL_PLAN, SMALL_PLAN, TESTS, snapshot
from minsheng.core.cache import MARKER, Cache
from minsheng.core.issues import Code
from minsheng.core.yamlio import load_single
from minsheng.plan import load as plan_load
from minsheng.plan.load import load_plan
from minsheng.plan.models import Basis, Comparator, Kind

INVALID = TESTS / "data" / "invalid"
VALID = TESTS / "data" / "valid"

# Each invalid plan file and the (line, code) it must be reported with.
CASES = {
    "alias_bomb": (3, "yaml-alias"),
    "bad_basis": (11, "bad-value"),
    "bad_comparator": (24, "bad-value"),
    "bidi_override": (36, "bad-char"),
    "by_not_a_lead_unit": (43, "unknown-unit"),
    "category_count": (12, "category-count"),
    "control_char": (36, "bad-char"),
    "duplicate_item_id": (38, "duplicate-id"),
    "duplicate_key": (36, "duplicate-key"),
    "empty_file": (1, "empty-file"),
    "fullwidth_digits": (8, "wrong-type"),
    "gbk_encoded": (1, "encoding"),
    "impossible_date": (7, "bad-date"),
    "missing_field": (34, "missing-field"),
    "nan_value": (25, "bad-value"),
    "negative_value": (44, "bad-value"),
    "no_task_with_unit": (38, "no-task-unit"),
    "octal_like_int": (38, "wrong-type"),
    "old_format": (2, "old-format"),
    "percent_quantity": (43, "unit-kind-mismatch"),
    "python_tag": (6, "yaml-tag"),
    "reporting_bad_month": (14, "bad-value"),
    "reporting_due_day": (12, "bad-value"),
    "reporting_month_outside": (12, "bad-period"),
    "rollup_mismatch": (26, "rollup-mismatch"),
    "schedule_decreasing": (25, "bad-period"),
    "schedule_mid_month": (27, "bad-period"),
    "second_document": (49, "multiple-documents"),
    "syntax_error": (13, "yaml-syntax"),
    "tab_indent": (5, "tab-indent"),
    "top_level_list": (1, "not-a-mapping"),
    "unknown_field": (38, "unknown-field"),
    "unknown_unit": (22, "unknown-unit"),
    "wrong_type": (13, "wrong-type"),
    "yaml11_boolean": (37, "wrong-type"),
}


def test_every_invalid_file_has_an_expectation() -> None:
    assert sorted(p.stem for p in INVALID.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_plan_is_reported_at_its_line(case: str) -> None:
    path = INVALID / f"{case}.yaml"
    loaded, issues = load_plan(path, path.name)
    assert loaded is None
    assert CASES[case] in {(issue.line, str(issue.code)) for issue in issues}
    assert all(issue.file == path.name and issue.line >= 1 for issue in issues)


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_cli_exits_1_with_location_and_no_traceback(
    case: str, tmp_path: Path, cli
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(INVALID / f"{case}.yaml", folder / "tasks_2024.yaml")
    before = snapshot(tmp_path)
    result = cli("validate", "--data-dir", str(folder), "--format", "json")
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    line, code = CASES[case]
    assert report["valid"] is False
    assert {"line": line, "code": code} in [
        {"line": i["line"], "code": i["code"]} for i in report["issues"]
    ]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["plan_small", "plan_bom", "plan_crlf"])
def test_valid_variants_read_the_same(name: str) -> None:
    reference, _ = load_plan(SMALL_PLAN)
    loaded, issues = load_plan(VALID / f"{name}.yaml")
    assert issues == []
    assert loaded is not None and reference is not None
    assert loaded.plan == reference.plan


def test_values_keep_their_written_form() -> None:
    loaded, _ = load_plan(SMALL_PLAN)
    assert loaded is not None
    item = loaded.item(3)
    power = next(t for t in item.targets if t.id == "power")
    assert power.baseline == Decimal("99.90") and str(power.baseline) == "99.90"
    assert power.kind is Kind.LEVEL and power.comparator is Comparator.AT_LEAST
    jobs = loaded.item(1).targets[0]
    assert (jobs.value, jobs.unit) == (Decimal("0.57"), "万人")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: no", "no"),
        ("a: 012", "012"),
        ("a: 1:30", "1:30"),
        ("a: 2024-06-30", "2024-06-30"),
        ("a: '12'", "12"),
        ("a: 12", 12),
        ("a: 0.57", Decimal("0.57")),
        ("a: true", True),
        ("a: ~", None),
        ("a: 0x1A", "0x1A"),
        ("a: 1_000", "1_000"),
    ],
)
def test_plain_scalars_follow_yaml_1_2_not_1_1(text: str, expected: object) -> None:
    doc = load_single(text + "\n", "x.yaml")
    assert doc.issues == []
    assert doc.data == {"a": expected}
    assert type(doc.data["a"]) is type(expected)


def test_deep_nesting_is_refused_not_crashed() -> None:
    doc = load_single("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    assert [str(issue.code) for issue in doc.issues] == ["too-deep"]


def variant(tmp_path: Path, schedule: str, steps: str = "", period: str = "") -> Path:
    """The small plan with a `schedule:` line (and item 1's steps, another period)."""
    text = SMALL_PLAN.read_text(encoding="utf-8")
    text = text.replace("thresholds:", f"{schedule}\nthresholds:", 1)
    if steps:
        text = text.replace("    units: [区人社局]\n", f"    units: [区人社局]\n{steps}", 1)
    if period:
        text = text.replace("period: {start: 2024-01-01, end: 2024-12-31}", period, 1)
    path = tmp_path / "tasks_2024.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("schedule", "basis"),
    [
        ("schedule: {basis: month}", Basis.MONTH),
        ("schedule: {basis: day}", Basis.DAY),
        ("", Basis.DAY),
    ],
)
def test_the_basis_is_read_and_defaults_to_days(
    tmp_path: Path, schedule: str, basis: Basis
) -> None:
    loaded, issues = load_plan(variant(tmp_path, schedule), "tasks_2024.yaml")
    assert issues == []
    assert loaded is not None and loaded.plan.schedule.basis is basis


@pytest.mark.parametrize(
    ("schedule", "code", "words"),
    [
        ("schedule: {basis: week}", "bad-value", "只能是 month(按月)或 day(按天),实际是 'week'"),
        ("schedule: {basis: Month}", "bad-value", "实际是 'Month'"),  # codes are exact
        ("schedule: {basis: 按月}", "bad-value", "实际是 '按月'"),
        ("schedule: {basis: 12}", "bad-value", "实际是 12"),
        ("schedule: {basis: ~}", "bad-value", "实际是 None"),
        ("schedule: {basis: [month]}", "bad-value", "实际是 list"),
        ("schedule: {}", "missing-field", "缺少必填字段 basis"),
        ("schedule: month", "wrong-type", "应为映射"),
        ("schedule: {basis: month, start: 2024-01-01}", "unknown-field", "不认识的字段 start"),
    ],
)
def test_a_bad_basis_is_located_with_a_chinese_message(
    tmp_path: Path, schedule: str, code: str, words: str
) -> None:
    loaded, issues = load_plan(variant(tmp_path, schedule), "tasks_2024.yaml")
    assert loaded is None
    (issue,) = issues
    assert (issue.line, str(issue.code)) == (10, code)
    assert words in issue.message


def test_by_month_schedule_steps_fall_on_month_ends(tmp_path: Path) -> None:
    steps = (
        "    schedule:\n"
        "      - {date: 2024-05-31, expected: 0.1}\n"  # the end of the period's first month
        "      - {date: 2024-06-15, expected: 0.2}\n"
        "      - {date: 2024-12-20, expected: 0.9}\n"  # the period's end closes its last month
    )
    period = "period: {start: 2024-05-07, end: 2024-12-20}"
    loaded, issues = load_plan(variant(tmp_path, "schedule: {basis: month}", steps, period))
    assert loaded is None
    assert [(i.line, str(i.code), i.path) for i in issues] == [
        (26, "bad-period", "items[0].schedule[1].date")
    ]
    assert issues[0].message.startswith("2024-06-15 不是月末")
    # By days the same steps are fine: any date is a time of its own.
    loaded, issues = load_plan(variant(tmp_path, "schedule: {basis: day}", steps, period))
    assert issues == [] and loaded is not None


def test_shipped_plan_validates_with_empty_stdout(cli) -> None:
    result = cli("validate")
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "50 项" in result.stderr


def test_github_format_escapes_annotations(tmp_path: Path, cli) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(INVALID / "unknown_unit.yaml", folder / "tasks_2024.yaml")
    result = cli("validate", "--data-dir", str(folder), "--format", "github")
    assert result.code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=")
    assert ",line=22," in line and "title=unknown-unit::" in line


def test_newest_year_is_the_default_and_year_picks_one(tmp_path: Path, cli) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(SMALL_PLAN, folder / "tasks_2024.yaml")
    shutil.copy(INVALID / "unknown_unit.yaml", folder / "tasks_2025.yaml")
    assert cli("validate", "--data-dir", str(folder)).code == 1
    assert cli("validate", "--data-dir", str(folder), "--year", "2024").code == 0
    missing = cli("validate", "--data-dir", str(folder), "--year", "2023")
    assert missing.code == 2 and "2023" in missing.stderr


def test_data_dir_is_found_from_the_working_folder_upward(tmp_path: Path, cli) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(INVALID / "unknown_unit.yaml", tmp_path / "data" / "tasks_2024.yaml")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    result = cli("validate", cwd=nested)
    assert result.code == 1 and "unknown-unit" in result.stdout
    assert cli("validate", cwd=nested, MINSHENG_DATA_DIR=str(REAL_PLAN.parent)).code == 0


def test_the_shipped_plan_says_when_returns_are_due(real_data: Path) -> None:
    # The office's rules: May is the first month reported, each month due on the 5th after.
    loaded, issues = load_plan(real_data / "tasks_2024.yaml")
    assert loaded is not None, issues
    reporting = loaded.plan.reporting
    assert reporting is not None
    assert (reporting.first, reporting.due_day) == (dt.date(2024, 5, 1), 5)
    assert reporting.due(dt.date(2024, 5, 1)) == dt.date(2024, 6, 5)
    assert reporting.due(dt.date(2024, 12, 1)) == dt.date(2025, 1, 5)
    assert loaded.plan.thresholds.escalate_after == 2


# --- a valid plan's parse kept in the cache (load_plan with a cache) -------------------------


def kept_plans(cache: Cache) -> list[Path]:
    folder = cache.plans.folder
    return sorted(p for p in folder.iterdir() if p.name != MARKER) if folder.exists() else []


def test_a_valid_plan_is_kept_and_read_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    fresh, problems = load_plan(REAL_PLAN)
    assert fresh is not None and problems == []
    first, _ = load_plan(REAL_PLAN, cache=cache)
    assert len(kept_plans(cache)) == 1

    def refuse(*args: object, **options: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(plan_load, "read_model", refuse)
    again, problems = load_plan(REAL_PLAN, cache=cache)
    assert problems == [] and again is not None and first is not None
    for loaded in (first, again):
        assert loaded.plan == fresh.plan
        assert loaded.digest == fresh.digest
        assert (loaded.doc.data, loaded.doc.marks) == (fresh.doc.data, fresh.doc.marks)
        assert loaded.file == fresh.file


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_plan_with_a_problem_is_never_kept(tmp_path: Path, case: str) -> None:
    cache = Cache(tmp_path / "cache")
    path = INVALID / f"{case}.yaml"
    fresh = load_plan(path)
    assert fresh[0] is None
    for _ in range(2):
        assert load_plan(path, cache=cache) == fresh
    assert kept_plans(cache) == []


def test_a_kept_plan_with_a_problem_now_is_parsed_afresh(tmp_path: Path) -> None:
    """The same bytes under the name of another year: the parse kept is found, the file's year
    is wrong, and the problem is the fresh parse's, line and all."""
    cache = Cache(tmp_path / "cache")
    assert load_plan(REAL_PLAN, cache=cache)[0] is not None
    other = tmp_path / "tasks_2025.yaml"
    shutil.copy(REAL_PLAN, other)
    fresh = load_plan(other)
    assert fresh[0] is None and [issue.code for issue in fresh[1]] == [Code.YEAR]
    assert load_plan(other, cache=cache) == fresh


def test_a_kept_plan_of_another_shape_is_parsed_afresh(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    kept, _ = load_plan(REAL_PLAN, cache=cache)
    (entry,) = kept_plans(cache)
    for payload in (
        b"",
        marshal.dumps(("x", {}, 1, 1, False)),
        marshal.dumps(({"a": (1, 2)}, {}, 1, 1, False)),
    ):
        cache.plans.put(entry.name, payload)
        again, problems = load_plan(REAL_PLAN, cache=cache)
        assert problems == [] and again is not None and kept is not None
        assert again.plan == kept.plan and again.doc.marks == kept.doc.marks


def test_numbers_are_kept_exact(tmp_path: Path) -> None:
    """Decimals (0.57 万人, 99.90%) come back as the same Decimals, not floats."""
    cache = Cache(tmp_path / "cache")
    fresh, _ = load_plan(REAL_PLAN, cache=cache)
    again, _ = load_plan(REAL_PLAN, cache=cache)
    assert fresh is not None and again is not None
    values = [t.value for item in again.plan.items for t in item.all_targets()]
    assert Decimal("0.57") in values and all(not isinstance(v, float) for v in values)
    assert again.plan == fresh.plan
