"""Encodings and look-alike characters in plan and progress files: UTF-8 with a BOM, CRLF
and CR line ends, full-width digits and punctuation, traditional characters mixed with
simplified ones, GBK and UTF-16. Each is read correctly or gets a located message; a refused
`progress add` leaves every byte as it was, and an accepted one only appends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from adversarial.harness import assert_clear_refusal, files_only, run_main, snapshot
from conftest import SMALL_PLAN
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress.checks import read_progress

ENTRIES = """# 区人社局 2024-06 进度记录
---
id: 1a2b3c4d5e
item: 1
target: jobs
date: 2024-06-15
value: 0.3
unit: 区人社局
note: 已完成培训,覆盖“重点群体”(含：退役军人)
recorded_at: 2024-06-16T09:00:00+08:00
...
---
id: 2b3c4d5e6f
item: 1
target: training
date: 2024-06-20
value: 900
unit: 区人社局
recorded_at: 2024-06-21T09:00:00+08:00
...
"""

READ_THE_SAME: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda text: text.encode("utf-8"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "cr": lambda text: text.replace("\n", "\r").encode("utf-8"),
    "no-final-newline": lambda text: text.rstrip("\n").encode("utf-8"),
}
REFUSED: dict[str, tuple[Callable[[str], bytes], str]] = {
    "gbk": (lambda text: text.encode("gbk"), "encoding"),
    "gb18030": (lambda text: text.encode("gb18030"), "encoding"),
    "utf-16": (lambda text: text.encode("utf-16"), "encoding"),
    "big5-mixed": (
        lambda text: text.replace("区人社局", "區人社局").encode("big5", "replace"),
        "encoding",
    ),
    "fullwidth-value": (
        lambda text: text.replace("value: 900", "value: ９００").encode(),
        "wrong-type",
    ),
    "fullwidth-date": (
        lambda text: text.replace("2024-06-20", "２０２４－０６－２０").encode(),
        "wrong-type",
    ),
    "fullwidth-colon": (
        lambda text: text.replace("value: 900", "value：900").encode(),
        "yaml-syntax",
    ),
    "traditional-unit": (
        lambda text: text.replace(
            "unit: 区人社局\nrecorded_at: 2024-06-21", "unit: 區人社局\nrecorded_at: 2024-06-21"
        ).encode(),
        "not-lead-unit",
    ),
    "mojibake": (
        lambda text: text.encode("utf-8").decode("gbk", "replace").encode("utf-8"),
        "not-lead-unit",
    ),
}
ADD = [
    "progress",
    "add",
    "1",
    "--target",
    "training",
    "--value",
    "1000",
    "--date",
    "2024-06-30",
    "--yes",
]


def read(data: Path) -> tuple[dict[str, tuple[dt.date, Decimal | None, str | None]], list[str]]:
    plan, problems = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, problems
    entries, issues = read_progress(DataDir(data), plan)
    found = {entry.id: (entry.date, entry.value, entry.note) for entry in entries}
    return found, [f"{issue.code}@{issue.line}" for issue in issues]


@pytest.fixture
def month(workspace: Path) -> Path:
    folder = workspace / "progress" / "2024-06"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("how", sorted(READ_THE_SAME))
def test_a_progress_file_in_any_utf8_layout_reads_the_same_and_takes_an_append(
    workspace: Path, month: Path, how: str
) -> None:
    (month / "rsj.yaml").write_text(ENTRIES, encoding="utf-8")
    expected, issues = read(workspace)
    assert issues == [] and len(expected) == 2
    raw = READ_THE_SAME[how](ENTRIES)
    (month / "rsj.yaml").write_bytes(raw)
    assert read(workspace) == (expected, [])
    done = run_main(ADD)
    assert done.code == 0, done.stderr
    after = (month / "rsj.yaml").read_bytes()
    assert after.startswith(raw)  # every earlier byte kept, the BOM too
    found, issues = read(workspace)
    assert issues == [] and len(found) == 3 and set(expected) < set(found)
    assert run_main(["validate"]).code == 0


@pytest.mark.parametrize("how", sorted(REFUSED))
def test_a_progress_file_not_in_utf8_or_with_look_alikes_gets_a_located_message(
    workspace: Path, month: Path, how: str
) -> None:
    encode, code = REFUSED[how]
    (month / "rsj.yaml").write_bytes(encode(ENTRIES))
    _, issues = read(workspace)
    assert issues and all(issue.startswith(code) for issue in issues[:1]), issues
    done = run_main(["validate"])
    assert done.code == 1 and f": {code}: " in done.text
    before = files_only(snapshot(workspace))
    added = run_main(ADD)
    if code in {"encoding", "yaml-syntax"}:  # the file cannot be read whole: never appended to
        assert_clear_refusal(added)
        assert files_only(snapshot(workspace)) == before
    else:  # a whole file with a wrong entry: the new entry is appended after it, byte-exact
        assert added.code == 0, added.stderr
        assert (month / "rsj.yaml").read_bytes().startswith(before["progress/2024-06/rsj.yaml"])
    report = run_main(["report", "--as-of", "2024-06-30"])
    assert_clear_refusal(report)  # a report is never built on data that does not validate


@pytest.mark.parametrize("how", ["bom", "crlf", "bom-crlf", "cr"])
def test_a_plan_in_any_utf8_layout_reads_the_same(tmp_path: Path, how: str) -> None:
    text = SMALL_PLAN.read_text(encoding="utf-8")
    plain, _ = load_plan(SMALL_PLAN)
    path = tmp_path / "tasks_2024.yaml"
    path.write_bytes(READ_THE_SAME[how](text))
    loaded, issues = load_plan(path)
    assert issues == [] and loaded is not None and plain is not None
    assert loaded.plan == plain.plan


@pytest.mark.parametrize(
    ("encoding", "code"), [("gbk", "encoding"), ("utf-16", "encoding"), ("gb18030", "encoding")]
)
def test_a_plan_not_in_utf8_gets_a_located_message(
    workspace: Path, encoding: str, code: str
) -> None:
    plan = workspace / "tasks_2024.yaml"
    plan.write_bytes(SMALL_PLAN.read_text(encoding="utf-8").encode(encoding))
    before = files_only(snapshot(workspace))
    for args in (["validate"], ["list"], ["report"], ADD):
        done = run_main(args)
        assert_clear_refusal(done)
        assert f": {code}: " in done.text + done.stderr and "UTF-8" in done.text + done.stderr
    assert files_only(snapshot(workspace)) == before


def test_traditional_characters_in_the_plan_name_the_unit_meant(tmp_path: Path) -> None:
    path = tmp_path / "tasks_2024.yaml"
    text = SMALL_PLAN.read_text(encoding="utf-8")
    path.write_text(text.replace("units: [区人社局]", "units: [區人社局]"), encoding="utf-8")
    loaded, issues = load_plan(path)
    assert loaded is None
    assert [issue.code for issue in issues] == ["unknown-unit"]
    assert "区人社局" in issues[0].message and issues[0].line == 22


@pytest.mark.parametrize(
    ("args", "stored"),
    [
        (["1", "--target", "training", "--value", "１２３", "--date", "2024-06-30"], 123),
        (["1", "--target", "training", "--value", "123", "--date", "２０２４－０６－３０"], 123),
        (["1", "--target", "training", "--value", "１２３人次", "--date", "2024-06-30"], 123),
    ],
)
def test_full_width_input_on_the_command_line_is_read_as_meant(
    workspace: Path, args: list[str], stored: int
) -> None:
    done = run_main(["progress", "add", *args, "--yes"])
    assert done.code == 0, done.stderr
    found, issues = read(workspace)
    assert issues == [] and [value for _, value, _ in found.values()] == [Decimal(stored)]


def test_a_full_width_item_number_is_read_or_gets_a_clear_usage_message(workspace: Path) -> None:
    before = files_only(snapshot(workspace))
    done = run_main(
        [
            "progress",
            "add",
            "１",
            "--target",
            "training",
            "--value",
            "1",
            "--date",
            "2024-06-30",
            "--yes",
        ]
    )
    if done.code == 0:
        assert [value for _, value, _ in read(workspace)[0].values()] == [Decimal(1)]
    else:
        assert_clear_refusal(done, 2)
        assert files_only(snapshot(workspace)) == before


def test_a_traditional_unit_name_on_the_command_line_is_refused_with_the_right_one(
    workspace: Path,
) -> None:
    before = files_only(snapshot(workspace))
    done = run_main([*ADD, "--unit", "區人社局"])
    assert_clear_refusal(done)
    assert "区人社局" in done.stderr
    assert files_only(snapshot(workspace)) == before


# --- round 3: non-characters, which no XML document can hold ------------------------------------

NONCHARACTER_PLACES = {
    "title": ("title: 测试区人民政府办公室", 'title: "测试区\\uFFFE人民政府办公室'),
    "number": ("number: 测政办〔2024〕1号", 'number: "测政办〔2024〕1号\\uFFFF"'),
    "category": ("name: 促进就业", 'name: "促进\\uFDD0就业"'),
    "target": ("name: 培训,", 'name: "培训\\U0001FFFE",'),
}


@pytest.mark.parametrize("place", sorted(NONCHARACTER_PLACES))
def test_a_non_character_in_the_plan_is_refused_at_its_line(workspace: Path, place: str) -> None:
    """Round 3: U+FFFE, U+FFFF (written as escapes) passed `validate`, then the workbook
    report and the template crashed on them (XML cannot hold them)."""
    old, new = NONCHARACTER_PLACES[place]
    plan = workspace / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    if place == "title":
        new += text.split(old, 1)[1].split("\n", 1)[0] + '"'
        old += text.split(old, 1)[1].split("\n", 1)[0]
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text.split(old, 1)[0].count("\n") + 1
    done = run_main(["validate"])
    assert done.code == 1
    assert f"data/tasks_2024.yaml:{line}:" in done.text and ": bad-char: " in done.text, done.text
    assert "非字符" in done.text
    for args in (["report", "--format", "xlsx", "--output", "r.xlsx"],
                 ["progress", "template", "--unit", "区人社局", "--output", "t.xlsx"]):  # fmt: skip
        refused = run_main(args)
        assert refused.code == 1 and "bad-char" in refused.stderr, refused.stderr
        assert "[internal]" not in refused.stderr


@pytest.mark.parametrize("fast", ["", "1"])
def test_a_non_character_in_a_hand_edited_note_is_refused_like_a_typed_one(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, fast: str
) -> None:
    if fast:
        monkeypatch.setenv("MINSHENG_NO_FAST_PARSE", "1")
    from conftest import write_records

    record = {"id": "a1b2c3d4e5", "date": "2024-06-30", "value": 10, "note": '"好\\uFFFE"'}
    write_records(workspace, "2024-06/rsj.yaml", record)
    done = run_main(["validate"])
    assert done.code == 1
    assert "data/progress/2024-06/rsj.yaml:" in done.text and "非字符" in done.text, done.text
    typed = run_main(["progress", "add", "1", "--target", "training", "--value", "10",
                      "--date", "2024-06-30", "--note", "好\ufffe", "--yes"])  # fmt: skip
    assert typed.code == 1 and "非字符" in typed.stderr, typed.stderr
