"""Exact decimal arithmetic for the official path: parsing, rounding and formatting.

Nothing here touches binary floats. Regulation numbers enter as decimal text
(``"16.5"``), live as :class:`fractions.Fraction` (because some official values,
such as a 59/2020 Manajemen domain of 46/11, have no finite decimal form) and
leave as :class:`decimal.Decimal` rounded by the rubric's rule.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

__all__ = [
    "BOUNDS",
    "MAX_INTEGER_DIGITS",
    "MAX_PLACES",
    "ROUNDING_MODES",
    "OutOfBoundsError",
    "check_bounds",
    "decimal_places",
    "format_exact",
    "parse_decimal",
    "parse_exact",
    "round_fraction",
    "rounding_interval",
]

#: The rounding modes a rubric may name, mapped to :mod:`decimal`'s constants.
ROUNDING_MODES: Final = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
}

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")

#: A figure in any file has at most this many digits before the decimal point. Regulation
#: figures have at most three (weights in percent); the margin only keeps exact arithmetic cheap.
MAX_INTEGER_DIGITS: Final = 20
#: ... and at most this many after it (published values have two places, weights one or two).
MAX_PLACES: Final = 20
#: The bounds as an error message words them.
BOUNDS: Final = f"at most {MAX_INTEGER_DIGITS} digits before the decimal point and {MAX_PLACES} after it"
_INT_LIMIT: Final = 10**MAX_INTEGER_DIGITS


class OutOfBoundsError(ValueError):
    """A number is written with more digits or places than any figure needs (see :data:`BOUNDS`).

    Refusing such a number as written matters: the exact value of
    ``1e999999999`` as an int or a Fraction takes hours and gigabytes to build.
    """


def check_bounds(value: Decimal) -> Decimal:
    """Return a finite ``value`` within :data:`BOUNDS`; raise :class:`OutOfBoundsError` without expanding it."""
    if not value.is_finite():
        raise OutOfBoundsError("not a finite number")
    # adjusted() is the exponent of the leading digit: O(1), whatever the exponent.
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        raise OutOfBoundsError("number out of range")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_PLACES:
        raise OutOfBoundsError("number out of range")
    return value


def parse_decimal(text: object) -> Decimal:
    """Parse decimal text (``"1.30"``, ``"2"``, ``"2,5"`` is refused) into a Decimal.

    Accepts ``int`` and ``Decimal`` as they are. Raises ``ValueError`` for
    anything else, floats included: a float has already lost exactness; and
    :class:`OutOfBoundsError` (a ``ValueError``) for a number outside
    :data:`BOUNDS`, however it is written.
    """
    if isinstance(text, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(text, int):
        if abs(text) >= _INT_LIMIT:
            raise OutOfBoundsError("number out of range")
        return Decimal(text)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise ValueError("not a finite number")
        return check_bounds(text)
    if isinstance(text, str):
        stripped = text.strip().replace("_", "")
        if _DECIMAL_TEXT.fullmatch(stripped):
            try:
                return check_bounds(Decimal(stripped))
            except InvalidOperation:  # pragma: no cover - the pattern already excludes it
                pass
    raise ValueError("not a decimal number written as text")


def parse_exact(text: object) -> Fraction:
    """Parse decimal text, or an exact ratio ``"p/q"`` where no finite decimal exists (``"10/3"``).

    Raises ``ValueError`` (a float or a zero denominator included).
    """
    if isinstance(text, str) and "/" in text:
        num, den = (Fraction(parse_decimal(part)) for part in text.split("/", 1))
        if not den:
            raise ValueError("a ratio with a zero denominator")
        return num / den
    return Fraction(parse_decimal(text))


def decimal_places(value: Decimal) -> int:
    """Return how many digits ``value`` was written with after the decimal point."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def round_fraction(value: Fraction, places: int, mode: str = "half_up") -> Decimal:
    """Round an exact value to ``places`` decimals by the named ``mode``."""
    if value < 0:
        # Decimal's modes are symmetric about zero ("half up" rounds half away from zero).
        return -round_fraction(-value, places, mode)
    scaled = value * 10**places
    floor, remainder = divmod(scaled.numerator, scaled.denominator)
    if remainder:
        twice = 2 * remainder
        den = scaled.denominator
        if mode == "half_up":
            floor += twice >= den
        elif mode == "half_even":
            floor += twice > den or (twice == den and floor % 2 == 1)
        elif mode != "down":
            raise ValueError(f"unknown rounding mode {mode!r}")
    return Decimal(floor).scaleb(-places)


def rounding_interval(published: Decimal, places: int, mode: str = "half_up") -> tuple[Fraction, Fraction]:
    """Return ``[low, high)`` of the exact values that round to ``published``.

    ``published`` is read at ``places`` decimals. For ``half_even`` the interval
    is widened to its closed hull; callers re-check candidates with
    :func:`round_fraction`, so that only errs on the side of considering more.
    """
    centre = Fraction(published)
    half = Fraction(1, 2 * 10**places)
    if mode == "down":
        return centre, centre + 2 * half
    if mode == "half_up":
        return centre - half, centre + half
    return centre - half, centre + half + Fraction(1, 10**12)


def format_exact(value: Fraction) -> str:
    """Render an exact value as a terminating decimal, or as ``p/q`` when it has none.

    ``Fraction(953, 200)`` gives ``"4.765"``; ``Fraction(46, 11)`` gives ``"46/11"``.
    """
    den = value.denominator
    if den == 1:  # a whole number (most weights and level values): nothing to scale
        return str(value.numerator)
    twos = (den & -den).bit_length() - 1  # the power of two in den, in one step
    den >>= twos
    fives = 0
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    return str(Decimal(value.numerator * 10**places // value.denominator).scaleb(-places))
