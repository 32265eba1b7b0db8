"""The library's front door: a plan, its progress, and the report `minsheng report` prints.

    import datetime
    import minsheng

    plan = minsheng.load_plan(data_dir="data", year=2024)
    progress = minsheng.load_progress(plan, progress_dir="examples/2024-06/progress")
    report = minsheng.build_report(plan, progress, as_of=datetime.date(2024, 6, 30))
    report.to_dict()  # the document `minsheng report --format json` prints

Every command that reports goes through these three calls, so a script, the city's roll-up
and the command line compute the same figures. Bad data raises `minsheng.DataError`, whose
`.issues` locate each problem (file, line, field, code); a wrong argument (no plan for the
year, a folder that does not exist) raises `minsheng.UsageError`. Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from minsheng.core.issues import DataError

if TYPE_CHECKING:
    from minsheng.core.datadir import DataDir
    from minsheng.plan.load import LoadedPlan
    from minsheng.plan.models import Plan
    from minsheng.progress.ledger import Ledger
    from minsheng.report.document import Report

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class PlanData:
    """A valid plan, with the funds file that goes with its progress folder (where there is
    one), and the data folder it is in."""

    folder: DataDir
    loaded: LoadedPlan  # with its funds (plan.funds), where a funds file is found
    bare: LoadedPlan  # the plan file alone

    @property
    def plan(self) -> Plan:
        return self.loaded.plan

    @property
    def path(self) -> Path:
        return self.loaded.path

    def reading(self, progress_dir: PathLike | None) -> PlanData:
        """This plan with its entries read from `progress_dir`, and the funds file found
        beside that folder in place of the data folder's (examples/2024-06/ keeps its own);
        the plan itself where `progress_dir` is None."""
        if progress_dir is None:
            return self
        from minsheng.plan.funds import funds_path

        folder = self.folder.with_progress(Path(progress_dir))
        year = self.plan.document.year
        if funds_path(folder, year) == funds_path(self.folder, year):
            return PlanData(folder, self.loaded, self.bare)
        return PlanData(folder, _funded(folder, self.bare), self.bare)


@dataclass(frozen=True)
class Progress:
    """The checked progress entries of a plan's year, read from one progress folder."""

    plan: PlanData  # the plan they were checked against, reading from `plan.folder.progress`
    ledger: Ledger

    @property
    def count(self) -> int:
        """How many entries were read."""
        return self.ledger.count


def load_plan(
    data_dir: PathLike | None = None, year: int | None = None, *, cache: bool = False
) -> PlanData:
    """The plan of `year` (the latest year by default) in `data_dir` (found as the command line
    finds it by default: $MINSHENG_DATA_DIR, else `data/` here or above), validated, with its
    funds file `funds_<year>.yaml` where there is one. With `cache`, a plan file read before
    as valid, byte for byte, is validated and checked again from its parse kept in the cache
    instead of being parsed again (the roll-up's way over many districts); a plan with any
    problem is always parsed afresh."""
    from minsheng.core.cache import user_cache
    from minsheng.core.datadir import find_data_dir
    from minsheng.plan.load import load_plan as read_plan

    folder = find_data_dir(Path(data_dir) if data_dir is not None else None)
    path = folder.plan_path(year)
    kept = user_cache() if cache else None
    loaded, issues = read_plan(path, folder.display(path), kept)
    if loaded is None:
        raise DataError(issues)
    return PlanData(folder, _funded(folder, loaded), loaded)


def _funded(folder: DataDir, loaded: LoadedPlan) -> LoadedPlan:
    """The plan with the funds file found for `folder` (funds_path), where there is one."""
    from minsheng.plan.load import open_funds

    funded, issues = open_funds(folder, loaded)
    if funded is None:
        raise DataError(issues)
    return funded


def load_progress(
    plan: PlanData,
    progress_dir: PathLike | None = None,
    *,
    cache: bool = True,
    today: dt.date | None = None,
) -> Progress:
    """The progress entries of the plan's year, from `progress_dir` (the data folder's
    `progress/` by default, with the funds file beside it where it has one), checked as
    `minsheng validate` checks them (`today` decides what is dated in the future); any
    problem raises DataError. With `cache`, what was read and checked before is reused while
    no file it depends on has changed (`--no-cache` is false)."""
    from minsheng.core.cache import user_cache
    from minsheng.progress.ledger import open_ledger

    reading = plan.reading(progress_dir)
    ledger = open_ledger(reading.folder, reading.loaded, user_cache(not cache), today)
    if ledger.issues:
        raise DataError(ledger.issues)
    return Progress(reading, ledger)


def build_report(
    plan: PlanData,
    progress: Progress,
    as_of: dt.date | None = None,
    *,
    since: dt.date | None = None,
    made_at: dt.datetime | None = None,
    monthly: bool = True,
    history: bool = True,
) -> Report:
    """The report at `as_of` (today by default, or the plan period's last day once it is
    over), with the changes since `since` when given, and the monthly cycle (report.cycle:
    returns, history, escalations) unless `monthly` is false. `made_at` is when it is made,
    which decides which returns are still 待报送; by default now in Beijing time, or the
    moment $SOURCE_DATE_EPOCH gives. `history=False` leaves out what the bulletin's 趋势 and
    连续滞后 need (each item's month-end history, the escalations) and keeps the returns: the
    roll-up's way, several times faster. `report.to_dict()` is the JSON document."""
    from minsheng.core.dates import made_now
    from minsheng.report.compute import compute, default_as_of
    from minsheng.report.cycle import history_days

    if progress.plan.bare is not plan.bare:
        raise ValueError("the progress was loaded for another plan (load_progress(plan, ...))")
    loaded = progress.plan.loaded  # with the funds file of the progress folder
    if as_of is None:
        as_of = default_as_of(loaded.plan.document.period, dt.date.today())
    # Each month end of the cycle too: the items' history (趋势) and escalations need them.
    days = [*history_days(loaded.plan, as_of), as_of] if monthly and history else [as_of]
    if since is not None:
        days.append(since)
    return compute(
        loaded.plan,
        loaded.canonical_units,
        progress.ledger.entries_at(*days),
        as_of,
        since,
        monthly=monthly,
        history=history,
        returns=progress.ledger.first_returns(),
        made_at=made_at or made_now(),
        funds=loaded.funds,
    )
