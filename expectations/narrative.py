"""Narrative vs tables: a figure the text states agrees with the table that carries it.

Two comparisons, both at the narrative's printed precision (a figure printed as '887.36万元'
stands for anything within 100 yuan of it; see :func:`frame.printed_step`):

- ``narrative_vs_table``: a statement printed in the text (raw.statements source 'narrative')
  and the same statement_key, reference year and phase read from a table. A few totals the text
  states but no table prints as one cell are derived from the table's parts (财政拨款收入支出总计 =
  财政拨款收入 + 年初结转和结余).
- ``narrative_vs_table:function_item``: each per-item explanation of the text
  (statement_key 'expenditure.function_item', label = the quoted 类/款/项 path) against the row of
  the same path in the function table (raw.classification_lines: the 一般公共预算 function table,
  else the expenditure table; column 'total'). When the 款 and 项 agree but the 类 name differs
  (the text uses an obsolete name), ``narrative_class_name`` says so.

A difference within half a printed step is rounding and passes; up to one step the figure was
truncated (``narrative_truncated``, info); beyond that it is a finding.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import great_expectations as gx
import pandas as pd

from .frame import as_checks, clean, decimal_of, excess_suite, page_of, printed_step, rows_of, wan, yuan

CONCERN = "narrative"
STATEMENT = "narrative_vs_table"
FUNCTION_ITEM = "narrative_vs_table:function_item"
TRUNCATED = "narrative_truncated"
CLASS_NAME = "narrative_class_name"
FUNCTION_KEY = "expenditure.function_item"
# Tables whose function rows the text's item explanations describe, in order of preference.
FUNCTION_TABLES = ("gpb_function", "expenditure_by_function")
# Totals the text states that tables print only as parts: key -> table keys added up.
DERIVED_TABLE_TOTALS = {
    "revenue.fiscal_appropriation_grand_total": ("revenue.fiscal_appropriation", "revenue.fiscal_carryover"),
}
# A total the text states may be a table's year's total or its grand total (收入预算 includes the
# 上年结转 where the table prints it below its 本年收入合计): both are the figure's table cells.
TABLE_ALTERNATES = {
    "revenue.total": ("revenue.grand_total",),
    "expenditure.total": ("expenditure.grand_total",),
}
_LEVEL_RE = re.compile(r"[（(]\s*\d*\s*(类|款|项)\s*[)）]")
_NAME_NOISE = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None, "“": None, "”": None,
                             '"': None})


def norm_name(name: Any) -> str:
    """A classification name for comparison: no spaces or quotes, ASCII parentheses, 其它 = 其他."""
    return str(clean(name) or "").translate(_NAME_NOISE).replace("其它", "其他").strip("-—、.． ")


def label_path(label: Any) -> list[str]:
    """The 类/款/项 names of a label: '社会保障和就业支出(类)行政事业单位养老支出(款)职业年金(项)'
    or '一般公共服务支出-政府办公厅(室)及相关机构事务-行政运行' -> [类, 款, 项]."""
    text = str(clean(label) or "").replace("（", "(").replace("）", ")")
    marked, start = {}, 0
    for m in _LEVEL_RE.finditer(text):
        marked[m.group(1)] = norm_name(text[start:m.start()])
        start = m.end()
    if marked:
        return [marked[k] for k in ("类", "款", "项") if k in marked]
    return [norm_name(p) for p in re.split(r"\s*[-—]\s*", text) if norm_name(p)][:3]


def _row(check: str, r: dict[str, Any], *, severity: str, observed: Decimal | None,
         expected: Decimal | None, excess: float, message: str, subject: str | None = None) -> dict[str, Any]:
    return {"concern": CONCERN, "document_id": r["document_id"], "check_name": check,
            "subject": subject or r["statement_key"], "severity": severity, "observed": observed,
            "expected": expected, "observed_unit": "yuan", "page": page_of(r["page"]),
            "excess": excess, "message": message}


def _compare(r: dict[str, Any], table_value: Decimal, *, check: str, what: str, where: str,
             subject: str | None = None) -> list[dict[str, Any]]:
    """Rows comparing narrative statement ``r`` with ``table_value`` at r's printed precision."""
    observed = decimal_of(r["amount_yuan"])
    step = printed_step(r["printed_value"], r["printed_unit"])
    diff = abs(observed - table_value)
    page = page_of(r["page"])
    printed = str(clean(r["printed_value"]) or wan(observed))
    head = f"{what}: the text (page {page or '?'}) states '{printed}'"
    rows = [_row(check, r, severity="error" if diff > max(step, table_value.copy_abs() / 100) else "warning",
                 observed=observed, expected=table_value, excess=float(diff - step), subject=subject,
                 message=f"{head}, but {where} gives {yuan(table_value)} ({wan(table_value)}): "
                         f"they differ by {wan(observed - table_value)}, more than the printed precision "
                         f"({yuan(step)}) allows.")]
    if step / 2 < diff <= step:
        rows.append(_row(TRUNCATED, r, severity="info", observed=observed, expected=table_value,
                         excess=float(diff - step / 2), subject=subject,
                         message=f"{head}, {where} gives {yuan(table_value)}: the text's figure is "
                                 f"truncated, not rounded (off by {yuan(diff)}, more than half of the "
                                 f"printed step {yuan(step)})."))
    return rows


