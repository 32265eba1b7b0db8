"""What the caches trust, tried against real files and real processes: a progress file's digest
remembered by its signature (cache.Known), a valid plan's parse kept (load_plan(cache=True)),
and the roll-up's pool of processes. Each case changes the data the way a person or a tool
could, then compares `minsheng report --format json` (or `rollup`) run with the cache against
the same run with `--no-cache`: a stale figure must never be printed.

The processes are started through LAUNCH, which can move the clock the cache stamps a hashing
with (cache.clock: a clock ahead of the files' times, or one set back), and make the roll-up
use its pool from two districts on.

The default run keeps the core cases (an edit that keeps size and time, a file replaced, a
plan changed or invalid, a killed worker); the rest, each a few seconds of real processes,
run with the slow tests (`python -m pytest -m slow`), as CI does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, load_generator
from minsheng.core.cache import Cache, Hashes
from minsheng.core.datadir import DataDir

HOUR = 3600
LAUNCH = """
import os, sys, time
from minsheng.core import cache
shift = int(os.environ.get("SHIFT_CLOCK_S", "0")) * 10**9
real = time.time_ns
cache.clock = lambda: real() + shift
from minsheng.rollup import compute
if os.environ.get("POOL_FROM_TWO"):
    compute.POOL_FROM = 2
    compute._cores = lambda: 2
summarize = compute.summarize
def hooked(given, *args, **options):
    name = os.path.basename(os.path.normpath(str(given)))
    if name == os.environ.get("DIE_IN"):
        os.kill(os.getpid(), 9)
    if os.environ.get("WAIT_IN") and os.getpid() != int(os.environ["MAIN_PID"]):
        open(os.path.join(os.environ["WAIT_IN"], str(os.getpid())), "w").close()
        time.sleep(15)
    return summarize(given, *args, **options)
