"""The program's entry point: a command line answered before, answered before typer loads.

`minsheng list --format json` and `minsheng show N --format json` are asked by scripts many
times a day, and building typer's command line costs more than Python's own start.
minsheng.plancache keeps their answers by the command line and the plan's bytes; a hit is
printed here, without importing typer, pydantic or the plan's models. Everything else goes
to minsheng.cli.main, the full path.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    from minsheng import plancache

    text = plancache.answer_again(args)
    if text is None:
        plancache.typed = args
        from minsheng.cli import main as full

        full()
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `minsheng list --format json | head`: as the full path does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
