"""The neutral tables' renderers: Chinese wrapping, Markdown and CSV escaping."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from minsheng.core.typography import typeset
from minsheng.render.tables import (
    _NO_LINE_END,
    _NO_LINE_START,
    _TOKEN,
    Column,
    Table,
    to_csv,
    to_markdown,
    to_terminal,
    wrap_cjk,
)

PIECES = st.sampled_from(
    [
        "救急难",
        "互助社",
        "99.93%",
        "0.57",
        "万人",
        ",",
        "。",
        "“",
        "”",
        "(",
        ")",
        "、",
        "2024年",
        "HYPERLINK",
        " ",
        "社区",
        "1865人次",
        ";",
    ]
)


@settings(max_examples=500)
@given(st.lists(PIECES, max_size=40).map("".join), st.integers(min_value=6, max_value=40))
@example("救急难 、", 6)  # once gave ['救急难、', '']: eight cells at width 6, and an empty line
@example("0.57HYPERLINK、", 13)  # one word and its mark, nowhere to break: runs over by two
def test_wrapping_loses_nothing_and_keeps_within_width_500_examples(text: str, width: int) -> None:
    lines = wrap_cjk(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    marks = _NO_LINE_START | _NO_LINE_END
    for index, line in enumerate(lines):
        if cell_len(line) > width:  # only where there is nowhere to break: one word, its marks
            words = [t for t in _TOKEN.findall(line) if t not in marks and not t.isspace()]
            assert len(words) <= 1, line
        if index:
            assert line[:1] not in _NO_LINE_START, lines
        if index < len(lines) - 1:
            assert line[-1:] not in _NO_LINE_END, lines


def test_a_closing_mark_after_a_space_takes_its_word_to_the_next_line() -> None:
    assert wrap_cjk("救急难 、", 6) == ["救急", "难 、"]


def test_a_text_with_nowhere_to_break_is_one_line_whole() -> None:
    # 8,000 of … once took half a minute to wrap; the time is measured in bench/, not here
    for mark in "…。、(“":
        assert wrap_cjk(mark * 8000, 40) == [mark * 8000]


def test_numbers_are_never_split() -> None:
    text = "供电可靠性从99.90%提高到99.93%,新增就业0.57万人左右。"
    for width in range(8, 30):
        lines = wrap_cjk(text, width)
        assert any("99.90%" in line for line in lines)
        assert any("99.93%" in line for line in lines)
        assert any("0.57" in line for line in lines)


def test_terminal_table_fits_the_width_and_keeps_every_character() -> None:
    title = "完善村(社区)“救急难”互助社运作机制,充分发挥村(社区)“救急难”互助社作用。"
    table = Table([Column("id", "序号", "right"), Column("t", "事项", wrap=True)], [[18, title]])
    for width in (30, 50, 80):
        out = to_terminal([table], color=False, width=width)
        assert all(cell_len(line) <= width for line in out.splitlines())
        assert typeset(title) in "".join(out.split())  # as a person reads it


def test_markdown_and_csv_keep_data_inert() -> None:
    table = Table([Column("n", "备注")], [["a|b\nc [x](javascript:1)"], ["=HYPERLINK(1)"]])
    markdown = to_markdown([table])
    assert "a\\|b c \\[x\\](javascript:1)" in markdown
    assert markdown.count("\n") == 4  # header, rule and two rows: no row was broken
    csv = to_csv(table)
    assert csv.startswith("\ufeff") and "'=HYPERLINK(1)" in csv
