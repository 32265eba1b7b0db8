"""Safe YAML reading: plain data with the line of every value, and located problems.

PyYAML's loaders guess types the YAML 1.1 way (`no` is false, `012` is 10, `1:30` is 90),
keep the last of two duplicate keys, build objects from tags and expand aliases. Here the
C (or Python) parser only produces events; this module builds the data from them itself:
plain scalars are null, booleans, integers or exact decimals by the YAML 1.2 core rules and
strings otherwise; quoted scalars are strings; tags, anchors and aliases are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from minsheng.core.issues import Code, Issue
from minsheng.core.readfile import NotRegular, TooLarge, read_bounded

Loc = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

MAX_DEPTH = 64
# Bounds on what one file may cost, whatever it holds: the 2024 plan is 56 KB and 3,000
# nodes, a month's progress file of a unit a few KB. Memory stays near 100 MB at the limits.
MAX_BYTES = 16 * 1024 * 1024
MAX_NODES = 200_000

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NAN = frozenset({".nan", ".NaN", ".NAN"})
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
# C0 and C1 controls (tab and newline are layout), and the bidirectional controls that can
# make a text read differently from what it is (Trojan Source).
# The 66 non-characters (U+FDD0–U+FDEF and the last two of every plane): no XML document can
# hold U+FFFE or U+FFFF, and none of them is text; a double-quoted "\uFFFE" makes one.
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    f"\ud800-\udfff{NONCHARACTERS}]"
)


def bad_char_message(char: str) -> str:
    """Why a character may not be in a text: a control character, or one that is no text."""
    if re.fullmatch(f"[\\ud800-\\udfff{NONCHARACTERS}]", char):
        return (
            f"文字中含有非字符 U+{ord(char):04X}(不是文字,任何 XML 文档都不能含有它,"
            "报表和报送表将无法生成),请删去"
        )
    return f"文字中含有不允许的控制字符 U+{ord(char):04X}"


try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Parser = yaml.SafeLoader


@dataclass
class Document:
    """One YAML document: its data, where each value is, and the problems found reading it."""

    file: str
    data: Any = None
    marks: dict[Loc, Position] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    start_line: int = 1
    end_line: int = 1
    explicit_end: bool = False
    broken: bool = False  # the parser stopped here: the data is not usable

    def position(self, loc: Loc) -> Position:
        """The position of the value at `loc`, or of its nearest enclosing value."""
        for size in range(len(loc), -1, -1):
            found = self.marks.get(loc[:size])
            if found is not None:
                return found
        return (self.start_line, 1)

    def issue(self, loc: Loc, code: Code, message: str) -> Issue:
        line, column = self.position(loc)
        return Issue(self.file, line, column, code, message, format_loc(loc))


def format_loc(loc: Loc) -> str:
    """`("items", 9, "targets", 0)` as `items[9].targets[0]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def too_large(file: str) -> Issue:
    """The problem of a file over MAX_BYTES."""
    message = f"文件超过 {MAX_BYTES // 1024 // 1024} MB,不像是计划或进度记录,不予读取"
    return Issue(file, 1, 1, Code.TOO_LARGE, message)


def decode(raw: bytes, file: str) -> tuple[str | None, list[Issue]]:
    """UTF-8 with or without a BOM; anything else is a located, friendly problem."""
    if len(raw) > MAX_BYTES:
        return None, [too_large(file)]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = "文件不是 UTF-8 编码(可能是 GBK/GB2312),请用编辑器另存为 UTF-8 后再试"
        return None, [Issue(file, line, column, Code.ENCODING, message)]


def unreadable(error: OSError, file: str) -> Issue:
    """The problem of a file read_bounded refused, or the system could not read."""
    if isinstance(error, TooLarge):
        return too_large(file)
    if isinstance(error, NotRegular):
        return Issue(file, 1, 1, Code.SYNTAX, "不是普通文件(可能是管道或设备),不予读取")
    return Issue(file, 1, 1, Code.SYNTAX, f"无法读取文件:{error.strerror}")


def read_file(path: Path, file: str | None = None) -> tuple[str | None, list[Issue]]:
    """Read and decode a file; a missing or unreadable file is a problem, not a traceback."""
    name = file or str(path)
    try:
        raw = read_bounded(path, MAX_BYTES)
    except OSError as error:
        return None, [unreadable(error, name)]
    return decode(raw, name)


def resolve_plain(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema, with numbers kept exact."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # over Python's limit on digits (4300): kept exact, as a Decimal
            return Decimal(text)
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    if text in _NAN:
        return Decimal("NaN")
    if _INF.fullmatch(text):
        return Decimal("-Infinity") if text.startswith("-") else Decimal("Infinity")
    return text


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _syntax_issue(error: yaml.YAMLError, text: str, file: str) -> Issue:
    if isinstance(error, yaml.reader.ReaderError):
        # libyaml counts in bytes of UTF-8, the Python reader in characters.
        body: str | bytes = text.encode("utf-8") if _Parser is not yaml.SafeLoader else text
        newline: Any = b"\n" if isinstance(body, bytes) else "\n"
        line = body.count(newline, 0, error.position) + 1
        column = error.position - (body.rfind(newline, 0, error.position) + 1) + 1
        message = f"文件含有不允许的控制字符 U+{error.character:04X}"
        return Issue(file, line, column, Code.BAD_CHAR, message)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if getattr(error, "context", None) == "while scanning a simple key":
        mark = getattr(error, "context_mark", None) or mark  # the key missing its colon
    line, column = _position(mark) if mark is not None else (1, 1)
    problem = getattr(error, "problem", None) or str(error)
    lines = text.splitlines()
    at_tab = line <= len(lines) and lines[line - 1][column - 1 : column] == "\t"
    if "'\\t'" in problem or at_tab:
        return Issue(file, line, column, Code.TAB, "缩进不能用 Tab 键,请改用空格")
    if "nesting depth" in problem:  # libyaml's own limit
        return Issue(file, line, column, Code.TOO_DEEP, f"嵌套超过 {MAX_DEPTH} 层,文件结构不对")
    hint = next((words for start, words in _SYNTAX_WORDS if problem.startswith(start)), "")
    message = f"YAML 语法错误:{hint}({problem})" if hint else f"YAML 语法错误:{problem}"
    return Issue(file, line, column, Code.SYNTAX, message)


# The parser's words for the usual slips of a hand edit, said the way a clerk would fix them.
_SYNTAX_WORDS = (
    ("could not find expected ':'", "这一行缺少冒号,键和值之间要写“: ”"),
    ("mapping values are not allowed", "这里不能出现“键: 值”,请检查缩进,或给含有“: ”的文字加引号"),
    ("did not find expected key", "缩进没有对齐,或少了列表项开头的“- ”"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有配对,或两项之间少了逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有配对,或两项之间少了逗号"),
    ("did not find expected '-' indicator", "列表项的缩进没有对齐"),
    ("block sequence entries are not allowed", "这里不能开始列表项“- ”,请检查缩进"),
    (
        "found character that cannot start any token",
        "这里有 YAML 不允许作开头的字符(如 @、`),请给这段文字加引号",
    ),
    ("found unexpected end of stream", "文件意外结束,引号或括号没有配对"),
    ("found unknown escape character", "双引号里有无法识别的转义符“\\”,请改用单引号"),
    ("expected <block end>", "缩进没有对齐"),
    ("found undefined tag handle", "不允许使用 YAML 标签(以 ! 开头)"),
)


