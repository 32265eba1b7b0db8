"""`minsheng plan draft` on notices in other styles, on cut-off and bad input, and plans of
several years side by side."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from minsheng.plan.draft.build import draft_notice
from minsheng.plan.draft.clean import NoticeError
from minsheng.plan.draft.write import to_yaml
from minsheng.plan.load import load_plan

ROOT = Path(__file__).resolve().parent.parent
NOTICES = ROOT / "tests" / "fixtures" / "notices"
NOTICE_2024 = ROOT / "tests" / "fixtures" / "notice_2024.txt"


def _draft(text: str, name: str = "notice.txt"):  # type: ignore[no-untyped-def]
    return draft_notice(text.encode("utf-8"), name)


def _validates(draft, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"tasks_{draft.document.year}.yaml"
    path.write_text(to_yaml(draft), encoding="utf-8")
    loaded, issues = load_plan(path)
    assert issues == [] and loaded is not None


def test_a_city_list_numbered_in_parentheses(tmp_path: Path) -> None:
    draft = draft_notice((NOTICES / "city_paren.txt").read_bytes(), "city_paren.txt")
    assert draft.numbering == "(1)"
    assert [(c.name, c.count) for c in draft.categories] == [("促进就业", 2), ("社会保障", 2)]
    assert [i.units for i in draft.items] == [
        ["市人社局"],
        ["市人社局", "市教育局"],
        ["市民政局"],
        [],
    ]
    assert draft.items[3].no_task
    first = draft.items[0].targets[0]
    assert (first.value, first.unit, first.comparator, first.kind) == (
        "6.8",
        "万人",
        "approx",
        "quantity",
    )
    assert draft.document.number == "芜政办〔2024〕3号"
    assert draft.document.date == "2024-03-01"
    assert draft.document.issuer == "芜湖市人民政府办公室"
    assert [u.id for u in draft.units] == ["rsj", "jyj", "mzj"]
    assert not draft.problems
    _validates(draft, tmp_path)


def test_a_pdf_extracted_list_is_mended(tmp_path: Path) -> None:
    """Broken lines inside words and unit names, a heading's count on its own line, a space
    inside a figure, page numbers alone and glued, a running footer inside an item."""
    draft = draft_notice((NOTICES / "province_pdf.txt").read_bytes(), "province_pdf.txt")
    assert [(c.name, c.count) for c in draft.categories] == [("促进就业", 2), ("社会保障", 1)]
    first, second, third = draft.items
    assert first.title == (
        "促进重点群体稳定就业,城镇新增就业68万人左右;“三公里”充分就业社区数量达到城市社区的65%。"
    )
    assert (
        second.title == "支持毕业生求职创业,对符合条件的毕业生按照1500元/人的标准发放求职创业补贴。"
    )
    assert second.units == ["省人力资源社会保障厅", "省教育厅"]
    assert third.units == ["省民政厅"]
    assert [(t.value, t.unit) for t in first.targets] == [("68", "万人"), ("65", "%")]
    assert [text for _, text in draft.removed] == ["皖民生办〔2024〕1号", "- 2 -", "3"]
    assert "dropped" not in [p.code for p in draft.problems]  # said in the header instead
    header = to_yaml(draft).split("schema_version")[0]
    assert "删去了页码、页眉页脚 3 处" in header and "第 12 行:- 2 -" in header
    assert draft.document.number == "皖民生办〔2024〕1号"
    _validates(draft, tmp_path)


def test_a_2025_list_of_30_items_numbered_with_chinese_numerals(tmp_path: Path) -> None:
    draft = draft_notice((NOTICES / "list_2025.txt").read_bytes(), "list_2025.txt")
    assert draft.numbering == "一、"
    assert [i.number for i in draft.items] == list(range(1, 31))
    assert all(len(i.measures) == 2 for i in draft.items)
    assert draft.items[29].measures[1].text == "安排资金30万元,按月调度。"
    assert draft.items[29].targets[0].value == "300"
    assert draft.document.year == 2025
    assert [p.code for p in draft.problems] == ["no-categories"]
    assert not draft.skipped[2:]  # only the signature and the date
    _validates(draft, tmp_path)


def test_a_notice_cut_off_in_the_middle_of_an_item_is_reported() -> None:
    text = NOTICE_2024.read_text(encoding="utf-8")
    cut = text[: text.index("18.完善村(社区)") + 30]
    draft = _draft(cut)
    last = draft.items[-1]
    assert last.number == 18 and not last.units
    assert "cut-off" in [p.code for p in draft.problems]
    assert any("中间结束" in p for p in last.problems)
    assert "# 待核对: 原文在这一项中间结束" in to_yaml(draft)
    counts = [p.message for p in draft.problems if p.code == "category-count"]
    assert "类别“困难群体救助”标题写 12 项,找到 10 项" in counts


def test_repeated_and_skipped_numbers_and_an_unclosed_parenthesis_are_marked() -> None:
    text = (
        "一、促进就业(3项)\n"
        "1.新增就业100人。(牵头单位:区人社局)\n"
        "1.培训200人次。(牵头单位:区人社局\n"
        "3.开发岗位30个。(牵头单位:区商务局)\n"
    )
    draft = _draft(text)
    messages = "\n".join(str(p) for p in draft.problems)
    assert "事项编号 1 出现了 2 次(第 2、3 行)" in messages
    assert "缺少第 2 项" in messages
    assert "括号没有闭合" in messages
    assert draft.items[1].units == ["区人社局"]
    assert "# 待核对: 牵头单位的括号没有闭合" in to_yaml(draft)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty-notice"),
        (b"  \n\n", "empty-notice"),
        (bytes(range(256)) * 20, "binary-notice"),
        (b"%PDF-1.7\n...", "pdf-notice"),
        (b"PK\x03\x04not really a docx", "notice-format"),
        (b"x" * (3 * 1024 * 1024), "notice-too-large"),
        ("随便一段文字,没有编号。".encode(), "no-items"),
    ],
)
def test_unusable_input_is_a_clear_refusal(raw: bytes, code: str) -> None:
    with pytest.raises(NoticeError) as error:
        draft_notice(raw, "notice.txt")
    assert error.value.code == code
    assert "notice.txt" in error.value.message


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_other_encodings_are_read(encoding: str) -> None:
    draft = draft_notice(NOTICE_2024.read_text(encoding="utf-8").encode(encoding), "n.txt")
    assert len(draft.items) == 50
    assert draft.items[0].units == ["区人社局"]


def test_a_word_file_is_read(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in (NOTICES / "city_paren.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    stream = io.BytesIO()
    document.save(stream)
    draft = draft_notice(stream.getvalue(), "通知.docx")
    assert [i.number for i in draft.items] == [1, 2, 3, 4]
    assert draft.encoding == "docx"


def test_cli_writes_the_draft_and_the_summary(cli, tmp_path: Path) -> None:
    output = tmp_path / "data" / "tasks_2025.yaml"
    result = cli("plan", "draft", str(NOTICES / "list_2025.txt"), "--output", str(output))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert "找到 30 项" in result.stderr
    assert output.read_text(encoding="utf-8").startswith("# 郎溪县人民政府关于2025年")
    assert cli("validate", "--data-dir", str(output.parent)).code == 0


def test_cli_never_overwrites_without_force(cli, tmp_path: Path) -> None:
    output = tmp_path / "tasks_2024.yaml"
    output.write_bytes(b"# kept by hand\n")
    result = cli("plan", "draft", str(NOTICE_2024), "--output", str(output))
    assert result.code == 1
    assert "拒绝 [output-exists]" in result.stderr and "--force" in result.stderr
    assert output.read_bytes() == b"# kept by hand\n"
    assert cli("plan", "draft", str(NOTICE_2024), "-o", str(output), "--force").code == 0
    assert output.read_text(encoding="utf-8").startswith("# 花山区")


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty-notice"), (b"\x00\x01\x02\x03" * 100, "binary-notice")],
)
def test_cli_bad_input_is_one_message_and_no_file(
    cli, tmp_path: Path, content: bytes, code: str
) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_bytes(content)
    output = tmp_path / "tasks_2025.yaml"
    result = cli("plan", "draft", str(notice), "-o", str(output))
    assert result.code == 1
    assert f"[{code}]" in result.stderr and "Traceback" not in result.stderr
    assert not output.exists()


def test_cli_refuses_a_huge_file_by_its_limit(cli, tmp_path: Path) -> None:
    notice = tmp_path / "big.txt"
    notice.write_text("1.新增就业100人。\n" * 500_000, encoding="utf-8")  # 10 MB
    result = cli("plan", "draft", str(notice))
    assert result.code == 1 and result.stdout == ""
    assert "[notice-too-large]" in result.stderr and "超过 1 MB 的上限" in result.stderr


def test_cli_json_and_year(cli) -> None:
    import json

    result = cli(
        "plan", "draft", str(NOTICES / "city_paren.txt"), "--format", "json", "--year", "2026"
    )
    assert result.code == 0
    payload = json.loads(result.stdout)
    assert payload["document"]["year"] == 2026
    assert payload["items"][0]["targets"][0]["source"] == "城镇新增就业6.8万人左右"


def test_two_years_side_by_side(cli, tmp_path: Path) -> None:
    """The arrival of 2025 changes nothing in 2024's report; without --year, 2025 is used."""
    data = tmp_path / "data"
    (data / "progress").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "tasks_2024.yaml", data / "tasks_2024.yaml")
    report = ("report", "--data-dir", str(data), "--as-of", "2024-06-30", "--format", "json")
    before = cli(*report, "--year", "2024")
    assert before.code == 0, before.stderr
    drafted = cli(
        "plan", "draft", str(NOTICES / "list_2025.txt"), "-o", str(data / "tasks_2025.yaml")
    )
    assert drafted.code == 0
    after = cli(*report, "--year", "2024")
    assert (after.code, after.stdout) == (0, before.stdout)
    listing = cli("list", "--data-dir", str(data), "--format", "json")
    assert len(__import__("json").loads(listing.stdout)) == 30  # the latest year by default
    assert cli("validate", "--data-dir", str(data), "--year", "2024").code == 0
    assert cli("validate", "--data-dir", str(data)).code == 0