def _dedupe(records: list[dict[str, Any]], key) -> list[dict[str, Any]]:
    """One statement per key (the first printed); repeats of the same figure add nothing."""
    seen, out = set(), []
    for r in sorted(records, key=lambda r: (r["document_id"], int(clean(r["statement_seq"]) or 0))):
        k = key(r)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out


def statement_rows(statements: pd.DataFrame) -> list[dict[str, Any]]:
    """narrative_vs_table rows: narrative amounts vs table amounts of the same key/year/phase."""
    amounts = [r for r in rows_of(statements)
               if r["measure"] == "amount" and decimal_of(r["amount_yuan"]) is not None
               and r["statement_key"] != FUNCTION_KEY]
    tables: dict[tuple, list[dict[str, Any]]] = {}
    for r in amounts:
        if r["source"] == "table":
            tables.setdefault((r["document_id"], r["statement_key"], r["reference_year"], r["phase"]), []).append(r)
    rows = []
    narrative = _dedupe([r for r in amounts if r["source"] == "narrative"],
                        lambda r: (r["document_id"], r["statement_key"], r["reference_year"], r["phase"],
                                   decimal_of(r["amount_yuan"])))
    for r in narrative:
        key = (r["document_id"], r["statement_key"], r["reference_year"], r["phase"])
        cells = tables.get(key, []) + [c for alt in TABLE_ALTERNATES.get(r["statement_key"], ())
                                       for c in tables.get((key[0], alt, key[2], key[3]), [])]
        where = "the table"
        if cells:
            value = min((decimal_of(c["amount_yuan"]) for c in cells),
                        key=lambda v: abs(v - decimal_of(r["amount_yuan"])))
            pages = sorted({page_of(c["page"]) for c in cells if page_of(c["page"])})
            where = f"the table (page {', '.join(map(str, pages)) or '?'})"
        elif r["statement_key"] in DERIVED_TABLE_TOTALS:
            parts = [tables.get((r["document_id"], k, r["reference_year"], r["phase"]))
                     for k in DERIVED_TABLE_TOTALS[r["statement_key"]]]
            if not all(parts):
                continue
            value = sum((decimal_of(p[0]["amount_yuan"]) for p in parts), Decimal(0))
            where = ("the table's " + " + ".join(DERIVED_TABLE_TOTALS[r["statement_key"]])
                     + f" (page {page_of(parts[0][0]['page']) or '?'}, derived)")
        else:
            continue
        rows += _compare(r, value, check=STATEMENT, where=where,
                         what=f"{r['statement_key']} {r['phase']} {r['reference_year']}")
    return rows