class _Builder:
    """Builds plain data from parser events with an explicit stack (no recursion)."""

    def __init__(self, file: str) -> None:
        self.file = file

    def documents(self, text: str) -> Iterator[Document]:
        parser = _Parser(text)
        doc: Document | None = None
        try:
            # Each frame: [container, loc, pending key or None, key position]
            stack: list[list[Any]] = []
            nodes = 0
            while True:
                event = parser.get_event()
                if event is None or isinstance(event, yaml.StreamEndEvent):
                    return
                nodes += 1
                if nodes > MAX_NODES:
                    message = f"文件的内容超过 {MAX_NODES} 个节点,不像是计划或进度记录,不予读取"
                    where = _position(event.start_mark)
                    raise _Limit(Issue(self.file, *where, Code.TOO_LARGE, message))
                if isinstance(event, yaml.StreamStartEvent):
                    continue
                if isinstance(event, yaml.DocumentStartEvent):
                    doc = Document(self.file, start_line=_position(event.start_mark)[0])
                    continue
                assert doc is not None
                if isinstance(event, yaml.DocumentEndEvent):
                    doc.end_line = _position(event.end_mark)[0]
                    doc.explicit_end = bool(event.explicit)
                    yield doc
                    doc = None
                    continue
                self._event(doc, stack, event)
        except (yaml.YAMLError, _Limit) as error:
            # The problems found before the parser stopped are kept: all of them at once.
            before = doc.issues if doc is not None else []
            if isinstance(error, _Limit):
                stop = error.issue
            else:
                stop = _syntax_issue(error, text, self.file)
            yield Document(self.file, issues=[*before, stop], broken=True)
        finally:
            parser.dispose()

    def _event(self, doc: Document, stack: list[list[Any]], event: Any) -> None:
        position = _position(event.start_mark)
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            container = stack.pop()[0]
            self._place(doc, stack, container, position, is_value=True, done=True)
            return
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            if not any(issue.code is Code.ALIAS for issue in doc.issues):  # once is enough
                message = "不允许使用 YAML 锚点和别名(& 与 *)"
                doc.issues.append(Issue(self.file, *position, Code.ALIAS, message))
            if isinstance(event, yaml.AliasEvent):
                self._place(doc, stack, None, position, is_value=True)
                return
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            doc.issues.append(Issue(self.file, *position, Code.TAG, f"不允许使用 YAML 标签 {tag}"))
        if isinstance(event, yaml.ScalarEvent):
            text = event.value
            bad = _BAD_CHARS.search(text)
            if bad:
                message = bad_char_message(bad.group())
                where = format_loc(self._scalar_loc(stack, text))
                doc.issues.append(Issue(self.file, *position, Code.BAD_CHAR, message, where))
            plain = bool(event.implicit[0]) and tag is None  # untagged and unquoted
            value = resolve_plain(text) if plain else text
            self._place(doc, stack, value, position, is_value=False, text=text)
            return
        if len(stack) >= MAX_DEPTH:
            message = f"嵌套超过 {MAX_DEPTH} 层,文件结构不对"
            raise _Limit(Issue(self.file, *position, Code.TOO_DEEP, message))
        if isinstance(event, yaml.MappingStartEvent):
            loc = self._child_loc(stack, doc, position)
            stack.append([{}, loc, None, position])
        elif isinstance(event, yaml.SequenceStartEvent):
            loc = self._child_loc(stack, doc, position)
            stack.append([[], loc, None, position])

    def _scalar_loc(self, stack: list[list[Any]], text: str) -> Loc:
        if not stack:
            return ()
        container, loc, key, _ = stack[-1]
        if isinstance(container, list):
            return (*loc, len(container))
        return (*loc, key if key is not None else text)

    def _child_loc(self, stack: list[list[Any]], doc: Document, position: Position) -> Loc:
        if not stack:
            doc.marks[()] = position
            return ()
        container, loc, key, _ = stack[-1]
        if isinstance(container, list):
            child = (*loc, len(container))
            doc.marks[child] = position
            return child
        if key is None:  # a mapping or sequence used as a key
            doc.issues.append(Issue(self.file, *position, Code.SYNTAX, "映射的键必须是简单的文字"))
            return (*loc, "?")
        return (*loc, key)

    def _place(
        self,
        doc: Document,
        stack: list[list[Any]],
        value: Any,
        position: Position,
        *,
        is_value: bool,
        text: str | None = None,
        done: bool = False,
    ) -> None:
        if not stack:
            doc.data = value
            if not done:
                doc.marks[()] = position
            return
        frame = stack[-1]
        container, loc, key, _ = frame
        if isinstance(container, list):
            if not done:
                doc.marks[(*loc, len(container))] = position
            container.append(value)
            return
        if key is None and not is_value and not done:
            key_text = text if text is not None else str(value)
            if key_text in container:
                doc.issues.append(
                    Issue(
                        self.file,
                        *position,
                        Code.DUPLICATE_KEY,
                        f"键 {key_text} 重复出现(YAML 会悄悄只保留最后一个)",
                        format_loc((*loc, key_text)),
                    )
                )
                key_text = f"{key_text}\x00dup{position[0]}"
            frame[2] = key_text
            doc.marks[(*loc, key_text)] = position
            return
        if key is None:  # a collection in key position: reported; its value is dropped
            frame[2] = "\x00collection-key"
            return
        if not key.count("\x00"):
            container[key] = value
        frame[2] = None


