"""Numbers judged to a number of significant figures, as STACK's SigFigsStrict does.

The figures are counted in the number as written: leading zeros never count, trailing zeros
after a decimal point always do, and trailing zeros of a whole number do not unless it ends
with a point ("100" has 1, "100." has 3, "0.00100" has 3, "1.00e2" has 3); zero has as many
as it has decimals, at least 1 ("0.00" has 2). The value is right when it is the key rounded
at its last written figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

_NUMERAL = re.compile(r"\s*([+-]?)(\d*)(\.?)(\d*)(?:[eE]([+-]?\d{1,3}))?\s*\Z")
MAX_CHARS = 40


@dataclass(frozen=True)
class Written:
    """A number as written: its value, its significant figures, and the power of ten of its
    last written figure."""

    value: Fraction
    figures: int
    last: int


def read(text: str) -> Written | None:
    """The number written in ``text`` (such as ``-0.0520`` or ``1.20e5``), or None."""
    match = _NUMERAL.match(text) if len(text) <= MAX_CHARS else None
    if match is None or not (match.group(2) or match.group(4)):
        return None
    sign, whole, point, decimals, exponent = match.groups()
    shift = int(exponent or 0)
    digits = (whole + decimals).lstrip("0")
    if not digits:
        figures = max(1, len(decimals))
    elif point:
        figures = len(digits)
    else:
        figures = len(digits.rstrip("0"))
    last = shift - len(decimals)
    if not point and digits:
        last += len(digits) - figures  # a whole number's trailing zeros are not figures
    value = Fraction(int(whole + decimals or "0"), 10 ** len(decimals)) * Fraction(10) ** shift
    return Written(-value if sign == "-" else value, figures, last)


def leading_power(value: Fraction) -> int:
    """The power of ten of the first significant figure of ``value`` (not 0)."""
    with localcontext() as context:
        context.prec = 60
        return (Decimal(value.numerator) / Decimal(value.denominator)).adjusted()


def rounded_at(value: Fraction, last: int) -> Fraction:
    """``value`` rounded (half away from zero) to a multiple of 10^last."""
    step = Fraction(10) ** last
    with localcontext() as context:
        context.prec = 80
        quotient = Decimal((value / step).numerator) / Decimal((value / step).denominator)
        whole = quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Fraction(int(whole)) * step


def is_rounding_of(written: Written, value: Fraction) -> bool:
    """Whether ``written`` is ``value`` rounded at its last written figure (within half a
    unit there, so either rounding of a tie counts)."""
    return abs(written.value - value) <= Fraction(10) ** written.last / 2


def last_figure(value: Fraction, figures: int) -> int:
    """The power of ten of the last of ``figures`` significant figures of ``value``."""
    return leading_power(value) - figures + 1


def written(value: Fraction, figures: int) -> str:
    """``value`` written with exactly ``figures`` significant figures."""
    if not value:
        return "0." + "0" * figures if figures > 1 else "0"
    last = last_figure(value, figures)
    shown = rounded_at(value, last)
    if leading_power(shown) - last + 1 > figures:  # 9.96 -> 10.0: one figure more
        last += 1
        shown = rounded_at(value, last)
    if last < 0:
        if -last <= 15:
            return f"{float(shown):.{-last}f}"
    elif last == 0:
        text = str(int(shown))
        return text + "." if text.endswith("0") else text
    elif read(str(int(shown))).figures == figures:
        return str(int(shown))
    power = leading_power(shown)
    mantissa = shown / Fraction(10) ** power
    return f"{float(mantissa):.{power - last}f}e{power}"
