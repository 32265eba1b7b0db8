"""The command line as a whole: usage errors in Chinese, exit codes, --version, --output."""

from __future__ import annotations

from pathlib import Path

import pytest

from minsheng import __version__
from minsheng.core.yamlio import load_single


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["raport"], "没有命令 raport（是不是 report?）"),
        (["report", "--format", "pdf"], "--format 的值不对：pdf 不是可选的值，可选："),
        (["show", "abc"], "应为整数"),
        (["list", "--unti", "民政"], "没有选项 --unti（是不是 --unit?）"),
        (["report", "--as-of"], "选项 --as-of 后面需要写一个值"),
        (["show"], "缺少参数 N"),
        (["show", "1", "2"], "多余的参数：2"),
    ],
)
def test_usage_errors_are_one_chinese_line_and_exit_2(cli, args: list[str], words: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("错误 [usage]：")
    assert words in result.stderr
    assert "--help 查看用法" in result.stderr


def test_version(cli) -> None:
    result = cli("--version")
    assert (result.code, result.stdout.strip()) == (0, f"minsheng {__version__}")


def test_output_makes_its_folder_and_refuses_a_folder(cli, tmp_path: Path) -> None:
    target = tmp_path / "site" / "list.json"
    result = cli("list", "--format", "json", "--output", str(target))
    assert result.code == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("[")
    refused = cli("list", "--format", "json", "--output", str(tmp_path))
    assert refused.code == 2 and "output-is-folder" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no stray temporary file


def test_debug_is_accepted_anywhere_and_changes_nothing_when_all_is_well(cli) -> None:
    plain = cli("show", "10", "--format", "json")
    debug = cli("show", "10", "--format", "json", "--debug")
    assert (plain.code, plain.stdout) == (debug.code, debug.stdout)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\ncategory 3\nb: 2\n", 2, "缺少冒号"),
        ("a: [1, 2\nb: 3\n", 2, "方括号 [ ] 没有配对"),
        ("a: 1\n  b: 2\n", 2, "请检查缩进"),
    ],
)
def test_yaml_slips_are_explained_at_their_line(text: str, line: int, words: str) -> None:
    (issue,) = load_single(text, "plan.yaml").issues
    assert (issue.line, str(issue.code)) == (line, "yaml-syntax")
    assert words in issue.message


def test_a_collection_used_as_a_key_does_not_shift_the_rest() -> None:
    doc = load_single("? [a, b]\n: c\nd: e\n", "x.yaml")
    assert doc.data == {"d": "e"}
    assert [str(issue.code) for issue in doc.issues] == ["yaml-syntax"]
