from decimal import Decimal

import pytest

from ingest.amounts import parse_amount, parse_number, parse_percent, parse_table_number, to_yuan
from ingest.errors import AmountError


@pytest.mark.parametrize("text,yuan,unit", [
    ("994.08万元", Decimal("9940800.00"), "万元"),
    ("1,234.56万元", Decimal("12345600.00"), "万元"),
    ("156,211,123", Decimal("156211123.00"), None),
    ("１２万元", Decimal("120000.00"), "万元"),
    ("634.22元", Decimal("634.22"), "元"),
    ("1.5亿元", Decimal("150000000.00"), "亿元"),
    ("-5.1万元", Decimal("-51000.00"), "万元"),
    ("0.005万元", Decimal("50.00"), "万元"),
])
def test_parse_amount(text, yuan, unit):
    a = parse_amount(text)
    assert (a.yuan, a.printed_unit, a.printed_value) == (yuan, unit, text)


def test_default_unit_applies_only_when_none_printed():
    assert parse_amount("37.00", default_unit="万元").yuan == Decimal("370000.00")
    assert parse_amount("37.00元", default_unit="万元").yuan == Decimal("37.00")


def test_exact_to_the_fen():
    assert to_yuan(Decimal("0.01"), "万元") == Decimal("100.00")
    assert parse_number("(12.30)") == Decimal("-12.30")
    assert parse_percent("30.00%") == Decimal("30.00")
    assert parse_table_number("—") is None


@pytest.mark.parametrize("bad", ["", "abc", "12万元万", "1,23"])
def test_bad_numbers_raise(bad):
    with pytest.raises(AmountError):
        parse_amount(bad)
