"""The checked ledger: the same report as over every entry, kept in the cache, never stale.

The differential tests compute the report from `Ledger.entries_at` and from every entry that
`progress.read_progress` returns, on generated data and on a hand-made case, and compare the
JSON. The others change what a kept ledger depends on (the files, the plan, the sources it
names, today) and check that the next open answers as a fresh one would.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import marshal
import os
import shutil
import time
import unittest.mock
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import REAL_PLAN, TESTS, load_generator, run_cli
from minsheng.core import cache as cache_module
from minsheng.core.cache import MAGIC, MARKER, Blobs, Cache
from minsheng.core.datadir import DataDir
from minsheng.core.issues import Code, Issue
from minsheng.plan.load import LoadedPlan, load_plan
from minsheng.progress import ledger as ledger_module
from minsheng.progress import store
from minsheng.progress.checks import read_progress
from minsheng.progress.entry import Entry, ProgressEntry, first_returns
from minsheng.progress.files import ProgressFile, read_files
from minsheng.progress.ledger import KEEP, Ledger, open_ledger
from minsheng.report.compute import compute
from minsheng.report.cycle import history_days
from minsheng.report.document import document
from minsheng.views.report_formats import Asked, render_json

FIXTURES = TESTS / "data" / "progress"
TODAY = dt.date(2025, 1, 1)  # after the plan period: no entry of 2024 is in the future
MONTH_ENDS = [dt.date(2024, month, calendar.monthrange(2024, month)[1]) for month in range(1, 13)]
# Every month end, the first and last day, the days either side of the period, and the days
# the hand-made entries below are dated (and the day before each).
DAYS = sorted(
    {
        *MONTH_ENDS,
        dt.date(2023, 12, 31),
        dt.date(2024, 1, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 6, 30),
        dt.date(2024, 3, 9),
        dt.date(2024, 3, 10),
        dt.date(2024, 4, 9),
        dt.date(2024, 4, 10),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 1),
        dt.date(2024, 6, 14),
        dt.date(2024, 6, 15),
        dt.date(2024, 6, 29),
        dt.date(2024, 6, 30),
        dt.date(2024, 12, 19),
        dt.date(2024, 12, 20),
    }
)
SINCES = [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 3, 10), dt.date(2024, 6, 15)]
RECORD = (  # one more for progress/2024-07/cgj.yaml of the fixtures
    "---\nid: 7a7a7a7a7a\nitem: 3\ntarget: rate\ndate: 2024-07-31\nvalue: 96.1\n"
    "unit: 区城管局\nrecorded_at: 2024-08-02T09:00:00+08:00\n...\n"
)


# --- helpers --------------------------------------------------------------------------------


def plan_of(recorded_data: Path) -> LoadedPlan:
    loaded, problems = load_plan(recorded_data / "tasks_2024.yaml")
    assert loaded is not None, problems
    return loaded


def opened(recorded_data: Path, cache: Cache | None, today: dt.date = TODAY) -> Ledger:
    return open_ledger(DataDir(recorded_data), plan_of(recorded_data), cache, today)


def view(ledger: Ledger) -> tuple[int, list[Issue], list[Entry], dict[Any, dt.datetime]]:
    """What a ledger answers: its count, its problems, what decides every day of DAYS, and
    when each unit first returned each item and month."""
    return ledger.count, ledger.issues, ledger.entries_at(*DAYS), ledger.first_returns()


def codes(ledger: Ledger) -> list[str]:
    return [str(issue.code) for issue in ledger.issues]


def rendered(
    loaded: LoadedPlan,
    entries: list[Entry],
    as_of: dt.date,
    since: dt.date | None,
    returns: dict[Any, dt.datetime] | None = None,
) -> str:
    plan, units_of = loaded.plan, loaded.canonical_units
    report = compute(plan, units_of, entries, as_of, since, returns=returns)
    return render_json(report, Asked())


def ledger_blobs(cache_folder: Path) -> list[Path]:
    folder = cache_folder / "ledger"
    if not folder.exists():
        return []
    return sorted(path for path in folder.iterdir() if path.name != MARKER)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The data folders a ledger with a cache read in full (not taken from the cache), one
    per read; the opens without a cache that tests compare with are not counted."""
    seen: list[Path] = []
    real = read_files

    def counting(
        folder: DataDir, cache: Cache | None = None, **options: Any
    ) -> tuple[list[ProgressFile], list[Issue]]:
        if cache is not None:
            seen.append(folder.root)
        return real(folder, cache, **options)

    monkeypatch.setattr(ledger_module, "read_files", counting)
    return seen


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache")


