"""The city's roll-up as a workbook, one sheet per view (排名, 逐项进度, 进度较慢, 本月报送, 说明),
made from the roll-up's JSON document (rollup.compute.document); every cell through
core.cells.write_cell (render.sheets.put), so that no text of the data becomes a formula."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from minsheng.core.status import RETURN_WORDS
from minsheng.render.rollup import area_names, heading
from minsheng.render.sheets import (
    PERCENT,
    Col,
    put,
    shown_fraction,
    status_fill,
    words,
    write_heading,
    write_view,
)


def _ranking(sheet: Any, document: dict[str, Any]) -> None:
    columns = [
        Col("排名", lambda a: a["rank"]),
        Col("县区", lambda a: a["name"]),
        Col("数据目录", lambda a: a["dir"]),
        Col("有任务事项", lambda a: a["items_with_task"]),
        Col("已完成", lambda a: a["summary"]["done"]),
        Col("正常推进", lambda a: a["summary"]["on_track"]),
        Col("滞后", lambda a: a["summary"]["behind"]),
        Col("严重滞后", lambda a: a["summary"]["lagging"]),
        Col("从未报送", lambda a: a["summary"]["unreported"]),
        Col("无任务", lambda a: a["summary"]["no_task"]),
        Col("平均完成比例", lambda a: shown_fraction(a["completion_pct"]), PERCENT),
        Col("按时报送率", lambda a: shown_fraction(a["on_time_rate_pct"]), PERCENT),
    ]
    write_heading(sheet, "各县区总体进展与排名", heading(document))
    write_view(sheet, columns, document["areas"])


def _matrix(sheet: Any, document: dict[str, Any]) -> None:
    names = area_names(document)
    columns = [Col("序号", lambda i: i["ref"]), Col("事项", lambda i: i["title"])]
    # Each district 目标任务 | 进度 | 完成比例, as a city's table prints them side by side.
    for name in names:
        columns.append(Col(f"{name}目标任务", _target_of(name), wrap_at=TARGET_WIDTH))
        columns.append(Col(f"{name}状态", _status_of(name)))
        columns.append(Col(f"{name}完成比例", _completion_of(name), PERCENT))
    columns.append(Col("进度较慢的县区", lambda i: words(i["slowest"])))
    write_heading(sheet, "逐项进度(各县区目标任务、状态和完成比例)", heading(document))
    write_view(sheet, columns, document["items"])
    # The district page's colours on each status cell, beside the word.
    for row, item in enumerate(document["items"], start=4):
        for index, name in enumerate(names):
            fill = status_fill(item["areas"][name]["status"])
            if fill is not None:
                sheet.cell(row=row, column=4 + 3 * index).fill = fill


TARGET_WIDTH = 24  # a district's 目标任务 wraps at this width: six districts still print


def _target_of(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda item: item["areas"][name]["target"]


def _status_of(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda item: item["areas"][name]["status_label"]


def _completion_of(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda item: shown_fraction(item["areas"][name]["completion_pct"])


def _slowest(sheet: Any, document: dict[str, Any]) -> None:
    columns = [
        Col("序号", lambda i: i["ref"]),
        Col("事项", lambda i: i["title"]),
        Col("进度较慢的县区", lambda i: words(i["slowest"])),
    ]
    write_heading(sheet, "进度较慢的事项", document["rule"]["slowest"])
    rows = [item for item in document["items"] if item["slowest"]]
    write_view(sheet, columns, rows, empty="无")


def _returns(sheet: Any, document: dict[str, Any]) -> None:
    def get(key: str) -> Any:
        return lambda a: words(a["returns"][key])

    columns = [
        Col("县区", lambda a: a["name"]),
        Col("月份", lambda a: a["returns"]["month"]),
        Col("本月报送", lambda a: RETURN_WORDS[a["returns"]["status"]]),
        Col("已报送单位", get("reported")),
        Col("逾期单位", get("late")),
        Col("未报送单位", get("missing")),
        Col("待报送单位", get("pending")),
    ]
    write_heading(sheet, "本月报送情况", heading(document))
    rows = [area for area in document["areas"] if area["returns"] is not None]
    write_view(sheet, columns, rows, empty="无")


def render_xlsx(document: dict[str, Any]) -> bytes:
    """The workbook for the roll-up's JSON document."""
    from openpyxl import Workbook

    book = Workbook()
    views = (
        ("排名", _ranking),
        ("逐项进度", _matrix),
        ("进度较慢", _slowest),
        ("本月报送", _returns),
    )
    first = True
    for title, write in views:
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        write(sheet, document)
    notes = book.create_sheet("说明")
    for row, text in enumerate([heading(document), *document["rule"].values()], start=1):
        put(notes, row, 1, text)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
