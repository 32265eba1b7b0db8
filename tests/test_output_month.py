"""What output and a clerk's month broke, and what the tool now does (each a regression test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from conftest import run_cli, snapshot
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
    assert "--as-of" in done.stderr and "日期不存在:2024-02-30" in done.stderr


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
