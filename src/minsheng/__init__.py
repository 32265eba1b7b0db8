"""minsheng: the annual livelihood projects (民生实事) as validated data, progress and bulletins.

The library's front door (docs/api.md)::

    plan = minsheng.load_plan(data_dir="data", year=2024)
    progress = minsheng.load_progress(plan, progress_dir="examples/2024-06/progress")
    report = minsheng.build_report(plan, progress, as_of=datetime.date(2024, 6, 30))
    report.to_dict()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "PlanData",
    "Progress",
    "Report",
    "UsageError",
    "build_report",
    "load_plan",
    "load_progress",
]

if TYPE_CHECKING:
    from minsheng.api import PlanData, Progress, build_report, load_plan, load_progress
    from minsheng.core.issues import DataError, UsageError
    from minsheng.report.document import Report

# Where each name lives; imported on first use, so that the command line (which imports this
# package first) starts without the models.
_HOMES = {
    "DataError": "minsheng.core.issues",
    "UsageError": "minsheng.core.issues",
    "PlanData": "minsheng.api",
    "Progress": "minsheng.api",
    "build_report": "minsheng.api",
    "load_plan": "minsheng.api",
    "load_progress": "minsheng.api",
    "Report": "minsheng.report.document",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'minsheng' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
