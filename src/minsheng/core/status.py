"""An item's status (状态): the JSON codes, their Chinese words and colours, read either way."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """An item's status at the as-of date; the values are the JSON codes, in bulletin order."""

    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    LAGGING = "lagging"
    UNREPORTED = "unreported"
    NO_TASK = "no_task"


WORDS: dict[Status, str] = {
    Status.DONE: "已完成",
    Status.ON_TRACK: "正常推进",
    Status.BEHIND: "滞后",
    Status.LAGGING: "严重滞后",
    Status.UNREPORTED: "从未报送",
    Status.NO_TASK: "无任务",
}

# Terminal colours (rich styles): red and yellow draw the eye to what needs attention.
STYLES: dict[Status, str] = {
    Status.DONE: "bold green",
    Status.ON_TRACK: "green",
    Status.BEHIND: "yellow",
    Status.LAGGING: "bold red",
    Status.UNREPORTED: "magenta",
    Status.NO_TASK: "dim",
}

ACTIVE = [status for status in Status if status is not Status.NO_TASK]
CODES = [status.value for status in Status]

# This month's return missing after its due day (本月未报送) is not an item's status but a
# unit's return; `list --status` and `report --fail-on` take it beside the statuses. A bare
# 未报送 would mean either, so it is not read as a status at all.
MISSING = "missing"
MISSING_WORD = "本月未报送"
AMBIGUOUS = {"未报送": f"从未报送(unreported)还是{MISSING_WORD}({MISSING})"}

# A unit's return for a month (report.cycle.Return), by its JSON code. In a month's cell or
# beside 本月报送 the bare 未报送 is that month's return; an item never reported at all is
# 从未报送, a different word for a different thing.
RETURN_WORDS = {"on_time": "按时", "late": "逾期", "missing": "未报送", "pending": "待报送"}

_BY_NAME = {name: status for status in Status for name in (status.value, WORDS[status])}


def word(code: str) -> str:
    """The Chinese word of a status code (as the JSON has it); anything else as it is."""
    return WORDS[Status(code)] if code in CODES else code


def parse(text: str) -> Status | None:
    """A status written as its code (`lagging`) or its word (严重滞后); None if it is neither."""
    return _BY_NAME.get(text.strip())


def choices(*, missing: bool = False) -> str:
    """Every status for a help text or a message: done(已完成)、on_track(正常推进)…, and
    with `missing`, missing(本月未报送) too."""
    found = [f"{status.value}({WORDS[status]})" for status in Status]
    if missing:
        found.append(f"{MISSING}({MISSING_WORD})")
    return "、".join(found)


def ambiguity(text: str) -> str:
    """Why a word is not read as a status, when it could mean two ("" otherwise)."""
    meant = AMBIGUOUS.get(text.strip())
    return f"“{text.strip()}”有两种意思,请写明:{meant}" if meant else ""
