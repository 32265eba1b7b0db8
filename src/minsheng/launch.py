"""The program's entry point: a command line answered before, answered before typer loads.

`minsheng list --format json` and `minsheng show N --format json` are asked by scripts many
times a day, and building typer's command line costs more than Python's own start.
minsheng.cli.answers keeps their answers by the command line and the plan's bytes; a hit is
printed here, without importing typer, pydantic or the plan's models. Everything else goes
to minsheng.cli.app.main, the full path.
"""

from __future__ import annotations

import sys
from typing import NoReturn


def main() -> None:
    args = sys.argv[1:]
    text = None
    if _may_be_kept(args):
        from minsheng.cli import answers

        try:
            text = answers.answer_again(args)
        except Exception:  # the cache is only ever a shortcut: the full path says what is wrong
            text = None
        except KeyboardInterrupt as error:
            _fail(error)
        answers.typed = args
    if text is None:
        from minsheng.cli.app import main as full

        full()
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as error:  # a full disk, a closed pipe: as the full path
        _fail(error)
    sys.exit(0)


def _may_be_kept(args: list[str]) -> bool:
    """Whether the command line could be a `list` or `show` in JSON (the command is a word of
    its own, and the format's value has "json" in it): nothing else looks in the cache here."""
    return ("list" in args or "show" in args) and any("json" in arg for arg in args)


def _fail(error: BaseException) -> NoReturn:
    from minsheng.cli.app import failed

    sys.exit(failed(error, debug=False))
