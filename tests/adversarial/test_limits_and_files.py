"""Round 2 of hostile input on files: long texts, slow patterns, huge files and cache entries,
what `--output` may replace, the modes of new files, what the cache may remove, and source
paths the system refuses to look at. Nothing is timed: a hang is caught by a subprocess's
timeout, memory by the peak the process reports (as in test_bombs.py).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adversarial.harness import MEASURED, snapshot
from conftest import SMALL_PLAN, Result, cli_env, run_cli
from minsheng.core import cache as cache_module
from minsheng.core.cache import Blobs
from minsheng.core.yamlio import MAX_NODES
from minsheng.progress import fastparse
from minsheng.progress.files import parse_file
from minsheng.progress.rules import TEXT_LIMITS, Problem, parse_text
from minsheng.progress.sources import is_document_number

ADD = ["progress", "add", "1", "--target", "training", "--date", "2024-06-30"]


def _capped() -> None:
    """A child's address space is capped, so that a reader gone wrong (reading /dev/zero)
    fails alone instead of taking the machine's memory."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def measured(*args: str, cwd: Path, **env: str) -> tuple[int, str, int]:
    """Exit code, stdout and stderr, and peak memory in MB of `minsheng ARGS` in a process of
    its own; a hang ends in TimeoutExpired (the test fails)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        cwd=cwd,
        env=cli_env(**env),
        capture_output=True,
        timeout=120,
        preexec_fn=_capped,
    )
    said = done.stdout.decode() + done.stderr.decode("utf-8", errors="replace")
    found = re.search(r"peak-kib=(\d+)", said)
    assert found, said
    return done.returncode, said, int(found.group(1)) // 1024


def refused(done: Result, code: str) -> None:
    """Exit 1, the stable code, and no trace of a crash."""
    assert done.code == 1, done.stderr
    assert f"[{code}]" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "[internal]" not in done.stderr, done.stderr


def write_records(path: Path, count: int, *, note: bool = True) -> None:
    """`count` valid records of item 1's target `training` in the store's own shape."""
    lines = ["# 区人社局 2024-06 进度记录\n"]
    for number in range(count):
        lines.append(
            f"---\nid: r{number:09d}\nitem: 1\ntarget: training\ndate: 2024-06-30\n"
            f"value: {number + 1}\nunit: 区人社局\n"
            + (f"note: 第{number}次\n" if note else "")
            + f"recorded_at: 2024-07-01T{number // 3600 % 24:02d}:{number // 60 % 60:02d}:"
            f"{number % 60:02d}+08:00\n...\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")


# --- 1. notes and sources have a length limit, on every path --------------------------------


@pytest.mark.parametrize("field", ["note", "source"])
def test_a_text_over_the_limit_is_refused_as_typed(small_data: Path, field: str) -> None:
    limit = TEXT_LIMITS[field]
    before = snapshot(small_data)
    done = run_cli(*ADD, "--value", "10", f"--{field}", "…" * (limit + 1), cwd=small_data.parent)
    refused(done, "too-long")
    assert str(limit) in done.stderr, done.stderr
    assert snapshot(small_data) == before
    with pytest.raises(Problem) as raised:  # what a prompt asks again after
        parse_text(field, "…" * (limit + 1))
    assert raised.value.code == "too-long"
    assert parse_text(field, "…" * limit) == "…" * limit
    done = run_cli(*ADD, "--value", "10", f"--{field}", "记" * limit, cwd=small_data.parent)
    assert done.code == 0, done.stderr


@pytest.mark.parametrize("fast", ["", "1"])
@pytest.mark.parametrize("field", ["note", "source"])
def test_a_text_over_the_limit_in_a_file_is_a_located_problem(
    small_data: Path, field: str, fast: str
) -> None:
    path = small_data / "progress" / "2024-06" / "rsj.yaml"
    path.parent.mkdir()
    long = "…" * 8000
    path.write_text(
        f"---\nid: abcdef0123\nitem: 1\ntarget: training\ndate: 2024-06-30\nvalue: 10\n"
        f"unit: 区人社局\n{field}: {long}\nrecorded_at: 2024-07-01T09:00:00+08:00\n...\n",
        encoding="utf-8",
    )
    for args in (["validate"], ["report", "--as-of", "2024-06-30"]):
        done = run_cli(*args, "--no-cache", cwd=small_data.parent, MINSHENG_NO_FAST_PARSE=fast)
        assert done.code == 1, (args, done.stderr)
        said = done.stdout + done.stderr
        assert "rsj.yaml:8:1: too-long:" in said, said[-2000:]


# --- 2. the document-number pattern is linear ---------------------------------------------

_OLD_DOC_NUMBER = re.compile(r".*[〔\[(【(]\s*\d{4}\s*[〕\])】)].*号.*")


@given(st.text(alphabet="〔〕[]()【】()号 \n2024a/.", max_size=30))
def test_the_document_number_reads_as_the_old_pattern_did_100_examples(text: str) -> None:
    assert is_document_number(text) == bool(_OLD_DOC_NUMBER.fullmatch(text))


def test_a_source_of_many_year_groups_is_judged_in_a_moment() -> None:
    """1.8 MB of `(2024)`: the old pattern tried every split of it (hours at this size). The
    subprocess's timeout only catches such a hang."""
    script = (
        "from minsheng.progress.sources import source_path\n"
        "assert source_path('(2024)' * 300_000 + '号') is None\n"
        "assert source_path('docs/' + '(2024)' * 300_000 + '.pdf') is not None\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=cli_env(), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


# --- 3. a progress file is never read past the limit --------------------------------------


def test_a_huge_progress_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    """A 300 MB file (sparse: it costs no disk) once cost 340 MB of memory to refuse."""
    data = tmp_path / "data"
    path = data / "progress" / "2024-06" / "rsj.yaml"
    path.parent.mkdir(parents=True)
    shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
    with path.open("wb") as stream:
        stream.write(b"---\n")
        stream.truncate(300 * 1024 * 1024)
    before = snapshot(tmp_path)
    for args in (["validate"], ["report", "--as-of", "2024-06-30"], [*ADD, "--value", "1"]):
        code, said, peak = measured(*args, cwd=tmp_path)
        assert code == 1 and (": too-large: " in said or "[too-large]" in said), said[-2000:]
        assert "Traceback" not in said and "[internal]" not in said, said[-2000:]
        assert peak < 150, f"{args}: peak memory {peak} MB"
    assert snapshot(tmp_path) == before


# --- 4. the cache reads only its own regular files, bounded ---------------------------------


def _entries(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if re.fullmatch(r"[0-9a-f]{64}", p.name)]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "symlink-to-a-folder"])
def test_a_pipe_or_a_device_at_a_cache_key_is_a_miss_and_rebuilt(
    recorded_data: Path, tmp_path: Path, kind: str
) -> None:
    cache = tmp_path / "cache"
    commands = [
        ["report", "--as-of", "2024-07-31", "--format", "json"],
        ["validate"],
        ["list", "--format", "json"],
        ["progress", "list", "--format", "json"],
    ]
    root = recorded_data.parent
    fresh = [measured(*args, cwd=root, MINSHENG_CACHE_DIR=str(cache))[1] for args in commands]
    for args in commands:  # the command lines are kept too (answered before typer loads)
        measured(*args, cwd=root, MINSHENG_CACHE_DIR=str(cache))
    planted = _entries(cache)
    assert {p.parent.name for p in planted} >= {"progress", "ledger", "plan"}
    for path in planted:
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dev-zero":
            path.symlink_to("/dev/zero")
        else:
            path.symlink_to(tmp_path)
    for args, was in zip(commands, fresh, strict=True):
        code, said, peak = measured(*args, cwd=root, MINSHENG_CACHE_DIR=str(cache))
        assert code == 0, said[-2000:]
        assert said.split("\npeak-kib")[0] == was.split("\npeak-kib")[0]
        assert peak < 300, f"{args}: peak memory {peak} MB"
    rebuilt = [p for p in _entries(cache) if p.parent.name in {"progress", "ledger"}]
    assert rebuilt and all(stat.S_ISREG(os.lstat(p).st_mode) for p in rebuilt)


