"""What output and a clerk's month broke, and what the tool now does (each a regression test)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from conftest import plain_example, run_cli, snapshot
from minsheng.core.datadir import DataDir
from minsheng.plan.load import load_plan
from minsheng.progress import store
from minsheng.progress.entry import ProgressEntry


def add(data: Path, *args: str, **env: str) -> tuple[int, str, str]:
    done = run_cli("progress", "add", "--data-dir", str(data), *args, **env)
    return done.code, done.stdout, done.stderr


def record(data: Path, target: str, value: str, day: dt.date, item: int = 1) -> str:
    """An entry written as `progress add` writes it; its id."""
    loaded, issues = load_plan(data / "tasks_2024.yaml")
    assert loaded is not None, issues
    unit = loaded.canonical_units(next(i for i in loaded.plan.items if i.id == item))[0]
    entry = ProgressEntry(
        id=store.new_id(),
        item=item,
        target=target,
        date=day,
        value=Decimal(value),
        unit=unit,
        recorded_at=store.now(),
    )
    store.append(DataDir(data), loaded, entry)
    return entry.id


# --- 17: a time zone whose offset has seconds ------------------------------------------------


def test_an_add_under_a_seconds_offset_is_recorded_and_reads_back(small_data: Path) -> None:
    code, _, err = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date",
                       "2024-06-30", process=True, TZ="XXX-8:05:43")  # fmt: skip
    assert code == 0, err
    written = next((small_data / "progress").rglob("*.yaml")).read_text(encoding="utf-8")
    assert "+08:06\n" in written  # the nearest whole minute: the same instant
    assert run_cli("validate", "--data-dir", str(small_data)).code == 0


# --- 19: full-width digits in a date on the command line -------------------------------------


def test_report_reads_full_width_dates(small_data: Path) -> None:
    wide = run_cli("report", "--data-dir", str(small_data), "--as-of", "２０２４-０６-３０",
                   "--since", "２０２４-０５-３１", "--format", "json")  # fmt: skip
    narrow = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30",
                     "--since", "2024-05-31", "--format", "json")  # fmt: skip
    assert wide.code == 0, wide.stderr
    assert wide.stdout == narrow.stdout


def test_a_full_width_date_that_does_not_exist_says_so(small_data: Path) -> None:
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "２０２４-０２-３０")
    assert done.code == 2
    assert "--as-of" in done.stderr and "日期不存在：2024-02-30" in done.stderr


def test_progress_list_reads_full_width_dates(small_data: Path) -> None:
    record(small_data, "jobs", "0.3", dt.date(2024, 6, 30))
    done = run_cli(
        "progress", "list", "--data-dir", str(small_data), "--since", "２０２４-０６-０１"
    )
    assert done.code == 0, done.stderr
    assert "2024-06-30" in done.stdout


# --- 20: back-filling an earlier month above a later figure ----------------------------------


def test_a_backfill_names_the_recorded_figure_it_conflicts_with(small_data: Path) -> None:
    june = record(small_data, "training", "12", dt.date(2024, 6, 30))
    before = snapshot(small_data)
    code, _, err = add(small_data, "1", "--target", "training", "--value", "15", "--date",
                       "2024-05-31")  # fmt: skip
    assert code == 1
    assert snapshot(small_data) == before
    assert "[decreasing-value]" in err
    # The figure on file is the June one, by its id and date; the rejected 15 is this add's.
    assert f"记录 {june}" in err and "2024-06-30 累计完成 12人次" in err
    assert "本次登记 2024-05-31 累计完成 15人次" in err
    assert f"--corrects {june}" in err
    assert "2024-05/rsj.yaml" not in err  # nothing on file is quoted where the add would go


# --- 21: dates, numbers and record ids are never wrapped -------------------------------------


def test_a_listing_in_a_file_or_a_pipe_keeps_dates_and_ids_whole(
    small_data: Path, tmp_path: Path
) -> None:
    ids = [
        record(small_data, "jobs", "0.18", dt.date(2024, 4, 30)),
        record(small_data, "training", "1200", dt.date(2024, 5, 31)),
    ]
    long = "上半年新增就业3000人,其中高校毕业生1200人、就业困难人员300人,均已录入系统" * 2
    code, _, err = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date",
                       "2024-06-30", "--note", long, "--source",
                       "https://example.com/rsj/2024-06/report-of-the-month")  # fmt: skip
    assert code == 0, err
    out = tmp_path / "list.txt"
    assert run_cli("progress", "list", "--data-dir", str(small_data), "-o", str(out)).code == 0
    piped = run_cli("progress", "list", "--data-dir", str(small_data)).stdout
    for text in (out.read_text(encoding="utf-8"), piped):
        for whole in [*ids, "2024-04-30", "2024-05-31", "2024-06-30", "累计 1200人次"]:
            assert whole in text, whole
        assert long not in text  # the note wraps; the ids and dates do not


def test_a_narrow_table_runs_over_rather_than_split_an_id() -> None:
    from minsheng.render.tables import Column, Table, to_terminal

    table = Table(
        [Column("id", "编号", whole=True), Column("text", "说明", wrap=True)],
        [["4d5e6f7a8b", "更正" * 200], ["2024-07-31", "x"]],
    )
    text = to_terminal([table], color=False, width=20)
    assert "4d5e6f7a8b" in text and "2024-07-31" in text


# --- 16: Markdown keeps data inert; invisible characters in files ---------------------------

HOSTILE = "&#x202E;abc &#8203; https://x.cn/a www.y.cn ~~struck~~ $x^2$ a@b.cn"


def test_markdown_passes_no_entity_link_strikethrough_or_mathematics() -> None:
    from markdown_it import MarkdownIt

    from minsheng.render.tables import Column, Table, md_escape, to_markdown

    markdown = to_markdown([Table([Column("note", "说明")], [[HOSTILE]])])
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    assert "\u202e" not in html and "\u200b" not in html  # the entities stay text
    assert "<s>" not in html and "<del>" not in html
    assert "&amp;#x202E;abc" in html  # shown as written
    cell = md_escape(HOSTILE)
    # GitHub links bare URLs and www. by itself, and reads $…$ as mathematics.
    assert not re.search(r"(?<!\\)(://|www\.|\$x|~~)", cell)
    assert "https\\://x.cn/a" in cell and "www\\.y.cn" in cell and "a\\@b.cn" in cell


def test_a_report_in_markdown_shows_a_hostile_note_as_written(small_data: Path) -> None:
    code, _, err = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date",
                       "2024-06-30", "--note", HOSTILE)  # fmt: skip
    assert code == 0, err
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30",
                   "--format", "markdown")  # fmt: skip
    assert done.code == 0, done.stderr
    assert "&amp;#x202E;abc" in done.stdout and "https\\://x.cn" in done.stdout


def test_invisible_characters_in_a_file_are_refused_like_a_typed_note(small_data: Path) -> None:
    for char in ("\u200b", "\ufeff", "\U000e0041", "\u2067"):
        typed, _, err = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date",
                            "2024-06-30", "--note", f"上半年{char}新增")  # fmt: skip
        assert typed != 0 and "U+" in err
        month = small_data / "progress" / "2024-06"
        month.mkdir(exist_ok=True)
        escaped = f"\\U{ord(char):08X}"
        (month / "rsj.yaml").write_text(
            "---\nid: abcdef1234\nitem: 1\ntarget: jobs\ndate: 2024-06-30\nvalue: 0.3\n"
            f'unit: 区人社局\nnote: "上半年{escaped}新增"\n'
            "recorded_at: 2024-06-30T10:00:00+08:00\n...\n",
            encoding="utf-8",
        )
        for fast in ({}, {"MINSHENG_NO_FAST_PARSE": "1"}):
            done = run_cli("validate", "--data-dir", str(small_data), "--no-cache", **fast)
            assert done.code == 1, (char, done.stdout)
            assert "rsj.yaml:8:" in done.stdout and "bad-char" in done.stdout, done.stdout
            assert f"U+{ord(char):04X}" in done.stdout


# --- 18: usage messages and help, all in Chinese ---------------------------------------------

COMMANDS = [[], ["list"], ["show"], ["report"], ["validate"], ["progress"], ["progress", "add"],
            ["progress", "list"], ["progress", "template"], ["progress", "import"], ["plan"],
            ["plan", "draft"]]  # fmt: skip
CLICK_WORDS = ["Show this message", "Usage:", "Options:", "Arguments:", "Commands:", "[default:",
               "[required]", "[OPTIONS]", "Install completion", "Show completion"]  # fmt: skip


def test_every_help_page_is_in_chinese() -> None:
    for command in COMMANDS:
        done = run_cli(*command, "--help")
        assert done.code == 0, (command, done.stderr)
        assert "用法：minsheng" in done.stdout and "显示本帮助后退出。" in done.stdout, command
        left = [words for words in CLICK_WORDS if words in done.stdout]
        assert not left, (command, left)


def test_a_mistyped_option_suggests_the_right_one(small_data: Path) -> None:
    done = run_cli("report", "--data-dir", str(small_data), "--fomat", "csv")
    assert done.code == 2
    assert "没有选项 --fomat（是不是 " in done.stderr and "--format?）" in done.stderr


# --- 22: the report says what it was made of -------------------------------------------------


def test_a_report_outside_any_data_folder_says_so_on_stderr(tmp_path: Path) -> None:
    done = run_cli("report", "--as-of", "2024-06-30", "-f", "json", cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert "[shipped-plan]" in done.stderr and "[no-progress]" in done.stderr
    assert "依据计划 <minsheng>/tasks_2024.yaml" in done.stderr
    assert done.stdout.startswith("{")  # stdout carries only the product


def test_a_report_names_its_plan_and_progress_folder(small_data: Path, tmp_path: Path) -> None:
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30")
    assert done.code == 0, done.stderr
    assert f"依据计划 {small_data / 'tasks_2024.yaml'}，进度目录 {small_data / 'progress'}" in (
        done.stderr
    )
    assert "[no-progress]" not in done.stderr and "[shipped-plan]" not in done.stderr
    (small_data / "progress").rmdir()
    gone = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30")
    assert gone.code == 0 and "[no-progress]" in gone.stderr
    assert gone.stdout == done.stdout


# --- 23: the CSV's 最新进展, and which of a day's entries describes the item ------------------


def test_the_csv_latest_progress_has_its_date_and_figure(small_data: Path) -> None:
    import csv
    import io

    code, _, err = add(small_data, "1", "--target", "jobs", "--value", "0.3万", "--date",
                       "2024-06-30", "--note", "上半年新增就业3000人")  # fmt: skip
    assert code == 0, err
    done = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "csv")
    rows = {row["序号"]: row for row in csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff")))}
    assert rows["1"]["最新进展"] == "2024-06-30 累计0.3万人;上半年新增就业3000人"


def test_the_first_target_of_the_day_describes_the_item() -> None:
    done = run_cli("report", "--as-of", "2024-06-30", "--progress-dir",
                   str(plain_example()), "-f", "csv")  # fmt: skip
    assert done.code == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.startswith("13,"))
    # 86 of 200 households, with its own note; not the facility typed a minute later.
    assert row.endswith(",2024-06-30 累计86户;适老化改造完工86户")


# --- 24: docs/publish.md tells the truth about fonts -----------------------------------------


def test_the_publishing_guide_says_the_page_uses_the_readers_fonts(small_data: Path) -> None:
    from conftest import ROOT

    page = run_cli("report", "--data-dir", str(small_data), "--as-of", "2024-06-30", "-f", "html")
    assert page.code == 0, page.stderr
    assert "@font-face" not in page.stdout  # no font travels with the page
    guide = (ROOT / "docs" / "publish.md").read_text(encoding="utf-8")
    assert "字体、图表、样式都在文件里" not in guide
    assert "网页不自带字体" in guide