def test_pages_glued_without_line_breaks_are_split_at_each_items_end() -> None:
    """The middle of the city list pasted as one line: each item ends at its tail, a heading
    after a sentence and an item after a heading's count."""
    lines = (NOTICES / "city_list_2024.txt").read_text(encoding="utf-8").splitlines()
    glued = "\n".join([*lines[:4], "".join(lines[4:17]), *lines[17:]])
    apart = _draft("\n".join(lines))
    draft = _draft(glued)
    assert [(i.number, i.title, i.units) for i in draft.items] == [
        (i.number, i.title, i.units) for i in apart.items
    ]
    assert [(c.name, c.count) for c in draft.categories] == [
        (c.name, c.count) for c in apart.categories
    ]
    assert draft.split == 12 and apart.split == 0


def test_a_list_in_the_attachment_of_a_short_notice_is_read_from_there() -> None:
    """通知 + 附件: the body only introduces and signs; the list is the attachment."""
    text = (
        "青禾市人民政府关于印发2025年民生实事清单的通知\n"
        "青政〔2025〕8号\n"
        "现将《2025年民生实事清单》印发给你们,请认真抓好落实。\n"
        "青禾市人民政府\n"
        "2025年1月6日\n"
        "附件\n"
        "2025年民生实事清单\n"
        "一、就业(1项)\n"
        "1.新增城镇就业3000人。(牵头单位:市人社局)\n"
        "二、养老(1项)\n"
        "2.新建老年食堂20个。(牵头单位:市民政局)\n"
    )
    draft = _draft(text)
    assert [(i.number, i.units) for i in draft.items] == [(1, ["市人社局"]), (2, ["市民政局"])]
    assert [(c.name, c.count) for c in draft.categories] == [("就业", 1), ("养老", 1)]
    doc = draft.document
    assert (doc.number, doc.issuer, doc.date) == ("青政〔2025〕8号", "青禾市人民政府", "2025-01-06")
    assert not draft.problems


