"""One formula guard for every CSV and workbook the tool writes: each writer quotes text
that starts like a formula with the same characters, and reads back what it wrote."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from minsheng.core.cells import FORMULA_START, csv_text, csv_typed, display_width
from minsheng.render.sheets import put
from minsheng.render.tables import Cell, Column, Table, csv_cell, to_csv

TEXTS = [start + "SUM(A1)" for start in FORMULA_START]


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_every_csv_writer_quotes_a_formula_start(text: str) -> None:
    assert csv_text(text) == "'" + text
    assert csv_cell(text) == "'" + text
    assert csv_cell(Cell(text, "red")) == "'" + text
    table = Table([Column("name", "名称")], [[text]])
    row = list(csv.reader(io.StringIO(to_csv(table).lstrip("\ufeff"))))[1]
    assert row == ["'" + text]
    assert csv_typed(csv_text(text)) == text


@pytest.mark.parametrize("text", TEXTS, ids=repr)
def test_every_workbook_writer_keeps_a_formula_start_as_text(text: str) -> None:
    sheet = Workbook().active
    assert sheet is not None
    put(sheet, 1, 1, text, as_typed=True)
    cell = sheet.cell(row=1, column=1)
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_a_number_and_plain_text_are_left_alone() -> None:
    assert csv_text(-5) == "-5"
    assert csv_cell("区民政局") == "区民政局"
    assert csv_typed("'区民政局") == "'区民政局"  # only the quote the writer put goes


def test_a_wide_character_takes_two_columns() -> None:
    assert display_width("区残联 ab") == 9
