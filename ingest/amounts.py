"""The one place that reads printed numbers and units and turns them into exact yuan.

Amounts are ``Decimal`` quantized to 0.01 (分), never floats. A printed unit is kept as printed;
conversion to yuan happens here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import AmountError

CENT = Decimal("0.01")

# Multipliers to yuan for every unit we accept, as printed.
UNIT_TO_YUAN: dict[str, Decimal] = {
    "元": Decimal(1),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "千元": Decimal(1_000),
    "百万元": Decimal(1_000_000),
}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")

# A number as printed: optional sign, digits with thousands separators, optional decimals.
NUMBER_RE = r"[-－−+]?\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|[-－−+]?\d+(?:\.\d+)?"
_NUMBER_FULL = re.compile(rf"^\s*(?:{NUMBER_RE})\s*$")
_PAREN_NEG = re.compile(r"^\(\s*(.+?)\s*\)$")


@dataclass(frozen=True)
class Amount:
    """A parsed amount: the exact yuan value and what was printed."""

    yuan: Decimal
    printed_value: str
    printed_unit: str | None

    @property
    def wan(self) -> Decimal:
        return (self.yuan / UNIT_TO_YUAN["万元"]).quantize(Decimal("0.000001")).normalize()


def to_ascii_digits(text: str) -> str:
    return text.translate(_FULLWIDTH)


def parse_number(text: str) -> Decimal:
    """Parse a printed number ('1,234.56', '１２３', '-5', '(12.00)') to Decimal.

    Raises:
        AmountError: the text is not a number.
    """
    raw = text
    s = to_ascii_digits(text).strip().replace("\u00a0", "").replace(" ", "")
    m = _PAREN_NEG.match(s)
    neg = False
    if m:
        s, neg = m.group(1), True
    s = s.replace("−", "-")
    if not s or not _NUMBER_FULL.match(s):
        raise AmountError(raw, "not a number")
    try:
        value = Decimal(s.replace(",", "").replace("，", ""))
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise AmountError(raw, "not a number") from exc
    return -value if neg else value


def to_yuan(value: Decimal, unit: str | None, default_unit: str = "元") -> Decimal:
    """Convert ``value`` printed in ``unit`` (or ``default_unit`` when none) to yuan, exact to 分.

    Raises:
        AmountError: the unit is unknown.
    """
    u = unit or default_unit
    if u not in UNIT_TO_YUAN:
        raise AmountError(f"{value}{u}", f"unknown unit {u!r}")
    return (value * UNIT_TO_YUAN[u]).quantize(CENT)


def parse_amount(text: str, default_unit: str | None = None) -> Amount:
    """Parse '994.08万元', '156,211,123', '１２万元' or '634.22元' into an :class:`Amount`.

    The unit printed with the number wins; ``default_unit`` (e.g. a table's '单位：万元') applies
    only when none is printed. The printed unit is kept as printed (None when absent).

    Raises:
        AmountError: no number, or an unknown unit.
    """
    s = to_ascii_digits(text).strip()
    unit = None
    for u in sorted(UNIT_TO_YUAN, key=len, reverse=True):
        if s.endswith(u):
            unit = u
            s = s[: -len(u)]
            break
    value = parse_number(s)
    yuan = to_yuan(value, unit, default_unit or "元")
    return Amount(yuan=yuan, printed_value=text.strip(), printed_unit=unit)


def parse_percent(text: str) -> Decimal:
    """Parse '30.00%', '30%' or '30' to Decimal('30.00').

    Raises:
        AmountError: not a percentage.
    """
    s = to_ascii_digits(text).strip().rstrip("%").strip()
    return parse_number(s)


def parse_table_number(text: str) -> Decimal | None:
    """A table cell: '' or '-' or '—' is None; otherwise a number.

    Raises:
        AmountError: the cell holds text that is not a number.
    """
    s = to_ascii_digits(text).strip()
    if s in ("", "-", "—", "--", "/", "－", "——"):
        return None
    return parse_number(s)
