"""Fixtures of the adversarial suite: the hypothesis profile, a data folder to attack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from adversarial import budget
from conftest import SMALL_PLAN


def pytest_configure(config: pytest.Config) -> None:
    budget.choose()


def pytest_report_header(config: pytest.Config) -> str:
    return f"minsheng adversarial suite: hypothesis profile {budget.profile()}"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """In-process runs keep minsheng's parse cache apart from the user's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MINSHENG_CACHE_DIR", str(tmp_path_factory.mktemp("minsheng-cache")))
    yield
    patch.undo()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A repository-like folder with data/ (the small plan, an empty progress/), as cwd.

    Returns the data folder. MINSHENG_* variables are cleared so nothing points elsewhere.
    """
    for name in ("MINSHENG_DATA_DIR", "MINSHENG_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    data = tmp_path / "repo" / "data"
    (data / "progress").mkdir(parents=True)
    shutil.copy(SMALL_PLAN, data / "tasks_2024.yaml")
    monkeypatch.chdir(data.parent)
    yield data
