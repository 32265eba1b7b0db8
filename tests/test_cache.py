"""The parse cache: keyed by content, never stale, corrupt entries rebuilt, safe when shared."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TESTS, run_cli
from minsheng.core import cache as cache_module
from minsheng.core.cache import MAGIC, Cache, Parsed, default_folder, user_cache
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress import checks
from minsheng.progress import files as progress_files
from minsheng.progress.entry import Entry


def kept_in(folder: Path) -> list[Path]:
    """The files the cache keeps in a folder of its own, its marker aside."""
    return [path for path in folder.iterdir() if path.name != cache_module.MARKER]


FIXTURES = TESTS / "data" / "progress"
TODAY = dt.date(2025, 1, 1)
RECORD = (  # one more for progress/2024-07/cgj.yaml
    "---\nid: 7a7a7a7a7a\nitem: 3\ntarget: rate\ndate: 2024-07-31\nvalue: 96.1\n"
    "unit: 区城管局\nrecorded_at: 2024-08-02T09:00:00+08:00\n...\n"
)
PARSED = Parsed(
    records=(
        (
            "1a2b3c4d5e",
            1,
            "jobs",
            "2024-06-30",
            "0.3",
            None,
            None,
            "区人社局",
            "上半年",
            None,
            None,
            None,
            None,
            "2024-07-02T09:13:05+08:00",
            0,
            4,
            ("id", "item", "target"),
            "2024-07-01",
        ),
    ),
    issues=((3, 1, "torn-record", "这条记录没有以 ... 结尾", ""),),
    whole=False,
    size=2,
)


# --- the cache itself ----------------------------------------------------------------------


def test_an_entry_reads_back_as_written(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = cache.key(b"some file")
    assert cache.load(key) is None
    cache.store(key, PARSED)
    assert cache.load(key) == PARSED


def test_the_key_follows_the_bytes_and_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(Path("unused"))
    assert cache.key(b"a") == cache.key(b"a") != cache.key(b"b")
    before = cache.key(b"a")
    monkeypatch.setattr(cache_module, "_fingerprint", None)
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    assert cache.key(b"a") != before


def corruptions(blob: bytes, key: str) -> dict[str, bytes]:
    payload = blob[len(MAGIC) + 32 :]
    wrong_shape = b"\x00" + payload[1:]
    checksum = hashlib.sha256(key.encode() + b"\0" + wrong_shape).digest()
    return {
        "empty": b"",
        "truncated": blob[: len(blob) // 2],
        "a byte flipped": blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:],
        "another format": b"other-format\n" + blob[len(MAGIC) :],
        "garbage": os.urandom(len(blob)),
        # A right checksum over a payload that is not what this cache writes.
        "checksummed junk": MAGIC + checksum + wrong_shape,
    }


@pytest.mark.parametrize("kind", list(corruptions(b"x" * 100, "key")))
def test_a_corrupt_entry_is_ignored(tmp_path: Path, kind: str) -> None:
    cache = Cache(tmp_path)
    key = cache.key(b"file")
    cache.store(key, PARSED)
    path = tmp_path / "progress" / key
    path.write_bytes(corruptions(path.read_bytes(), key)[kind])
    assert cache.load(key) is None
    cache.store(key, PARSED)  # rebuilt over it
    assert cache.load(key) == PARSED


def test_an_entry_under_another_name_is_not_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    one, other = cache.key(b"one"), cache.key(b"other")
    cache.store(one, PARSED)
    shutil.copy(tmp_path / "progress" / one, tmp_path / "progress" / other)
    assert cache.load(other) is None


def test_a_cache_that_cannot_be_written_is_only_a_miss(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = Cache(blocker)
    key = cache.key(b"x")
    cache.store(key, PARSED)  # no exception
    assert cache.load(key) is None


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache_module.ENV_DIR, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_folder() == Path.home() / ".cache" / "minsheng"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "minsheng"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the spec says
    assert default_folder() == Path.home() / ".cache" / "minsheng"
    monkeypatch.setenv(cache_module.ENV_DIR, str(tmp_path / "mine"))
    assert default_folder() == tmp_path / "mine"
    assert user_cache() is not None and user_cache(off=True) is None
    monkeypatch.setenv(cache_module.ENV_OFF, "1")
    assert user_cache() is None


def test_prune_removes_what_is_old(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    old, recent = cache.key(b"old"), cache.key(b"recent")
    cache.store(old, PARSED)
    cache.store(recent, PARSED)
    folder = tmp_path / "progress"
    stale_temp, fresh_temp = folder / f".{old[:16]}.x1.tmp", folder / f".{old[:16]}.x2.tmp"
    stale_temp.write_bytes(b"half")
    fresh_temp.write_bytes(b"half")
    now = time.time()
    long_ago = now - (cache_module.KEEP_DAYS + 1) * 86400
    os.utime(folder / old, (long_ago, long_ago))
    os.utime(stale_temp, (now - 7200, now - 7200))
    cache.prune(now)
    assert sorted(p.name for p in kept_in(folder)) == sorted([recent, fresh_temp.name])


WRITER = """
import sys
from minsheng.core.cache import Cache, Parsed
cache = Cache(__import__("pathlib").Path(sys.argv[1]))
for round in range(int(sys.argv[2])):
    for n in range(5):
        record = (f"id{n:08d}", n + 1, "jobs", "2024-06-30", str(n), None, None, "区人社局",
                  "备注" * 200 * (n + 1), None, None, None, None, "2024-07-02T09:13:05+08:00", 0, 4,
                  ("id",), None)
        cache.store(cache.key(str(n).encode()), Parsed((record,), (), True, 1))
"""


def test_writers_at_the_same_time_leave_every_entry_whole(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "60"], env=env)
        for _ in range(2)
    ]
    cache = Cache(tmp_path)
    keys = [cache.key(str(n).encode()) for n in range(5)]
    seen = 0
    loaded: set[str] = set()
    lost = 0  # an entry read whole once, then not: a writer tore it in place
    while any(writer.poll() is None for writer in writers):
        for n, key in enumerate(keys):
            found = cache.load(key)
            if found is None:
                lost += key in loaded
                continue
            seen += 1  # a reader sees a whole entry or none, never half of one
            loaded.add(key)
            assert found.records[0][0] == f"id{n:08d}"
            assert found.records[0][8] == "备注" * 200 * (n + 1)
    assert all(writer.wait() == 0 for writer in writers)
    assert lost == 0
    assert all(cache.load(key) is not None for key in keys)
    assert not [p for p in (tmp_path / "progress").iterdir() if p.name.endswith(".tmp")]
    assert seen > 0


# --- reading progress through the cache ----------------------------------------------------


def read(
    recorded_data: Path, cache: Cache | None, today: dt.date = TODAY
) -> tuple[list[Entry], list[str]]:
    plan, problems = load_plan(recorded_data / "tasks_2024.yaml")
    assert plan is not None, problems
    entries, issues = checks.read_progress(DataDir(recorded_data), plan, today=today, cache=cache)
    return entries, [str(issue) for issue in issues]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed (not taken from the cache), by name, as they are parsed."""
    seen: list[str] = []
    real = progress_files.parse_file

    def counting(raw: bytes, display: str, *, fast: bool | None = None) -> Parsed:
        seen.append(Path(display).name)
        return real(raw, display, fast=fast)

    monkeypatch.setattr(progress_files, "parse_file", counting)
    return seen


def test_a_warm_read_parses_only_the_file_that_changed(
    recorded_data: Path, tmp_path: Path, parses: list[str]
) -> None:
    cache = Cache(tmp_path / "cache")
    fresh = read(recorded_data, None)
    parses.clear()
    assert read(recorded_data, cache) == fresh  # cold: every file parsed once
    assert len(parses) == 4
    parses.clear()
    assert read(recorded_data, cache) == fresh  # warm: none
    assert parses == []
    changed = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + RECORD, encoding="utf-8")
    entries, issues = read(recorded_data, cache)
    assert parses == ["cgj.yaml"]
    assert (entries, issues) == read(recorded_data, None)
    assert "7a7a7a7a7a" in [entry.id for entry in entries]


def test_a_report_after_one_change_parses_only_that_file(
    recorded_data: Path, tmp_path: Path, parses: list[str]
) -> None:
    """Through the ledger, as report and validate read: a changed file misses the kept
    ledger, and of the files only it is parsed again."""
    from minsheng.progress.ledger import open_ledger

    plan, _ = load_plan(recorded_data / "tasks_2024.yaml")
    assert plan is not None
    cache = Cache(tmp_path / "cache")
    assert open_ledger(DataDir(recorded_data), plan, cache, TODAY).issues == []
    assert len(parses) == 4
    parses.clear()
    changed = recorded_data / "progress" / "2024-07" / "cgj.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + RECORD, encoding="utf-8")
    ledger = open_ledger(DataDir(recorded_data), plan, cache, TODAY)
    assert parses == ["cgj.yaml"]
    assert ledger.count == 7


def test_results_are_the_same_with_problems_too(small_data: Path, tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "invalid", small_data / "progress", dirs_exist_ok=True)
    cache = Cache(tmp_path / "cache")
    today = dt.date(2024, 6, 28)  # as tests/test_progress.py reads these fixtures
    fresh = read(small_data, None, today)
    assert fresh[1]  # the fixtures are full of problems
    assert read(small_data, cache, today) == fresh
    assert read(small_data, cache, today) == fresh


def test_corrupt_entries_are_rebuilt_on_the_next_read(
    recorded_data: Path, tmp_path: Path, parses: list[str]
) -> None:
    cache = Cache(tmp_path / "cache")
    fresh = read(recorded_data, cache)
    entries = sorted(kept_in(tmp_path / "cache" / "progress"))
    assert len(entries) == 4
    for path in entries:
        path.write_bytes(path.read_bytes()[:-10])  # truncated, as by a crash
    parses.clear()
    assert read(recorded_data, cache) == fresh
    assert len(parses) == 4
    parses.clear()
    assert read(recorded_data, cache) == fresh  # rebuilt: warm again
    assert parses == []


def test_an_entry_that_will_not_convert_is_rebuilt(
    recorded_data: Path, tmp_path: Path, parses: list[str]
) -> None:
    cache = Cache(tmp_path / "cache")
    fresh = read(recorded_data, cache)
    raw = (recorded_data / "progress" / "2024-07" / "mzj.yaml").read_bytes()
    record = list(cache.load(cache.key(raw)).records[0])  # type: ignore[union-attr]
    record[3] = "2024-13-45"  # checksummed and well shaped, but no date
    cache.store(cache.key(raw), Parsed((tuple(record),), (), True, 1))
    parses.clear()
    assert read(recorded_data, cache) == fresh
    assert parses == ["mzj.yaml"]


# --- the command line ---------------------------------------------------------------------


def test_no_cache_writes_no_cache(recorded_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    args = ["validate", "--data-dir", str(recorded_data)]
    done = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=str(folder))
    assert done.code == 0, done.stderr
    assert not folder.exists()
    done = run_cli(*args, MINSHENG_CACHE_DIR=str(folder), MINSHENG_NO_CACHE="1")
    assert done.code == 0, done.stderr
    assert not folder.exists()
    done = run_cli(*args, MINSHENG_CACHE_DIR=str(folder))
    assert done.code == 0, done.stderr
    assert len(kept_in(folder / "progress")) == 4


def test_the_command_line_keeps_its_cache_under_xdg_cache_home(
    recorded_data: Path, tmp_path: Path
) -> None:
    xdg = tmp_path / "xdg"
    done = run_cli(
        "validate", "--data-dir", str(recorded_data), MINSHENG_CACHE_DIR="", XDG_CACHE_HOME=str(xdg)
    )
    assert done.code == 0, done.stderr
    assert len(kept_in(xdg / "minsheng" / "progress")) == 4


def test_no_cache_reads_no_cache(recorded_data: Path, tmp_path: Path) -> None:
    """A planted entry (well formed, checksummed, under the right name, another value) is what
    a run with the cache reads, and what --no-cache does not."""
    folder = tmp_path / "cache"
    path = recorded_data / "progress" / "2024-07" / "mzj.yaml"
    truth = progress_files.parse_file(path.read_bytes(), "x", fast=False)
    record = list(truth.records[0])
    record[4] = "424242"  # the value
    Cache(folder).store(Cache(folder).key(path.read_bytes()), Parsed((tuple(record),), (), True, 1))
    args = ["progress", "list", "--format", "json", "--data-dir", str(recorded_data)]
    cached = run_cli(*args, MINSHENG_CACHE_DIR=str(folder))
    fresh = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=str(folder))
    assert cached.code == fresh.code == 0, fresh.stderr
    assert "424242" in cached.stdout  # the plant is read where the cache is used
    assert "424242" not in fresh.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--format", "json", "--as-of", "2024-12-31"],
        ["progress", "list", "--format", "json"],
        ["validate", "--format", "json"],
    ],
)
def test_warm_and_cold_commands_print_the_same(
    recorded_data: Path, tmp_path: Path, command: list[str]
) -> None:
    folder = str(tmp_path / "cache")
    args = [*command, "--data-dir", str(recorded_data)]
    cold = run_cli(*args, "--no-cache", MINSHENG_CACHE_DIR=folder)
    assert not Path(folder).exists()
    filling = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    assert len(kept_in(Path(folder) / "progress")) == 4  # the warm run has them
    warm = run_cli(*args, MINSHENG_CACHE_DIR=folder)
    assert cold.code == filling.code == warm.code == 0, cold.stderr
    assert cold.stdout == filling.stdout == warm.stdout
    json.loads(warm.stdout)


