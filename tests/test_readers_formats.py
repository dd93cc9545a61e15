"""The same disclosure published as .docx, .html, .doc and .xlsx reads into the same Document.

The seed (Weixian 县委办 2021 budget, a Word export to text) is rendered into each format inside
the tests, from the text reader's own Document: the .docx and .html carry exactly its paragraphs
and table cells (with real merged cells: gridSpan/vMerge, colspan/rowspan), the .doc is the .docx
converted by LibreOffice, the .xlsx has one sheet per table. Every reading must give the same
paragraphs and table rows as the text, so every extractor gets identical input.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py) ...
    from tests.helpers_render import (
        blocks_signature,
        document_to_docx,
        document_to_html,
        document_to_xlsx,
        docx_to_doc,
        soffice_path,
    )
except ModuleNotFoundError:  # ... or a rootdir-less folder on sys.path
    from helpers_render import (
        blocks_signature,
        document_to_docx,
        document_to_html,
        document_to_xlsx,
        docx_to_doc,
        soffice_path,
    )
from ingest.errors import ReadError
from ingest.model import Paragraph, Table
from ingest.readers import ReaderSettings, bytes_to_document, read_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "samples" / "weixian_xwb_2021_budget.txt"

needs_soffice = pytest.mark.skipif(soffice_path() is None,
                                   reason="LibreOffice (soffice) is not installed: cannot make or read .doc")


@pytest.fixture(scope="module")
def seed():
    return read_file(str(SEED))


@pytest.fixture(scope="module")
def rendered(seed, tmp_path_factory) -> dict[str, Path]:
    """The seed in every format this machine can produce."""
    out = tmp_path_factory.mktemp("rendered")
    files = {"docx": document_to_docx(seed, out / "weixian.docx")}
    html_path = out / "weixian.html"
    html_path.write_bytes(document_to_html(seed, charset="gb2312").encode("gb18030"))
    files["html"] = html_path
    files["xlsx"] = document_to_xlsx(seed, out / "weixian.xlsx")
    if soffice_path():
        files["doc"] = docx_to_doc(files["docx"], out)
    return files


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs()]


def tables(doc) -> list[list[list[str]]]:
    return [t.rows for t in doc.tables()]


def assert_same_content(doc, seed) -> None:
    assert paragraphs(doc) == paragraphs(seed)
    assert tables(doc) == tables(seed)
    assert [t.title for t in doc.tables()] == [t.title for t in seed.tables()]
    # Same order of paragraphs and tables, too: extractors walk blocks in order.
    assert blocks_signature(doc) == blocks_signature(seed)


# ---------------------------------------------------------------------------------------------
# The seed in each format
# ---------------------------------------------------------------------------------------------


def test_docx_reads_like_text(rendered, seed):
    doc = read_file(str(rendered["docx"]))
    assert doc.source_format == "docx"
    assert len(list(doc.tables())) == 16
    assert_same_content(doc, seed)


def test_html_gb2312_page_reads_like_text(rendered, seed):
    data = rendered["html"].read_bytes()
    assert b'charset=gb2312' in data
    doc = read_file(str(rendered["html"]))
    assert doc.source_format == "html"
    assert doc.encoding == "gb18030"
    assert_same_content(doc, seed)
    text = doc.full_text()
    for chrome in ("首页", "这不是正文", "也不是正文", "注释不是正文", "魏县县委办2021年部门预算公开"):
        assert chrome not in text


@needs_soffice
def test_doc_converted_by_libreoffice_reads_like_text(rendered, seed):
    data = rendered["doc"].read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    doc = read_file(str(rendered["doc"]))
    assert doc.source_format == "doc"
    assert doc.byte_size == len(data)
    assert_same_content(doc, seed)


def test_xlsx_tables_read_like_text(rendered, seed):
    doc = read_file(str(rendered["xlsx"]))
    assert doc.source_format == "xlsx"
    assert doc.page_count == 16  # one page per sheet
    assert tables(doc) == tables(seed)
    assert [t.title for t in doc.tables()] == [t.title for t in seed.tables()]
    # The merged title line of each sheet is a printed line, and the table's title.
    assert paragraphs(doc) == [t.title for t in seed.tables()]
    assert [t.page for t in doc.tables()] == list(range(1, 17))


@needs_soffice
def test_xls_tables_read_like_text(rendered, seed, tmp_path):
    import subprocess

    subprocess.run([soffice_path(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp_path),
                    str(rendered["xlsx"])], check=True, capture_output=True, timeout=240)
    doc = read_file(str(tmp_path / "weixian.xls"))
    assert doc.source_format == "xls"
    assert tables(doc) == tables(seed)
    assert [t.title for t in doc.tables()] == [t.title for t in seed.tables()]


# ---------------------------------------------------------------------------------------------
# Extractors get identical input
# ---------------------------------------------------------------------------------------------


def _extract_or_skip():
    try:
        import ingest.extract.performance  # noqa: F401
    except ModuleNotFoundError:
        pytest.skip("ingest.extract.performance is not written yet")
    from ingest.extract import extract

    return extract


@pytest.mark.parametrize("fmt", ["docx", "html", "doc"])
def test_every_rendering_extracts_the_same_projects_and_indicators(fmt, rendered, seed):
    extract = _extract_or_skip()
    if fmt not in rendered:
        pytest.skip("LibreOffice (soffice) is not installed: no .doc rendering")
    expected = extract(seed)
    got = extract(read_file(str(rendered[fmt])))
    assert expected.projects and expected.indicators
    assert got.projects == expected.projects
    assert got.spending_plan == expected.spending_plan
    assert got.indicators == expected.indicators
    assert got.department_goals == expected.department_goals
    assert got.statements == expected.statements
    assert [i for i in got.issues if i.severity == "error"] == []


def test_xlsx_tables_extract_the_same_indicators(rendered, seed):
    extract = _extract_or_skip()
    expected = extract(seed)
    got = extract(read_file(str(rendered["xlsx"])))
    # A sheet is a page and the workbook has no narrative (nor the 涉密 line), so compare the
    # indicators without their page, and the projects that have a table.
    assert ([dataclasses.replace(i, page=None) for i in got.indicators]
            == [dataclasses.replace(i, page=None) for i in expected.indicators])
    with_table = [p for p in expected.projects if not p.is_withheld]
    assert ([dataclasses.replace(p, page=None) for p in got.projects]
            == [dataclasses.replace(p, page=None) for p in with_table])


# ---------------------------------------------------------------------------------------------
# Sniffing, limits, encodings
# ---------------------------------------------------------------------------------------------


def test_doc_that_is_really_html_is_read_as_html(tmp_path, seed):
    path = tmp_path / "weixian_budget.doc"
    path.write_bytes(document_to_html(seed, charset="gb2312").encode("gb18030"))
    doc = read_file(str(path))
    assert doc.source_format == "html"
    assert_same_content(doc, seed)


def _zip_bomb_docx(rendered_docx: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(rendered_docx) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    return buf.getvalue()


def test_zip_bomb_docx_is_rejected(rendered, tmp_path):
    data = _zip_bomb_docx(rendered["docx"])
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    with pytest.raises(ReadError) as err:
        read_file(str(path))
    assert err.value.code == "zip_bomb"
    assert str(path) in str(err.value)


def test_docx_over_unzipped_limit_is_rejected(rendered):
    data = rendered["docx"].read_bytes()
    with pytest.raises(ReadError) as err:
        bytes_to_document(data, "small_limit.docx", ReaderSettings(max_unzipped_bytes=10_000))
    assert err.value.code == "zip_bomb"


def test_xlsx_zip_bomb_is_rejected(rendered):
    data = rendered["xlsx"].read_bytes()
    with pytest.raises(ReadError) as err:
        bytes_to_document(data, "t.xlsx", ReaderSettings(max_zip_ratio=1))
    assert err.value.code == "zip_bomb"


def test_damaged_docx_is_a_read_error(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<not xml")
    with pytest.raises(ReadError) as err:
        bytes_to_document(buf.getvalue(), "broken.docx")
    assert err.value.code == "corrupt"
    assert "broken.docx" in str(err.value)


def test_gb18030_page_decodes_correctly():
    # 𠮷 and 䶮 are outside GB2312/GBK: only GB18030 (four-byte codes) has them.
    body = "<p>魏县𠮷䶮办公室2021年部门预算</p><table><tr><td>收入合计</td><td>994.08</td></tr></table>"
    for declared in ('<meta charset="gb2312">', '<meta charset="GB18030">', ""):
        data = f"<html><head>{declared}</head><body>{body}</body></html>".encode("gb18030")
        doc = bytes_to_document(data, "gb18030.html")
        assert paragraphs(doc) == ["魏县𠮷䶮办公室2021年部门预算"], declared
        assert tables(doc) == [[["收入合计", "994.08"]]]


def test_utf8_page_declared_gb2312_still_decodes():
    data = '<html><head><meta charset="gb2312"></head><body><p>部门预算公开说明</p></body></html>'
    doc = bytes_to_document(data.encode("utf-8"), "mislabelled.html")
    assert paragraphs(doc) == ["部门预算公开说明"]


def test_traditional_character_page_comes_out_simplified():
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=big5'></head><body>"
            "<h2>2021年部門預算公開說明</h2><p>財政撥款收入預算總計994.08萬元。</p>"
            "<table><tr><th>項目</th><th>預算數</th></tr><tr><td>機關運行經費</td><td>33.00</td></tr></table>"
            "</body></html>")
    doc = bytes_to_document(page.encode("big5"), "traditional.html")
    assert paragraphs(doc) == ["2021年部门预算公开说明", "财政拨款收入预算总计994.08万元。"]
    assert tables(doc) == [[["项目", "预算数"], ["机关运行经费", "33.00"]]]


# ---------------------------------------------------------------------------------------------
# Reader details
# ---------------------------------------------------------------------------------------------


def test_html_spans_are_kept_as_printed():
    page = """<html><body><p>表一</p><table>
      <tr><td rowspan="2">产出指标</td><td>数量指标</td><td>≥90%</td></tr>
      <tr><td>质量指标</td><td>100%</td></tr>
      <tr><td colspan="2">合计</td><td>第一行<br>第二行<br/><br>第四行</td></tr>
    </table></body></html>"""
    doc = bytes_to_document(page.encode("utf-8"), "spans.html")
    (table,) = doc.tables()
    assert table.title == "表一"
    assert table.rows == [["产出指标", "数量指标", "≥90%"], ["", "质量指标", "100%"],
                          ["合计", "第一行\n第二行\n\n第四行"]]


def test_word_html_empty_paragraphs_and_comments():
    page = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
      <meta http-equiv=Content-Type content="text/html; charset=gb2312"></head><body lang=ZH-CN>
      <div class=WordSection1><p class=MsoNormal><span>&nbsp;</span></p>
      <p class=MsoNormal>说明<o:p></o:p></p><!--[if supportFields]>TC 1<![endif]-->
      <table class=MsoNormalTable><tr><td><p>一<o:p></o:p></p><p>&nbsp;</p><p>二</p></td>
      <td><p>&nbsp;</p></td><td>x</td></tr></table></div></body></html>"""
    doc = bytes_to_document(page.encode("gb18030"), "word.htm")
    assert paragraphs(doc) == ["说明"]
    assert tables(doc) == [[["一\n\n二", "", "x"]]]


