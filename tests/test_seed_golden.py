"""The seed's narrative amounts, counts and profile in the warehouse, field by field against
tests/golden/weixian_xwb_2021_budget.json."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from ingest import regions

# golden statements_wan key -> (statement_key, measure) as loaded in raw.statements
GOLDEN_KEYS = {
    "change_vs_prior_year.fiscal_appropriation_total": ("revenue.fiscal_appropriation", "change"),
    "change_vs_prior_year.personnel": ("expenditure.personnel", "change"),
    "change_vs_prior_year.public_operating": ("expenditure.public_operating", "change"),
    "change_vs_prior_year.project": ("expenditure.project", "change"),
    "assets.fixed_assets_prior_year_end": ("assets.fixed_assets_total", "amount"),
}


def wan_to_yuan(wan: str) -> Decimal:
    return (Decimal(wan) * 10000).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def statements(raw_warehouse, seed_golden):
    con = duckdb.connect(str(raw_warehouse), read_only=True)
    rows = con.execute(
        "select statement_key, measure, amount_yuan, printed_value, printed_unit, reference_year, base_year, "
        "phase, page, char_start, char_end, quantity, quantity_unit, label from raw.statements "
        "where document_id = ?", [seed_golden["sha256"]]).fetchall()
    con.close()
    return rows


def test_every_golden_statement_is_loaded(statements, seed_golden):
    for gkey, wan in seed_golden["statements_wan"].items():
        key, measure = GOLDEN_KEYS.get(gkey, (gkey, "amount"))
        hits = [r for r in statements if r[0] == key and r[1] == measure]
        assert hits, f"{gkey}: no {key}/{measure} statement"
        if key == "assets.fixed_assets_total":
            # printed as '634.22元': loaded as printed, with its printed unit, never corrected
            assert [(r[2], r[3], r[4]) for r in hits] == [(Decimal("634.22"), "634.22元", "元")]
            assert hits[0][5] == 2020 and hits[0][7] == "actual"  # 上年末
            continue
        assert any(r[2] == wan_to_yuan(wan) for r in hits), f"{gkey}: {[r[2] for r in hits]} != {wan}万元"


def test_changes_are_against_2020(statements):
    changes = [r for r in statements if r[1] == "change"]
    assert changes and all(r[5] == 2021 and r[6] == 2020 for r in changes)


def test_sangong_changes_are_zero(statements):
    for key in ("sangong.overseas_travel", "sangong.vehicle_operation", "sangong.reception"):
        hits = [r for r in statements if r[0] == key and r[1] == "change"]
        assert [r[2] for r in hits] == [Decimal("0.00")]


def test_provenance_points_at_the_printed_figure(statements, seed_extraction):
    doc, _ = seed_extraction
    page_text = {p.number: p.text for p in doc.pages}
    for r in statements:
        page, start, end = r[8], r[9], r[10]
        assert page_text[page][start:end] == r[3], r


def test_counts(statements, seed_golden):
    counts = seed_golden["counts"]
    vehicles = [r for r in statements if r[0] == "assets.vehicles" and r[1] == "quantity"]
    assert [(r[11], r[12]) for r in vehicles] == [(Decimal(counts["assets.vehicles"]), "辆")]
    area = [r for r in statements if r[0] == "assets.buildings_area"]
    assert [(r[11], r[12]) for r in area] == [(Decimal(counts["assets.buildings_m2"]), "平方米")]
    items = sorted((r[13], r[11], r[12], r[2]) for r in statements if r[0] == "procurement.item")
    want = sorted((i["item"], Decimal(i["quantity"]), i["measure"], wan_to_yuan(i["amount_wan"]))
                  for i in counts["procurement.items"])
    assert items == want
    total = [r[2] for r in statements if r[0] == "procurement.total"]
    assert total == [sum(i[3] for i in items)]


def test_document_profile(raw_warehouse, seed_golden):
    g = seed_golden["document"]
    con = duckdb.connect(str(raw_warehouse), read_only=True)
    row = con.execute("select issuer_name, unit_code, unit_name, region_code, fiscal_year, disclosure_kind, "
                      "currency_unit, status, source_format, byte_size from raw.documents where document_id=?",
                      [seed_golden["sha256"]]).fetchall()[0]
    con.close()
    assert row[:7] == (g["title_issuer"], g["unit_code"], g["unit_name"], g["region_code"], g["fiscal_year"],
                       g["kind"], g["currency_unit_in_text"])
    assert row[7] == "parsed" and row[8] == "text"
    rec = regions.lookup(row[3])
    assert (rec.province_name, rec.city_name, rec.district_name) == (g["province"], g["city"], g["county"])


def test_narrative_identities_hold(statements):
    amt = {r[0]: r[2] for r in statements if r[1] == "amount" and r[0] != "procurement.item"}
    chg = {r[0]: r[2] for r in statements if r[1] == "change"}
    assert amt["revenue.total"] == amt["expenditure.total"]
    assert amt["expenditure.personnel"] + amt["expenditure.public_operating"] + amt["expenditure.project"] \
        == amt["expenditure.total"]
    assert chg["expenditure.personnel"] + chg["expenditure.public_operating"] + chg["expenditure.project"] \
        == chg["revenue.fiscal_appropriation"]
    assert amt["sangong.overseas_travel"] + amt["sangong.vehicle_total"] + amt["sangong.reception"] \
        == amt["sangong.total"]
    assert amt["sangong.vehicle_purchase"] + amt["sangong.vehicle_operation"] == amt["sangong.vehicle_total"]
    # the asset parts add up in 万元, which is why the printed '元' total is a unit anomaly
    parts = amt["assets.vehicles_book_value"] + amt["assets.other_fixed_assets_book_value"] \
        + amt["assets.buildings_book_value"]
    assert parts == amt["assets.fixed_assets_total"] * 10000
