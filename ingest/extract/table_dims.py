"""What a column's (or row's) labels say about its figures: the year, the measure, the phase and
the fund. The vocabulary is data (``rules/tables_dimensions.csv``).

A budget table prints the budget year's figures beside the previous year's and the change
('2025年预算数 | 2026年预算数 | 增减'), or the funds side by side ('一般公共预算 | 政府性基金预算').
Reading a column by its header means knowing these four things about it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).parent / "rules"
FUNDS = ("general_public_budget", "government_fund", "state_capital")


@dataclass(frozen=True)
class Dims:
    """The dimensions a label states; None where it says nothing."""

    reference_year: int | None = None
    measure: str | None = None  # 'change' | 'change_pct'; None means an amount
    phase: str | None = None  # 'budget' | 'actual' | 'execution'
    fund: str | None = None  # one of FUNDS

    def over(self, other: Dims) -> Dims:
        """These dimensions, with ``other``'s where these say nothing."""
        return Dims(self.reference_year if self.reference_year is not None else other.reference_year,
                    self.measure or other.measure, self.phase or other.phase, self.fund or other.fund)


@dataclass(frozen=True)
class _Rule:
    dimension: str
    pattern: re.Pattern[str]
    value: str


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    with open(RULES_DIR / "tables_dimensions.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if not r["dimension"].startswith("#")]
    return tuple(_Rule(r["dimension"], re.compile(r["pattern"]), r["value"]) for r in rows)


def label_to_dims(label: str, fiscal_year: int | None) -> Dims:
    """The dimensions one label states ('2025年预算数' → year 2025, phase budget)."""
    text = re.sub(r"\s+", "", label)
    found: dict[str, object] = {}
    for rule in _rules():
        if rule.dimension in found:
            continue
        m = rule.pattern.search(text)
        if not m:
            continue
        if rule.dimension == "year":
            if rule.value == "printed":
                found["year"] = int(m.group(1))
            elif fiscal_year is not None:
                found["year"] = fiscal_year + int(rule.value)
        else:
            found[rule.dimension] = rule.value
    return Dims(found.get("year"), found.get("measure"), found.get("phase"), found.get("fund"))


def labels_to_dims(labels: list[str], fiscal_year: int | None) -> Dims:
    """The dimensions of a header path: the lowest label that states one wins for it."""
    dims = Dims()
    for label in reversed(labels):
        dims = dims.over(label_to_dims(label, fiscal_year))
    return dims
