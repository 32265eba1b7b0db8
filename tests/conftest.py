"""Shared fixtures: run the real command line in a subprocess, and small data folders."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SMALL_PLAN = TESTS / "data" / "valid" / "plan_small.yaml"
REAL_PLAN = ROOT / "data" / "tasks_2024.yaml"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: the repository's src first, no colour, no data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINSHENG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    env["PYTHONUTF8"] = "1"
    # The parse cache (minsheng.core.cache) of test runs stays out of the user's own cache folder.
    env["MINSHENG_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "minsheng-test-cache")
    env.update(extra)
    return env


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None, **env: str) -> Result:
    """Run `python -m minsheng ARGS` for real and capture stdout and stderr apart."""
    done = subprocess.run(
        [sys.executable, "-m", "minsheng", *args],
        cwd=cwd or ROOT,
        env=cli_env(**env),
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli() -> type[Result]:
    """`cli(*args, cwd=..., input=..., **env)` runs the command line (see run_cli)."""
    return run_cli  # type: ignore[return-value]


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder holding the small test plan and an empty progress folder."""
    folder = tmp_path / "data"
    (folder / "progress").mkdir(parents=True)
    shutil.copy(SMALL_PLAN, folder / "tasks_2024.yaml")
    return folder


@pytest.fixture
def real_data(tmp_path: Path) -> Path:
    """A data folder holding a copy of the shipped 2024 plan and an empty progress folder."""
    if not REAL_PLAN.exists():
        pytest.skip("data/tasks_2024.yaml not present yet")
    folder = tmp_path / "data"
    (folder / "progress").mkdir(parents=True)
    shutil.copy(REAL_PLAN, folder / "tasks_2024.yaml")
    return folder


def load_generator() -> Any:
    """bench/generate.py as a module: realistic progress data (`generate(count, out, seed)`)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: to prove a refused command changed nothing."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }
