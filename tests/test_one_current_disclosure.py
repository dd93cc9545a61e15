"""Issue 12: one current disclosure per body, year, kind and scope.

The issue's reproduction: the shipped samples plus a copy of the Hebei text with one space
inserted (a corrected copy, a re-download under another name). Before, both files were current
and every fact counted twice (the 2021 三公 total summed to 1,090,000 instead of 545,000). Now the
rule of README ('Adding a year of files', dbt's int_documents_ranked) keeps one current, the other
stays in raw and in dim_document, and the pair is a finding naming both files. Beside it, the same
body's 2022 budget and 2021 final accounts are different disclosures, not duplicates.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.pipeline import refresh

from .conftest import SEED, copy_warehouse, query

DUPLICATE = "duplicate_disclosure"  # the finding on a file set aside (dbt model quality_duplicates)

FACT_TABLES = ("fct_revenue", "fct_expenditure", "fct_sangong", "fct_operating_expense", "fct_procurement",
               "fct_expenditure_by_function", "fct_project", "fct_performance_indicator",
               "rpt_department_trend")
TREND_FIGURES = ("revenue_total_yuan, expenditure_total_yuan, fiscal_appropriation_yuan, sangong_total_yuan, "
                 "sangong_reception_yuan, operating_expenses_yuan")


def one_space_inserted(text: str) -> str:
    """The Hebei text with one space inserted at the end of a line of its narrative."""
    at = text.index("\n", 200)
    return text[:at] + " " + text[at:]


def hebei_state(db) -> dict:
    """What the warehouse says about the Hebei body's 2021 budget, without document ids."""
    hebei = "(select department_id from main.dim_document where source_path like '%weixian_xwb_2021_budget.txt')"
    where = f"department_id = {hebei} and fiscal_year = 2021"
    budget = f"document_id in (select document_id from main.dim_document where {where} and disclosure_kind = 'budget')"
    return {
        "sangong": sorted(query(db, "select item, source, phase, reference_year, measure, amount_yuan "
                                    f"from main.fct_sangong where {budget}")),
        "n_facts": {t: query(db, f"select count(*) from main.{t} where {budget}")[0][0] for t in FACT_TABLES},
        "trend": query(db, f"select {TREND_FIGURES} from main.rpt_department_trend where {where} "
                           "and disclosure_kind = 'budget'"),
        "comparison": query(db, "select category, region_code, n_departments, sangong_total_yuan, "
                                "expenditure_total_yuan from main.rpt_regional_comparison where region_code = "
                                "'130434' and fiscal_year = 2021 and disclosure_kind = 'budget'"),
        "findings": sorted(query(db, "select check_name, severity, coalesce(subject, ''), coalesce(page, 0), "
                                     "observed from main.quality_findings join main.dim_document using "
                                     f"(document_id) where {budget} and is_current")),
    }


@pytest.fixture(scope="module")
def duplicated(built_warehouse, tmp_path_factory):
    before = hebei_state(built_warehouse)
    corpus, db = copy_warehouse(built_warehouse, built_warehouse.parent / "samples",
                                tmp_path_factory.mktemp("duplicated"))
    text = SEED.read_text(encoding="utf-8")
    more = corpus / "redownloaded"
    more.mkdir()
    (more / "县委办2021预算(1).txt").write_text(one_space_inserted(text), encoding="utf-8")
    (more / "weixian_2022_budget.txt").write_text(text.replace("2021年", "2022年"), encoding="utf-8")
    (more / "weixian_2021_final.txt").write_text(text.replace("部门预算", "部门决算").replace("单位预算", "单位决算"),
                                                 encoding="utf-8")
    result = refresh(str(corpus), str(db), quiet=True, jobs=2)
    return db, before, result


def documents(db) -> dict[str, dict]:
    rows = query(db, "select source_path, document_id, is_current, is_latest_version, duplicate_of, current_rule, "
                     "n_disclosure_files, byte_size from main.dim_document where source_path like '%weixian%' "
                     "or source_path like '%县委办%'")
    keys = ("document_id", "is_current", "is_latest_version", "duplicate_of", "current_rule", "n_disclosure_files",
            "byte_size")
    return {p.rsplit("/", 1)[-1]: dict(zip(keys, rest)) for p, *rest in rows}


