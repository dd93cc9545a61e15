"""Text reader and normalization: encodings, BOM, CRLF, traditional characters, full-width
forms, Word field codes, flattened tables."""

from __future__ import annotations

from ingest.normalize import normalize_text, strip_field_codes
from ingest.readers import bytes_to_document
from ingest.readers.text import decode_text

from .conftest import SEED

SAMPLE = "魏县县委办\n\n2021年部门预算公开有关事项的说明\n\n1、收入说明：2021年收入预算共计994.08万元。\n"


def paragraphs(doc):
    return [p.text for p in doc.paragraphs()]


def test_utf8_gb18030_bom_crlf_read_the_same():
    want = paragraphs(bytes_to_document(SAMPLE.encode("utf-8"), "a.txt"))
    for data in (SAMPLE.encode("gb18030"), b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
                 SAMPLE.replace("\n", "\r\n").encode("utf-8"), SAMPLE.encode("gbk")):
        assert paragraphs(bytes_to_document(data, "a.txt")) == want


def test_gbk_is_decoded_as_gb18030():
    text, enc = decode_text("预算说明：收入共计994.08万元，全部为财政拨款。".encode("gbk"), "x.txt")
    assert enc == "gb18030" and "财政拨款" in text


def test_traditional_becomes_simplified():
    trad = "魏縣縣委辦\n2021年部門預算公開說明\n收入預算共計994.08萬元，全部為財政撥款收入。\n"
    doc = bytes_to_document(trad.encode("utf-8"), "t.txt")
    assert "收入预算共计994.08万元，全部为财政拨款收入。" in paragraphs(doc)


def test_full_width_digits_and_punctuation():
    assert normalize_text("共计９９４．０８万元（其中：３３％）") == "共计994.08万元(其中：33%)"


def test_word_field_codes_removed():
    line = "1.值班系统保障服务费绩效目标表 TC 1、值班系统保障服务费绩效目标表 \\f C \\l 1 "
    assert strip_field_codes(line) == "1.值班系统保障服务费绩效目标表"


def test_flattened_word_tables_become_tables():
    doc = bytes_to_document(SEED.read_bytes(), str(SEED))
    tables = list(doc.tables())
    assert len(tables) == 16  # 17 projects, one withheld ('12. 此项涉密' has no table)
    first = tables[0]
    assert first.title == "1.值班系统保障服务费绩效目标表"
    assert first.rows[1] == ["项目编码", "13043421094ANOGIHASBI", "项目名称", "值班系统保障服务费"]
    # a cell of several paragraphs stays one cell
    goals = next(r for r in first.rows if r[0] == "绩效目标")
    assert goals[1].count("\n") == 2
    assert "12. 此项涉密" in paragraphs(doc)
