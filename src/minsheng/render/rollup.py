"""The city's roll-up (汇总) as neutral tables and their text formats (terminal, Markdown, CSV,
JSON), all made from the roll-up's JSON document (rollup.compute.document); the page, the
workbook and the 通报 are in html_rollup, xlsx_rollup and docx_rollup, and views.rollup is
where a format meets its renderer."""

from __future__ import annotations

import json
from typing import Any

from minsheng.core.percent import shown_percent
from minsheng.core.status import RETURN_WORDS, STYLES, Status
from minsheng.core.status import WORDS as STATUS_WORDS
from minsheng.core.typography import typeset
from minsheng.render.tables import NONE, Cell, Column, Table, md_escape, to_csv, to_markdown
from minsheng.render.tables import to_terminal as tables_to_terminal

COUNTED = [status for status in Status]  # every status, 无任务 last, as the report counts


def heading(document: dict[str, Any]) -> str:
    """各县区{year}年民生实事推进情况汇总(截至 2024-06-30,序时进度 50.0%)."""
    return (
        f"各县区{document['year']}年民生实事推进情况汇总"
        f"(截至 {document['as_of']},序时进度 {shown_percent(document['expected_pct'])})"
    )


def parent_line(document: dict[str, Any]) -> str:
    parent = document.get("parent")
    return f"依据:{parent}。" if parent else ""


def standing_text(standing: dict[str, Any]) -> str:
    """正常推进 71.8%; 无任务 alone."""
    if standing["status"] == Status.NO_TASK.value:
        return STATUS_WORDS[Status.NO_TASK]
    return f"{standing['status_label']} {shown_percent(standing['completion_pct'])}"


def rate_text(area: dict[str, Any]) -> str:
    """The on-time rate with what it counts: 68.8%(22/32); — before any month is settled."""
    months = area["on_time_months"]
    if area["on_time_rate_pct"] is None:
        return "—"
    return f"{shown_percent(area['on_time_rate_pct'])}({months['on_time']}/{months['settled']})"


def ranking_table(document: dict[str, Any]) -> Table:
    """各县区总体进展与排名: one row a district, in rank order."""
    table = Table(
        [
            Column("rank", "排名", "right"),
            Column("area", "县区"),
            Column("with_task", "有任务事项", "right"),
            *(Column(s.value, STATUS_WORDS[s], "right") for s in COUNTED),
            Column("completion", "平均完成比例", "right"),
            Column("on_time_rate", "按时报送率", "right"),
        ],
        title="各县区总体进展与排名",
    )
    for area in document["areas"]:
        table.rows.append(
            [
                area["rank"],
                area["name"],
                area["items_with_task"],
                *(area["summary"][s.value] for s in COUNTED),
                shown_percent(area["completion_pct"]),
                rate_text(area),
            ]
        )
    return table


def area_names(document: dict[str, Any]) -> list[str]:
    """The districts in the order given on the command line (the matrix's columns)."""
    items = document["items"]
    return list(items[0]["areas"]) if items else [area["name"] for area in document["areas"]]


def matrix_table(document: dict[str, Any]) -> Table:
    """逐项进度: each item, each district's status and completion, and the slowest."""
    names = area_names(document)
    table = Table(
        [
            Column("ref", "序号", "right"),
            Column("item", "事项", wrap=True),
            *(Column(f"area:{name}", name) for name in names),
            Column("slowest", "进度较慢的县区", wrap=True),
        ],
        title="逐项进度(各县区状态和完成比例)",
    )
    for item in document["items"]:
        cells: list[Any] = [item["ref"], item["short_title"]]
        for name in names:
            standing = item["areas"][name]
            cells.append(Cell(standing_text(standing), STYLES[Status(standing["status"])]))
        cells.append("、".join(item["slowest"]))
        table.rows.append(cells)
    return table