def test_units_after_a_semicolon_are_kept_in_a_note() -> None:
    draft = _draft("1.改造小区12个。(牵头单位:区住建局、区城管局;配合单位:各街道)\n")
    item = draft.items[0]
    assert item.units == ["区住建局", "区城管局"]
    assert item.notes == ["原文括号中还写了“配合单位:各街道”,未作为牵头单位"]


def test_characters_no_plan_can_hold_never_reach_the_draft(tmp_path: Path) -> None:
    """Controls, non-characters and invisible marks (zero-width, bidi, soft hyphen) are
    debris of copying: dropped, so the draft loads."""
    text = (
        "一、促进就业(1项)\n"
        "1.新增\u200b就业\u202e1\x07200人\ufffe。\u00ad(牵头单位:区人\u2060社局)\n"
    )
    draft = _draft(text)
    assert draft.items[0].title == "新增就业1200人。"
    assert draft.items[0].units == ["区人社局"]
    draft.document.year = 2025
    _validates(draft, tmp_path)


def test_a_chinese_numeral_that_is_no_number_is_no_item() -> None:
    draft = _draft("十十十、虚假编号(牵头单位:区人社局)\n1.新增就业10人。(牵头单位:区人社局)\n")
    assert [i.number for i in draft.items] == [1]