# --- the data of the differential tests -----------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plan and 3000 generated entries, with notes and corrections (read only)."""
    recorded_data = tmp_path_factory.mktemp("generated") / "data"
    load_generator().generate(3000, recorded_data, seed=2024)
    return recorded_data


def union(*fields: Any) -> ProgressEntry:
    """An entry of item 9 (困难职工帮扶救助), reported by 区工会."""
    names = ("id", "target", "date", "value", "recorded_at", "note", "corrects")
    given = dict(zip(names, fields, strict=False))
    return ProgressEntry(
        id=given["id"],
        item=9,
        target=given["target"],
        date=dt.date.fromisoformat(given["date"]),
        value=Decimal(given["value"]),
        unit="区工会",
        note=given.get("note"),
        corrects=given.get("corrects"),
        recorded_at=dt.datetime.fromisoformat(given["recorded_at"]),
    )


# Item 9's own target `aid` is the sum (sum_of) of its measure's living-aid, school-aid and
# medical-aid. Three entries of living-aid on 2024-03-10, the last two recorded at the same
# moment (file order decides); school-aid corrected on 2024-06-30, and that correction
# corrected again; a note of blanks only (not a note); own notes and measure notes, and
# targets whose latest entry has no note while an earlier one has (the note shown is the
# item's latest noted entry, not its targets' latest entries).
HANDMADE = {
    "2024-03": [
        union("liv0310a", "living-aid", "2024-03-10", "2", "2024-03-11T09:00:00+08:00", "三月初报"),
        union("liv0310b", "living-aid", "2024-03-10", "3", "2024-03-11T10:00:00+08:00"),
        union("liv0310c", "living-aid", "2024-03-10", "4", "2024-03-11T10:00:00+08:00", "同刻后写"),
        union("sch0310a", "school-aid", "2024-03-10", "1", "2024-03-11T10:00:00+08:00"),
    ],
    "2024-04": [
        union("liv0410a", "living-aid", "2024-04-10", "5", "2024-04-11T09:00:00+08:00"),
    ],
    "2024-05": [
        union("aid0501a", "aid", "2024-05-01", "6", "2024-05-02T09:00:00+08:00", "合计自报"),
    ],
    "2024-06": [
        union("aid0615a", "aid", "2024-06-15", "7", "2024-06-16T09:00:00+08:00"),
        union("liv0629a", "living-aid", "2024-06-29", "7", "2024-06-30T08:00:00+08:00", "六月"),
        union("sch0630a", "school-aid", "2024-06-30", "50", "2024-07-01T09:00:00+08:00"),
        union("sch0630b", "school-aid", "2024-06-30", "5", "2024-07-01T09:05:00+08:00",
              "更正:50应为5", "sch0630a"),
        union("sch0630c", "school-aid", "2024-06-30", "6", "2024-07-01T09:10:00+08:00",
              None, "sch0630b"),
        union("med0630a", "medical-aid", "2024-06-30", "2", "2024-07-01T09:20:00+08:00", "   "),
    ],
    "2024-12": [
        union("aid1220a", "aid", "2024-12-20", "20", "2024-12-21T09:00:00+08:00", "全年完成"),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recorded_data = tmp_path_factory.mktemp("handmade") / "data"
    (recorded_data / "progress").mkdir(parents=True)
    shutil.copy(REAL_PLAN, recorded_data / "tasks_2024.yaml")
    unit = plan_of(recorded_data).unit_named("区工会")
    assert unit is not None
    for month, entries in HANDMADE.items():
        (recorded_data / "progress" / month).mkdir()
        text = store.header_text(unit, month) + "".join(map(store.entry_text, entries))
        (recorded_data / "progress" / month / f"{unit.id}.yaml").write_text(text, encoding="utf-8")
    return recorded_data


# --- 1. the same report as over every entry -------------------------------------------------


# The generated case (thousands of entries at 30 dates) runs with the slow ones.
@pytest.mark.parametrize("case", [pytest.param("generated", marks=pytest.mark.slow), "handmade"])
def test_the_ledger_reports_as_every_entry_does(
    case: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    recorded_data: Path = request.getfixturevalue(case)
    loaded = plan_of(recorded_data)
    every, issues = read_progress(DataDir(recorded_data), loaded, today=TODAY)
    assert issues == []
    if case == "generated":  # the generator's promises, which make this test worth having
        assert len(every) == 3000
        assert any(entry.corrects for entry in every)
        assert sum(1 for entry in every if entry.note) > 1000
    ledger = opened(recorded_data, Cache(tmp_path / "cache"))
    assert (ledger.count, ledger.issues) == (len(every), [])
    returns = ledger.first_returns()
    assert returns == first_returns(every)
    compared = 0
    for index, day in enumerate(DAYS):
        for since in [None, SINCES[index % len(SINCES)], day]:
            # What `report` asks for: the as-of date, each month end of its history, --since.
            days = [day, *history_days(loaded.plan, day)] + ([since] if since else [])
            chosen = ledger.entries_at(*days)
            assert set(chosen) <= set(every)
            assert rendered(loaded, chosen, day, since, returns) == rendered(
                loaded, every, day, since
            ), (day, since)
            compared += 1
    assert compared == 3 * len(DAYS)


def item_nine(recorded_data: Path, day: dt.date) -> dict[str, Any]:
    loaded = plan_of(recorded_data)
    ledger = opened(recorded_data, None)
    report = compute(loaded.plan, loaded.canonical_units, ledger.entries_at(day), day)
    found: dict[str, Any] = document(report)["items"][8]
    assert found["id"] == 9
    return found


def test_the_handmade_case_is_decided_by_the_entries_meant(handmade: Path) -> None:
    # Worked out by hand from HANDMADE, so that the case exercises what it says it does.
    march = item_nine(handmade, dt.date(2024, 3, 10))
    targets = {target["id"]: target for target in march["targets"]}
    assert targets["living-aid"]["actual"] == 4  # the later of two recorded at one moment
    assert targets["aid"]["actual"] == 5 and targets["aid"]["actual_from"] == "parts"  # 4 + 1
    assert march["note"]["text"] == "同刻后写"  # no own note yet: the measure's latest
    april = item_nine(handmade, dt.date(2024, 4, 30))
    targets = {target["id"]: target for target in april["targets"]}
    assert targets["living-aid"]["actual"] == 5
    assert april["note"]["text"] == "同刻后写"  # 2024-04-10's entry has no note
    june = item_nine(handmade, dt.date(2024, 6, 30))
    targets = {target["id"]: target for target in june["targets"]}
    assert targets["school-aid"]["actual"] == 6  # the correction of the correction
    assert targets["aid"]["actual"] == 15  # parts dated after its own 7 of 2024-06-15: 7+6+2
    assert june["note"]["text"] == "合计自报"  # the own target's (2024-06-15 has none) first
    year = item_nine(handmade, dt.date(2024, 12, 31))
    aid = next(target for target in year["targets"] if target["id"] == "aid")
    assert (aid["actual"], aid["actual_from"]) == (20, "entry")
    before = item_nine(handmade, dt.date(2024, 3, 9))
    assert before["status"] == "unreported" and before["note"] is None


@pytest.mark.parametrize(
    "when",
    [["--as-of", "2024-09-30"], ["--as-of", "2024-12-31", "--since", "2024-06-30"]],
    ids=["as-of", "since"],
)
def test_warm_and_cold_reports_are_the_same_bytes(
    generated: Path, tmp_path: Path, when: list[str]
) -> None:
    folder = tmp_path / "cache"
    args = ["report", "--format", "json", *when, "--data-dir", str(generated)]
    made = {"SOURCE_DATE_EPOCH": "1767225600"}  # the JSON says when it was made: the same time
    cold = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=str(folder), **made)
    assert cold.code == 0, cold.stderr
    assert not folder.exists()
    filling = run_cli(*args, MINSHENG_CACHE_DIR=str(folder), **made)
    assert len(ledger_blobs(folder)) == 1
    warm = run_cli(*args, MINSHENG_CACHE_DIR=str(folder), **made)
    assert filling.code == warm.code == 0, filling.stderr
    assert cold.stdout == filling.stdout == warm.stdout
    assert len(json.loads(warm.stdout)["items"]) == 50


def test_list_by_status_is_the_same_warm_and_cold(generated: Path, tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    args = ["list", "--status", "done", "--format", "json", "--data-dir", str(generated)]
    cold = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=folder)
    assert not Path(folder).exists()
    filling = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    warm = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    assert cold.code == filling.code == warm.code == 0, cold.stderr
    assert cold.stdout == filling.stdout == warm.stdout
    assert json.loads(warm.stdout)  # some items are done by the end of the year


# --- 2. the kept ledger is used ---------------------------------------------------------------


def test_a_kept_ledger_is_used_without_reading_the_files(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    first = opened(generated, cache)
    assert len(ledger_blobs(tmp_path / "cache")) == 1
    assert view(first) == view(opened(generated, None))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the files were read again")

    monkeypatch.setattr(ledger_module, "read_files", refuse)
    second = opened(generated, cache)
    assert view(second) == view(first)


# --- 3. what the ledger is kept by ------------------------------------------------------------


Seen = Callable[[Ledger], bool]  # whether an open after the change sees it


def append_with_the_store(recorded_data: Path) -> Seen:
    entry = ProgressEntry(
        id=store.new_id(),
        item=3,
        target="rate",
        date=dt.date(2024, 7, 31),
        value=Decimal("96.5"),
        unit="区城管局",
        recorded_at=store.now(),
    )
    # The store stamps the entry as it writes it: on a day before TODAY, as it would have
    # then (a stamp after the day the ledger is opened on is a problem, bad-recorded-at).
    then = dt.datetime(2024, 8, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with unittest.mock.patch.object(store, "now", lambda: then):
        store.append(DataDir(recorded_data), plan_of(recorded_data), entry, today=TODAY)
    return lambda ledger: entry.id in ids(ledger)


def append_bytes(recorded_data: Path) -> Seen:
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + RECORD, encoding="utf-8")
    return lambda ledger: "7a7a7a7a7a" in ids(ledger)


def edit_in_place(recorded_data: Path) -> Seen:
    """A value changed, the size and modification time kept: only the bytes tell."""
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "value: 95.6\n" in text
    path.write_text(text.replace("value: 95.6\n", "value: 95.7\n"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return lambda ledger: Decimal("95.7") in [entry.value for entry in ledger.entries_at(TODAY)]


def add_a_file(recorded_data: Path) -> Seen:
    month = recorded_data / "progress" / "2024-08"
    month.mkdir()
    (month / "cgj.yaml").write_text(RECORD.replace("2024-07-31", "2024-08-31"), encoding="utf-8")
    return lambda ledger: "7a7a7a7a7a" in ids(ledger)


def rename_a_file(recorded_data: Path) -> Seen:
    """The same bytes under another unit's name: misplaced now."""
    month = recorded_data / "progress" / "2024-07"
    (month / "cgj.yaml").rename(month / "gafj.yaml")
    return lambda ledger: bool(ledger.issues) and set(codes(ledger)) == {Code.MISPLACED}


def move_a_file(recorded_data: Path) -> Seen:
    """The same bytes in another month's folder: misplaced now."""
    (recorded_data / "progress" / "2024-08").mkdir()
    (recorded_data / "progress" / "2024-07" / "cgj.yaml").rename(
        recorded_data / "progress" / "2024-08" / "cgj.yaml"
    )
    return lambda ledger: bool(ledger.issues) and set(codes(ledger)) == {Code.MISPLACED}


def comment_the_plan(recorded_data: Path) -> Seen:
    """Nothing an open shows changes (so `seen` holds before too); it is built again."""
    plan = recorded_data / "tasks_2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "# 一条注释\n", encoding="utf-8")
    return lambda ledger: ledger.issues == [] and ledger.count == 6


CHANGES: dict[str, Callable[[Path], Seen]] = {
    "append with the store": append_with_the_store,
    "append bytes": append_bytes,
    "edit in place": edit_in_place,
    "add a file": add_a_file,
    "rename a file": rename_a_file,
    "move a file": move_a_file,
    "comment the plan": comment_the_plan,
}


def ids(ledger: Ledger) -> list[str]:
    return [entry.id for entry in ledger.entries_at(TODAY)]


@pytest.mark.parametrize("later", [False, True], ids=["now", "an hour later"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_seen_on_the_next_open(
    recorded_data: Path,
    cache: Cache,
    reads: list[Path],
    change: str,
    later: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if later:  # every file's digest is remembered as taken long after it last changed
        monkeypatch.setattr(cache_module, "clock", lambda: time.time_ns() + HOUR)
    before = opened(recorded_data, cache)
    assert opened(recorded_data, cache) == before and len(reads) == 1  # kept, and used
    seen = CHANGES[change](recorded_data)
    assert change == "comment the plan" or not seen(before)
    after = opened(recorded_data, cache)
    assert len(reads) == 2  # built again
    assert seen(after)
    assert view(after) == view(opened(recorded_data, None))
    assert (
        view(opened(recorded_data, cache)) == view(after) and len(reads) == 2
    )  # the new one, kept


def test_a_file_changed_while_it_is_read_is_not_kept_under_its_old_bytes(
    recorded_data: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    old = path.read_bytes()
    real = read_files

    def racing(
        folder: DataDir, cache: Cache | None = None, **options: Any
    ) -> tuple[list[ProgressFile], list[Issue]]:
        append_bytes(recorded_data)  # after the files were hashed, before they are parsed
        return real(folder, cache, **options)

    monkeypatch.setattr(ledger_module, "read_files", racing)
    raced = opened(recorded_data, cache)
    assert "7a7a7a7a7a" in ids(raced)
    monkeypatch.setattr(ledger_module, "read_files", real)
    path.write_bytes(old)
    assert view(opened(recorded_data, cache)) == view(opened(recorded_data, None))
    assert "7a7a7a7a7a" not in ids(opened(recorded_data, cache))


def test_the_data_folder_moved_is_read_again(
    recorded_data: Path, tmp_path: Path, cache: Cache, reads: list[Path]
) -> None:
    opened(recorded_data, cache)
    moved = tmp_path / "elsewhere" / "data"
    shutil.copytree(recorded_data, moved)
    elsewhere = opened(moved, cache)
    assert reads == [recorded_data, moved]
    assert view(elsewhere) == view(opened(moved, None))
    assert {entry.origin.path for entry in elsewhere.entries_at(TODAY)} <= set(
        (moved / "progress").rglob("*.yaml")
    )


# --- 3b. a file's digest remembered by its signature (core/cache.Known) ---------------------

HOUR = 3600 * 10**9


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The progress files read to be hashed for a ledger's key, one per read."""
    seen: list[Path] = []
    real = ledger_module._hash_one

    def counting(path: Path) -> tuple[bytes, Any]:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(ledger_module, "_hash_one", counting)
    return seen


def later(monkeypatch: pytest.MonkeyPatch, hours: int = 1) -> None:
    """Files hashed from now on are hashed `hours` after now: past the margin."""
    monkeypatch.setattr(cache_module, "clock", lambda: time.time_ns() + hours * HOUR)


CGJ = Path("progress") / "2024-07" / "cgj.yaml"


def same_size_and_time(recorded_data: Path) -> None:
    """95.6 made 95.7: the size and the modification time kept; only the change time tells."""
    path = recorded_data / CGJ
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("value: 95.6\n", "value: 95.7\n"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns


def replaced(recorded_data: Path) -> None:
    """Another file of the same size and modification time put in its place (a new inode)."""
    path = recorded_data / CGJ
    before = path.stat()
    other = path.with_name(".cgj.yaml.new")
    other.write_text(path.read_text("utf-8").replace("95.6", "95.7"), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ino != before.st_ino


SAME_LOOKING: dict[str, Callable[[Path], None]] = {
    "same size and time": same_size_and_time,
    "replaced": replaced,
}


def test_an_unchanged_file_is_not_read_again(
    recorded_data: Path, cache: Cache, hashed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch)
    first = opened(recorded_data, cache)
    files = sorted((recorded_data / "progress").rglob("*.yaml"))
    assert sorted(hashed) == files
    hashed.clear()
    assert view(opened(recorded_data, cache)) == view(first)
    assert hashed == []


def test_a_file_changed_within_the_margin_is_read_again(
    recorded_data: Path, cache: Cache, hashed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file was written just now: its digest is not trusted on the next open, nor on
    the one after, until its times are older than the hashing by more than the margin."""
    files = sorted((recorded_data / "progress").rglob("*.yaml"))
    for _ in range(2):
        hashed.clear()
        opened(recorded_data, cache)
        assert sorted(hashed) == files
    # Touched (its times now) after it was hashed later than the margin: read again.
    later(monkeypatch)
    hashed.clear()
    opened(recorded_data, cache)
    assert sorted(hashed) == files
    hashed.clear()
    opened(recorded_data, cache)
    assert hashed == []
    (recorded_data / CGJ).touch()
    opened(recorded_data, cache)
    assert hashed == [recorded_data / CGJ]
    # And one whose times are a second before its hashing, within the margin: read again.
    hashed.clear()
    stamp = time.time_ns()
    monkeypatch.setattr(cache_module, "clock", lambda: stamp + 10**9)
    os.utime(recorded_data / CGJ, ns=(stamp, stamp))
    opened(recorded_data, cache)
    assert hashed == [recorded_data / CGJ]
    hashed.clear()
    opened(recorded_data, cache)
    assert hashed == [recorded_data / CGJ]
    assert cache_module.MARGIN_NS > 10**9


@pytest.mark.parametrize("change", list(SAME_LOOKING))
def test_a_file_that_looks_the_same_is_read_again(
    recorded_data: Path,
    cache: Cache,
    hashed: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    later(monkeypatch)
    before = opened(recorded_data, cache)
    hashed.clear()
    SAME_LOOKING[change](recorded_data)
    after = opened(recorded_data, cache)
    assert hashed == [recorded_data / CGJ]
    assert Decimal("95.7") in [entry.value for entry in after.entries_at(TODAY)]
    assert view(after) == view(opened(recorded_data, None)) != view(before)


@pytest.mark.parametrize("change", [*SAME_LOOKING, "touched"])
def test_reports_are_the_same_bytes_warm_cold_and_without_a_cache(
    recorded_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The command's report after each change: warm (the cache filled before the change),
    cold (an empty cache) and with --no-cache, byte for byte."""
    args = ["report", "--format", "json", "--as-of", "2024-12-31"]
    args += ["--data-dir", str(recorded_data)]
    made = {"SOURCE_DATE_EPOCH": "1767225600"}

    def report(folder: Path, *more: str) -> str:
        done = run_cli(*args, *more, MINSHENG_CACHE_DIR=str(folder), **made)
        assert done.code == 0, done.stderr
        return done.stdout

    warm = tmp_path / "warm"
    if change == "touched":  # hashed in real time, within the margin of the touch
        before = report(warm)
        report(warm)
        (recorded_data / CGJ).touch()
    else:
        later(monkeypatch)
        before = report(warm)
        report(warm)
        SAME_LOOKING[change](recorded_data)
    after = report(warm)
    assert after == report(tmp_path / "cold") == report(tmp_path / "none", "--no-cache")
    assert (after == before) is (change == "touched")
    assert report(warm) == after


def test_a_digest_found_wrong_is_forgotten_with_the_folder_s(
    recorded_data: Path, cache: Cache, hashed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change no signature shows (a file system without change times, a clock set back),
    simulated by a wrong digest remembered: once the files are read in full (here for a plan
    changed), the bytes tell, and every digest of the folder is read anew next time."""
    later(monkeypatch)
    opened(recorded_data, cache)
    hashes = cache_module.Hashes(cache, DataDir(recorded_data).progress)
    known = hashes.load()
    name = str(recorded_data / CGJ)
    known[name] = dataclasses.replace(known[name], digest=bytes(32))
    hashes.store(known)
    comment_the_plan(recorded_data)
    hashed.clear()
    assert view(opened(recorded_data, cache)) == view(opened(recorded_data, None))
    assert hashed == []  # the wrong digest was trusted for the key, and the files read in full
    assert hashes.load() == {}
    assert view(opened(recorded_data, cache)) == view(opened(recorded_data, None))
    assert sorted(hashed) == sorted((recorded_data / "progress").rglob("*.yaml"))


def test_a_remembered_digest_of_another_shape_is_not_used(
    recorded_data: Path, cache: Cache, hashed: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    later(monkeypatch)
    opened(recorded_data, cache)
    hashes = cache_module.Hashes(cache, DataDir(recorded_data).progress)
    assert len(hashes.load()) == len(list((recorded_data / "progress").rglob("*.yaml")))
    cache.hashes.put(hashes.key, marshal.dumps((("a", (1, 2, 3), 4, b"x"),)))
    assert hashes.load() == {}
    hashed.clear()
    assert view(opened(recorded_data, cache)) == view(opened(recorded_data, None))
    assert len(hashed) == len(hashes.load())


# --- 4. sources outside the files -------------------------------------------------------------

SOURCED = RECORD.replace("unit: 区城管局\n", "unit: 区城管局\nsource: docs/evidence/rate.pdf\n")


def test_a_source_file_is_looked_for_on_every_open(
    recorded_data: Path, cache: Cache, reads: list[Path]
) -> None:
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + SOURCED, encoding="utf-8")
    evidence = (
        recorded_data.parent / "docs" / "evidence" / "rate.pdf"
    )  # beside data/, as in a repository

    missing = opened(recorded_data, cache)
    assert codes(missing) == [Code.MISSING_SOURCE]
    assert view(missing) == view(opened(recorded_data, None))

    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    found = opened(recorded_data, cache)
    assert view(found) == view(opened(recorded_data, None))
    assert found.issues == []

    evidence.unlink()
    again = opened(recorded_data, cache)
    assert view(again) == view(opened(recorded_data, None))
    assert codes(again) == [Code.MISSING_SOURCE]


def test_a_source_found_then_gone_then_back(
    recorded_data: Path, cache: Cache, reads: list[Path]
) -> None:
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + SOURCED, encoding="utf-8")
    evidence = recorded_data.parent / "docs" / "evidence" / "rate.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    assert opened(recorded_data, cache).issues == []
    assert opened(recorded_data, cache).issues == [] and len(reads) == 1  # kept while it holds
    evidence.unlink()
    assert codes(opened(recorded_data, cache)) == [Code.MISSING_SOURCE]
    evidence.write_bytes(b"%PDF-1.4\n")
    assert view(opened(recorded_data, cache)) == view(opened(recorded_data, None))
    assert opened(recorded_data, cache).issues == []


def test_a_source_that_goes_away_while_the_checks_run_is_not_kept_as_found(
    recorded_data: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger keeps the very judgements the checks made: if it judged the sources again
    afterwards, a file deleted in between would be kept as found beside a clean result."""
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + SOURCED, encoding="utf-8")
    evidence = recorded_data.parent / "docs" / "evidence" / "rate.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    real = ledger_module.check_files

    def then_deleted(*args: Any, **options: Any) -> tuple[list[Entry], list[Issue]]:
        found = real(*args, **options)
        evidence.unlink()  # just after the checks judged it present
        return found

    monkeypatch.setattr(ledger_module, "check_files", then_deleted)
    assert opened(recorded_data, cache).issues == []
    monkeypatch.setattr(ledger_module, "check_files", real)
    assert codes(opened(recorded_data, cache)) == [Code.MISSING_SOURCE]


def test_validate_sees_a_source_file_created_since_the_last_run(
    recorded_data: Path, tmp_path: Path
) -> None:
    path = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    path.write_text(path.read_text(encoding="utf-8") + SOURCED, encoding="utf-8")
    folder = str(tmp_path / "cache")
    args = ["validate", "--format", "json", "--data-dir", str(recorded_data)]
    first = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    assert first.code == 1 and "missing-source" in first.stdout + first.stderr
    evidence = recorded_data.parent / "docs" / "evidence" / "rate.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4\n")
    cold = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=folder)
    warm = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    assert cold.code == 0, cold.stdout + cold.stderr
    assert (warm.code, warm.stdout) == (cold.code, cold.stdout)


# --- 5. today ---------------------------------------------------------------------------------

BEFORE = dt.date(2024, 7, 20)  # the fixtures' 2024-07-31 is more than a day ahead
SLACK = dt.date(2024, 8, 1)  # the fixtures' last stamp, 2024-08-02, a day ahead: allowed
AFTER = dt.date(2024, 8, 5)


def test_the_day_before_an_entry_is_checked_against_each_time(
    recorded_data: Path, cache: Cache, reads: list[Path]
) -> None:
    early = opened(recorded_data, cache, BEFORE)
    # dated and recorded after that day
    assert early.issues and set(codes(early)) == {Code.OUT_OF_PERIOD, Code.BAD_STAMP}
    assert view(early) == view(opened(recorded_data, None, BEFORE))
    later = opened(recorded_data, cache, AFTER)
    assert view(later) == view(opened(recorded_data, None, AFTER))
    assert later.issues == []


def test_a_ledger_is_not_reused_when_today_goes_back(
    recorded_data: Path, cache: Cache, reads: list[Path]
) -> None:
    assert opened(recorded_data, cache, TODAY).issues == []
    assert opened(recorded_data, cache, SLACK).issues == [] and len(reads) == 1  # still holds: kept
    early = opened(recorded_data, cache, BEFORE)
    assert len(reads) == 2
    assert view(early) == view(opened(recorded_data, None, BEFORE))
    assert early.issues and set(codes(early)) == {Code.OUT_OF_PERIOD, Code.BAD_STAMP}


# --- 6. corrupt and foreign ledgers ---------------------------------------------------------


def corruptions(blob: bytes) -> dict[str, bytes]:
    return {
        "empty": b"",
        "truncated": blob[: len(blob) // 2],
        "the last bytes cut": blob[:-3],
        "a byte flipped": blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:],
        "another format": b"other-format\n" + blob[len(MAGIC) :],
        "garbage": os.urandom(len(blob)),
    }


@pytest.mark.parametrize("kind", list(corruptions(b"x" * 100)))
def test_a_corrupt_ledger_is_rebuilt(
    recorded_data: Path, tmp_path: Path, cache: Cache, reads: list[Path], kind: str
) -> None:
    fresh = view(opened(recorded_data, cache))
    [blob] = ledger_blobs(tmp_path / "cache")
    blob.write_bytes(corruptions(blob.read_bytes())[kind])
    assert view(opened(recorded_data, cache)) == fresh
    assert len(reads) == 2
    assert view(opened(recorded_data, cache)) == fresh and len(reads) == 2  # written whole again


FOREIGN: dict[str, bytes] = {  # each marshalled: what a payload of another shape holds
    "a parsed file": marshal.dumps(((), (), True, 0)),
    "a number": marshal.dumps(42),
    "none": marshal.dumps(None),
    "six letters": marshal.dumps(tuple("abcdef")),
    "six keys": marshal.dumps({number: None for number in range(6)}),
    "five fields": marshal.dumps((6, (), None, (), ())),
    "a date where a day number goes": marshal.dumps((6, (), "2024-07-31", (), (), ())),
    "sources of three": marshal.dumps((6, (), None, (("a", None, 1),), (), ())),
    "a series of three": marshal.dumps((6, (), None, (), (), ((1, 2, 3),))),
    "issues of the wrong kind": marshal.dumps((6, ((1, 2, 3, 4, 5, 6),), None, (), (), ())),
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_a_checksummed_ledger_of_another_shape_is_ignored(
    recorded_data: Path, tmp_path: Path, cache: Cache, reads: list[Path], kind: str
) -> None:
    fresh = view(opened(recorded_data, cache))
    [blob] = ledger_blobs(tmp_path / "cache")
    cache.ledgers.put(blob.name, FOREIGN[kind])
    assert cache.ledgers.get(blob.name) == FOREIGN[kind]  # its checksum holds
    assert view(opened(recorded_data, cache)) == fresh
    assert len(reads) == 2


# --- 7. problems of the folders -------------------------------------------------------------


def test_problems_of_the_folders_are_listed_on_every_open(
    recorded_data: Path, cache: Cache, reads: list[Path]
) -> None:
    stray = recorded_data / "progress" / "2024-06" / "Notes.txt"
    stray.write_text("不是进度文件", encoding="utf-8")
    first = opened(recorded_data, cache)
    assert codes(first) == [Code.MISPLACED] and "Notes.txt" in first.issues[0].message
    assert view(first) == view(opened(recorded_data, None))
    second = opened(recorded_data, cache)
    assert view(second) == view(first) and len(reads) == 1  # kept, the problem listed afresh
    stray.unlink()
    third = opened(recorded_data, cache)
    assert third.issues == [] and len(reads) == 1  # the problem was never part of what is kept
    assert view(third) == view(opened(recorded_data, None))


# --- 8. how many ledgers are kept -----------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 3, 5, 7])
def test_keep_newest_keeps_the_newest(tmp_path: Path, count: int) -> None:
    blobs = Blobs(tmp_path)
    names = [f"{number:064x}" for number in range(5)]
    for age, name in enumerate(names):  # names[0] the newest
        blobs.put(name, name.encode())
        when = 1_700_000_000 - age * 60
        os.utime(tmp_path / name, (when, when))
    (tmp_path / ".abc.1.tmp").write_bytes(b"half")  # a writer's: left to prune
    blobs.keep_newest(count)
    kept = sorted(path.name for path in tmp_path.iterdir() if path.name != MARKER)
    assert kept == sorted([".abc.1.tmp", *names[:count]])
    assert all(blobs.get(name) == name.encode() for name in names[:count])


def test_only_the_latest_ledgers_are_kept(
    recorded_data: Path, tmp_path: Path, cache: Cache, reads: list[Path], monkeypatch
) -> None:
    monkeypatch.setattr(ledger_module, "KEEP_BYTES", 0)  # by count alone
    plan = recorded_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    for number in range(KEEP + 3):
        plan.write_text(text + f"# 第 {number} 版\n", encoding="utf-8")
        opened(recorded_data, cache)
    assert len(ledger_blobs(tmp_path / "cache")) == KEEP
    assert len(reads) == KEEP + 3
    opened(recorded_data, cache)  # the latest is among those kept
    assert len(reads) == KEEP + 3


@pytest.mark.parametrize("fit", [9, 12])
def test_more_ledgers_are_kept_while_they_fit_in_the_budget(tmp_path: Path, fit: int) -> None:
    """Past the newest `count`, the next newest are kept while all together fit in the bytes
    given: a roll-up of many districts keeps every district's ledger."""
    blobs = Blobs(tmp_path)
    names = [f"{number:064x}" for number in range(15)]
    for age, name in enumerate(names):  # names[0] the newest
        blobs.put(name, b"x" * 100)
        when = 1_700_000_000 - age * 60
        os.utime(tmp_path / name, (when, when))
    size = (tmp_path / names[0]).stat().st_size  # the payload and the blob's own header
    blobs.keep_newest(8, most_bytes=fit * size)
    kept = sorted(path.name for path in tmp_path.iterdir() if path.name != MARKER)
    assert kept == sorted(names[:fit])


# --- 9. without a cache -------------------------------------------------------------------


def test_without_a_cache_nothing_is_written(
    recorded_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MINSHENG_CACHE_DIR", str(folder))
    for _ in range(2):
        assert opened(recorded_data, None).count == 6
    assert not folder.exists()
    done = run_cli(
        "report", "--format", "json", "--as-of", "2024-12-31", "--no-cache",
        "--data-dir", str(recorded_data), MINSHENG_CACHE_DIR=str(folder),
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert not folder.exists()
