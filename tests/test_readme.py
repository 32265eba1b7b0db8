"""The README opens with the two commands, and CI runs the second one word for word."""

from __future__ import annotations

import re

from conftest import ROOT


def _opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README must open with a sh code block"
    assert text.index("```sh") < text.index("\n## "), "the commands come before any section"
    return [line.split("  #")[0].strip() for line in block.group(1).strip().splitlines()]


def test_readme_opens_with_report_and_test_commands() -> None:
    install_and_report, install_and_test = _opening_commands()
    assert install_and_report.endswith("minsheng report")
    assert install_and_test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _opening_commands()[1] in ci.splitlines()
