"""The document profile on the regional corpus: issuer, year, kind, scope, consolidation and region
read from each layout of title and cover, and what is not a disclosure rejected with what it is."""

from __future__ import annotations

import json
from functools import cache

import pytest

from ingest import regions
from ingest.errors import NotADisclosureError, ReadError
from ingest.extract.disclosure import document_to_verdict
from ingest.extract.profile import extract_profile, is_body_name, strip_markers
from ingest.model import Document, Extraction, Page, Paragraph, Table
from ingest.pipeline import parse_bytes
from ingest.readers import ReaderSettings, read_file

from .conftest import GOLDEN_DIR, SAMPLES

REGIONAL = SAMPLES / "regional"


@cache
def _doc(name: str) -> Document:
    return read_file(str(REGIONAL / name))


def _profile(doc: Document) -> tuple[object, Extraction]:
    ex = Extraction()
    extract_profile(doc, ex)
    return ex.profile, ex


def _synthetic(*lines: str, tables: list[Table] | None = None, path: str = "synthetic.txt") -> Document:
    blocks: list = [Paragraph(text, page=1) for text in lines] + list(tables or [])
    doc = Document(document_id="0" * 64, source_path=path, source_format="text", byte_size=1,
                   pages=[Page(number=1, blocks=blocks)])
    doc.layout()
    return doc


# (file, issuer, year, kind, scope, consolidation, region): one per layout of title and cover.
LAYOUTS = [
    # '北京市民政局2026年度部门预算信息公开' on one line
    ("beijing_civil_affairs_2026_dept_budget.pdf", "北京市民政局", 2026, "budget", "department", None, "110000"),
    # '北京市生态环境局' + '2026年度部门预算信息公开': the name on the line before the title
    ("beijing_ecology_2026_dept_budget.pdf", "北京市生态环境局", 2026, "budget", "department", None, "110000"),
    # '北京市信访办公室部门2026年度部门预算' + '信息公开': a trailing 部门 after the name
    ("beijing_petition_2026_dept_budget.pdf", "北京市信访办公室", 2026, "budget", "department", None, "110000"),
    # '2026年' + '广州市人民政府办公厅部门预算': the year on a line of its own
    ("guangzhou_govoffice_2026_dept_budget.pdf", "广州市人民政府办公厅", 2026, "budget", "department", None,
     "440100"),
    # '2026年' + '中国共产党广州市委员会宣传部部门预算': a party body, the place after 中国共产党
    ("guangzhou_propaganda_2026_dept_budget.pdf", "中国共产党广州市委员会宣传部", 2026, "budget", "department",
     None, "440100"),
    # '2026年度' / '泉州市人民政府办公室' / '部门预算' on three lines
    ("quanzhou_govoffice_2026_dept_budget.pdf", "泉州市人民政府办公室", 2026, "budget", "department", None,
     "350500"),
    # '2026年深圳市民政局(本级)部门预' + '算': a word broken over lines, 本级 printed
    ("shenzhen_civil_affairs_2026_dept_budget.pdf", "深圳市民政局", 2026, "budget", "department", "own_level",
     "440300"),
    # '上海市2026年市级单位预算' + '预算单位：上海市审计局': a labelled issuer, a province-level municipality
    ("shanghai_audit_2026_unit_budget.pdf", "上海市审计局", 2026, "budget", "unit", None, "310000"),
    # '西安市审计局(汇总)' + '2026年部门预算公开说明'
    ("xian_audit_2026_dept_budget_consolidated.pdf", "西安市审计局", 2026, "budget", "department", "consolidated",
     "610100"),
    # '中共西安市委宣传部2021年部门综合预算'
    ("xian_propaganda_2021_dept_budget.pdf", "中共西安市委宣传部", 2021, "budget", "department", None, "610100"),
    # '西安市发展和改革委员会' + '2019年部门综合预算说明'
    ("xian_development_reform_2019_dept_budget.pdf", "西安市发展和改革委员会", 2019, "budget", "department", None,
     "610100"),
    # '重庆市人民政府办公厅' + '2026年部门预算情况说明'
    ("chongqing_govoffice_2026_dept_budget.pdf", "重庆市人民政府办公厅", 2026, "budget", "department", None,
     "500000"),
    # '2026年度苏州市水务局单位预算公开'
    ("suzhou_water_2026_unit_budget.pdf", "苏州市水务局", 2026, "budget", "unit", None, "320500"),
    # '湖州市退役军人事务局2026年' + '部门预算': a city code of 6 digits (330500, not 3305)
    ("huzhou_veterans_2026_dept_budget.pdf", "湖州市退役军人事务局", 2026, "budget", "department", None, "330500"),
    # '长沙职业教育基地综合协调办公室' + '2026年部门预算公开': no place in the name; 长沙市 printed inside
    ("changsha_vocational_base_2026_dept_budget.pdf", "长沙职业教育基地综合协调办公室", 2026, "budget", "department",
     None, "430100"),
]


@pytest.mark.parametrize("name, issuer, year, kind, scope, consolidation, region", LAYOUTS,
                         ids=[row[0].removesuffix(".pdf") for row in LAYOUTS])
def test_profile_of_each_title_layout(name, issuer, year, kind, scope, consolidation, region):
    p, ex = _profile(_doc(name))
    assert (p.issuer_name, p.fiscal_year, p.disclosure_kind, p.scope, p.consolidation, p.region_code) == \
        (issuer, year, kind, scope, consolidation, region)
    assert not [i for i in ex.issues if i.code in ("issuer_unknown", "region_unknown")]


