"""The fast parse path (rapidyaml) against the reference loader: the same entries, or None.

Differential: every file — the hand-written fixtures, generated ones, broken ones and
random ones — gives through the fast path either exactly the reference's entries (values,
lines, key positions) or None, in which case the reference reads it. A file the fast path
takes is always one the reference reads without a single problem.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TESTS, cli_env, load_generator, run_cli
from minsheng.core.cache import Parsed
from minsheng.core.datadir import DataDir
from minsheng.core.yamlio import decode
from minsheng.plan.load import load_plan
from minsheng.progress import fastparse
from minsheng.progress.checks import read_progress
from minsheng.progress.entry import Entry
from minsheng.progress.files import parse_file

needs_ryml = pytest.mark.skipif(
    importlib.util.find_spec("ryml") is None, reason="rapidyaml is not installed"
)

HEADER = (
    "# 区人社局 2024-06 进度记录,由 minsheng progress add 追加写入。\n"
    "# 每条记录以 --- 开始、以 ... 结束。已有记录不要改动;更正请新增一条记录,\n"
    "# 并用 corrects 写明被更正记录的 id。\n"
)
RECORD = (
    "---\nid: 1a2b3c4d5e\nitem: 1\ntarget: jobs\ndate: 2024-06-30\nvalue: 0.3\n"
    "unit: 区人社局\nnote: 上半年新增就业3000人\nsource: 测人社〔2024〕8号\n"
    "recorded_at: 2024-07-02T09:13:05+08:00\n...\n"
)

KEY_LINES = RECORD.splitlines()[1:-1]


def as_values(record: tuple[Any, ...]) -> tuple[Any, ...]:
    """A record's values as an entry holds them, with its keys' positions as a dict."""
    (entry_id, item, target, date, value, stage, percent, unit, note, source, corrects,
     reporter, phone, recorded_at, number, line, marks, received) = record  # fmt: skip
    if marks and isinstance(marks[0], str):  # the keys in order, one a line after `---`
        positions = {key: (line + 1 + index, 1) for index, key in enumerate(marks)}
    else:
        positions = {key: (row, column) for key, row, column in marks}
    return (
        entry_id, item, target, dt.date.fromisoformat(date),
        None if value is None else Decimal(value), stage,
        None if percent is None else Decimal(percent), unit, note, source, corrects, reporter,
        phone, dt.datetime.fromisoformat(recorded_at), number, line, positions,
        None if received is None else dt.date.fromisoformat(received),
    )  # fmt: skip


def reference(raw: bytes) -> Parsed:
    return parse_file(raw, "f.yaml", fast=False)


def agree(raw: bytes) -> bool:
    """Assert the two paths agree on `raw`; whether the fast path took the file."""
    text, _ = decode(raw, "f.yaml")
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    taken = None if text is None else fastparse.parse(body, text)
    slow = reference(raw)
    if taken is None:
        assert parse_file(raw, "f.yaml", fast=True) == slow
        return False
    assert slow.issues == () and slow.whole, "the fast path took a file with problems"
    assert slow.size == len(taken)
    assert [as_values(r) for r in taken] == [as_values(r) for r in slow.records]
    for ours, theirs in zip(taken, slow.records, strict=True):  # equal, and written alike
        assert [str(v) for v in as_values(ours)[:11]] == [str(v) for v in as_values(theirs)[:11]]
    return True


def read_both(data: Path, monkeypatch: pytest.MonkeyPatch) -> list[Entry]:
    """read_progress on a data folder, fast and not: the same entries and the same issues."""
    plan, problems = load_plan(data / "tasks_2024.yaml")
    assert plan is not None, problems
    today = dt.date(2024, 6, 28)
    monkeypatch.delenv(fastparse.ENV_OFF, raising=False)
    entries, issues = read_progress(DataDir(data), plan, today=today)
    monkeypatch.setenv(fastparse.ENV_OFF, "1")
    slow_entries, slow_issues = read_progress(DataDir(data), plan, today=today)
    assert entries == slow_entries
    assert [str(issue) for issue in issues] == [str(issue) for issue in slow_issues]
    return entries


# --- files the tool writes: the fast path takes them all --------------------------------


@needs_ryml
@pytest.mark.parametrize(
    "path",
    sorted((TESTS / "data" / "progress").rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(TESTS / "data" / "progress")),
)
def test_fixtures_agree(path: Path) -> None:
    taken = agree(path.read_bytes())
    if "valid" in path.parts:
        assert taken, "a file in the store's own format went the slow way"


@needs_ryml
def test_generated_files_agree_and_all_go_fast(tmp_path: Path) -> None:
    generate = load_generator()
    generate.generate(600, tmp_path, seed=7)
    paths = sorted((tmp_path / "progress").rglob("*.yaml"))
    assert paths
    assert all(agree(path.read_bytes()) for path in paths)


DECLINES = """
import sys
from minsheng.progress import fastparse
raw = open(sys.argv[1], "rb").read()
print(fastparse.parse(raw, raw.decode("utf-8")) is None)
"""


@needs_ryml
def test_a_comment_after_the_last_record_is_declined_at_once(tmp_path: Path) -> None:
    """A comment typed after the last record is the reference loader's to read. The fast
    path's check once tried every way of reading each line before giving up, six times
    longer for each record more: a file of forty records never finished. It runs apart
    here, so that a relapse fails instead of hanging."""
    load_generator().generate(300, tmp_path / "made", seed=11)
    raw = max((tmp_path / "made" / "progress").rglob("*.yaml"), key=lambda p: p.stat().st_size)
    head, _, body = raw.read_bytes().partition(b"\n---\n")
    records = (b"---\n" + body) * (40 // body.count(b"\n...\n") + 1)
    commented = tmp_path / "commented.yaml"
    commented.write_bytes(head + b"\n" + records + "# 补记:见纸质台账\n".encode())
    done = subprocess.run(
        [sys.executable, "-c", DECLINES, str(commented)],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "True", done.stderr
    assert not agree(commented.read_bytes())  # and the reference reads it, as it would


@needs_ryml
@pytest.mark.parametrize("case", ["valid", "invalid"])
def test_reading_a_folder_is_the_same_either_way(
    case: str, small_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TESTS / "data" / "progress" / case, small_data / "progress", dirs_exist_ok=True)
    assert read_both(small_data, monkeypatch)


@needs_ryml
def test_reading_generated_data_is_the_same_either_way(
    real_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_generator().generate(400, real_data, seed=11)
    assert len(read_both(real_data, monkeypatch)) == 400


# --- broken and unusual files: the fast path steps aside ---------------------------------


def record(**changes: str | None) -> str:
    """RECORD with some keys changed, added or (given None) dropped, in the store's order."""
    values: dict[str, str | None] = dict(line.split(": ", 1) for line in KEY_LINES)
    values.update(changes)
    order = [*fastparse.KEYS, *(key for key in values if key not in fastparse.KEYS)]
    lines = [f"{key}: {values[key]}" for key in order if values.get(key) is not None]
    return "---\n" + "\n".join(lines) + "\n...\n"