def slowest_table(document: dict[str, Any]) -> Table:
    """进度较慢的事项: the items where some district is slow, the districts named."""
    table = Table(
        [
            Column("ref", "序号", "right"),
            Column("item", "事项", wrap=True),
            Column("slowest", "进度较慢的县区", wrap=True),
        ],
        title="进度较慢的事项",
        empty=NONE,
    )
    for item in document["items"]:
        if item["slowest"]:
            table.rows.append([item["ref"], item["short_title"], "、".join(item["slowest"])])
    return table


def returns_table(document: dict[str, Any]) -> Table:
    """本月报送情况: each district's lead units, returned, late, missing."""
    months = {a["returns"]["month"] for a in document["areas"] if a["returns"] is not None}
    month = "、".join(sorted(months))
    table = Table(
        [
            Column("area", "县区"),
            Column("status", "本月报送"),
            Column("reported", "已报送单位", "right"),
            Column("late", "逾期单位", wrap=True),
            Column("missing", "未报送单位", wrap=True),
            Column("pending", "待报送单位", wrap=True),
        ],
        title=f"本月报送情况({month})" if month else "本月报送情况",
        empty="各县区的计划文件都没有月调度(reporting),不统计报送情况",
    )
    for area in document["areas"]:
        returns = area["returns"]
        if returns is None:
            continue
        total = sum(len(returns[key]) for key in ("on_time", "late", "missing", "pending"))
        table.rows.append(
            [
                area["name"],
                RETURN_WORDS[returns["status"]],
                f"{len(returns['reported'])}/{total}",
                "、".join(returns["late"]),
                "、".join(returns["missing"]),
                "、".join(returns["pending"]),
            ]
        )
    return table


def tables(document: dict[str, Any]) -> list[Table]:
    return [
        ranking_table(document),
        matrix_table(document),
        slowest_table(document),
        returns_table(document),
    ]


def rules(document: dict[str, Any]) -> list[str]:
    return [document["rule"]["rank"], document["rule"]["slowest"]]


# --- the text formats -----------------------------------------------------------------------


def to_terminal(document: dict[str, Any], *, color: bool, width: int | None) -> str:
    head = [heading(document), parent_line(document), *rules(document)]
    lines = "\n".join(typeset(line) for line in head if line)
    return lines + "\n\n" + tables_to_terminal(tables(document), color=color, width=width)


def to_markdown_text(document: dict[str, Any]) -> str:
    said = [parent_line(document), *rules(document)]
    lines = f"## {md_escape(typeset(heading(document)))}\n\n"
    lines += "".join(f"{md_escape(typeset(line))}\n\n" for line in said if line)
    return lines + to_markdown(tables(document))


def tidy_table(document: dict[str, Any]) -> Table:
    """One row an item and district: the matrix as a spreadsheet or a program reads it, the
    district's 目标任务 with it (the terminal and Markdown tables leave it out: a row of
    long targets per district would not stay readable there)."""
    ranked = {area["name"]: area for area in document["areas"]}
    table = Table(
        [
            Column("ref", "序号"),
            Column("item", "事项"),
            Column("area", "县区"),
            Column("target", "目标任务"),
            Column("status", "状态"),
            Column("completion", "完成比例(%)"),
            Column("slowest", "进度较慢"),
            Column("area_rank", "县区排名"),
            Column("area_completion", "县区平均完成比例(%)"),
            Column("area_on_time_rate", "县区按时报送率(%)"),
        ]
    )
    for item in document["items"]:
        for name, standing in item["areas"].items():
            area = ranked[name]
            table.rows.append(
                [
                    item["ref"],
                    item["title"],
                    name,
                    standing["target"],
                    standing["status_label"],
                    _number(standing["completion_pct"]),
                    "是" if name in item["slowest"] else "",
                    area["rank"],
                    _number(area["completion_pct"]),
                    _number(area["on_time_rate_pct"]),
                ]
            )
    return table


def _number(value: Any) -> Any:
    from decimal import Decimal

    return None if value is None else Decimal(str(value))


def to_csv_text(document: dict[str, Any]) -> str:
    return to_csv(tidy_table(document))


def to_json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
