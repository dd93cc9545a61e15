"""Traditional-to-simplified conversion runs only where it is needed: opencc's t2s is slow (pure
Python) and changes characters simplified text uses too (乾县 would become 干县)."""

from __future__ import annotations

import pytest

from ingest import normalize
from ingest.extract import extract
from ingest.normalize import has_traditional, is_traditional
from ingest.readers import bytes_to_document, read_file

from .conftest import SAMPLES, SEED

REGIONAL = SAMPLES / "regional"


@pytest.fixture(scope="module")
def seed_traditional() -> bytes:
    """The Hebei text written in traditional characters (opencc s2t), a real traditional sample."""
    from opencc import OpenCC

    return OpenCC("s2t").convert(SEED.read_text(encoding="utf-8")).encode("utf-8")


@pytest.fixture()
def conversions(monkeypatch) -> list[str]:
    """Every text handed to t2s."""
    seen: list[str] = []
    convert = normalize.to_simplified

    def spy(text: str) -> str:
        seen.append(text)
        return convert(text)

    monkeypatch.setattr(normalize, "to_simplified", spy)
    return seen


def test_a_simplified_document_is_never_converted(conversions):
    doc = bytes_to_document(SEED.read_bytes(), str(SEED))
    assert conversions == []
    assert not is_traditional(doc.full_text()) and not has_traditional(doc.full_text())


def test_a_traditional_document_is_converted_and_reads_as_the_simplified_one(conversions, seed_traditional):
    assert is_traditional(seed_traditional.decode("utf-8"))
    doc = bytes_to_document(seed_traditional, "traditional.txt")
    assert conversions and not has_traditional(doc.full_text())
    assert "魏县县委办" in doc.full_text() and "收入预算" in doc.full_text()
    simplified = extract(read_file(str(SEED)))
    traditional = extract(doc)
    figures = {(s.statement_key, s.reference_year, s.phase, s.measure, s.amount_yuan) for s in simplified.statements}
    assert {(s.statement_key, s.reference_year, s.phase, s.measure, s.amount_yuan)
            for s in traditional.statements} == figures
    assert traditional.profile.issuer_name == simplified.profile.issuer_name == "魏县县委办"


def test_a_place_name_t2s_would_change_is_kept_in_a_simplified_document(conversions):
    # 乾县 (Shaanxi) is simplified writing; t2s would make it 干县.
    doc = read_file(str(REGIONAL / "xian_development_reform_2019_dept_budget.pdf"))
    page = next(p for p in doc.pages if "储备库" in p.text and "方兴公司" in p.text)
    assert page.number == 18 and "方兴公司乾县储备库" in page.text
    assert conversions == []


def test_a_stray_traditional_character_in_a_simplified_document_is_converted_in_its_block(conversions):
    # One 査 (a variant of 查) on page 3 of a simplified PDF: that block is converted, no other.
    doc = read_file(str(REGIONAL / "wuxi_petition_2025_dept_budget.pdf"))
    assert "拟订信访督查制度" in doc.pages[2].text and "査" not in doc.full_text()
    assert conversions == ["督促检查领导同志有关批示件的落实情况，拟订信访督査制度"]


def test_script_decision_counts_distinct_characters_of_each_script():
    assert is_traditional("部門預算說明：財政撥款收入")
    assert not is_traditional("部门预算说明：财政拨款收入")
    assert not is_traditional("預算")  # too few to tell
    assert has_traditional("督査") and not has_traditional("乾县 於是")
