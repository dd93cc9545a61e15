"""Item explanations: what the text says about a function item agrees with the item itself.

The narrative extractor keeps, with each function item's statements (statement_key
'expenditure.function_item', label = the 类/款/项 path), the text of the item's explanation
(``context``: its purpose '主要用于…' and the reason for its change '主要原因是…'). Two checks read
that prose, conservatively:

- ``explanation_reason_direction``: the reason given right after a stated change
  ('比2023年预算执行数减少2.98%。主要原因是：…经费增加') names only the opposite direction of the
  change (增加 for a decrease, 减少 for an increase). A reason naming both directions, or none,
  passes.
- ``explanation_purpose_names_other_item``: the purpose ('主要用于：…') names a different 项 of
  the document's own function tables (raw.classification_lines, scheme 'function') and shares
  nothing with the item's own 项 name, i.e. it was copied from another item.

A third reads a project description (raw.sections: a heading and the start of its first
paragraph, ``lead``):

- ``project_period_year``: a project's 实施周期 ('五、实施周期' followed by '2025年1月1日-2025年12月31日',
  or '实施周期：…' in one line) whose years do not include the document's fiscal year: the
  description was carried over from another year.

All are warnings: the figures may be right, but the text explaining them is not.
"""

from __future__ import annotations

import re
from typing import Any

import great_expectations as gx
import pandas as pd

from .frame import as_checks, clean, excess_suite, page_of, rows_of

CONCERN = "explanations"
REASON = "explanation_reason_direction"
PURPOSE = "explanation_purpose_names_other_item"
PERIOD = "project_period_year"
FUNCTION_KEY = "expenditure.function_item"

UP_WORDS = ("增加", "增长", "上升", "提高", "增多", "扩大", "新增")
DOWN_WORDS = ("减少", "下降", "降低", "压减", "缩减", "调减", "节约")
# Between the change and its reason only punctuation or the direction itself ('增加的') may stand:
# '决算数小于全年预算数的主要原因' explains another comparison.
_REASON_LEAD_RE = re.compile(r"^[。，,；;\s]*(?:(?:增加|减少|下降|增长|变动|变化)的)?$")
_REASON_RE = re.compile(r"主要原因(?:是|为)?[：:]?(?P<reason>[^。；;]*)")
_PURPOSE_RE = re.compile(r"主要用于[：:]?(?P<purpose>[^。；;]*)")
MIN_NAME = 4  # a shorter 项 name ('其他') is too common to say anything

# How an item explanation's label names its 类/款/项 path (the dbt macros class_name_key and
# class_path say the same for the narrative checks, quality_narrative and quality_narrative_items).
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


def _direction(text: str) -> int:
    up = any(w in text for w in UP_WORDS)
    down = any(w in text for w in DOWN_WORDS)
    return 1 if up and not down else -1 if down and not up else 0


def _row(check: str, r: dict[str, Any], *, subject: str, message: str, excess: float) -> dict[str, Any]:
    return {"concern": CONCERN, "document_id": r["document_id"], "check_name": check,
            "subject": subject, "severity": "warning", "observed": None, "expected": None,
            "observed_unit": None, "page": page_of(r["page"]), "excess": excess, "message": message}


