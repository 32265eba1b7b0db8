"""The program's entry point: a command line answered before, answered before typer loads.

`minsheng list --format json` and `minsheng show N --format json` are asked by scripts many
times a day, and building typer's command line costs more than Python's own start.
minsheng.plancache keeps their answers by the command line and the plan's bytes; a hit is
printed here, without importing typer, pydantic or the plan's models. Everything else goes
to minsheng.cli.main, the full path.
"""

from __future__ import annotations

import sys
from typing import NoReturn


def main() -> None:
    args = sys.argv[1:]
    from minsheng import plancache

    try:
        text = plancache.answer_again(args)
    except Exception:  # the cache is only ever a shortcut: the full path says what is wrong
        text = None
    except KeyboardInterrupt as error:
        _fail(error)
    if text is None:
        plancache.typed = args
        from minsheng.cli import main as full

        full()
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as error:  # a full disk, a closed pipe: as the full path
        _fail(error)
    sys.exit(0)


def _fail(error: BaseException) -> NoReturn:
    from minsheng.cli import failed

    sys.exit(failed(error, debug=False))
