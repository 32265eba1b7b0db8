"""`minsheng validate`: the plan, its funds file and every progress file, all problems at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from minsheng.core.datadir import find_data_dir
from minsheng.core.issues import Issue
from minsheng.plan.load import load_plan, open_funds

if TYPE_CHECKING:
    from minsheng.core.cache import Cache


def validate_all(
    data_dir: Path | None,
    year: int | None,
    progress_dir: Path | None = None,
    cache: Cache | None = None,
) -> tuple[list[Issue], str]:
    """Every problem in the plan and the progress entries, and a one-line summary."""
    from minsheng.progress.ledger import open_ledger

    folder = find_data_dir(data_dir).with_progress(progress_dir)
    path = folder.plan_path(year)
    loaded, issues = load_plan(path, folder.display(path))
    if loaded is None:
        return issues, ""
    funded, issues = open_funds(folder, loaded)
    if funded is None:  # the funds targets of the entries need a valid funds file
        return issues, ""
    loaded = funded
    ledger = open_ledger(folder, loaded, cache)
    active = sum(1 for item in loaded.plan.items if not item.no_task)
    summary = (
        f"{loaded.file}:{len(loaded.plan.items)} 项({active} 项有任务),进度记录 {ledger.count} 条"
    )
    if loaded.funds is not None:
        summary += f";资金计划 {loaded.funds.file}:{len(loaded.funds.funds.items)} 项"
    return ledger.issues, summary
