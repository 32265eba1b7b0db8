"""Progress entries (进度记录): the model, and reading every file under data/progress/."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from minsheng.datadir import DataDir
from minsheng.issues import Issue
from minsheng.models import IsoDate, Number, Slug, Strict, Text
from minsheng.plan import LoadedPlan


class Stage(StrEnum):
    """The stage of a milestone target."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"


def parse_timestamp(value: Any) -> Any:
    """An ISO 8601 timestamp with its UTC offset, as the tool writes it."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("bad_date", "时间格式不对:{value}", {"value": value}) from None
        if stamp.tzinfo is None:
            raise PydanticCustomError("bad_date", "时间需带时区:{value}", {"value": value})
        return stamp
    raise PydanticCustomError("date_type", "需要时间,格式为 ISO 8601")


Timestamp = Annotated[dt.datetime, BeforeValidator(parse_timestamp)]


class ProgressEntry(Strict):
    """On `date`, target `target` of item `item` stood at `value` (累计完成) or `stage`."""

    id: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")]
    item: Annotated[int, Field(ge=1)]
    target: Slug
    date: IsoDate
    value: Annotated[Number, Field(ge=0)] | None = None  # in the target's unit of measure
    stage: Annotated[Stage | None, Field(strict=False)] = None
    percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    unit: Text  # the reporting lead unit, canonical name
    note: str | None = None
    source: str | None = None
    corrects: Annotated[str, Field(pattern=r"^[0-9a-z]{6,32}$")] | None = None
    recorded_at: Timestamp


def read_progress(folder: DataDir, plan: LoadedPlan) -> tuple[list[ProgressEntry], list[Issue]]:
    """Every entry under `folder.progress`, oldest first, and the problems found."""
    return [], []
