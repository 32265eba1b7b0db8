"""Dates as people type them: the one reader of a date given to an option or a prompt
(YYYY-MM-DD, full-width digits too), and of a date as a spreadsheet writes it."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

from minsheng.core.issues import Code, UsageError

BEIJING = dt.timezone(dt.timedelta(hours=8), "+08:00")  # the office's clock: due days, stamps
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHEET_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:T00:00:00)?"),  # a date cell's isoformat too
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),  # as Excel writes it back into a CSV
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
# Excel's serial day numbers (the 1900 date system, day 1 being 1900-01-01 with its
# phantom 29 February): plausible ones only, 2009 to 2064.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIALS = range(40000, 60000)


class DateError(ValueError):
    """Not a date, or a day that does not exist; the message says which, in Chinese."""


def read_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (full-width digits too)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not _ISO.fullmatch(folded):
        raise DateError(f"日期应写作 YYYY-MM-DD(如 2024-06-30),实际是 {text!r}")
    try:
        return dt.date.fromisoformat(folded)
    except ValueError:
        raise DateError(f"日期不存在:{folded}") from None


def read_sheet_date(text: str) -> dt.date:
    """A date as a clerk's spreadsheet may have written it: 2024-06-30, 2024/6/30,
    2024年6月30日, or Excel's serial number 45473."""
    folded = unicodedata.normalize("NFKC", text).strip()
    for form in _SHEET_FORMS:
        found = form.fullmatch(folded)
        if found:
            year, month, day = (int(part) for part in found.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise DateError(f"日期不存在:{folded}") from None
    if folded.isdigit() and int(folded) in _SERIALS:
        return _EXCEL_EPOCH + dt.timedelta(days=int(folded))
    return read_date(text)  # says what a date should look like


def made_now() -> dt.datetime:
    """When a report is made, in Beijing time: now, or the moment $SOURCE_DATE_EPOCH gives
    (seconds since 1970, the reproducible-builds convention), so that CI or a test makes the
    same document from the same data whenever it runs. It decides which returns are still
    待报送 (their due day not past)."""
    given = os.environ.get(SOURCE_DATE_EPOCH)
    if given is None or not given.strip():
        return dt.datetime.now(BEIJING).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(given.strip()), BEIJING)
    except (ValueError, OverflowError, OSError):
        message = (
            f"环境变量 {SOURCE_DATE_EPOCH} 应为自 1970-01-01 起的整数秒数(报告的生成时间),"
            f"实际是 {given!r}"
        )
        raise UsageError(Code.BAD_SOURCE_DATE, message) from None
