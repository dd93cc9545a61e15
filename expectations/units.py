"""Unit anomalies: a figure printed in another unit than the figures around it.

Within one document, statement family ('assets', 'sangong', ...) and source (narrative / table),
amounts are normally printed in one unit. A figure printed in another unit (the seed's fixed
assets '634.22元' among 万元 figures) is flagged, never corrected. The suspicion is confirmed
(severity 'error') when, read in the family's unit, the figure equals the sum of some of its
siblings (174.33 + 459.89 + 0 = 634.22 万元) or the same key stated elsewhere; otherwise it is
reported as 'info'.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from itertools import combinations
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from ingest.amounts import UNIT_TO_YUAN

from .frame import as_checks, clean, decimal_of, page_of, rows_of, yuan

CONCERN = "units"
CHECK_NAME = "unit_anomaly"
MAX_SIBLINGS = 14  # subsets of at most 2**14 sums per suspicious figure


def _dominant_unit(units: list[str], document_unit: str | None) -> str | None:
    counts = Counter(units).most_common()
    if not counts:
        return None
    best = [u for u, n in counts if n == counts[0][1]]
    if len(best) == 1:
        return best[0]
    return document_unit if document_unit in best else None


def _matching_parts(target: Decimal, siblings: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The largest subset (two or more) of siblings whose amounts add up to ``target``."""
    if len(siblings) > MAX_SIBLINGS:
        return None
    for size in range(len(siblings), 1, -1):
        for combo in combinations(siblings, size):
            if sum((s["amount"] for s in combo), Decimal(0)) == target:
                return list(combo)
    return None


def unit_frame(statements: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """One check row per amount statement in a (document, family, source) group of two or more.

    Args:
        statements: main.stg_disclosures__statements rows (measure, printed_unit, amount_yuan...).
        documents: main.dim_document rows (document_id, currency_unit, is_current).
    """
    doc_unit = {d["document_id"]: clean(d.get("currency_unit"))
                for d in rows_of(documents)}
    current = {d["document_id"] for d in rows_of(documents)
               if clean(d.get("is_current")) is not False}
    items = []
    for s in rows_of(statements):
        amount, unit = decimal_of(s["amount_yuan"]), clean(s["printed_unit"])
        if (s["measure"] != "amount" or amount is None or unit not in UNIT_TO_YUAN
                or s["document_id"] not in current or not clean(s["statement_key"])):
            continue
        items.append({**s, "amount": amount, "unit": unit,
                      "family": s["statement_key"].split(".", 1)[0]})
    by_key: dict[tuple[str, str], list[Decimal]] = {}
    for it in items:
        by_key.setdefault((it["document_id"], it["statement_key"]), []).append(it["amount"])
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for it in items:
        groups.setdefault((it["document_id"], it["family"], clean(it["source"]) or ""), []).append(it)

    rows = []
    for (document_id, family, source), members in groups.items():
        if len(members) < 2:
            continue
        dominant = _dominant_unit([m["unit"] for m in members], doc_unit.get(document_id))
        if dominant is None:
            continue
        for m in members:
            row = {"concern": CONCERN, "document_id": document_id, "check_name": CHECK_NAME,
                   "subject": m["statement_key"], "observed": m["amount"], "observed_unit": "yuan",
                   "page": page_of(m["page"]), "unit_consistent": m["unit"] == dominant}
            if m["unit"] != dominant:
                row.update(_explain(m, dominant, family, source, members, by_key))
            rows.append(row)
    return as_checks(rows)


def _explain(m: dict[str, Any], dominant: str, family: str, source: str,
             members: list[dict[str, Any]], by_key: dict[tuple[str, str], list[Decimal]]) -> dict[str, Any]:
    """Expected value, severity and message of a figure printed in an odd unit."""
    number = m["amount"] / UNIT_TO_YUAN[m["unit"]]
    reread = (number * UNIT_TO_YUAN[dominant]).quantize(Decimal("0.01"))
    printed = str(clean(m["printed_value"]) or _num(number))
    if not printed.endswith(m["unit"]):
        printed += m["unit"]
    siblings = [{"key": o["statement_key"], "amount": o["amount"],
                 "text": f"{o['statement_key']} {_num(o['amount'] / UNIT_TO_YUAN[dominant])}{dominant}"}
                for o in members if o is not m and o["unit"] == dominant]
    parts = _matching_parts(reread, siblings)
    same_key_elsewhere = reread in by_key.get((m["document_id"], m["statement_key"]), [])
    where = f" on page {page_of(m['page'])}" if page_of(m["page"]) else ""
    head = (f"{m['statement_key']}{where} is printed as '{printed}', but the other {family} figures "
            f"of this document's {source or 'text'} are printed in {dominant}.")
    if parts:
        because = (f" Its parts add up to it in {dominant}: "
                   f"{' + '.join(p['text'] for p in parts)} = {_num(number)}{dominant}.")
    elif same_key_elsewhere:
        because = f" The same figure is stated elsewhere in the document as {_num(number)}{dominant}."
    else:
        because = ""
    tail = (f" The printed unit is probably wrong: read as {_num(number)}{dominant} it would be "
            f"{yuan(reread)}. Loaded as printed ({yuan(m['amount'])}); not corrected.")
    return {"expected": reread, "severity": "error" if (parts or same_key_elsewhere) else "info",
            "message": head + because + tail}


def _num(value: Decimal) -> str:
    """A Decimal as printed: '174.33', '0', '100'."""
    return format(value.normalize(), "f")


def build_units_suite() -> gx.ExpectationSuite:
    """Every amount is printed in the unit of its family's other figures."""
    return gx.ExpectationSuite(
        name="units",
        expectations=[
            gxe.ExpectColumnValuesToBeInSet(
                column="unit_consistent", value_set=[True],
                row_condition=Column("concern") == CONCERN,
                meta={"concern": CONCERN, "check_name": CHECK_NAME,
                      "notes": "A figure printed in another unit than its family's other figures "
                               "(e.g. 634.22元 among 万元) is a unit anomaly."},
            ),
        ],
    )
