"""Notices at volume for the drafter (`plan draft`): the shapes that once made it backtrack
(long runs of digits, digits masked with dashes, thousands of unit names or headings, pages
glued without line breaks) and their neighbours, each near the size bound or past it, and
seeded random mixtures of every fragment a notice is made of."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_NOTICE = ROOT / "fixtures" / "notice_2024.txt"
PDF_NOTICE = ROOT / "fixtures" / "notices" / "province_2025_pdf.txt"

# Under the 1 MB bound of a notice, so the text is drafted rather than refused for its size
NEAR = 900 * 1024
HEAD = "青禾区人民政府办公室关于实施2025年民生实事的通知\n青政办〔2025〕1号\n一、促进就业(3项)\n"
ITEM = "1.新增城镇就业{}人左右。(牵头单位:区人社局)\n"


def _to(fragment: str, size: int = NEAR) -> str:
    """`fragment` repeated to `size` bytes of UTF-8."""
    times = max(1, size // len(fragment.encode("utf-8")))
    return fragment * times


def _in_item(middle: str) -> str:
    return HEAD + ITEM.format(middle)


def _seed() -> str:
    return SEED_NOTICE.read_text(encoding="utf-8")


def _glued_pages() -> str:
    """The province's PDF text with its page breaks gone: the furniture of each page glued
    between the last line of one page and the first of the next."""
    text = PDF_NOTICE.read_text(encoding="utf-8")
    return text.replace("—\n\f", "—").replace("\n\f", "")


def _units(count: int, distinct: bool) -> str:
    names = "、".join(f"区第{n}局" if distinct else "区人社局" for n in range(count))
    return HEAD + f"1.新增城镇就业100人。(牵头单位:{names})\n"


def _headings(count: int, glued: bool) -> str:
    names = "甲乙丙丁戊己庚辛壬癸"
    lines = [f"{'一二三四五六七八九'[n % 9]}、{names[n % 10]}类事项(3项)" for n in range(count)]
    return ("" if glued else "\n").join(lines) + "\n" + ITEM.format(10)


# The fragments a notice is made of, and the debris around them, for the random mixtures
FRAGMENTS = (
    "一、",
    "(一)",
    "1.",
    "1)",
    "(1)",
    "1、",
    "十十十、",
    "(3项)",
    "(3",
    "项)",
    "促进就业",
    "新增就业",
    "0.57万人左右",
    "1500元/人",
    "从99.90%提高到99.93%",
    "2-3岁",
    "不少于",
    "以上的",
    "(牵头单位:",
    "区人社局",
    "、",
    ")",
    "(我区无任务)",
    "推进措施:",
    "附件",
    "“",
    "”",
    "《",
    "》",
    "〔2024〕",
    "7号",
    "花政办〔2024〕7号",
    "— 3 —",
    "- 2 -",
    "第3页",
    "2024年5月7日",
    "。",
    ",",
    ";",
    ":",
    " ",
    "\n",
    "\n",
    "\f",
    "1",
    "12345678901234567890",
    "-",
    "—",
    "——",
    ".",
    "从",
    "的",
    "第",
    "\u200b",
    "\ufffe",
    "\x07",
)


def mixture(seed: int, size: int = NEAR) -> str:
    """Fragments drawn at random (seeded) until the text is `size` bytes; a fragment may come
    in a run of hundreds, but a control character only alone (a text with many is refused
    as binary before it is drafted)."""
    draw = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        fragment = draw.choice(FRAGMENTS)
        if fragment.isprintable() or fragment in "\n\f":
            fragment *= draw.choice((1, 1, 1, 2, 10, 300))
        parts.append(fragment)
        length += len(fragment.encode("utf-8"))
    return "".join(parts)


GENERATORS: dict[str, Callable[[], str]] = {
    # the cases of the report: each took 40 s to over a minute
    "100k-digits-in-a-figure": lambda: _in_item("7" * 100_000),
    "digits-masked-with-dashes": lambda: _in_item(_to("1-", 200_000)),
    "20k-unit-names": lambda: _units(20_000, distinct=True),
    "5k-category-headings": lambda: _headings(5_000, glued=False),
    "2024-notice-without-line-breaks": lambda: _seed().replace("\n", ""),
    # runs of digits, marks and names at the size bound
    "digits-at-the-bound": lambda: _in_item("7" * (NEAR - 200)),
    "digits-alone-on-a-line": lambda: HEAD + ITEM.format(10) + "7" * (NEAR - 200) + "\n",
    "digits-and-dots": lambda: _in_item(_to("1.", NEAR - 200)),
    "digits-and-full-stops": lambda: _in_item(_to("1。", NEAR - 200)),
    "digits-between-dashes": lambda: _in_item(_to("— 1 —", NEAR - 200)),
    "dashes-then-a-digit": lambda: HEAD + ITEM.format(10) + "-" * (NEAR - 200) + "1\n",
    "ranges-chained": lambda: _in_item(_to("1~", NEAR - 200)),
    "figures-in-one-clause": lambda: _in_item(_to("1人", NEAR - 200)),
    "clauses-of-one-figure": lambda: _in_item(_to("1人,", NEAR - 200)),
    "from-to-unfinished": lambda: _in_item(_to("从1人提高", NEAR - 200)),
    "one-unit-name-at-the-bound": lambda: _units(1, True).replace("区第0局", "局" * 290_000),
    "the-same-unit-20k-times": lambda: _units(20_000, distinct=False),
    "headings-on-one-line": lambda: _headings(30_000, glued=True),
    "headings-without-counts": lambda: _to("一、促进就业\n1.新增。\n", 250 * 1024),
    "2024-notice-glued-to-the-bound": lambda: _to(_seed().replace("\n", ""), NEAR),
    "pages-glued-with-their-furniture": _glued_pages,
    "unclosed-quotations": lambda: _in_item(_to("“1人", NEAR - 200)),
    "unclosed-titles": lambda: _in_item(_to("《1人", NEAR - 200)),
    "unclosed-unit-tails": lambda: _to("1.新增(牵头单位:", NEAR),
    "document-numbers-chained": lambda: _in_item(_to("〔2024〕1", NEAR - 200)),
    "spaces-between-everything": lambda: _in_item(_to("1 人 ", NEAR - 200)),
    # past the bounds: refused at once
    "lines-past-the-bound": lambda: _to("(1)\n", NEAR),
    "a-notice-of-3-mb": lambda: _to(_seed(), 3 * 1024 * 1024),
    # every fragment at random: at a real notice's size, and at the bound
    **{f"mixture-{seed}": (lambda seed=seed: mixture(seed, 100 * 1024)) for seed in range(8)},
    **{f"mixture-{seed}-at-the-bound": (lambda seed=seed: mixture(seed)) for seed in range(4)},
}
