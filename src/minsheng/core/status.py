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
    Status.UNREPORTED: "未报送",
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

_BY_NAME = {name: status for status in Status for name in (status.value, WORDS[status])}


def word(code: str) -> str:
    """The Chinese word of a status code (as the JSON has it); anything else as it is."""
    return WORDS[Status(code)] if code in CODES else code


def parse(text: str) -> Status | None:
    """A status written as its code (`lagging`) or its word (严重滞后); None if it is neither."""
    return _BY_NAME.get(text.strip())


def choices() -> str:
    """Every status for a help text or a message: done(已完成)、on_track(正常推进)…"""
    return "、".join(f"{status.value}({WORDS[status]})" for status in Status)