def test_macro_enabled_docx_is_read(rendered, seed):
    buf = io.BytesIO()
    with zipfile.ZipFile(rendered["docx"]) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
                assert b"macroEnabled" in data
            dst.writestr(info, data)
    doc = bytes_to_document(buf.getvalue(), "weixian.docm")
    assert_same_content(doc, seed)


def test_html_wrapped_chinese_gains_no_spaces_and_layout_tables_are_read_through():
    page = """<html><body><table width="100%"><tr><td>
      <p>按照《预算法》的规定，现将我单位2021年部门
      预算公开如下：</p>
      <div>一、部门职责<br>部门职责：</div>
      <table><tr><td>项目</td><td>金额</td></tr></table>
    </td></tr></table></body></html>"""
    doc = bytes_to_document(page.encode("utf-8"), "layout.html")
    assert paragraphs(doc) == ["按照《预算法》的规定，现将我单位2021年部门预算公开如下：", "一、部门职责", "部门职责："]
    assert tables(doc) == [[["项目", "金额"]]]
    assert next(iter(doc.tables())).title == "部门职责："


def test_html_page_break_starts_a_page():
    page = ("<html><body><p>第一页</p><br clear=all style='page-break-before:always'>"
            "<p>第二页</p></body></html>")
    doc = bytes_to_document(page.encode("utf-8"), "pages.html")
    assert [[b.text for b in p.blocks] for p in doc.pages] == [["第一页"], ["第二页"]]