BROKEN = {
    "torn last record": HEADER + RECORD + RECORD.replace("1a2b3c4d5e", "2b3c4d5e6f")[:-4],
    "no closing dots": HEADER + RECORD.replace("...\n", ""),
    "duplicate key": HEADER + RECORD.replace("item: 1\n", "item: 1\nitem: 2\n"),
    "tab indent": HEADER + RECORD.replace("item: 1", "item:\t1"),
    "tab in note": HEADER + record(note="上半年\t新增"),
    "alias": HEADER + record(note="&a 上半年") + record(id="2b3c4d5e6f", note="*a"),
    "tag": HEADER + record(note="!!str 上半年"),
    "python tag": HEADER + record(note="!!python/object:os.system x"),
    "bad value": HEADER + record(value="三千"),
    "negative value": HEADER + record(value="-1"),
    "nan value": HEADER + record(value=".nan"),
    "exponent value": HEADER + record(value="3e5"),
    "leading dot": HEADER + record(value=".5"),
    "trailing dot": HEADER + record(value="5."),
    "plus sign": HEADER + record(value="+5"),
    "octal-looking": HEADER + record(value="007"),
    "underscore": HEADER + record(value="1_000"),
    "quoted number": HEADER + record(value='"0.3"'),
    "impossible date": HEADER + record(date="2024-02-30"),
    "date with time": HEADER + record(date="2024-06-30T00:00:00"),
    "naive timestamp": HEADER + record(recorded_at="2024-07-02T09:13:05"),
    "unknown key": HEADER + record(valu="0.3"),
    "missing unit": HEADER + record(unit=None),
    "null unit": HEADER + record(unit="~"),
    "true note": HEADER + record(note="True"),
    "null note": HEADER + record(note="null"),
    "empty note": HEADER + record(note=""),
    "bad stage": HEADER + record(value=None, stage="进行中"),
    "percent over": HEADER + record(value=None, stage="推进中", percent="101"),
    "bad id": HEADER + record(id="ABC"),
    "digit id": HEADER + record(id="1234567890"),
    "bad corrects": HEADER + record(corrects="no"),
    "flow mapping": HEADER + record(note="{a: 1}"),
    "flow sequence": HEADER + record(note="[1, 2]"),
    "colon in note": HEADER + record(note="原因: 天气"),
    "trailing colon": HEADER + record(note="原因:"),
    "comment after value": HEADER + record(note="上半年 # 注释"),
    "at sign": HEADER + record(note="@区人社局"),
    "backtick": HEADER + record(note="`x`"),
    "percent sign": HEADER + record(note="%x"),
    "control char": HEADER + record(note="上半年\x07"),
    "escaped control": HEADER + record(note='"上半年\\a"'),
    "escaped unicode": HEADER + record(note='"\\u202e反转"'),
    "bidi override": HEADER + record(note="上半年\u202e反转"),
    "line separator": HEADER + record(note="上半年\u2028下半年"),
    "nel": HEADER + record(note="上半年\x85下半年"),
    "bom inside": HEADER + record(note="上\ufeff半年"),
    "multi-line quoted": HEADER + record(note='"上半年\n  下半年"'),
    "multi-line plain": HEADER + record(note="上半年\n  下半年"),
    "literal block": HEADER + record(note="|\n  上半年"),
    "indented record": HEADER + "---\n" + "".join(f"  {line}\n" for line in KEY_LINES) + "...\n",
    "content after dashes": HEADER + RECORD.replace("---\n", "--- # x\n"),
    "comment inside record": HEADER + RECORD.replace("item: 1\n", "item: 1\n# 注释\n"),
    "blank line inside": HEADER + RECORD.replace("item: 1\n", "item: 1\n\n"),
    "comment between records": HEADER + RECORD + "# 注释\n" + RECORD.replace("1a2b", "9a2b"),
    "no trailing newline": HEADER + RECORD[:-1],
    "crlf": (HEADER + RECORD).replace("\n", "\r\n"),
    "directive": "%YAML 1.2\n" + RECORD,
    "empty record": HEADER + "---\n...\n",
    "scalar record": HEADER + "---\n上半年\n...\n",
    "only comments": HEADER,
    "empty file": "",
    "key with space": HEADER + RECORD.replace("item: 1", "item : 1"),
    "anchored document": HEADER + RECORD.replace("---\n", "--- &doc\n"),
}
FINE = {
    "the store's own record": HEADER + RECORD,
    "no header": RECORD,
    "blank header line": "# a\n\n" + RECORD,
    "two records": HEADER + RECORD + RECORD.replace("1a2b3c4d5e", "2b3c4d5e6f"),
    "milestone": HEADER + record(value=None, stage="推进中", percent="40"),
    "quoted note": HEADER + record(note='"=HYPERLINK(\\"x\\") | 培训 *1200* 人次"'),
    "quoted with escapes": HEADER + record(note='"第一行\\n第二行\\t\\\\"'),
    "single-quoted note": HEADER + record(note="'it''s 上半年'"),
    "exponent-like id": HEADER + record(id="23470904e0"),
    "digits-first note": HEADER + record(note="3月底完成"),
    "colon without space": HEADER + record(note="时间12:30完成"),
    "hash without space": HEADER + record(note="第#3号"),
    "ideographic space": HEADER + record(note="上半年\u3000完成"),
    "no-break space": HEADER + record(note="上半年\xa0完成"),
    "keys in another order": HEADER + "---\n" + "\n".join(reversed(KEY_LINES)) + "\n...\n",
    "integer value": HEADER + record(value="3000"),
    "trailing zeros": HEADER + record(value="0.30"),
    "correction": HEADER + RECORD + record(id="2b3c4d5e6f", corrects="1a2b3c4d5e"),
    "url source": HEADER + record(source="https://example.com/a?b=1#c"),
    "received": HEADER + record(received="2024-07-01"),
    "bom": "\ufeff" + HEADER + RECORD,
}


