"""The CI workflow for data repositories: valid for GitHub, and the commands it runs work here."""

from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "minsheng.yml"

needs_check_jsonschema = pytest.mark.skipif(
    importlib.util.find_spec("check_jsonschema") is None,
    reason="check-jsonschema is not installed (pip install -e '.[test]')",
)


def check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    """GitHub's workflow schema as vendored in check-jsonschema: no network needed."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    return subprocess.run(
        [*command, "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def run_lines() -> list[str]:
    return [
        step["run"] for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step
    ]


@needs_check_jsonschema
def test_workflow_matches_githubs_schema() -> None:
    result = check_schema(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_check_jsonschema
def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8").replace("runs-on: ubuntu-latest", "runs_on: x")
    broken.write_text(text, encoding="utf-8")
    assert check_schema(broken).returncode != 0


def test_workflow_runs_on_every_push_and_pull_request_with_python_311() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    steps = [step for job in data["jobs"].values() for step in job["steps"]]
    versions = [s["with"]["python-version"] for s in steps if "setup-python" in s.get("uses", "")]
    assert versions == ["3.11"]


def test_workflow_validates_then_appends_the_markdown_report_to_the_summary() -> None:
    lines = run_lines()
    assert "python -m pip install ." in lines
    validate = lines.index("minsheng validate --format github")
    report = lines.index('minsheng report --format markdown >> "$GITHUB_STEP_SUMMARY"')
    assert validate < report


@pytest.mark.parametrize(
    "line", ["minsheng validate --format github", "minsheng report --format markdown"]
)
def test_the_workflows_commands_succeed_on_this_repository(line: str, cli) -> None:
    args = shlex.split(line)[1:]
    assert line in " ".join(run_lines())
    result = cli(*args)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