def test_a_blob_is_read_only_up_to_its_bound_and_never_through_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = Blobs(tmp_path / "blobs")
    key, other = "a" * 64, "c" * 64
    blobs.put(key, b"payload" * 100)
    assert blobs.get(key) == b"payload" * 100
    monkeypatch.setattr(cache_module, "MAX_BLOB", 500)
    assert blobs.get(key) is None  # over the bound: a miss, never read whole
    monkeypatch.undo()
    Blobs(tmp_path / "elsewhere").put(other, b"well formed")
    (tmp_path / "blobs" / other).symlink_to(tmp_path / "elsewhere" / other)
    assert blobs.get(other) is None  # a link is not followed, whatever it points at


# --- 6. validity does not depend on rapidyaml; `add` never makes an unreadable file --------


@pytest.mark.slow
def test_a_file_over_the_node_limit_is_too_large_with_rapidyaml_or_without(
    tmp_path: Path,
) -> None:
    if not fastparse.enabled():
        pytest.skip("rapidyaml is not installed: there is only one path")
    over = tmp_path / "over.yaml"
    write_records(over, 12_000)
    raw = over.read_bytes()
    fast, reference = parse_file(raw, "f", fast=True), parse_file(raw, "f", fast=False)
    assert [issue[2] for issue in fast.issues] == [issue[2] for issue in reference.issues]
    assert fast == reference and [issue[2] for issue in fast.issues] == ["too-large"]
    under = tmp_path / "under.yaml"
    write_records(under, (MAX_NODES - 1) // 20)  # 8 keys a record: 20 nodes
    raw = under.read_bytes()
    fast, reference = parse_file(raw, "f", fast=True), parse_file(raw, "f", fast=False)
    assert fast == reference and not fast.issues


@pytest.mark.slow
def test_add_refuses_the_record_that_would_make_its_file_unreadable(small_data: Path) -> None:
    path = small_data / "progress" / "2024-06" / "rsj.yaml"
    count = (MAX_NODES - 1) // 20  # as many 8-key records as the limit takes
    write_records(path, count)
    root = small_data.parent
    assert run_cli("validate", "--no-cache", cwd=root).code == 0
    before = snapshot(small_data)
    value = str(count + 5)
    for fast in ("", "1"):
        done = run_cli(*ADD, "--value", value, "--note", "再加一条", cwd=root,
                       MINSHENG_NO_FAST_PARSE=fast)  # fmt: skip
        refused(done, "too-large")
        assert snapshot(small_data) == before
    assert run_cli("validate", "--no-cache", cwd=root).code == 0


# --- 12. `--output` writes only a regular file, never over the data -------------------------


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_output_never_replaces_what_is_not_a_regular_file(small_data: Path, kind: str) -> None:
    root = small_data.parent
    place = root / "out.csv"
    target = root / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(place)
    elif kind == "symlink":
        place.symlink_to(target)
    else:
        if os.geteuid() != 0:
            pytest.skip("only root makes a device node")
        os.mknod(place, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null
    mode = os.lstat(place).st_mode
    done = run_cli("list", "--format", "csv", "--output", str(place), cwd=root)
    assert done.code == 2 and "[output-not-a-file]" in done.stderr, done.stderr
    assert os.lstat(place).st_mode == mode  # still the pipe, the link, the device
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_output_keeps_an_existing_files_mode(small_data: Path) -> None:
    root = small_data.parent
    place = root / "mine.csv"
    place.write_text("old", encoding="utf-8")
    place.chmod(0o600)
    done = run_cli("list", "--format", "csv", "--output", str(place), cwd=root)
    assert done.code == 0, done.stderr
    assert stat.S_IMODE(place.stat().st_mode) == 0o600
    assert place.read_text(encoding="utf-8") != "old"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "csv"],
        ["show", "1", "--format", "json"],
        ["validate"],
        ["report", "--as-of", "2024-07-31"],
        ["progress", "list"],
    ],
)
@pytest.mark.parametrize("where", ["plan", "a progress file", "a new file in progress"])
def test_output_never_writes_over_the_data(
    recorded_data: Path, args: list[str], where: str
) -> None:
    root = recorded_data.parent
    output = {
        "plan": recorded_data / "tasks_2024.yaml",
        "a progress file": recorded_data / "progress" / "2024-06" / "rsj.yaml",
        "a new file in progress": recorded_data / "progress" / "report.md",
    }[where]
    before = snapshot(root)
    for relative in (str(output), os.path.relpath(output, root)):
        done = run_cli(*args, "--output", relative, cwd=root)
        assert done.code == 2 and "[output-is-data]" in done.stderr, (args, done.stderr)
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "args",
    [
        ["progress", "template", "--unit", "区人社局", "--as-of", "2024-06-30", "-f", "csv"],
        ["plan", "draft", "NOTICE"],
        ["plan", "draft", "NOTICE", "--force"],
        ["report", "--format", "csv"],
    ],
    ids=["template", "plan-draft", "plan-draft-force", "report"],
)
@pytest.mark.parametrize("cwd", ["repo", "elsewhere"])
def test_no_output_lands_in_the_progress_folder(
    recorded_data: Path, tmp_path: Path, args: list[str], cwd: str
) -> None:
    """Round 3: `plan draft --output data/progress/2024-06/rsj.yaml --force` replaced a month's
    records, and new files were written under progress/ even without --force. Every command's
    --output is refused there, run in the repository or from another folder."""
    root = recorded_data.parent
    notice = tmp_path / "notice.txt"
    notice.write_text(Path("tests/fixtures/notices/list_2025.txt").read_text(encoding="utf-8"))
    args = [str(notice) if arg == "NOTICE" else arg for arg in args]
    where = root if cwd == "repo" else tmp_path
    extra = [] if cwd == "repo" or args[0] == "plan" else ["--data-dir", str(recorded_data)]
    before = snapshot(root)
    for output in (
        recorded_data / "progress" / "2024-06" / "rsj.yaml",
        recorded_data / "progress" / "2024-06" / "new.yaml",
        recorded_data / "progress" / "2099-01" / "x.csv",
    ):
        done = run_cli(*args, *extra, "--output", str(output), cwd=where)
        assert done.code == 2 and "[output-is-data]" in done.stderr, (args, done.stderr)
    assert snapshot(root) == before