def _function_index(lines: pd.DataFrame) -> dict[tuple, dict[str, Any]]:
    """(document_id, phase) -> {'table': kind, 'rows': [(path names, code, amount, page)]}."""
    by_table: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows_of(lines):
        if (r["scheme"] == "function" and r["column_key"] == "total" and r["table_kind"] in FUNCTION_TABLES
                and clean(r["classification_code"]) and decimal_of(r["amount_yuan"]) is not None):
            by_table.setdefault((r["document_id"], r["phase"], r["table_kind"]), []).append(r)
    index = {}
    for (document_id, phase, kind), members in by_table.items():
        names = {str(m["classification_code"]): norm_name(m["classification_name"]) for m in members}
        rows = []
        for m in members:
            code = str(m["classification_code"])
            path = [names.get(code[:n], "") for n in (3, 5, 7) if len(code) >= n]
            rows.append({"path": path, "code": code, "amount": decimal_of(m["amount_yuan"]),
                         "page": page_of(m["page"]), "name": clean(m["classification_name"])})
        current = index.get((document_id, phase))
        if current is None or FUNCTION_TABLES.index(kind) < FUNCTION_TABLES.index(current["table"]):
            index[(document_id, phase)] = {"table": kind, "rows": rows}
    return index


def _match(path: list[str], rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, bool]:
    """The table row of a label path, and whether its 类 name differs from the label's."""
    same_depth = [r for r in rows if len(r["path"]) == len(path)]
    exact = [r for r in same_depth if r["path"] == path]
    if len(exact) == 1:
        return exact[0], False
    if len(path) >= 2:
        tail = [r for r in same_depth if r["path"][1:] == path[1:]]
        if len(tail) == 1:
            return tail[0], tail[0]["path"][0] != path[0]
    return None, False


def function_item_rows(statements: pd.DataFrame, lines: pd.DataFrame,
                       documents: pd.DataFrame) -> list[dict[str, Any]]:
    """narrative_vs_table:function_item and narrative_class_name rows."""
    fiscal_year = {d["document_id"]: clean(d["fiscal_year"]) for d in rows_of(documents)}
    index = _function_index(lines)
    items = [r for r in rows_of(statements)
             if r["statement_key"] == FUNCTION_KEY and r["measure"] == "amount"
             and decimal_of(r["amount_yuan"]) is not None and r["source"] == "narrative"
             and r["phase"] in ("budget", "actual") and r["reference_year"] == fiscal_year.get(r["document_id"])]
    items = _dedupe(items, lambda r: (r["document_id"], r["printed_label"], r["phase"],
                                      decimal_of(r["amount_yuan"])))
    rows, named = [], set()
    for r in items:
        table = index.get((r["document_id"], r["phase"]))
        path = label_path(r["printed_label"])
        if not table or not path:
            continue
        line, renamed = _match(path, table["rows"])
        if line is None:
            continue
        label = str(clean(r["printed_label"]))
        rows += _compare(r, line["amount"], check=FUNCTION_ITEM, subject=label,
                         what=f"The item explanation '{label}'",
                         where=f"the {table['table']} table row {line['code']} (page {line['page'] or '?'})")
        if renamed and (r["document_id"], line["code"]) not in named:
            named.add((r["document_id"], line["code"]))
            rows.append(_row(CLASS_NAME, r, severity="warning", observed=None, expected=None, excess=1.0,
                             subject=label,
                             message=f"The text (page {page_of(r['page']) or '?'}) names the class of "
                                     f"'{label}' '{path[0]}', but the {table['table']} table "
                                     f"(page {line['page'] or '?'}) names class {line['code'][:3]} "
                                     f"'{line['path'][0]}' (an obsolete or inconsistent class name)."))
    return rows


def narrative_frame(statements: pd.DataFrame, lines: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Check rows comparing the text's figures with the tables'."""
    return as_checks(statement_rows(statements) + function_item_rows(statements, lines, documents))


def build_narrative_suite() -> gx.ExpectationSuite:
    """Text figures agree with table figures within their printed precision."""
    meaning = {
        STATEMENT: "A total stated in the text equals the table's figure, within the text's printed precision.",
        FUNCTION_ITEM: "An item explanation's amount equals its row in the function table.",
        TRUNCATED: "A text figure is the table figure rounded (not truncated) to its printed precision.",
        CLASS_NAME: "The text names a function class as the tables do.",
    }
    return excess_suite("narrative", CONCERN, meaning)
