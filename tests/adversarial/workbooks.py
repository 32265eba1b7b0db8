"""Hostile returns, made from a real template: crafted zip members, worksheet XML, styles,
shared strings and workbook parts (round 3), and CSV files past every bound. Each maker
takes the template's bytes and gives the hostile file's bytes; CASES says what the import
must answer (the problem's code and a word of its message)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable

from minsheng.returns.files import HEADER_ROW

SHEET = "xl/worksheets/sheet1.xml"
STYLES = "xl/styles.xml"
BOOK = "xl/workbook.xml"
BOOK_RELS = "xl/_rels/workbook.xml.rels"
TYPES = "[Content_Types].xml"
# The first target's row, H its value: under the form's title, fields and 填表说明 (rows 1-8)
# and its header (row 9). The names say H2 and row 2, where a bare table had them.
assert HEADER_ROW == 9
_H2 = re.compile(r'<c r="H10"[^>]*?(?:/>|>.*?</c>)')
_ROW2 = re.compile(r'<row r="10"[^>]*>')
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

Change = Callable[[str], str]


def rewrite(
    raw: bytes, changes: dict[str, Change | None], added: dict[str, bytes] | None = None
) -> bytes:
    """The workbook with parts changed (text in, text out), removed (None) or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename in changes:
                change = changes[info.filename]
                if change is None:
                    continue
                data = change(data.decode("utf-8")).encode("utf-8")
            copy.writestr(info.filename, data)
        for name, data in (added or {}).items():
            copy.writestr(name, data)
    return out.getvalue()


def sheet(change: Change) -> Callable[[bytes], bytes]:
    return lambda raw: rewrite(raw, {SHEET: change})


def h2(cell: str) -> Callable[[bytes], bytes]:
    """The value cell of the first target's row (H2) replaced by `cell`."""
    return sheet(lambda xml: _H2.sub(cell, xml, count=1))


def filled_row2(attributes: str) -> Callable[[bytes], bytes]:
    """The first target's row filled (H = 95.6) and given `attributes` (a way of hiding it)."""

    def change(xml: str) -> str:
        xml = _H2.sub('<c r="H10"><v>95.6</v></c>', xml, count=1)
        return _ROW2.sub(f'<row r="10" {attributes}>', xml, count=1)

    return sheet(change)


def after_sheet_data(extra: str, fill: bool = True) -> Callable[[bytes], bytes]:
    def change(xml: str) -> str:
        if fill:
            xml = _H2.sub('<c r="H10"><v>95.6</v></c>', xml, count=1)
        return xml.replace("</sheetData>", "</sheetData>" + extra, 1)

    return sheet(change)


def rows_appended(rows: str) -> Callable[[bytes], bytes]:
    return sheet(lambda xml: xml.replace("</sheetData>", rows + "</sheetData>", 1))


def with_shared_strings(strings: bytes, cell: str) -> Callable[[bytes], bytes]:
    """A sharedStrings part (as Excel writes one) and H2 replaced by `cell`."""

    def make(raw: bytes) -> bytes:
        rel = f'<Relationship Id="rIdS" Type="{_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        override = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        return rewrite(
            raw,
            {
                SHEET: lambda xml: _H2.sub(cell, xml, count=1),
                BOOK_RELS: lambda xml: xml.replace("</Relationships>", rel + "</Relationships>"),
                TYPES: lambda xml: xml.replace("</Types>", override + "</Types>"),
            },
            {"xl/sharedStrings.xml": strings},
        )

    return make


def shared(body: bytes) -> bytes:
    return f'<sst xmlns="{_MAIN}">'.encode() + body + b"</sst>"


def styles_with(xfs: int) -> Callable[[bytes], bytes]:
    """The styles part declaring `xfs` cell formats."""
    body = "<xf/>" * xfs
    return lambda raw: rewrite(
        raw, {STYLES: lambda xml: re.sub(r"<cellXfs[^>]*>", f"<cellXfs>{body}", xml, count=1)}
    )


def defined_names(count: int) -> Callable[[bytes], bytes]:
    names = "".join(f'<definedName name="n{i}">1</definedName>' for i in range(count))
    return lambda raw: rewrite(
        raw, {BOOK: lambda xml: xml.replace("<definedNames>", "<definedNames>" + names, 1)}
    )