def _golden() -> list[dict]:
    return json.loads((GOLDEN_DIR / "regional_key_figures.json").read_text(encoding="utf-8"))["documents"]


@pytest.mark.parametrize("g", _golden(), ids=lambda g: g["file"].removesuffix(".pdf"))
def test_golden_body_year_kind_scope_and_region(g):
    p, _ = _profile(_doc(g["file"]))
    assert (p.issuer_name, p.fiscal_year, p.disclosure_kind, p.scope) == \
        (g["body"], g["fiscal_year"], g["kind"], g["scope"])
    rec = regions.lookup(p.region_code)
    place = rec.city_name or rec.province_name
    assert regions.short_name(regions.Place(place, "", "", ())) in g["body"][:8]


def test_region_codes_are_six_digits_at_every_level():
    assert regions.code_from_name("北京市民政局") == "110000"
    assert regions.code_from_name("重庆市人民政府办公厅") == "500000"
    assert regions.code_from_name("深圳市民政局") == "440300"
    assert regions.code_from_name("上海市普陀区财政局") == "310107"
    assert regions.code_from_name("普陀区财政局") is None  # a bare district name stays ambiguous


def test_central_department_gets_the_central_code():
    p, _ = _profile(_doc("central_nbs_2026_dept_budget_webpage_named.pdf"))
    assert (p.issuer_name, p.fiscal_year, p.region_code) == ("国家统计局", 2026, regions.CENTRAL_CODE)
    p, _ = _profile(_synthetic("民政部2026年部门预算", "2026年收入预算1000.00万元。"))
    assert (p.issuer_name, p.region_code) == ("民政部", "100000")


def test_html_page_under_a_pdf_name_is_read_as_html():
    assert _doc("central_nbs_2026_dept_budget_webpage_named.pdf").source_format == "html"


NOT_DISCLOSURES = [
    ("huizhou_gazette_notice_not_a_budget.pdf", "a government gazette notice"),
    ("ningbo_inspection_notice_not_a_budget.pdf", "an inspection notice (巡察通告)"),
    ("central_nbs_2026_dept_budget_webpage_named.pdf", "pointing to an attachment ('国家统计局部门预算(2026).pdf')"),
]


@pytest.mark.parametrize("name, reason", NOT_DISCLOSURES, ids=[n for n, _ in NOT_DISCLOSURES])
def test_not_a_budget_is_rejected_with_what_it_is(name, reason):
    path = REGIONAL / name
    with pytest.raises(NotADisclosureError) as err:
        parse_bytes(path.read_bytes(), str(path), ReaderSettings())
    assert reason in str(err.value) and name in str(err.value)
    assert err.value.code == "not_a_disclosure"


def test_scan_without_text_is_rejected_for_ocr():
    path = REGIONAL / "changsha_culture_2026_scanned_no_text.pdf"
    with pytest.raises(ReadError) as err:
        parse_bytes(path.read_bytes(), str(path), ReaderSettings())
    assert err.value.code == "no_text_layer" and "OCR" in err.value.reason


@pytest.mark.parametrize("lines, reason", [
    (["2025年某市国民经济和社会发展统计公报", "全年地区生产总值1000亿元。"], "a statistics bulletin"),
    (["某某股份有限公司", "2025年年度报告", "营业收入100万元。"], "a company annual report"),
    (["关于公开2026年部门预算的通知", "各单位：请于3月底前公开。"], "a notice (通知 / 公告) about a disclosure"),
    (["会议纪要：本周召开例会。"], "no budget or final-accounts title"),
], ids=["statistics_bulletin", "company_annual_report", "notice_about_a_budget", "minutes"])
def test_synthetic_non_disclosures_say_what_they_look_like(lines, reason):
    verdict = document_to_verdict(_synthetic(*lines))
    assert not verdict.is_disclosure and reason in verdict.reason


def test_standard_tables_without_a_title_are_a_disclosure():
    tables = [Table(rows=[["项目", "预算数"], ["收入总计", "1,000.00"]], title="表1 部门收支总表"),
              Table(rows=[["项目", "预算数"], ["财政拨款", "900.00"]], title="表4 财政拨款收支总表")]
    verdict = document_to_verdict(_synthetic("单位：万元", tables=tables))
    assert verdict.is_disclosure


def test_issuer_that_cannot_be_told_is_a_warning_not_a_guess():
    doc = _synthetic("按照《预算法》的规定，现将我单位情况公开如下", "2026年部门预算公开说明",
                     "2026年收入预算656.73万元。", path="no_issuer.txt")
    p, ex = _profile(doc)
    assert p.issuer_name is None and p.fiscal_year == 2026 and p.scope == "department"
    issues = [i for i in ex.issues if i.code == "issuer_unknown"]
    assert len(issues) == 1 and issues[0].severity == "warning" and "no_issuer.txt" in issues[0].message


def test_scope_markers_are_dropped_from_names():
    assert strip_markers("西安市审计局(汇总)") == ("西安市审计局", "consolidated")
    assert strip_markers("深圳市民政局（本级）") == ("深圳市民政局", "own_level")
    assert strip_markers("北京市信访办公室部门") == ("北京市信访办公室", None)
    assert not is_body_name("上海市")  # a place is not a body
    assert not is_body_name("按照规定，现将情况公开如下")
