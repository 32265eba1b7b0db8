"""Where the data is: `--data-dir`, `MINSHENG_DATA_DIR`, the working folder upward, or the
plan shipped inside the package."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from minsheng.core.issues import Code, UsageError

ENV_VAR = "MINSHENG_DATA_DIR"
_PLAN_NAME = re.compile(r"tasks_(\d{4})\.yaml")


@dataclass(frozen=True)
class DataDir:
    """A folder with `tasks_<year>.yaml` files and a `progress/` folder."""

    root: Path
    shipped: bool = False  # the read-only copy inside the package
    progress_dir: Path | None = None  # `--progress-dir`: entries kept apart (examples/)

    @property
    def progress(self) -> Path:
        return self.progress_dir or self.root / "progress"

    def with_progress(self, folder: Path | None) -> DataDir:
        """This data folder, reading its entries from `folder` (`--progress-dir`) if given."""
        if folder is None:
            return self
        if not folder.is_dir():
            raise UsageError(Code.NO_PROGRESS_DIR, f"进度目录不存在:{folder}")
        return dataclasses.replace(self, progress_dir=folder)

    def years(self) -> list[int]:
        found = []
        for path in self.root.glob("tasks_*.yaml"):
            match = _PLAN_NAME.fullmatch(path.name)
            if match:
                found.append(int(match.group(1)))
        return sorted(found)

    def plan_path(self, year: int | None = None) -> Path:
        years = self.years()
        if not years:
            raise UsageError(Code.NO_PLAN, f"{self.root} 中没有计划文件 tasks_<年份>.yaml")
        if year is None:
            year = years[-1]
        if year not in years:
            shown = "、".join(str(y) for y in years)
            raise UsageError(Code.NO_PLAN, f"没有 {year} 年的计划文件,现有年份:{shown}")
        return self.root / f"tasks_{year}.yaml"

    def display(self, path: Path) -> str:
        """A path as shown in messages: relative to the working folder where it can be."""
        return self.displays([path])[0]

    def displays(self, paths: list[Path]) -> list[str]:
        """display of each path, the working folder asked for once."""
        if self.shipped:
            return [f"<minsheng>/{path.name}" for path in paths]
        cwd = Path.cwd()
        return [_relative_to_cwd(path, cwd) for path in paths]


@functools.lru_cache(maxsize=4096)
def _relative_to_cwd(path: Path, cwd: Path) -> str:
    """`path` relative to the working folder `cwd` where it can be (as
    `path.resolve().relative_to(cwd.resolve())` says it). Kept: one command shows each of a
    year's progress files several times (read, checked, read again to write), and resolving
    a path asks the system once for each of its parts."""
    here = _resolved_folder(os.fspath(cwd))
    real = _resolved(os.path.join(cwd, path))  # an absolute path stays as it is
    if real == here:
        return "."
    inside = here if here.endswith(os.sep) else here + os.sep
    return real[len(inside) :] if real.startswith(inside) else str(path)


def _resolved(path: str) -> str:
    """os.path.realpath of an absolute path: its folder's, resolved once for all its files,
    and its name, for a name that is no symlink (a city's roll-up shows a hundred districts'
    files once each, more than _relative_to_cwd keeps)."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(_resolved_folder(folder), name)


@functools.lru_cache(maxsize=1024)
def _resolved_folder(folder: str) -> str:
    return os.path.realpath(folder)


_PACKAGE = Path(__file__).resolve().parents[1]  # src/minsheng, or minsheng in a wheel


def _shipped() -> Path:
    packaged = _PACKAGE / "_data"
    if packaged.is_dir():
        return packaged
    # An editable install: the one hand-kept copy in the repository's data/.
    return _PACKAGE.parents[1] / "data"


def find_data_dir(explicit: Path | None = None, cwd: Path | None = None) -> DataDir:
    """The data folder to use, by the rules in the README."""
    if explicit is None and os.environ.get(ENV_VAR):
        explicit = Path(os.environ[ENV_VAR])
    if explicit is not None:
        if not explicit.is_dir():
            raise UsageError(Code.NO_DATA_DIR, f"数据目录不存在:{explicit}")
        return DataDir(explicit)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "data"
        if candidate.is_dir() and any(candidate.glob("tasks_*.yaml")):
            return DataDir(candidate)
    return DataDir(_shipped(), shipped=True)