def reason_rows(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for r in statements:
        if r["measure"] not in ("change", "change_pct"):
            continue
        context, printed = str(clean(r.get("context")) or ""), str(clean(r["printed_value"]) or "")
        value = clean(r["percent"]) if r["measure"] == "change_pct" else clean(r["amount_yuan"])
        if not context or not printed or value is None or value == 0:
            continue
        at = context.find(printed)
        if at < 0:
            continue
        after = context[at + len(printed):]
        m = _REASON_RE.search(after)
        if not m or not _REASON_LEAD_RE.match(after[:m.start()]):
            continue
        reason = m.group("reason").strip()
        sign = 1 if value > 0 else -1
        said = _direction(reason)
        key = (r["document_id"], r["printed_label"], printed)
        if key in seen:
            continue
        seen.add(key)
        wrong = said != 0 and said != sign
        change = ("减少" if sign < 0 else "增加") + printed.lstrip("-")
        rows.append(_row(REASON, r, subject=f"{clean(r['printed_label'])} {change}", excess=1.0 if wrong else 0.0,
                         message=f"The explanation of {clean(r['printed_label'])} (page {page_of(r['page'])}) "
                                 f"states a change of {change} but gives as its reason '{reason}', which "
                                 f"names the opposite direction ({'an increase' if said > 0 else 'a decrease'})."))
    return rows


def _item_names(lines: pd.DataFrame) -> dict[str, set[str]]:
    """Per document: the names of the 项 (level-3 function rows) its tables print."""
    names: dict[str, set[str]] = {}
    for r in rows_of(lines):
        if clean(r.get("scheme")) != "function" or clean(r.get("is_total")):
            continue
        code = str(clean(r.get("classification_code")) or "")
        name = norm_name(r.get("classification_name"))
        if len(code) == 7 and len(name) >= MIN_NAME:
            names.setdefault(r["document_id"], set()).add(name)
    return names


def purpose_rows(statements: list[dict[str, Any]], lines: pd.DataFrame) -> list[dict[str, Any]]:
    names = _item_names(lines)
    rows, seen = [], set()
    for r in statements:
        context = str(clean(r.get("context")) or "")
        path = label_path(r["printed_label"])
        if not context or len(path) < 3 or (r["document_id"], r["printed_label"]) in seen:
            continue
        m = _PURPOSE_RE.search(context)
        if not m:
            continue
        seen.add((r["document_id"], r["printed_label"]))
        purpose = norm_name(m.group("purpose"))
        own = path[2]
        if not purpose:
            continue
        others = [n for n in names.get(r["document_id"], ()) if n in purpose and n != own
                  and not any(n in p or p in n for p in path)]
        # The purpose shares nothing with the item's own name (not even two characters in a row).
        shares = any(own[i:i + 2] in purpose for i in range(len(own) - 1)) if len(own) >= 2 else True
        wrong = bool(others) and not shares
        rows.append(_row(PURPOSE, r, subject=f"{clean(r['printed_label'])}", excess=1.0 if wrong else 0.0,
                         message=f"The explanation of {clean(r['printed_label'])} (page {page_of(r['page'])}) "
                                 f"says it is used for '{m.group('purpose').strip()}', which names another "
                                 f"item of the function tables ({'、'.join(sorted(others)) or '-'}), not {own}."))
    return rows


_PERIOD_RE = re.compile(r"实施周期")
_PERIOD_YEAR_RE = re.compile(r"(20\d{2})\s*年")
_NUMBERING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）])")


def period_rows(sections: pd.DataFrame | None, documents: pd.DataFrame) -> list[dict[str, Any]]:
    """A 实施周期 whose years (from its heading line or the paragraph after it) exclude the
    document's fiscal year."""
    if sections is None or "lead" not in sections.columns:
        return []
    years = {r["document_id"]: clean(r["fiscal_year"]) for r in rows_of(documents)}
    rows = []
    for r in rows_of(sections):
        heading = str(clean(r["heading"]) or "")
        fiscal = years.get(r["document_id"])
        m = _PERIOD_RE.search(heading)
        if not m or fiscal is None:
            continue
        rest = heading[m.end():].strip(" ：:")
        if not rest and _NUMBERING_RE.sub("", heading[:m.start()]).strip():
            continue  # '项目实施周期安排…' in a longer heading, not a heading of its own
        text = (rest or str(clean(r.get("lead")) or ""))[:60]
        stated = [int(y) for y in _PERIOD_YEAR_RE.findall(text)]
        if not stated:
            continue
        fiscal = int(fiscal)
        wrong = not (min(stated) <= fiscal <= max(stated))
        rows.append({"concern": CONCERN, "document_id": r["document_id"], "check_name": PERIOD,
                     "subject": f"实施周期 {text}", "severity": "warning", "observed": None, "expected": None,
                     "observed_unit": None, "page": page_of(r["page"]), "excess": 1.0 if wrong else 0.0,
                     "message": f"A project description (page {page_of(r['page'])}) gives its 实施周期 as "
                                f"'{text}', which does not include the document's fiscal year {fiscal}: the "
                                f"description seems carried over from another year."})
    return rows


def explanations_frame(statements: pd.DataFrame, lines: pd.DataFrame, sections: pd.DataFrame | None = None,
                       documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check rows on the prose of the function items' explanations and project descriptions."""
    periods = period_rows(sections, documents) if documents is not None else []
    if "context" not in statements.columns:
        return as_checks(periods)
    items = sorted((r for r in rows_of(statements) if r["statement_key"] == FUNCTION_KEY
                    and clean(r.get("context"))),
                   key=lambda r: (r["document_id"], int(clean(r["statement_seq"]) or 0)))
    return as_checks(reason_rows(items) + purpose_rows(items, lines) + periods)


def build_explanations_suite() -> gx.ExpectationSuite:
    """An item's explanation agrees with the item: the reason's direction, the purpose's item."""
    meaning = {
        REASON: "The reason given for an item's change names the direction the change has.",
        PURPOSE: "An item's purpose text names the item, not another item of the function tables.",
        PERIOD: "A project's 实施周期 includes the fiscal year of the document describing it.",
    }
    return excess_suite("explanations", CONCERN, meaning)