BIG_FIGURES = "".join(f"{n}人," for n in range(40))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("".join(f"{n}.新增就业。(牵头单位:区人社局)\n" for n in range(1, 600)), "too-many-items"),
        (
            "".join(
                f"一、类别{'甲乙丙丁戊己'[n % 6]}{'子丑寅卯辰巳午未申酉'[n % 10]}(1项)\n"
                for n in range(60)
            )
            + "1.新增。(无任务)\n",
            "too-many-categories",
        ),
        (
            "1.新增。(牵头单位:" + "、".join(f"区{n}局" for n in range(40)) + ")\n",
            "too-many-units",
        ),
        ("".join(f"{n}.新增。(牵头单位:区{n}局)\n" for n in range(1, 400)), "too-many-units"),
        ("1.新增。(牵头单位:区人社局)\n推进措施:\n" + "1.做好。\n" * 2100, "too-many-measures"),
        ("".join(f"{n}.新增{BIG_FIGURES}。(无任务)\n" for n in range(1, 100)), "too-many-targets"),
        ("1.新增。(无任务)\n" + "又一行\n" * 20_001, "notice-too-large"),
    ],
    ids=["items", "categories", "units-in-an-item", "units", "measures", "targets", "lines"],
)
def test_a_notice_beyond_a_bound_is_refused_with_its_code(text: str, code: str) -> None:
    with pytest.raises(NoticeError) as error:
        draft_notice(text.encode("utf-8"), "notice.txt")
    assert error.value.code == code
    assert "notice.txt" in error.value.message and "上限" in error.value.message


def test_a_word_file_whose_part_claims_too_much_is_refused_before_it_is_opened() -> None:
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (17 * 1024 * 1024))
    assert len(stream.getvalue()) < 100_000
    with pytest.raises(NoticeError) as error:
        draft_notice(stream.getvalue(), "通知.docx")
    assert error.value.code == "notice-too-large"
    assert "解压后" in error.value.message


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
@pytest.mark.parametrize("role", ["notice", "attachment"])
def test_a_pipe_or_a_device_is_refused_not_read(tmp_path: Path, kind: str, role: str) -> None:
    """A named pipe hung `plan draft` (no writer ever comes), /dev/zero was read. Only a
    regular file is read. The pipe in a real process: a hang ends at its timeout, a failure."""
    import os

    from conftest import run_cli

    path = tmp_path / "notice.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    args = [str(path)] if role == "notice" else [str(NOTICE_2024), "--attachment", str(path)]
    output = tmp_path / "tasks_2025.yaml"
    result = run_cli("plan", "draft", *args, "-o", str(output), process=kind == "fifo")
    assert result.code == 1, result.stderr
    assert "拒绝 [not-a-file]" in result.stderr and str(path) in result.stderr
    assert not output.exists()


def test_strict_exits_1_on_problems_or_unplaced_numbers(cli, tmp_path: Path) -> None:
    """CI tells a clean draft from a doubtful one; the draft is written either way, and the
    plain run keeps exit 0."""
    clean_notice = str(NOTICES / "city_list_2024.txt")
    doubtful = str(NOTICES / "district_plan_2025.txt")  # no 文号, no categories
    output = tmp_path / "tasks.yaml"
    assert cli("plan", "draft", clean_notice, "--strict").code == 0
    plain = cli("plan", "draft", doubtful, "-o", str(output))
    assert plain.code == 0 and "需要注意的问题 2 个" in plain.stderr
    drafted = output.read_bytes()
    output.unlink()
    strict = cli("plan", "draft", doubtful, "-o", str(output), "--strict")
    assert strict.code == 1
    assert "--strict" in strict.stderr and output.read_bytes() == drafted
    unplaced = tmp_path / "unplaced.txt"
    unplaced.write_text(
        (NOTICES / "city_list_2024.txt")
        .read_text(encoding="utf-8")
        .replace("新建城市书房10个", "新建城市书房10个,门牌号18"),
        encoding="utf-8",
    )
    result = cli("plan", "draft", str(unplaced), "--strict")
    assert result.code == 1 and "无法归类的数字 1 个" in result.stderr


def test_the_drafts_header_says_what_the_restoring_did() -> None:
    draft = draft_notice((NOTICES / "province_2025_pdf.txt").read_bytes(), "province_2025_pdf.txt")
    header = to_yaml(draft).split("schema_version")[0]
    assert "# 起草前修复了原文的文字" in header
    assert "#     第 20 行:— 1 —" in header and "#     第 21 行:禾政办〔2025〕4号" in header
    assert f"接起了断在句子、数字或单位名称中间的行 {draft.joined} 处" in header
    assert draft.joined > 10
    plain = to_yaml(_draft((NOTICES / "city_list_2024.txt").read_text(encoding="utf-8")))
    assert "修复" not in plain.split("schema_version")[0]