def test_the_byte_changed_copy_is_one_disclosure_and_raw_keeps_both(duplicated):
    db, _, result = duplicated
    assert [o.status for o in result.stats.outcomes if o.status == "new"] == ["new"] * 3
    docs = documents(db)
    original, copy = docs["weixian_xwb_2021_budget.txt"], docs["县委办2021预算(1).txt"]
    # the copy was seen after the original: the bytes seen most recently are current
    assert copy["is_current"] and not original["is_current"]
    assert original["duplicate_of"] == copy["document_id"] and copy["duplicate_of"] is None
    assert original["current_rule"] == copy["current_rule"] == "seen_most_recently"
    assert original["n_disclosure_files"] == copy["n_disclosure_files"] == 2
    assert original["is_latest_version"]  # not superseded: another file, not a new version of it
    assert query(db, "select count(*) from raw.documents where is_current and document_id in (?, ?)",
                 [original["document_id"], copy["document_id"]]) == [(2,)]


def test_nothing_counts_twice_anywhere(duplicated):
    db, before, _ = duplicated
    after = hebei_state(db)
    totals = query(db, "select sum(amount_yuan), count(*) from main.fct_sangong f join main.dim_document d "
                       "using (document_id) where (d.source_path like '%weixian%' or d.source_path like '%县委办%') "
                       "and f.fiscal_year = 2021 and d.disclosure_kind = 'budget' and f.item = 'total' "
                       "and f.source = 'narrative' and f.phase = 'budget' and f.measure = 'amount'")
    assert totals == [(Decimal("545000.00"), 1)]  # the issue saw 1,090,000 from 2 rows
    assert after["sangong"] == before["sangong"] and after["n_facts"] == before["n_facts"]
    assert after["trend"] == before["trend"] and len(after["trend"]) == 1
    assert after["comparison"] == before["comparison"]
    assert after["comparison"][0][2] == 1 and after["comparison"][0][3] == Decimal("545000.00")
    for table in FACT_TABLES:  # no fact of a file set aside, anywhere
        assert query(db, f"select count(*) from main.{table} join main.dim_document d using (document_id) "
                         "where not d.is_current") == [(0,)], table
    assert query(db, "select n_documents from main.rpt_department_trend where fiscal_year = 2021 and "
                     "disclosure_kind = 'budget' and region_code = '130434'") == [(2,)]


def test_findings_count_once_and_the_pair_names_both_files(duplicated):
    db, before, _ = duplicated
    assert hebei_state(db)["findings"] == before["findings"]  # the current file's, as before
    docs = documents(db)
    original, copy = docs["weixian_xwb_2021_budget.txt"], docs["县委办2021预算(1).txt"]
    on_original = query(db, "select check_name, severity, message from main.quality_findings where document_id = ?",
                        [original["document_id"]])
    assert [(c, s) for c, s, _ in on_original] == [(DUPLICATE, "warning")]
    message = on_original[0][2]
    assert "weixian_xwb_2021_budget.txt" in message and "县委办2021预算(1).txt" in message
    assert f"byte size {original['byte_size']:,} here, {copy['byte_size']:,} in the current file" in message
    assert "the same figures" in message and "pages" not in message


def test_another_year_or_the_final_accounts_is_not_a_duplicate(duplicated):
    db, *_ = duplicated
    docs = documents(db)
    for name in ("weixian_2022_budget.txt", "weixian_2021_final.txt"):
        assert docs[name]["is_current"] and docs[name]["duplicate_of"] is None, name
        assert docs[name]["current_rule"] == "only_file" and docs[name]["n_disclosure_files"] == 1, name
    assert query(db, "select count(*) from main.quality_findings where check_name = ?", [DUPLICATE]) == [(1,)]
    assert query(db, "select fiscal_year, disclosure_kind, n_documents from main.rpt_department_trend "
                     "where region_code = '130434' order by 1, 2") == [
        (2021, "budget", 2), (2021, "final_accounts", 1), (2022, "budget", 1)]


def test_status_lists_the_file_set_aside(duplicated):
    from click.testing import CliRunner

    from ingest.cli import main

    db, *_ = duplicated
    out = CliRunner().invoke(main, ["status", "--db", str(db)]).output
    aside = out.split("set aside (1: another file holds the same disclosure and counts instead):\n")[1]
    line = aside.splitlines()[0]
    assert line.startswith("  ") and "weixian_xwb_2021_budget.txt: the same disclosure as " in line
    assert "县委办2021预算(1).txt (seen_most_recently)" in line
    coverage = out.split("coverage (current documents):\n")[1].split("not taken")[0]
    assert coverage.count("130434  魏县县委办  2021  budget") == 1


def test_the_shipped_samples_hold_no_duplicate(built_warehouse):
    assert query(built_warehouse, "select count(*) from main.dim_document where duplicate_of is not null") == [(0,)]
    assert query(built_warehouse, "select count(*) from main.quality_findings where check_name = ?",
                 [DUPLICATE]) == [(0,)]

