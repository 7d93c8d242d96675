"""Exact parsing, rounding and formatting."""

from decimal import Decimal
from fractions import Fraction

import pytest

from spbe_engine._numbers import format_exact, parse_decimal, round_fraction, rounding_interval


@pytest.mark.parametrize(
    ("value", "mode", "expected"),
    [
        (Fraction(953, 200), "half_up", "4.77"),  # Banyuwangi 2024: exact 4.765 published 4.77
        (Fraction(17995, 10000), "half_up", "1.80"),
        (Fraction(17949, 10000), "half_up", "1.79"),
        (Fraction(953, 200), "half_even", "4.76"),
        (Fraction(957, 200), "half_even", "4.78"),
        (Fraction(17999, 10000), "down", "1.79"),
        (Fraction(46, 11), "half_up", "4.18"),
        (Fraction(-953, 200), "half_up", "-4.77"),
        (Fraction(3), "half_up", "3.00"),
    ],
)
def test_round_fraction(value: Fraction, mode: str, expected: str) -> None:
    """Rounding follows the named mode exactly, also exactly on the half."""
    assert str(round_fraction(value, 2, mode)) == expected


def test_format_exact() -> None:
    """Terminating values print as decimals, others as exact ratios."""
    assert format_exact(Fraction(953, 200)) == "4.765"
    assert format_exact(Fraction(46, 11)) == "46/11"
    assert format_exact(Fraction(3)) == "3"
    assert format_exact(Fraction(-1, 4)) == "-0.25"


@pytest.mark.parametrize("bad", [1.3, "1,3", "tiga", True, "", "1.2.3", None])
def test_parse_decimal_refuses(bad: object) -> None:
    """Floats, booleans and non-numbers are refused: a float has already lost exactness."""
    with pytest.raises(ValueError, match="not"):
        parse_decimal(bad)


def test_parse_decimal_accepts() -> None:
    """Decimal text, ints and Decimals are read exactly."""
    assert parse_decimal(" 1.30 ") == Decimal("1.30")
    assert parse_decimal(2) == Decimal(2)
    assert parse_decimal(Decimal("16.5")) == Decimal("16.5")


def test_rounding_interval_half_up() -> None:
    """A published 1.80 stands for exact values in [1.795, 1.805)."""
    assert rounding_interval(Decimal("1.80"), 2) == (Fraction(1795, 1000), Fraction(1805, 1000))


def test_parse_exact_ratios() -> None:
    """An exact ratio is read where no finite decimal exists; a zero denominator is refused."""
    from spbe_engine._numbers import parse_exact

    assert parse_exact("10/3") == Fraction(10, 3)
    assert parse_exact("2.75") == Fraction(11, 4)
    with pytest.raises(ValueError, match="zero"):
        parse_exact("1/0")
    with pytest.raises(ValueError, match="not"):
        parse_exact(0.5)