# --- answers from the plan alone (minsheng.cli.answers) ---------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "json"],
        ["list", "--active", "--format", "json"],
        ["show", "3", "-f", "json"],
    ],
)
def test_a_kept_answer_is_the_fresh_answer(
    small_data: Path, tmp_path: Path, args: list[str]
) -> None:
    folder = str(tmp_path / "cache")
    command = [*args, "--data-dir", str(small_data)]
    fresh = run_cli(*command, MINSHENG_NO_CACHE="1", MINSHENG_CACHE_DIR=folder)
    first = run_cli(*command, MINSHENG_CACHE_DIR=folder)
    kept = run_cli(*command, MINSHENG_CACHE_DIR=folder)
    assert fresh.code == first.code == kept.code == 0, fresh.stderr
    assert fresh.stdout == first.stdout == kept.stdout
    assert len(kept_in(tmp_path / "cache" / "plan")) == 1


def test_a_changed_plan_is_answered_afresh(small_data: Path, tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    command = ["show", "1", "--format", "json", "--data-dir", str(small_data)]
    before = run_cli(*command, MINSHENG_CACHE_DIR=folder)
    plan = small_data / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    title = json.loads(before.stdout)["title"]
    plan.write_text(text.replace(title, title + "(修订)", 1), encoding="utf-8")
    after = run_cli(*command, MINSHENG_CACHE_DIR=folder)
    assert after.code == 0, after.stderr
    assert json.loads(after.stdout)["title"] == title + "(修订)"


def test_errors_and_empty_answers_are_never_kept(small_data: Path, tmp_path: Path) -> None:
    folder = str(tmp_path / "cache")
    for _ in range(2):
        done = run_cli(
            "show", "99", "-f", "json", "--data-dir", str(small_data), MINSHENG_CACHE_DIR=folder
        )
        assert done.code == 2 and "unknown-item" in done.stderr
        done = run_cli(
            "list",
            "-u",
            "没有这个单位",
            "-f",
            "json",
            "--data-dir",
            str(small_data),
            MINSHENG_CACHE_DIR=folder,
        )
        assert done.code == 2
    (small_data / "tasks_2024.yaml").write_text("items: [\n", encoding="utf-8")
    for _ in range(2):  # an invalid plan is refused every time
        done = run_cli(
            "list", "-f", "json", "--data-dir", str(small_data), MINSHENG_CACHE_DIR=folder
        )
        assert done.code == 1 and done.stdout == ""


# --- a path as shown: relative to the working folder, as resolving it whole says ------------


def test_a_path_is_shown_as_resolving_it_whole_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DataDir.display resolves a file's folder once for all its files: the same text as
    `path.resolve().relative_to(cwd.resolve())`, symlinks, `..` and other folders included."""
    from minsheng.core import datadir

    real = tmp_path / "real" / "data" / "progress" / "2024-06"
    real.mkdir(parents=True)
    (real / "rsj.yaml").write_text("", "utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (real / "link.yaml").symlink_to(real / "rsj.yaml")
    (tmp_path / "elsewhere").mkdir()
    paths = [
        Path("data/progress/2024-06/rsj.yaml"),
        Path("data/progress/2024-06/link.yaml"),
        Path("data/progress/2024-06/missing.yaml"),
        Path("data/progress/../progress/2024-06/rsj.yaml"),
        Path("data"),
        Path("."),
        Path(".."),
        tmp_path / "linked" / "data" / "progress" / "2024-06" / "rsj.yaml",
        tmp_path / "elsewhere" / "x.yaml",
        Path("/"),
    ]
    for here in (tmp_path / "real", tmp_path / "linked", tmp_path / "linked" / "data", tmp_path):
        monkeypatch.chdir(here)
        datadir._relative_to_cwd.cache_clear()
        for path in paths:
            try:
                whole = str(path.resolve().relative_to(Path.cwd().resolve()))
            except ValueError:
                whole = str(path)
            assert DataDir(tmp_path).display(path) == whole, (here, path)