# --- 13. a new progress file never copies setuid or world-write bits ---------------------


@pytest.mark.parametrize("where", ["same month", "another month"])
def test_a_new_progress_file_takes_no_special_bits_from_a_sibling(
    small_data: Path, where: str
) -> None:
    month = "2024-06" if where == "same month" else "2024-05"
    stray = small_data / "progress" / month / "mzj.yaml"
    stray.parent.mkdir()
    stray.write_text("# 空文件\n", encoding="utf-8")
    stray.chmod(0o4777)
    done = run_cli(*ADD, "--value", "10", cwd=small_data.parent)
    assert done.code == 0, done.stderr
    mode = stat.S_IMODE((small_data / "progress" / "2024-06" / "rsj.yaml").stat().st_mode)
    assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | 0o111 | stat.S_IWOTH), oct(mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == (0o666 & ~0o002 if where == "same month" else 0o666 & ~mask), oct(mode)


# --- 14. the cache removes only what it wrote, in a folder it marked ------------------------


def test_the_cache_never_removes_files_it_did_not_write(
    recorded_data: Path, tmp_path: Path
) -> None:
    """MINSHENG_CACHE_DIR pointed at a folder of the user's, with folders of the names the
    cache uses: every file of the user's stays, however old."""
    mine = tmp_path / "文档"
    long_ago = time.time() - 90 * 86400
    names = []
    for sub in ("", "progress", "ledger", "hashes", "plans", "plan", "command"):
        for number in range(20):
            path = mine / sub / f"通报{number}.docx"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK\x03\x04 a document")
            os.utime(path, (long_ago, long_ago))
            names.append(path)
    lookalike = mine / "ledger" / ("0" * 64)  # a user's file under a name like an entry's
    lookalike.write_bytes(b"mine")
    os.utime(lookalike, (long_ago, long_ago))
    before = snapshot(mine)
    root = recorded_data.parent
    for args in (
        ["report", "--as-of", "2024-07-31"],
        ["validate"],
        ["list", "--format", "json"],
        ["progress", "list"],
        ["rollup", str(recorded_data), "--as-of", "2024-07-31"],
    ):
        for plan_text in ("", "# 改了一行\n"):  # another plan: a new ledger, a new answer
            with (recorded_data / "tasks_2024.yaml").open("a", encoding="utf-8") as stream:
                stream.write(plan_text)
            done = run_cli(*args, cwd=root, MINSHENG_CACHE_DIR=str(mine))
            assert done.code == 0, done.stderr
    assert snapshot(mine) == before  # nothing written into folders that are not the cache's


def test_a_folder_the_cache_made_is_marked_and_pruned(tmp_path: Path) -> None:
    blobs = Blobs(tmp_path / "cache" / "progress")
    key = "b" * 64
    blobs.put(key, b"x")
    folder = tmp_path / "cache" / "progress"
    assert (folder / cache_module.MARKER).read_bytes().startswith(b"Signature: 8a477f597d28d1")
    stray = folder / "notes.txt"  # not a name the cache gives
    stray.write_text("mine", encoding="utf-8")
    long_ago = time.time() - 90 * 86400
    for path in (folder / key, stray):
        os.utime(path, (long_ago, long_ago))
    blobs.prune()
    assert not (folder / key).exists() and stray.exists()


# --- 15. a source the system refuses to look at is a located problem -----------------------


@pytest.mark.parametrize("fast", ["", "1"])
def test_a_source_name_over_255_bytes_is_a_problem_of_its_record(
    recorded_data: Path, fast: str
) -> None:
    path = recorded_data / "progress" / "2024-06" / "rsj.yaml"
    source = "docs/" + "证" * 100 + ".pdf"  # a name of 304 bytes in UTF-8
    (recorded_data.parent / "docs").mkdir()
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"---\nid: abcdef0123\nitem: 1\ntarget: training\ndate: 2024-06-30\nvalue: 1300\n"
        f"unit: 区人社局\nsource: {source}\nrecorded_at: 2024-07-02T10:00:00+08:00\n...\n",
        encoding="utf-8",
    )
    line = path.read_text(encoding="utf-8").splitlines().index(f"source: {source}") + 1
    root = recorded_data.parent
    for args in (["validate"], ["report", "--as-of", "2024-07-31"]):
        done = run_cli(*args, "--no-cache", cwd=root, MINSHENG_NO_FAST_PARSE=fast)
        said = done.stdout + done.stderr
        assert done.code == 1 and "[io-error]" not in said, said
        assert f"rsj.yaml:{line}:1: missing-source:" in said and "文件名太长" in said, said
    done = run_cli(*ADD, "--value", "1400", "--source", source, cwd=root)
    assert done.code == 1 and "[missing-source]" in done.stderr, done.stderr


def test_a_source_in_a_folder_that_cannot_be_read_is_a_problem_of_its_record(
    recorded_data: Path,
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    closed = recorded_data.parent / "docs" / "closed"
    closed.mkdir(parents=True)
    path = recorded_data / "progress" / "2024-06" / "rsj.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "---\nid: abcdef0123\nitem: 1\ntarget: training\ndate: 2024-06-30\nvalue: 1300\n"
        "unit: 区人社局\nsource: docs/closed/x.pdf\nrecorded_at: 2024-07-02T10:00:00+08:00\n"
        "...\n",
        encoding="utf-8",
    )
    (recorded_data.parent / "docs").chmod(0)
    try:
        done = run_cli("validate", "--no-cache", cwd=recorded_data.parent)
    finally:
        (recorded_data.parent / "docs").chmod(0o755)
    assert done.code == 1 and "missing-source:" in done.stdout, done.stdout + done.stderr