@needs_ryml
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_agree(name: str) -> None:
    raw = BROKEN[name].encode("utf-8")
    assert not agree(raw), "the fast path should leave this file to the reference"


@needs_ryml
@pytest.mark.parametrize("name", sorted(FINE))
def test_fine_files_agree_and_go_fast(name: str) -> None:
    assert agree(FINE[name].encode("utf-8")), "this file is clean; the fast path should take it"


def test_not_utf8_is_left_to_the_reference() -> None:
    raw = (HEADER + RECORD).encode("gbk")
    assert not agree(raw)
    assert reference(raw).issues[0][2] == "encoding"


# --- random files: whatever the fast path takes, it reads as the reference does ----------

# Characters that matter to one YAML parser or the other, and ordinary Chinese text.
TRICKY = ":#-?,[]{}&*!|>'\"%@` .+eE0123456789_~\\/\t\u3000\xa0\u2028\x85\u202e\ufeff上半年完成"
ORDINARY = "上半年新增就业完成区人社局培训人次abcXYZ0123456789,。、()"
texts = st.one_of(
    st.text(alphabet=TRICKY, max_size=12),
    st.text(alphabet=ORDINARY + ORDINARY + TRICKY, max_size=24),
)
plain_or_quoted = st.one_of(
    texts,
    texts.map(lambda t: json.dumps(t, ensure_ascii=False)),
    texts.map(lambda t: "'" + t.replace("'", "''") + "'"),
)
numbers = st.one_of(
    st.sampled_from(["0", "1", "10", "0.3", "0.30", "1.5e3", ".5", "5.", "007", "-1", "+1", "1_0"]),
    st.decimals(min_value=0, max_value=150, places=2).map(str),
)
ids = st.one_of(
    st.text(alphabet="0123456789abcdef", min_size=10, max_size=10),
    st.text(alphabet="0123456789e", min_size=10, max_size=10),
)
# Mostly valid, so that many files get through and their text is compared value by value.
fields = st.fixed_dictionaries(
    {
        "id": ids,
        "item": st.sampled_from(["1", "1", "1", "3", "0", "1.0", '"1"']),
        "target": st.sampled_from(["jobs", "jobs", "jobs", "Jobs", "a-b"]),
        "date": st.sampled_from(["2024-06-30"] * 4 + ["2024-02-30", "2024-6-30", '"2024-06-30"']),
        "unit": st.one_of(st.just("区人社局"), plain_or_quoted),
        "recorded_at": st.sampled_from(
            ["2024-07-02T09:13:05+08:00"] * 3
            + ["2024-07-02 09:13:05+08:00", "2024-07-02T09:13:05", "'2024-07-02T09:13:05Z'"]
        ),
    },
    optional={
        "value": numbers,
        "stage": st.sampled_from(["推进中", "已完成", "未启动", "进行中"]),
        "percent": numbers,
        "note": plain_or_quoted,
        "source": plain_or_quoted,
        "corrects": ids,
        "received": st.sampled_from(["2024-07-01", "2024-02-30", "2024-7-1", '"2024-07-01"']),
    },
)


