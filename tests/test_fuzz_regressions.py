"""What the fuzzing (test_fuzz_readers) found, one regression test per case, on the real files the
cases came from. Before the fixes each was an unexpected exception or a parse of minutes; each is
now a document or a rejection naming the file."""

from __future__ import annotations

import re
import time

import pytest

from ingest.amounts import NUMBER_RE
from ingest.errors import ReadError
from ingest.extract.narrative import MONEY_UNITS, QUANTITY_UNITS, TOKEN_RE
from ingest.extract.narrative_items import CLASS_PATH_RE, class_paths
from ingest.parsing import parse_bytes
from ingest.readers import ReaderSettings, bytes_to_document, read_file, sniff_format
from ingest.readers.html import MAX_DEPTH
from ingest.readers.text import decode_text

from .conftest import SEED
from .helpers_render import document_to_html

SETTINGS = ReaderSettings()


@pytest.fixture(scope="module")
def hebei_page() -> str:
    """The Hebei text as a web page (str), as test_fuzz_readers builds it."""
    return document_to_html(read_file(str(SEED)), "utf-8")


def test_utf16_mark_before_bytes_that_are_not_utf16_is_a_rejection():
    """Fuzz case: weixian_2021.html reencode('utf-16') + splice('repeat', 0.248, 2231) +
    truncate(0.283): a UTF-16 byte-order mark, then a lone surrogate. Was UnicodeDecodeError."""
    data = "魏县县委办2021年部门预算".encode("utf-16") + b"\x00\xd8"
    with pytest.raises(ReadError, match=r"^/x\.txt: starts with a UTF-16 byte-order mark, but byte 30 is not UTF-16") as exc:
        decode_text(data, "/x.txt")
    assert exc.value.code == "bad_encoding"


def test_utf8_mark_before_gb18030_bytes_is_detected_without_it():
    """A UTF-8 byte-order mark before GB18030 text (a converter that only added the mark). Was
    UnicodeDecodeError; now the text is detected as if the mark were not there."""
    text = SEED.read_text(encoding="utf-8")
    doc, ex = parse_bytes(b"\xef\xbb\xbf" + text.encode("gb18030"), "/x.txt", SETTINGS)
    assert doc.encoding == "gb18030" and ex.profile.fiscal_year == 2021


def test_a_web_page_saved_as_utf16_is_read_as_html(hebei_page):
    """Fuzz case: weixian_2021.html reencode('utf-16'): the page was taken for text (its tags are
    not ASCII bytes), its markup read as lines."""
    data = hebei_page.encode("utf-16")
    assert sniff_format(data, "/x.html") == "html"
    doc = bytes_to_document(data, "/x.html", SETTINGS)
    assert doc.source_format == "html" and "<p" not in "".join(p.text for p in doc.paragraphs())
    assert any("2021年部门预算" in p.text for p in doc.paragraphs())


def test_html_nested_thousands_of_levels_deep_is_read_flattened(hebei_page):
    """Fuzz case: weixian_2021.html html_break('nest', 0.5, 5000): 10,000 nested elements. Was
    RecursionError (from 500 levels on); the part below MAX_DEPTH is read as plain text."""
    at = hebei_page.index("按照《预算法》")
    page = hebei_page[:at] + "<div><span>" * 5000 + hebei_page[at:]
    started = time.monotonic()
    doc, ex = parse_bytes(page.encode("utf-8"), "/x.html", SETTINGS)
    assert time.monotonic() - started < 10
    assert ex.profile.fiscal_year == 2021 and ex.profile.disclosure_kind == "budget"
    assert any("按照《预算法》" in p.text for p in doc.paragraphs())
    assert MAX_DEPTH <= 200


@pytest.mark.parametrize("run", ["1234567890", "支出经费项目资金", "一般公共服务支出(类)政府办公厅及相关机构事务",
                                 "<div><span>"])