def second_sheet(rows: str) -> Callable[[bytes], bytes]:
    """A second worksheet holding `rows`, after the return's own."""

    def make(raw: bytes) -> bytes:
        tag = f'<sheet xmlns:r="{_RELS}" name="草稿" sheetId="2" state="visible" r:id="rId9"/>'
        rel = (
            f'<Relationship Type="{_RELS}/worksheet" Target="/xl/worksheets/sheet2.xml" Id="rId9"/>'
        )
        override = (
            '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        part = f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData></worksheet>'
        return rewrite(
            raw,
            {
                SHEET: lambda xml: _H2.sub('<c r="H10"><v>95.6</v></c>', xml, count=1),
                BOOK: lambda xml: xml.replace("</sheets>", tag + "</sheets>"),
                BOOK_RELS: lambda xml: xml.replace("</Relationships>", rel + "</Relationships>"),
                TYPES: lambda xml: xml.replace("</Types>", override + "</Types>"),
            },
            {"xl/worksheets/sheet2.xml": part.encode()},
        )

    return make


def declared_size(member: str, size: int) -> Callable[[bytes], bytes]:
    """The zip's central directory claims `size` bytes unpacked for `member` (what a reader
    that trusts it would allocate, or where it would stop)."""

    def make(raw: bytes) -> bytes:
        data = bytearray(raw)
        name = member.encode()
        at = data.find(b"PK\x01\x02")
        while at != -1:
            length = struct.unpack_from("<H", data, at + 28)[0]
            if data[at + 46 : at + 46 + length] == name:
                struct.pack_into("<I", data, at + 24, size)
                return bytes(data)
            at = data.find(b"PK\x01\x02", at + 4)
        raise AssertionError(member)

    return make


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(9))
    + "]>"
)

