"""`minsheng list` and `minsheng show`."""

from __future__ import annotations


def list_items() -> None:
    """列出事项。"""
    raise NotImplementedError


def show_item() -> None:
    """显示一个事项的全部内容。"""
    raise NotImplementedError
