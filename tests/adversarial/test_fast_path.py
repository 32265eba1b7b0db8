"""The fast reading of progress files (rapidyaml, minsheng.progress.fastparse) and the parse cache
against the reference loader: for any bytes, the fast path gives exactly what the reference
gives (or steps aside), and a corrupt or foreign cache entry is never believed.

The files start in the exact shape the store writes (the only shape the fast path takes) and
are then edited a character or a word at a time, where the two parsers could read apart.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from adversarial.budget import cases
from adversarial.generate import RandomPick, build_progress, seeded_progress
from minsheng.core import cache as cache_module
from minsheng.progress import checks, fastparse, store
from minsheng.progress import files as progress_files
from minsheng.progress.entry import ProgressEntry

# Both tests below ask for the fast path explicitly; they need rapidyaml, not its switch.
needs_ryml = pytest.mark.skipif(
    importlib.util.find_spec("ryml") is None,
    reason="rapidyaml is not installed: there is no fast path to compare",
)

# Words that one YAML parser or the other may read as something else than the store meant.
TRICKY = [
    "0320",
    "+320",
    "-0",
    "3.2e2",
    "3.2E+2",
    "1e3",
    "320.",
    ".5",
    "1_000",
    "0x10",
    "0o17",
    "inf",
    ".inf",
    "-.inf",
    ".nan",
    "NaN",
    "null",
    "~",
    "Null",
    "true",
    "True",
    "yes",
    "on",
    "2024-6-30",
    "2024-06-30T00:00:00",
    "2024-02-30",
    "２０２４-06-30",
    "３２０",
    "'320'",
    '"320"',
    '"\\u533a"',
    '"\\x41"',
    "'it''s'",
    '"a\\"b"',
    "a #b",
    "a: b",
    "[1]",
    "{a: 1}",
    "&a 1",
    "*a",
    "!!str 1",
    "|",
    ">",
    "- x",
    "?",
    "%",
    "@x",
    "`x",
    "\t1",
    "1 ",
    " 1",
    "",
    "1000000000000000",
    "999999999999999",
    "0.0000000000001",
    "1.0e999999999",
    "9" * 5000,
    '"\\N"',
    '"\\_"',
    '"\\L"',
    '"\\P"',
    '"\\e"',
    '"\\0"',
    '"\\U0001F600"',
    "\u3000",
]


def store_text(tree: dict[str, list[dict[str, Any]]]) -> list[bytes]:
    """Each file of the tree exactly as the store writes it."""
    files = []
    for entries in tree.values():
        records = [store.entry_text(ProgressEntry.model_validate(e)) for e in entries]
        files.append(("# 进度记录\n" + "".join(records)).encode("utf-8"))
    return files


@st.composite
def edited_store_files(draw: st.DrawFn) -> bytes:
    """A store-shaped file with one to three small edits inside its lines."""
    raw = draw(st.sampled_from(store_text(draw(seeded_progress))))
    lines = raw.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        how = draw(st.sampled_from(["value", "char", "drop", "repeat", "bytes"]))
        if how == "value" and ": " in line:
            key = line.split(": ", 1)[0]
            lines[at] = f"{key}: {draw(st.sampled_from(TRICKY))}"
        elif how == "char" and line:
            column = draw(st.integers(0, len(line)))
            lines[at] = (
                line[:column] + draw(st.sampled_from(TRICKY) | st.text(max_size=2)) + line[column:]
            )
        elif how == "drop":
            del lines[at]
        elif how == "repeat":
            lines.insert(at, line)
        elif how == "bytes":
            return "\n".join(lines).encode("utf-8") + draw(st.binary(max_size=8))
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


COUNT = cases(3000, 30_000)


@needs_ryml
@pytest.mark.slow
@pytest.mark.parametrize("count", [pytest.param(COUNT, id=f"{COUNT}-examples")])
def test_the_fast_path_reads_every_file_exactly_as_the_reference(count: int) -> None:
    tried, taken = 0, 0

    @settings(max_examples=count)
    @given(edited_store_files())
    def check(raw: bytes) -> None:
        nonlocal tried, taken
        tried += 1
        note(raw.decode("utf-8", errors="replace"))
        fast = progress_files.parse_file(raw, "rsj.yaml", fast=True)
        reference = progress_files.parse_file(raw, "rsj.yaml", fast=False)
        assert fast == reference
        taken += fastparse.parse(raw, raw.decode("utf-8", errors="replace")) is not None

    check()
    assert tried == count
    assert taken > count // 10, taken  # the fast path really read many of them
    print(f"fast path took {taken} of {count} files")


@pytest.mark.parametrize(
    "corrupt",
    ["flip", "truncate", "empty", "garbage", "other-key", "wrong-shape"],
)
def test_a_corrupt_cache_entry_is_never_believed(corrupt: str, tmp_path: Path) -> None:
    raw = store_text(build_progress(RandomPick(7)))[0]
    expected = progress_files.parse_file(raw, "rsj.yaml", fast=False)
    cache = cache_module.Cache(tmp_path)
    key = cache.key(raw)
    cache.store(key, expected)
    path = tmp_path / "progress" / key
    blob = path.read_bytes()
    if corrupt == "flip":
        blob = blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:]
    elif corrupt == "truncate":
        blob = blob[: len(blob) // 2]
    elif corrupt == "empty":
        blob = b""
    elif corrupt == "garbage":
        blob = os.urandom(len(blob))
    elif corrupt == "other-key":  # a whole entry, but another file's
        other = b"# other\n" + raw
        cache.store(cache.key(other), progress_files.parse_file(other, "x", fast=False))
        blob = (tmp_path / "progress" / cache.key(other)).read_bytes()
    if corrupt == "wrong-shape":  # a valid checksum over a payload of another shape
        cache.blobs.put(key, marshal.dumps(("not", "a", "parse")))
    else:
        path.write_bytes(blob)
    assert cache.load(key) is None
    with tempfile.TemporaryDirectory() as elsewhere:
        fresh = cache_module.Cache(Path(elsewhere))
        assert fresh.load(fresh.key(raw)) is None


CACHED = cases(300, 3000)


@pytest.mark.slow
@pytest.mark.parametrize("count", [pytest.param(CACHED, id=f"{CACHED}-examples")])
def test_reading_through_the_cache_gives_what_reading_afresh_gives(count: int) -> None:
    """Hostile progress files read without a cache, then twice through one (a miss, then a
    hit): the same entries, in the same order, with the same problems."""
    from adversarial.test_fuzz_progress import Folder, hostile_trees

    tried = 0
    with tempfile.TemporaryDirectory(prefix="minsheng-cache-") as root:
        folder = Folder(Path(root) / "work")
        cache = cache_module.Cache(Path(root) / "cache")

        def seen(**options: Any) -> tuple[list[Any], list[str]]:
            entries, issues = checks.read_progress(
                folder.dir, folder.plan, today=dt.date(2025, 1, 1), **options
            )
            return [(e.id, e.value, e.stage, e.note, e.where.line) for e in entries], [
                str(issue) for issue in issues
            ]

        @settings(max_examples=count)
        @given(hostile_trees())
        def check(case: tuple[str, dict[str, bytes]]) -> None:
            nonlocal tried
            tried += 1
            folder.put(case[1])
            afresh = seen(cache=None)
            assert seen(cache=cache) == afresh
            assert seen(cache=cache) == afresh

        check()
    assert tried == count


@needs_ryml
@pytest.mark.parametrize("key", ["value", "percent", "date", "item", "id", "note", "unit"])
def test_every_tricky_word_in_every_field_reads_the_same_both_ways(key: str) -> None:
    record = {
        "id": "1a2b3c4d5e",
        "item": "1",
        "target": "training",
        "date": "2024-06-30",
        "value": "320",
        "percent": None,
        "unit": "区人社局",
        "note": "进展顺利",
        "recorded_at": "2024-07-01T09:00:00+08:00",
    }
    for word in TRICKY:
        fields = {**record, key: word}
        lines = [f"{name}: {text}" for name, text in fields.items() if text is not None]
        raw = ("# 进度记录\n---\n" + "\n".join(lines) + "\n...\n").encode("utf-8")
        fast = progress_files.parse_file(raw, "rsj.yaml", fast=True)
        assert fast == progress_files.parse_file(raw, "rsj.yaml", fast=False), (key, word)