def test_a_line_of_20000_characters_without_punctuation_is_read_in_seconds(run):
    """Fuzz case: weixian_xwb_2021_budget.txt long_line(...): a line of ~20,000 characters with
    no punctuation or space before the Hebei text. The amount, class-path and disclosure
    patterns were tried from every character of it: 63 s for digits, 15 s for CJK, 10 s for a
    class path, 102 s for 55,000 characters of tags (text taken for text). Now one scan each."""
    text = "魏县县委办\n" + run * (20_000 // len(run)) + "\n" + SEED.read_text(encoding="utf-8")
    started = time.monotonic()
    _, ex = parse_bytes(text.encode("utf-8"), "/x.txt", SETTINGS)
    assert time.monotonic() - started < 10, run
    assert ex.profile.fiscal_year == 2021
    assert [s for s in ex.statements if s.statement_key == "sangong.total"]


def test_class_paths_are_found_as_before_around_long_runs():
    """The linear search finds the paths the old pattern found: after a long run, after '科目',
    after a list number, in quotes."""
    text = ("1.一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项)12.5万元；"
            "“一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行”科目1,202.95万元，"
            "公共安全支出(204类)司法(06款)行政运行(01项)科目卫生健康支出(类)行政事业单位医疗(款)")
    labels = [(m.group("q") or m.group("p")) for m in class_paths(text)]
    assert [m.span() for m in class_paths(text)] == [m.span() for m in CLASS_PATH_RE.finditer(text)]
    assert labels == [".一般公共服务支出(类)政府办公厅(室)及相关机构事务(款)行政运行(项)",
                      "一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行",
                      "公共安全支出(204类)司法(06款)行政运行(01项)",
                      "卫生健康支出(类)行政事业单位医疗(款)"]
    long = "经费" * 10_000 + "一般公共服务支出(类)"
    started = time.monotonic()
    assert [m.group("p") for m in class_paths(long)] == [long]
    assert time.monotonic() - started < 1


def test_number_tokens_are_found_as_before_and_in_one_scan():
    """The amount pattern no longer starts inside a run of digits, except where the old one could
    (up to three digits before a thousands separator, or at a sign after a digit)."""
    old = re.compile(rf"(?P<num>{NUMBER_RE})\s*(?:(?P<money>{'|'.join(MONEY_UNITS)})|(?P<pct>%)"
                     rf"|(?P<qty>{'|'.join(QUANTITY_UNITS)}))")
    for text in ("1234,567万元", "12.34.56万元", "1,234,567.89万元，2021年3,4万元", "共1234,5678,901元",
                 "5000-10000次得4分", "2018-2030人", "比上年减少-12.5%", SEED.read_text(encoding="utf-8")):
        assert [m.span() for m in TOKEN_RE.finditer(text)] == [m.span() for m in old.finditer(text)], text
    started = time.monotonic()
    assert [m.group("num") for m in TOKEN_RE.finditer("1234567890" * 2000 + "万元")] == ["1234567890" * 2000]
    assert time.monotonic() - started < 1


def _zip_with_extract_version(version: int) -> bytes:
    """A small .xlsx-like zip whose central directory says it needs ``version`` to extract."""
    import io
    import struct
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buf.getvalue())
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = struct.pack("<H", version)  # "version needed to extract"
    return bytes(data)


@pytest.mark.parametrize("fmt", ["sniffed", "xlsx", "docx"])
def test_a_zip_asking_for_an_unknown_version_is_a_damaged_archive(fmt):
    """Fuzz case (CI, seed unchanged, openpyxl's bytes differ by their timestamp):
    weixian_2021.xlsx scatter(178, 32) + splice('insert', 0.173, 0, 1 bytes) made the central
    directory ask for "zip file version 20.3". Was NotImplementedError out of zipfile."""
    data = _zip_with_extract_version(203)
    with pytest.raises(ReadError, match=r"^/x\.xlsx: a damaged zip archive \(zip file version 20\.3\)") as exc:
        bytes_to_document(data, "/x.xlsx", SETTINGS, None if fmt == "sniffed" else fmt)
    assert exc.value.code == "corrupt"
