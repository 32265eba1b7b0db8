"""`minsheng plan upgrade`: typer only, over minsheng.plan.upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minsheng.cli.common import DataDirOption, YearOption, info, write_output
from minsheng.core.issues import Code, RefusedError


def upgrade(
    plan_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PLAN]",
            help="要改写的计划文件;默认是数据目录中的计划文件。",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDirOption = None,
    year: YearOption = None,
) -> None:
    """把旧版格式的计划文件改写为当前格式(就地改写,注释和排版不变)。

    第 2 版把类别的序号字段 no 改名为 id:按 YAML 1.1 读取的程序会把 no 读成 false。
    只改动需要改的几行;改写后的内容与原来逐项核对一致才写入。已是当前格式的文件不改动。

    例:minsheng plan upgrade data/tasks_2024.yaml
    """
    from minsheng.core.datadir import find_data_dir
    from minsheng.plan.upgrade import UpgradeError, upgrade_text

    if plan_file is None:
        folder = find_data_dir(data_dir)
        if folder.shipped:
            raise RefusedError(Code.NOT_A_FILE, "没有找到数据目录;请给出要改写的计划文件")
        plan_file = folder.plan_path(year)
    if not plan_file.is_file():
        raise RefusedError(Code.NOT_A_FILE, f"{plan_file} 不是文件,请给出计划文件")
    raw = plan_file.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw[3 if bom else 0 :].decode("utf-8")
        upgraded = upgrade_text(text, str(plan_file))
    except UnicodeDecodeError:
        raise RefusedError(Code.ENCODING, f"{plan_file} 不是 UTF-8 编码,没有改动") from None
    except UpgradeError as error:
        raise RefusedError(Code.OLD_FORMAT, f"{plan_file}:{error}") from None
    if upgraded is None:
        info(f"{plan_file} 已是当前格式,没有改动。")
        return
    content = (b"\xef\xbb\xbf" if bom else b"") + upgraded.text.encode("utf-8")
    write_output(content, plan_file, keep_data=False)
    info(f"已改写 {plan_file}:{upgraded.renamed} 个类别的 no 改为 id,格式版本改为 2。")
