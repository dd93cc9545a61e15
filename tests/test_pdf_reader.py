"""The PDF reader on the shipped Shanghai PDFs, and on broken PDFs made here."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ingest.errors import ReadError
from ingest.model import Table
from ingest.readers import bytes_to_document, read_file
from ingest.readers.pdf import PdfSettings, pdf_to_document
from ingest.readers.pdf_layout import Char, chars_to_lines

ROOT = Path(__file__).parents[1]
SAMPLES = ROOT / "data" / "samples"
PDFS = sorted(SAMPLES.glob("*.pdf"))
WANLI_2024 = SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf"


@pytest.fixture(scope="module")
def docs():
    return {p.name: read_file(str(p)) for p in PDFS}


def _table(doc, title_part: str) -> Table:
    return next(t for t in doc.tables() if t.title and title_part in t.title)


def test_every_sample_reads_with_pages_and_tables(docs):
    assert len(docs) == 8
    for name, doc in docs.items():
        assert doc.source_format == "pdf"
        assert doc.page_count > 10, name
        assert sum(1 for _ in doc.tables()) >= 8, name
        assert [t.index for t in doc.tables()] == list(range(sum(1 for _ in doc.tables())))


def test_caption_is_the_table_title_not_the_unit_line(docs):
    titles = [t.title for t in docs[WANLI_2024.name].tables()]
    assert titles[:4] == ["2024年部门财务收支预算总表", "2024年部门收入预算总表", "2024年部门支出预算总表",
                          "2024年部门财政拨款收支预算总表"]
    # the '编制部门：… 单位：元' line stays a paragraph of the page, for the extractors
    page10 = docs[WANLI_2024.name].pages[9]
    assert any("单位：元" in b.text for b in page10.blocks if not isinstance(b, Table))


def test_summary_table_rows_in_reading_order(docs):
    t = _table(docs[WANLI_2024.name], "财务收支预算总表")
    assert t.rows[1] == ["项目", "预算数", "项目", "预算数"]
    assert t.rows[2] == ["一、财政拨款收入", "156,211,123", "一、一般公共服务支出", "2,932,700"]
    assert t.rows[-1] == ["收入总计", "156,211,123", "支出总计", "156,211,123"]


def test_table_continued_over_pages_is_joined_without_repeated_header(docs):
    t = _table(docs[WANLI_2024.name], "一般公共预算支出功能分类预算表")
    assert (t.page, t.page_end) == (22, 26)
    assert len(t.row_pages) == len(t.rows)
    assert sum(1 for r in t.rows if r[0] == "项目") == 1  # header printed on 5 pages, kept once
    assert t.rows[-1] == ["合计", "", "", "", "156,211,123", "99,706,020", "56,505,103"]
    assert t.row_pages[-1] == 26


def test_continuation_page_without_inner_rulings_maps_to_the_right_columns(docs):
    # page 15 holds only the 合计 row, whose cell spans the 类/款/项 columns
    t = _table(docs[WANLI_2024.name], "收入预算总表")
    assert (t.page, t.page_end) == (11, 15)
    assert t.rows[-1] == ["合计", "", "", "", "156,211,123", "156,211,123", "0", "0", "0"]


def test_wrapped_cell_text_joins_and_punctuation_stays_on_its_line(docs):
    doc = docs["sh_putuo_finance_2024_dept_final.pdf"]
    t = _table(doc, "收入支出决算总表")
    assert t.rows[2][0] == "一、一般公共预算财政拨款收入"
    para = next(p for p in doc.paragraphs() if p.text.startswith("(十)执行国家"))
    assert "政策，建立规范合理的政府债务管理及风险预警机制，加快形成" in para.text


def test_page_without_text_is_marked(docs):
    doc = docs["sh_putuo_justice_2026_dept_budget.pdf"]
    assert doc.pages[2].has_text_layer is False
    assert doc.pages[0].has_text_layer is True


def test_offsets_point_into_page_text(docs):
    doc = docs[WANLI_2024.name]
    for page in doc.pages:
        for block in page.blocks:
            text = block.render() if isinstance(block, Table) else block.text
            assert page.text[block.char_start:block.char_end] == text


def test_chars_to_lines_keeps_low_punctuation_on_its_line():
    chars = [Char("政", 0, 0, 12, 11), Char("，", 12, 7.5, 24, 11), Char("建", 24, 0, 36, 11),
             Char("下", 0, 16, 12, 27)]
    lines = chars_to_lines(chars, 0.5, 0.3, 1.5)
    assert [ln.text for ln in lines] == ["政，建", "下"]


def test_the_cffi_calls_read_what_pypdfium2_reads():
    """pdfium_calls (cffi, on pypdfium2's own functions) gives the boxes, types and bounds that
    pypdfium2's ctypes binding gives for the same page: the signatures are right."""
    from ingest.readers import pdfium_calls

    pdf = pdfium.PdfDocument(WANLI_2024.read_bytes())
    try:
        page = pdf[2]
        textpage = page.get_textpage()
        box, lib = pdfium_calls.floats(4), pdfium_calls.lib
        n = textpage.count_chars()
        assert n > 100
        for i in range(n):
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            assert lib.FPDFText_GetLooseCharBox(pdfium_calls.handle(textpage), i, box)
            assert (box[0], box[1], box[2], box[3]) == (left, top, right, bottom)
        textpage.close()
        objects = list(page.get_objects(max_depth=1))
        h = pdfium_calls.handle(page)
        assert lib.FPDFPage_CountObjects(h) == len(objects) > 10
        bounds = pdfium_calls.floats(4)
        for i, obj in enumerate(objects):
            o = lib.FPDFPage_GetObject(h, i)
            assert lib.FPDFPageObj_GetType(o) == obj.type
            assert lib.FPDFPageObj_GetBounds(o, bounds + 0, bounds + 1, bounds + 2, bounds + 3)
            assert tuple(bounds) == tuple(obj.get_bounds())
        page.close()
    finally:
        pdf.close()


def test_settings_are_validated():
    with pytest.raises(ValueError):
        PdfSettings(snap_tolerance=0)


# --- broken PDFs ---------------------------------------------------------------------------


def _blank_pdf() -> bytes:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    """A hand-written PDF with a standard security handler whose user password is not empty."""
    body = (b"%PDF-1.4\n"
            b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
            b"4 0 obj << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
            + b"> /P -4 >> endobj\n")
    offsets = [body.index(b"%d 0 obj" % i) for i in range(1, 5)]
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = (b"trailer << /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16
               + b">] >>\nstartxref\n%d\n%%%%EOF\n" % len(body))
    return body + xref + trailer


def test_pdf_without_any_text_layer_is_refused_as_ocr_needed():
    with pytest.raises(ReadError) as exc:
        bytes_to_document(_blank_pdf(), "scan.pdf")
    assert exc.value.code == "no_text_layer"
    assert "scan.pdf" in str(exc.value) and "OCR" in str(exc.value)


def test_truncated_pdf_is_refused_as_corrupt():
    data = WANLI_2024.read_bytes()
    with pytest.raises(ReadError) as exc:
        bytes_to_document(data[: len(data) // 3], "cut.pdf")
    assert exc.value.code == "corrupt"
    assert "cut.pdf" in str(exc.value) and "truncated" in str(exc.value)


def test_garbage_pdf_is_refused_as_corrupt():
    data = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    with pytest.raises(ReadError) as exc:
        pdf_to_document(data, "junk.pdf")
    assert exc.value.code == "corrupt"


def test_encrypted_pdf_is_refused():
    with pytest.raises(ReadError) as exc:
        bytes_to_document(_encrypted_pdf(), "locked.pdf")
    assert exc.value.code == "encrypted"
    assert "locked.pdf" in str(exc.value) and "password" in str(exc.value)
