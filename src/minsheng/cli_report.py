"""`minsheng report`."""

from __future__ import annotations


def report() -> None:
    """完成情况通报。"""
    raise NotImplementedError