compute.summarize = hooked
os.environ["MAIN_PID"] = str(os.getpid())
sys.argv[0] = "minsheng"
from minsheng.cli.app import main
main()
"""


def run(*args: str, shift: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
    """`minsheng ARGS` in a process of its own, its cache's clock moved by `shift` seconds."""
    return subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=ROOT,
        env=cli_env(SHIFT_CLOCK_S=str(shift), **env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


Said = tuple[int, str, str]  # exit code, stdout, stderr


class Reports:
    """`minsheng report --format json` of one data folder, with a cache folder of its own."""

    def __init__(self, data: Path, cache: Path) -> None:
        self.data, self.cache = data, cache

    def cached(self, shift: int = 0, data: Path | None = None) -> Said:
        done = run(*self._args(data), shift=shift, MINSHENG_CACHE_DIR=str(self.cache))
        return done.returncode, done.stdout, done.stderr

    def fresh(self, data: Path | None = None) -> Said:
        done = run(*self._args(data), "--no-cache", MINSHENG_CACHE_DIR=str(self.cache))
        return done.returncode, done.stdout, done.stderr

    def trusted(self, data: Path | None = None) -> dict[str, object]:
        """The digests remembered for the folder's progress files that would be trusted now."""
        folder = DataDir(data or self.data)
        known = Hashes(Cache(self.cache), folder.progress).load()
        return {
            path: one
            for path, one in known.items()
            if one.answers(os.stat(path, follow_symlinks=False))
        }

    def _args(self, data: Path | None) -> list[str]:
        folder = str(data or self.data)
        return ["report", "--format", "json", "--as-of", "2024-07-31", "--data-dir", folder]


@pytest.fixture
def reports(recorded_data: Path, tmp_path: Path) -> Reports:
    return Reports(recorded_data, tmp_path / "cache")


CGJ = Path("progress") / "2024-07" / "cgj.yaml"


def same_size_edit(path: Path, old: str = "value: 95.6\n", new: str = "value: 95.7\n") -> None:
    """A figure changed in place, the size and the modification time put back as they were."""
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def filled(reports: Reports, shift: int) -> Said:
    """The report once through the cache, then again with every file's digest trusted."""
    first = reports.cached(shift)
    assert first[0] == 0, first[2]
    assert reports.cached(shift) == first
    return first


def assert_fresh(reports: Reports, before: Said, shift: int = 0, data: Path | None = None) -> None:
    """The cached report is the fresh one's bytes, and the change shows in it."""
    fresh = reports.fresh(data)
    assert fresh != before
    assert reports.cached(shift, data) == fresh
    assert reports.cached(shift, data) == fresh  # and what was kept after it too


# --- 1. a file's digest trusted by its signature ---------------------------------------------


@pytest.mark.parametrize("shift", [0, HOUR], ids=["now", "an hour later"])
def test_an_edit_that_keeps_size_and_modification_time(reports: Reports, shift: int) -> None:
    before = filled(reports, shift)
    if shift:  # every digest is trusted: only the change time can tell
        assert len(reports.trusted()) == 4
    same_size_edit(reports.data / CGJ)
    assert_fresh(reports, before, shift)


@pytest.mark.parametrize("how", ["rename over", "remove and write"])
def test_a_file_replaced_by_one_of_the_same_size_and_times(reports: Reports, how: str) -> None:
    before = filled(reports, HOUR)
    path = reports.data / CGJ
    status = path.stat()
    text = path.read_text(encoding="utf-8").replace("value: 95.6\n", "value: 95.7\n")
    if how == "rename over":
        temp = path.with_name(".cgj.tmp")
        temp.write_text(text, encoding="utf-8")
        os.utime(temp, ns=(status.st_atime_ns, status.st_mtime_ns))
        os.replace(temp, path)
    else:  # the inode freed may well be the one given to the new file
        path.unlink()
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size
    assert_fresh(reports, before, HOUR)


@pytest.mark.slow
def test_edits_within_the_margin_one_after_another(reports: Reports) -> None:
    """Each edit right after a run: never older than the hashing by the margin."""
    before = filled(reports, 0)
    path = reports.data / CGJ
    for old, new in [("95.6", "95.7"), ("95.7", "95.8"), ("95.8", "95.6")]:
        same_size_edit(path, f"value: {old}\n", f"value: {new}\n")
        assert reports.cached() == reports.fresh()
    assert reports.cached() == before


@pytest.mark.slow
@pytest.mark.parametrize("shift", [0, 2 * 24 * HOUR], ids=["now", "the clock past it"])
def test_a_file_dated_in_the_future(reports: Reports, shift: int) -> None:
    tomorrow = time.time_ns() + 24 * HOUR * 10**9
    for path in (reports.data / "progress").rglob("*.yaml"):
        os.utime(path, ns=(tomorrow, tomorrow))
    before = filled(reports, shift)
    assert len(reports.trusted()) == (4 if shift else 0)
    same_size_edit(reports.data / CGJ)
    assert (reports.data / CGJ).stat().st_mtime_ns == tomorrow
    assert_fresh(reports, before, shift)


@pytest.mark.slow
def test_the_clock_set_back_after_the_hashing(reports: Reports) -> None:
    before = filled(reports, HOUR)  # hashed an hour ahead of the files' clock
    same_size_edit(reports.data / CGJ)
    assert_fresh(reports, before, -HOUR)  # then the clock is put back an hour
    assert_fresh_again = reports.cached(HOUR)
    assert assert_fresh_again == reports.fresh()


@pytest.mark.slow
def test_a_file_added_and_removed(reports: Reports) -> None:
    before = filled(reports, HOUR)
    extra = reports.data / "progress" / "2024-07" / "jyj.yaml"
    shutil.copy2(reports.data / CGJ, extra)  # the same bytes and times, another unit's name
    assert_fresh(reports, before, HOUR)
    extra.unlink()
    assert reports.cached(HOUR) == reports.fresh() == before
    (reports.data / CGJ).unlink()
    assert_fresh(reports, before, HOUR)


@pytest.mark.slow
def test_month_folders_renamed(reports: Reports) -> None:
    before = filled(reports, HOUR)
    progress = reports.data / "progress"
    # Two months swapped: each path now holds the other's file (rsj.yaml in both).
    (progress / "2024-06").rename(progress / "swap")
    (progress / "2024-07").rename(progress / "2024-06")
    (progress / "swap").rename(progress / "2024-07")
    assert_fresh(reports, before, HOUR)
    (progress / "2024-07").rename(progress / "2024-08")
    assert reports.cached(HOUR) == reports.fresh()


@pytest.mark.slow
def test_one_folder_by_two_paths(reports: Reports, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(reports.data, target_is_directory=True)
    before = filled(reports, HOUR)
    assert reports.cached(HOUR, link)[:2] == reports.fresh(link)[:2] == before[:2]
    same_size_edit(link / CGJ)  # edited through the link, read by the real path
    assert_fresh(reports, before, HOUR)
    same_size_edit(reports.data / CGJ, "value: 95.7\n", "value: 95.8\n")  # and the other way
    assert reports.cached(HOUR, link) == reports.fresh(link) != before


@pytest.mark.slow
def test_a_link_turned_to_another_copy(reports: Reports, tmp_path: Path) -> None:
    """The data folder is a link; it is pointed at a copy (same bytes, same times) that differs
    in one figure of the same size."""
    copy = tmp_path / "copy"
    shutil.copytree(reports.data, copy)
    link = tmp_path / "link"
    link.symlink_to(reports.data, target_is_directory=True)
    filled(reports, HOUR)
    before = reports.cached(HOUR, link)
    same_size_edit(copy / CGJ)
    link.unlink()
    link.symlink_to(copy, target_is_directory=True)
    assert_fresh(reports, before, HOUR, link)


@pytest.mark.slow
def test_two_folders_of_the_same_content(reports: Reports, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(reports.data, twin)  # copy2: the same bytes and modification times
    before = filled(reports, HOUR)
    assert reports.cached(HOUR, twin) == reports.fresh(twin)
    same_size_edit(twin / CGJ)
    assert_fresh(reports, before, HOUR, twin)
    assert reports.cached(HOUR) == reports.fresh() == before


@pytest.mark.slow
def test_a_file_edited_through_a_hard_link_elsewhere(reports: Reports, tmp_path: Path) -> None:
    """Another folder holds hard links to the same files (cp -al): an edit there, in place,
    is an edit here too."""
    twin = tmp_path / "linked"
    shutil.copytree(reports.data, twin, copy_function=os.link)
    before = filled(reports, HOUR)
    target = twin / CGJ
    status = target.stat()
    with target.open("r+b") as stream:  # in place: the same inode, the same size
        text = stream.read().replace(b"value: 95.6\n", b"value: 95.7\n")
        stream.seek(0)
        stream.write(text)
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (reports.data / CGJ).stat().st_ino == target.stat().st_ino
    assert_fresh(reports, before, HOUR)


@pytest.mark.slow
def test_list_by_status_after_a_change(reports: Reports) -> None:
    args = ["list", "--status", "done", "--format", "json", "--data-dir", str(reports.data)]
    env = {"MINSHENG_CACHE_DIR": str(reports.cache)}
    before = run(*args, shift=HOUR, **env).stdout
    assert run(*args, shift=HOUR, **env).stdout == before != ""
    same_size_edit(reports.data / CGJ, "value: 95.6\n", "value: 99.9\n")
    fresh = run(*args, "--no-cache", **env)
    assert fresh.returncode == 0, fresh.stderr
    assert run(*args, shift=HOUR, **env).stdout == fresh.stdout


# --- on a file system that keeps its times to the second ---------------------------------------


@pytest.fixture
def coarse(tmp_path: Path) -> Iterator[Path]:
    """A folder on an ext2 file system of 128-byte inodes, which keeps times to the whole
    second (as FAT keeps them to two, and many network shares to one); only where this user
    may make and mount one."""
    if os.geteuid() != 0 or shutil.which("mkfs.ext2") is None:
        pytest.skip("making and mounting a file system needs root and mkfs.ext2")
    image, mount = tmp_path / "coarse.img", tmp_path / "coarse"
    mount.mkdir()
    with image.open("wb") as stream:
        stream.truncate(16 * 2**20)
    made = subprocess.run(["mkfs.ext2", "-q", "-I", "128", str(image)], capture_output=True)
    mounted = (
        made.returncode == 0
        and (
            subprocess.run(["mount", "-o", "loop", str(image), str(mount)], capture_output=True)
        ).returncode
        == 0
    )
    if not mounted:
        pytest.skip("no loop mount here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def second_start() -> None:
    """Wait for the start of the next second, so that what follows shares its file times."""
    time.sleep(1 - time.time() % 1 + 0.01)


@pytest.mark.slow
@pytest.mark.parametrize("shift", [0, 10], ids=["one clock", "the share's clock 10 s behind"])
def test_edits_in_the_second_of_the_hashing_on_a_coarse_file_system(
    recorded_data: Path, coarse: Path, tmp_path: Path, shift: int
) -> None:
    data = coarse / "data"
    shutil.copytree(recorded_data, data)
    reports = Reports(data, tmp_path / "cache")
    path = data / CGJ
    same_times = 0
    for value in ["95.7", "95.8", "95.9"]:
        second_start()
        path.write_text(path.read_text("utf-8").replace("95.6", value), "utf-8")
        hashed = path.stat()
        cached = reports.cached(shift)  # hashed in the second the file was written
        same_size_edit(path, f"value: {value}\n", "value: 96.0\n")  # and edited in it again
        same_times += path.stat().st_ctime_ns == hashed.st_ctime_ns
        assert reports.cached(shift) == reports.fresh() != cached
        same_size_edit(path, "value: 96.0\n", "value: 95.6\n")
    assert same_times  # at least once the edit had the very times the hashing saw
    time.sleep(3.5)  # older than the margin now, and still never trusted: times to the second
    assert reports.cached(shift) == reports.cached(shift)
    assert reports.trusted() == {}
    same_size_edit(path, "value: 95.6\n", "value: 95.1\n")
    assert reports.cached(shift) == reports.fresh()


# --- 2. a valid plan's parse kept ----------------------------------------------------------------

EXAMPLES = ROOT / "examples" / "rollup"


def districts(into: Path) -> list[Path]:
    """The example's three districts, copied."""
    folders = []
    for example in sorted(EXAMPLES.iterdir()):
        if example.is_dir():
            shutil.copytree(example, into / example.name)
            folders.append(into / example.name)
    return folders


def rolled(folders: list[Path], *options: str, **env: str) -> Said:
    args = ["rollup", *map(str, folders), "--as-of", "2024-06-30", "--format", "json", *options]
    done = run(*args, **env)
    return done.returncode, done.stdout, done.stderr


def test_a_changed_plan_is_never_answered_from_its_kept_parse(tmp_path: Path) -> None:
    folders = districts(tmp_path / "data")
    cache = {"MINSHENG_CACHE_DIR": str(tmp_path / "cache")}
    before = rolled(folders, **cache)
    assert before[0] == 0, before[2]
    assert rolled(folders, **cache) == before
    assert list((tmp_path / "cache" / "plans").iterdir())
    plan = folders[1] / "tasks_2024.yaml"
    status = plan.stat()
    text = plan.read_text(encoding="utf-8")
    assert "value: 0.57, unit: 万人}" in text  # 目标任务 of item 1, shown in the roll-up
    plan.write_text(text.replace("value: 0.57, unit: 万人}", "value: 0.97, unit: 万人}"), "utf-8")
    os.utime(plan, ns=(status.st_atime_ns, status.st_mtime_ns))
    fresh = rolled(folders, "--no-cache", **cache)
    assert fresh != before
    assert rolled(folders, **cache) == fresh


def test_an_invalid_plan_is_never_kept(tmp_path: Path) -> None:
    folders = districts(tmp_path / "data")
    cache = tmp_path / "cache"
    plan = folders[2] / "tasks_2024.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("value: 430, unit: 个}", "value: -430, unit: 个}"), "utf-8")
    refused = rolled(folders, MINSHENG_CACHE_DIR=str(cache))
    assert refused[0] == 1 and refused[1] == "" and "Traceback" not in refused[2]
    assert rolled(folders, "--no-cache") == refused
    assert rolled(folders, MINSHENG_CACHE_DIR=str(cache)) == refused
    kept = {path.name for path in (cache / "plans").iterdir() if path.name != "CACHEDIR.TAG"}
    assert len(kept) == 2  # the two valid districts' plans, not the third


def test_a_kept_parse_is_checked_again_by_the_code_that_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan kept as valid, read by code whose checks refuse it: refused, never served."""
    from minsheng.core.issues import Code, Issue
    from minsheng.plan import load as plan_load

    folder = districts(tmp_path / "data")[0]
    cache = Cache(tmp_path / "cache")
    loaded, issues = plan_load.load_plan(folder / "tasks_2024.yaml", cache=cache)
    assert loaded is not None and issues == []
    assert list((tmp_path / "cache" / "plans").iterdir())

    def refuse(plan: object, doc: object) -> list[Issue]:
        return [Issue("tasks_2024.yaml", 1, 1, Code.DUPLICATE_KEY, "新规则不允许", "")]

    monkeypatch.setattr(plan_load, "CHECKS", (*plan_load.CHECKS, refuse))
    again, issues = plan_load.load_plan(folder / "tasks_2024.yaml", cache=cache)
    assert again is None and [issue.message for issue in issues] == ["新规则不允许"]


# --- 3. the roll-up's pool of processes ---------------------------------------------------------

POOL = {"POOL_FROM_TWO": "1"}


@pytest.mark.slow
def test_the_pool_prints_what_one_process_does(tmp_path: Path) -> None:
    folders = districts(tmp_path / "data") * 1
    folders += [shutil.copytree(f, tmp_path / "more" / f.name) for f in folders[:2]]
    more = tmp_path / "more"
    for folder in folders[3:]:  # two more districts of their own names
        plan = folder / "tasks_2024.yaml"
        text = plan.read_text(encoding="utf-8")
        plan.write_text(text.replace("area: ", "area: 新", 1), "utf-8")
    assert more.is_dir()
    cache = {"MINSHENG_CACHE_DIR": str(tmp_path / "cache")}
    alone = rolled(folders, "--no-cache")
    assert alone[0] == 0, alone[2]
    assert rolled(folders, "--no-cache", **POOL) == alone
    assert rolled(folders, **POOL, **cache) == alone  # cold
    assert rolled(folders, **POOL, **cache) == alone  # warm
    assert rolled(folders, **cache) == alone
    names = [area["name"] for area in json.loads(alone[1])["areas"]]
    assert len(names) == 5


def test_a_killed_worker_is_an_error_not_a_hang(tmp_path: Path) -> None:
    folders = districts(tmp_path / "data")
    done = rolled(folders, "--no-cache", DIE_IN=folders[2].name, **POOL)
    assert done[0] == 1 and done[1] == ""
    assert done[2].startswith("错误 [rollup-worker-died]：计算县区的进程意外退出（轮到 ")
    assert "Traceback" not in done[2] and "internal" not in done[2]


@pytest.mark.slow
@pytest.mark.parametrize("group", [True, False], ids=["Ctrl-C", "SIGINT to the main process"])
def test_an_interrupt_ends_the_pool(tmp_path: Path, group: bool) -> None:
    folders = districts(tmp_path / "data")
    waiting = tmp_path / "waiting"
    waiting.mkdir()
    args = ["rollup", *map(str, folders), "--as-of", "2024-06-30", "--no-cache"]
    env = cli_env(SHIFT_CLOCK_S="0", WAIT_IN=str(waiting), **POOL)
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    try:
        for _ in range(600):  # until the workers are in their districts
            if len(list(waiting.iterdir())) == 2 or process.poll() is not None:
                break
            time.sleep(0.1)
        assert len(list(waiting.iterdir())) == 2
        if group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert (process.returncode, out) == (130, "")
    assert "Traceback" not in err
    for pid in (int(path.name) for path in waiting.iterdir()):  # no worker left behind
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.slow
def test_the_pool_over_generated_counties(tmp_path: Path) -> None:
    generate = load_generator().generate
    folders = []
    for number in range(1, 9):
        folder = tmp_path / f"county{number:03d}"
        generate(300, folder, seed=number)
        plan = folder / "tasks_2024.yaml"
        text = plan.read_text(encoding="utf-8")
        plan.write_text(text.replace("area: 花山区", f"area: 县{number:03d}"), "utf-8")
        folders.append(folder)
    args = ["rollup", *map(str, folders), "--as-of", "2024-12-31", "--format", "json"]
    cache = {"MINSHENG_CACHE_DIR": str(tmp_path / "cache")}
    alone = run(*args, "--no-cache")
    assert alone.returncode == 0, alone.stderr
    for env in [POOL, {**POOL, **cache}, {**POOL, **cache}, cache]:
        pooled = run(*args, **env)
        assert (pooled.returncode, pooled.stdout, pooled.stderr) == (0, alone.stdout, "")
