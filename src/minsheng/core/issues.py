"""Problems found in the data (问题): located values, never exceptions, with stable codes."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """Stable English code for each kind of problem; tests and CI match on these."""

    # reading the file
    ENCODING = "encoding"
    BAD_CHAR = "bad-char"
    SYNTAX = "yaml-syntax"
    TAB = "tab-indent"
    DUPLICATE_KEY = "duplicate-key"
    TAG = "yaml-tag"
    ALIAS = "yaml-alias"
    TOO_DEEP = "too-deep"
    TOO_LARGE = "too-large"
    EMPTY = "empty-file"
    MULTI_DOC = "multiple-documents"
    NOT_MAPPING = "not-a-mapping"
    OLD_FORMAT = "old-format"
    # the schema
    UNKNOWN_FIELD = "unknown-field"
    MISSING_FIELD = "missing-field"
    WRONG_TYPE = "wrong-type"
    BAD_VALUE = "bad-value"
    BAD_DATE = "bad-date"
    # across records of the plan
    ITEM_IDS = "item-ids"
    DUPLICATE_ID = "duplicate-id"
    DUPLICATE_REF = "duplicate-ref"
    CATEGORY_COUNT = "category-count"
    UNKNOWN_CATEGORY = "unknown-category"
    UNKNOWN_UNIT = "unknown-unit"
    DUPLICATE_UNIT = "duplicate-unit"
    NO_TASK_UNIT = "no-task-unit"
    NO_TARGET = "no-target"
    ROLLUP = "rollup-mismatch"
    UNKNOWN_TARGET = "unknown-target"
    UNIT_KIND = "unit-kind-mismatch"
    TARGET_SHAPE = "target-shape"
    PERIOD = "bad-period"
    YEAR = "year-mismatch"
    RESERVED_ID = "reserved-id"
    # progress entries
    TORN_RECORD = "torn-record"
    UNKNOWN_ITEM = "unknown-item"
    NO_TASK_ENTRY = "no-task-entry"
    STAGE_VALUE = "stage-value-mismatch"
    OUT_OF_PERIOD = "date-out-of-period"
    DECREASING = "decreasing-value"
    MISSING_SOURCE = "missing-source"
    DUPLICATE_ENTRY = "duplicate-entry"
    NOT_LEAD_UNIT = "not-lead-unit"
    NOT_REPORTER = "not-reporting-unit"
    UNKNOWN_ENTRY = "unknown-entry"
    MISPLACED = "misplaced-entry"
    SYMLINK = "symlink"
    NO_PLAN = "no-plan"
    IMPLAUSIBLE = "implausible-value"
    FRACTION = "fractional-count"
    CORRECTION_CYCLE = "correction-cycle"
    BAD_STAMP = "bad-recorded-at"
    CORRECTION_DATE = "correction-date"
    TOO_LONG = "too-long"
    PAID_ABOVE_ARRIVED = "paid-above-arrived"
    BAD_RECEIVED = "bad-received"
    # a write refused for where it would go, and usage errors of the progress commands
    LOCKED = "locked"
    WRITE_FAILED = "write-failed"
    INTERRUPTED = "interrupted-write"
    READ_ONLY_DATA = "read-only-data"
    NOT_A_FOLDER = "not-a-folder"
    NOT_A_FILE = "not-a-file"
    VALUE_AND_STAGE = "value-and-stage"
    MISSING_OPTION = "missing-option"
    # usage errors: what a command was given (exit 2)
    USAGE = "usage"  # the command line itself: an unknown option, a missing argument
    UNKNOWN_STATUS = "unknown-status"
    AMBIGUOUS_UNIT = "ambiguous-unit"
    AS_OF_WITHOUT_STATUS = "as-of-without-status"
    BAD_SINCE = "bad-since"
    BAD_STATUS = "bad-status"
    BAD_FORMAT = "bad-format"
    NEEDS_OUTPUT = "needs-output"
    MASTHEAD_NEEDS_DOCX = "masthead-needs-docx"
    NO_NUMBER_PREFIX = "no-number-prefix"
    NO_TARGETS = "no-targets"
    NO_DATA_DIR = "no-data-dir"
    NO_PROGRESS_DIR = "no-progress-dir"
    OUTPUT_NOT_A_FILE = "output-not-a-file"
    OUTPUT_IS_FOLDER = "output-is-folder"
    OUTPUT_IS_DATA = "output-is-data"
    OUTPUT_EXISTS = "output-exists"
    BAD_SOURCE_DATE = "bad-source-date-epoch"  # $SOURCE_DATE_EPOCH, the report's making time
    # the city's roll-up: folders that cannot be set side by side
    ROLLUP_NO_PLAN = "rollup-no-plan"
    ROLLUP_SAME_AREA = "rollup-same-area"
    ROLLUP_MIXED_YEARS = "rollup-mixed-years"
    ROLLUP_MIXED_PARENTS = "rollup-mixed-parents"
    ROLLUP_WORKER_DIED = "rollup-worker-died"  # a process of the pool killed (out of memory)
    # a notice that cannot be drafted from
    EMPTY_NOTICE = "empty-notice"
    NOTICE_TOO_LARGE = "notice-too-large"
    PDF_NOTICE = "pdf-notice"
    BINARY_NOTICE = "binary-notice"
    NOTICE_ENCODING = "notice-encoding"
    NOTICE_FORMAT = "notice-format"
    NO_ITEMS = "no-items"
    TOO_MANY_ITEMS = "too-many-items"
    TOO_MANY_CATEGORIES = "too-many-categories"
    TOO_MANY_UNITS = "too-many-units"
    TOO_MANY_MEASURES = "too-many-measures"
    TOO_MANY_TARGETS = "too-many-targets"
    # a monthly return's file that cannot be read as one
    UNREADABLE = "unreadable"
    XLS_FORMAT = "xls-format"
    NOT_XLSX = "not-xlsx"
    CSV_SYNTAX = "csv-syntax"
    EXTRA_SHEET = "extra-sheet"
    HIDDEN_ROW = "hidden-row"
    MERGED_CELLS = "merged-cells"
    HIDDEN_COLUMN = "hidden-column"
    DAMAGED_XLSX = "damaged-xlsx"
    SAME_FILE = "same-file"
    NOT_A_RETURN = "not-a-return"
    MIXED_RETURN = "mixed-return"
    DUPLICATE_ROW = "duplicate-row"
    OTHER_PLAN = "other-plan"
    FIXED_CELL_CHANGED = "fixed-cell-changed"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, where it is and what it is: `file:line:column: code: message`."""

    file: str
    line: int
    column: int
    code: Code
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        from minsheng.core.typography import typeset  # the place as it is, the words typeset

        said = typeset(self.message)
        return f"{self.file}:{self.line}:{self.column}: {self.code}: {said}{where}"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": str(self.code),
            "path": self.path,
            "message": self.message,
        }


class DataError(Exception):
    """Raised where the data cannot be used at all; carries the issues that say why."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Issue]]]:
        # Whole across processes (the roll-up's pool): by default only the text would be.
        return type(self), (self.issues,)


class UsageError(Exception):
    """A command was given something it cannot use (exit 2): unknown unit, bad option."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[UsageError], tuple[Code, str]]:
        return type(self), (self.code, self.message)


class RefusedError(Exception):
    """A write was refused by a rule of the data (exit 1); nothing was written."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[RefusedError], tuple[Code, str]]:
        return type(self), (self.code, self.message)


class StoppedError(Exception):
    """The work stopped for a reason outside the data and the command line (a process it ran
    was killed): exit 1, nothing written."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[StoppedError], tuple[Code, str]]:
        return type(self), (self.code, self.message)


_OS_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹,不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EIO: "读写设备出错",
}


def os_reason(error: OSError) -> str:
    """Why the system refused a read or a write, in Chinese (the system says it in English)."""
    return _OS_REASONS.get(error.errno or 0) or error.strerror or str(error)
