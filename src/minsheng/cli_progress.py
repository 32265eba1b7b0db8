"""`minsheng progress add` and `minsheng progress list`."""

from __future__ import annotations


def add() -> None:
    """登记一条进度。"""
    raise NotImplementedError


def list_entries() -> None:
    """列出进度记录。"""
    raise NotImplementedError