# name: (maker, the problem's code, a word of its message)
CASES: dict[str, tuple[Callable[[bytes], bytes], str, str]] = {
    # cells the parser reads
    "ref-2H": (h2('<c r="2H"><v>95</v></c>'), "damaged-xlsx", "'2H'"),
    "ref-ZZZZ": (
        h2('<c r="H10"><v>95</v></c><c r="ZZZZ10"><v>1</v></c>'),
        "damaged-xlsx",
        "ZZZZ10",
    ),
    "ref-other-row": (h2('<c r="H11"><v>95</v></c>'), "damaged-xlsx", "H11"),
    "number-inf": (h2('<c r="H10"><v>inf</v></c>'), "damaged-xlsx", "应是数字"),
    "number-abc": (h2('<c r="H10" t="n"><v>abc</v></c>'), "damaged-xlsx", "应是数字"),
    "number-text": (h2('<c r="H10"><v>九十五</v></c>'), "damaged-xlsx", "应是数字"),
    "number-5000-digits": (h2(f'<c r="H10"><v>{"9" * 5000}</v></c>'), "damaged-xlsx", "应是数字"),
    "boolean-2": (h2('<c r="H10" t="b"><v>2</v></c>'), "damaged-xlsx", "逻辑值"),
    "date-month-13": (h2('<c r="H10" t="d"><v>2024-13-01</v></c>'), "damaged-xlsx", "日期"),
    "unknown-type": (h2('<c r="H10" t="zz"><v>1</v></c>'), "damaged-xlsx", "类型"),
    "shared-index-out-of-range": (
        with_shared_strings(shared(b"<si><t>95</t></si>"), '<c r="H10" t="s"><v>5</v></c>'),
        "damaged-xlsx",
        "共享字符串 '5' 不存在",
    ),
    "shared-strings-missing": (
        h2('<c r="H10" t="s"><v>0</v></c>'),
        "damaged-xlsx",
        "没有共享字符串部件",
    ),
    # parts missing, cut, or hostile XML
    "sheet-truncated": (sheet(lambda xml: xml[: len(xml) // 2]), "damaged-xlsx", "不是完整的 XML"),
    "sheet-missing": (lambda raw: rewrite(raw, {SHEET: None}), "damaged-xlsx", "缺少工作表"),
    "workbook-missing": (lambda raw: rewrite(raw, {BOOK: None}), "damaged-xlsx", "缺少工作簿"),
    "undefined-entity": (
        h2('<c r="H10" t="inlineStr"><is><t>&foo;</t></is></c>'),
        "damaged-xlsx",
        "不是完整的 XML",
    ),
    "billion-laughs": (sheet(lambda xml: LAUGHS + xml), "damaged-xlsx", "DTD"),
    "external-entity": (
        sheet(lambda xml: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + xml),
        "damaged-xlsx",
        "DTD",
    ),
    # parts far beyond a return
    "2m-cell-formats": (styles_with(2_000_000), "too-large", "上限"),
    "5000-cell-formats": (styles_with(5_000), "too-large", "4000"),
    "3m-empty-shared-strings": (
        with_shared_strings(shared(b"<si/>" * 3_000_000), '<c r="H10" t="s"><v>0</v></c>'),
        "too-large",
        "上限",
    ),
    "60k-shared-strings": (
        with_shared_strings(shared(b"<si><t/></si>" * 60_000), '<c r="H10" t="s"><v>0</v></c>'),
        "too-large",
        "共享字符串",
    ),
    "500k-merges": (
        after_sheet_data("<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 500_000 + "</mergeCells>"),
        "too-large",
        "上限",
    ),
    "1500-merges": (
        after_sheet_data("<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 1500 + "</mergeCells>"),
        "too-large",
        "合并单元格",
    ),
    "3000-defined-names": (defined_names(3000), "too-large", "定义的名称"),
    "member-claims-1gb": (declared_size(SHEET, 1 << 30), "too-large", "1024 MB"),
    "member-inflates-past-its-size": (declared_size(SHEET, 100), "damaged-xlsx", "无法解压"),
    "rows-past-the-cap-without-numbers": (
        rows_appended("<row><c><v>1</v></c></row>" * 2100),
        "too-large",
        "2000 行",
    ),
    "row-past-the-cap": (
        rows_appended('<row r="3000000"><c r="H3000000"><v>1</v></c></row>'),
        "too-large",
        "3000000",
    ),
    "row-0": (sheet(lambda xml: _ROW2.sub('<row r="0">', xml, count=1)), "damaged-xlsx", "'0'"),
    "row-negative": (
        sheet(lambda xml: _ROW2.sub('<row r="-1">', xml, count=1)),
        "damaged-xlsx",
        "'-1'",
    ),
    "rows-out-of-order": (
        rows_appended('<row r="11"><c r="H11"><v>1</v></c></row>'),
        "damaged-xlsx",
        "顺序",
    ),
    # the layout, judged from the parse: problems of the return, located
    "hidden-single-quoted": (filled_row2("hidden='1'"), "hidden-row", "隐藏"),
    "hidden-true": (filled_row2('hidden="true"'), "hidden-row", "隐藏"),
    "hidden-True": (filled_row2('hidden="True"'), "hidden-row", "隐藏"),
    "hidden-zero-height": (filled_row2('ht="0" customHeight="1"'), "hidden-row", "隐藏"),
    "merge-single-quoted": (
        after_sheet_data("<mergeCells count='1'><mergeCell ref='H10:H11'/></mergeCells>"),
        "merged-cells",
        "H10:H11",
    ),
    "hidden-column": (
        sheet(
            lambda xml: _H2.sub('<c r="H10"><v>95.6</v></c>', xml, count=1).replace(
                'min="8" max="8"', 'min="8" max="8" hidden="1"', 1
            )
        ),
        "hidden-column",
        "隐藏",
    ),
    "second-sheet-content-after-row-200": (
        second_sheet('<row r="500"><c r="A500"><v>96</v></c></row>'),
        "extra-sheet",
        "草稿",
    ),
}


def csv_cases(template: bytes) -> dict[str, tuple[bytes, str, str]]:
    """CSV returns past a bound, made from a CSV template: (bytes, code, word)."""
    text = template.decode("utf-8-sig")
    lines = text.split("\r\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("序号,")) + 1  # under the form
    first = lines[at].split(",")

    def row(column: int, value: str) -> bytes:
        cells = list(first)
        cells[7] = "95"
        cells[column] = value
        return "\r\n".join([*lines[:at], ",".join(cells), *lines[at + 1 :]]).encode("utf-8")

    return {
        "csv-20mb": (text.encode() + b"#" * (20 << 20), "too-large", "上限"),
        "csv-long-line": (row(10, "长" * 30_000), "too-large", "字符"),
        "csv-5000-digit-value": (row(7, "9" * 5000), "too-large", "字符"),
        "csv-5000-digit-item": (row(0, "1" * 5000), "too-large", "字符"),
        "csv-many-columns": (row(10, "," * 5000), "too-large", "列"),
    }