@needs_ryml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(fields, min_size=1, max_size=3), header=st.booleans())
def test_random_files_agree(records: list[dict[str, str]], header: bool) -> None:
    text = HEADER if header else ""
    for fields_ in records:
        text += "---\n" + "".join(f"{k}: {v}\n" for k, v in fields_.items()) + "...\n"
    agree(text.encode("utf-8"))


@needs_ryml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=plain_or_quoted, note=plain_or_quoted, source=plain_or_quoted, value=numbers)
def test_random_text_agrees(unit: str, note: str, source: str, value: str) -> None:
    """A valid record but for its text and number: most of these go the fast way."""
    agree((HEADER + record(unit=unit, note=note, source=source, value=value)).encode("utf-8"))


# --- without rapidyaml ---------------------------------------------------------------------


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fastparse.ENV_OFF, "1")
    assert not fastparse.enabled()


def test_absent_rapidyaml_means_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fastparse.ENV_OFF, raising=False)
    monkeypatch.setitem(sys.modules, "ryml", None)  # `import ryml` now raises ImportError
    assert not fastparse.enabled()
    raw = (HEADER + RECORD).encode("utf-8")
    assert fastparse.parse(raw, raw.decode("utf-8")) is None


@pytest.mark.slow  # real processes with and without the parser
def test_the_tool_works_without_rapidyaml(small_data: Path, tmp_path: Path) -> None:
    """A folder whose `ryml` fails to import stands for an installation without the extra."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "ryml.py").write_text('raise ImportError("rapidyaml is not installed")\n')
    shutil.copytree(
        TESTS / "data" / "progress" / "valid", small_data / "progress", dirs_exist_ok=True
    )
    without = os.pathsep.join([str(shim), str(ROOT / "src")])
    for command in (["validate"], ["report", "--format", "json", "--as-of", "2024-12-31"]):
        args = [*command, "--data-dir", str(small_data), "--no-cache"]
        plain = run_cli(*args, PYTHONPATH=without)
        fast = run_cli(*args)
        assert plain.code == fast.code == 0, plain.stderr
        assert plain.stdout == fast.stdout
        probe = [
            sys.executable,
            "-c",
            "import minsheng.progress.fastparse as f; print(f.enabled())",
        ]
        env = cli_env(PYTHONPATH=without)
        assert subprocess.run(probe, env=env, capture_output=True, text=True).stdout == "False\n"


def test_the_command_line_words_the_same_problems_at_the_same_lines_either_way(
    small_data: Path, tmp_path: Path
) -> None:
    """validate over files with problems: with rapidyaml, switched off, and not installed."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "ryml.py").write_text('raise ImportError("rapidyaml is not installed")\n')
    shutil.copytree(
        TESTS / "data" / "progress" / "invalid", small_data / "progress", dirs_exist_ok=True
    )
    args = ["validate", "--format", "json", "--data-dir", str(small_data), "--no-cache"]
    fast = run_cli(*args)
    off = run_cli(*args, MINSHENG_NO_FAST_PARSE="1")
    absent = run_cli(*args, PYTHONPATH=os.pathsep.join([str(shim), str(ROOT / "src")]))
    assert fast.code == off.code == absent.code == 1, fast.stderr
    assert fast.stdout == off.stdout == absent.stdout
    found = json.loads(fast.stdout)["issues"]
    assert len({issue["line"] for issue in found}) > 3  # problems at many lines, not one


def test_a_timestamp_python_would_stretch_reads_the_same_both_ways_and_is_refused() -> None:
    # datetime.fromisoformat reads 2025-01-100000000000000002T… as 2025-01-10: not a timestamp
    from minsheng.progress import files as progress_files

    raw = (
        b"---\nid: 0000cf539e\nitem: 3\ntarget: power\ndate: 2024-04-21\nvalue: 15.53\n"
        b"unit: x\nrecorded_at: 2025-01-100000000000000002T09:13:05+08:00\n...\n"
    )
    fast = progress_files.parse_file(raw, "rsj.yaml", fast=True)
    assert fast == progress_files.parse_file(raw, "rsj.yaml", fast=False)
    assert [issue[2] for issue in fast.issues] == ["bad-date"]