def test_docx_merged_cells_are_not_repeated_and_breaks_split_pages(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    word = docx.Document()
    word.add_paragraph("表1 收支总表")
    t = word.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "单位：万元"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "收入"
    t.cell(1, 1).text, t.cell(1, 2).text = "财政拨款", "994.08"
    t.cell(2, 1).text, t.cell(2, 2).text = "其他", "0"
    p = word.add_paragraph("第一页末行")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("第二页首行")
    word.add_paragraph("软换行前").add_run().add_break()
    path = tmp_path / "merged.docx"
    word.save(str(path))
    doc = read_file(str(path))
    (table,) = doc.tables()
    assert table.title == "表1 收支总表"
    assert table.rows == [["单位：万元"], ["收入", "财政拨款", "994.08"], ["", "其他", "0"]]
    assert [[getattr(b, "text", None) for b in p.blocks] for p in doc.pages] == [
        ["表1 收支总表", None, "第一页末行"], ["第二页首行", "软换行前"]]


@pytest.mark.parametrize("value, fmt, printed", [
    (37.0, "General", "37"), (37.29, "General", "37.29"), (0.1 + 0.2, "General", "0.3"),
    (37, "0.00", "37.00"), (37.0, "0.00", "37.00"), (2.675, "0.00", "2.68"),
    (0.3, "0.00%", "30.00%"), (1, "0%", "100%"), (1234567.891, "#,##0.00", "1,234,567.89"),
    (-5.5, "0.0", "-5.5"), (156211123.0, "General", "156211123"), (12.5, '0.00"万元"', "12.50"),
    (3.10, "0.0#", "3.1"), (1e-05, "General", "0.00001"), (7, "@", "7"),
])
def test_numbers_print_as_excel_prints_them(value, fmt, printed):
    from ingest.readers.xlsx import number_to_text

    assert number_to_text(value, fmt) == printed


def test_xlsx_title_lines_merges_and_numbers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收支总表"
    ws["B1"] = "2021年部门收支总表"
    ws.merge_cells("B1:D1")
    ws["B2"] = "单位：万元"
    ws.append([None, "项目", "预算数", None, None])
    ws.append([None, "收入合计", 994.08, 37.0])
    ws.append([None, "支出", 0.3])
    ws["D5"].number_format = "0.00%"
    ws["C5"].number_format = "0.00%"
    ws.merge_cells("B4:B5")
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不应出现"
    hidden.sheet_state = "hidden"
    path = tmp_path / "book.xlsx"
    wb.save(str(path))
    doc = read_file(str(path))
    assert doc.page_count == 1
    assert paragraphs(doc) == ["2021年部门收支总表", "单位：万元"]
    (table,) = doc.tables()
    assert table.title == "2021年部门收支总表"
    assert table.rows == [["项目", "预算数"], ["收入合计", "994.08", "37"], ["", "30.00%"]]


# ---------------------------------------------------------------------------------------------
# .doc without LibreOffice
# ---------------------------------------------------------------------------------------------


@needs_soffice
@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword is not installed")
def test_doc_without_libreoffice_falls_back_to_antiword_text(rendered, seed, monkeypatch):
    from ingest.readers import doc as doc_reader

    monkeypatch.setattr(doc_reader, "find_soffice", lambda: None)
    doc = read_file(str(rendered["doc"]))
    assert doc.source_format == "doc"
    assert paragraphs(doc) == paragraphs(seed)
    assert len(list(doc.tables())) == 16  # as antiword draws them: text only, rows not rebuilt


def test_doc_without_any_converter_is_a_clear_error(monkeypatch):
    from ingest.readers import doc as doc_reader

    monkeypatch.setattr(doc_reader, "find_soffice", lambda: None)
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    with pytest.raises(ReadError) as err:
        doc_reader.doc_to_document(b"\xd0\xcf\x11\xe0", "old.doc", ReaderSettings())
    assert err.value.code == "converter_missing"
    assert "LibreOffice" in str(err.value) and "old.doc" in str(err.value)


@needs_soffice
def test_doc_conversion_timeout_is_a_read_error(rendered, monkeypatch):
    from ingest.readers import doc as doc_reader

    monkeypatch.setattr(doc_reader, "DEFAULT_CONVERT_TIMEOUT", 0.05)
    with pytest.raises(ReadError) as err:
        doc_reader.doc_to_document(rendered["doc"].read_bytes(), "slow.doc", ReaderSettings())
    assert err.value.code == "conversion_failed"
    assert "slow.doc" in str(err.value)


def test_blocks_are_paragraphs_and_tables_only(rendered):
    for fmt, path in rendered.items():
        doc = read_file(str(path))
        assert all(isinstance(b, (Paragraph, Table)) for b in doc.blocks()), fmt
