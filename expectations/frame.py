"""The shape every concern's rows take, so one Checkpoint validates them all in one frame.

Each concern builds rows with the columns of :data:`CHECK_COLUMNS` (plus the assertion columns
its suite reads: ``diff``, ``value``, ``unit_consistent``, ``issue_severity``, ``excess`` (how far
beyond the printed precision two figures disagree, <= 0 when they agree) and ``status``). ``observed`` and
``expected`` are exact ``Decimal`` values for the finding; the assertion columns are what GX
compares. ``message`` is what the finding says if the row fails; ``severity`` how serious it is.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd

CHECK_COLUMNS = [
    "concern", "document_id", "check_name", "subject", "severity", "observed", "expected",
    "observed_unit", "page", "message",
]
ASSERTION_COLUMNS = ["diff", "value", "unit_consistent", "issue_severity", "excess", "status"]
WAN = Decimal(10_000)
CENT = Decimal("0.01")


def empty_checks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in CHECK_COLUMNS + ASSERTION_COLUMNS})


def as_checks(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows (dicts) to a frame with every check and assertion column, in a fixed order."""
    if not rows:
        return empty_checks()
    frame = pd.DataFrame(rows)
    for c in CHECK_COLUMNS + ASSERTION_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[CHECK_COLUMNS + ASSERTION_COLUMNS]


def clean(value: Any) -> Any:
    """None for pandas' missing values (NaN, NA, NaT); the value otherwise."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def page_of(value: Any) -> int | None:
    v = clean(value)
    return int(v) if v is not None else None


def decimal_of(value: Any) -> Decimal | None:
    v = clean(value)
    if v is None:
        return None
    return v if isinstance(v, Decimal) else Decimal(str(v))


def wan(yuan: Decimal | None) -> str:
    """'994.08万元' for 9,940,800 yuan (for messages only; the marts convert with the dbt macro)."""
    if yuan is None:
        return "?"
    return f"{(yuan / WAN).quantize(CENT):,.2f}万元"


def yuan(value: Decimal | None) -> str:
    return "?" if value is None else f"{value.quantize(CENT):,.2f} yuan"


def decimals_of(printed: Any) -> int:
    """Digits after the decimal point of a printed figure ('887.36万元' -> 2, '4,614万元' -> 0)."""
    text = str(clean(printed) or "")
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def printed_step(printed: Any, unit: Any) -> Decimal:
    """Yuan of one unit in the last printed digit: '887.36' in 万元 -> 100 yuan; 元 with 2 -> 0.01.

    A figure printed to that step may differ from the exact one by half a step when rounded and by
    up to one step when truncated.
    """
    from ingest.amounts import UNIT_TO_YUAN

    scale = UNIT_TO_YUAN.get(clean(unit) or "元", Decimal(1))
    return scale / (Decimal(10) ** decimals_of(printed))


def pct(value: Decimal | float | None) -> str:
    """'314.82%' (for messages)."""
    if value is None:
        return "?"
    return f"{Decimal(str(value)).quantize(CENT)}%"


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, fast: one ``tolist`` per column instead of boxing every
    value through pandas (the checks read large frames row by row; this was most of their time)."""
    columns = list(frame.columns)
    if not len(frame):
        return []
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def excess_suite(name: str, concern: str, meaning: dict[str, str]):
    """A suite asserting, for each check_name in ``meaning``, that its rows' ``excess`` (how far
    two figures disagree beyond their printed precision) is at most 0."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return gx.ExpectationSuite(name=name, expectations=[
        gxe.ExpectColumnValuesToBeBetween(
            column="excess", max_value=0, row_condition=Column("check_name") == check,
            meta={"concern": concern, "check_name": check, "notes": notes})
        for check, notes in meaning.items()])