class _Limit(Exception):
    """The file is past a bound (nesting, size): reading stops with this problem."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def load_documents(text: str, file: str) -> list[Document]:
    """Every document of a YAML stream, each with its data, marks and problems."""
    return list(_Builder(file).documents(text))


def load_single(text: str, file: str) -> Document:
    """Exactly one document whose root is a mapping (the plan file)."""
    docs = load_documents(text, file)
    issues = [issue for doc in docs for issue in doc.issues]
    if any(doc.broken for doc in docs):
        return Document(file, issues=issues, broken=True)
    if not docs or (len(docs) == 1 and docs[0].data is None and not issues):
        return Document(file, issues=[Issue(file, 1, 1, Code.EMPTY, "文件是空的")], broken=True)
    doc = docs[0]
    doc.issues = issues
    if len(docs) > 1:
        message = "文件里只能有一个 YAML 文档(发现了第二个 ---)"
        doc.issues.append(Issue(file, docs[1].start_line, 1, Code.MULTI_DOC, message))
    if not isinstance(doc.data, dict):
        kind = "列表" if isinstance(doc.data, list) else "单个值"
        message = f"文件的顶层应是映射(键: 值),而不是{kind}"
        doc.issues.append(Issue(file, *doc.position(()), Code.NOT_MAPPING, message))
        doc.broken = True
    return doc
