"""Equations as answers: ``y = 2x + 1`` and ``2x - y + 1 = 0`` are the same line.

Two equations are equivalent when one side-difference is a nonzero constant multiple of
the other (``l1 - r1 = c*(l2 - r2)``, c != 0): rational ones decided exactly modulo a prime,
the others at the sample points (the ratio is the same nonzero number wherever both sides
are real). When both are written ``y = f`` and ``y = g`` for the same variable y (not in f
or g), they are compared as the functions f and g, with all of ``check``'s rules; when only
one is, and the other has one solution for y (degree 1 in y once cleared of fractions),
f is put in the other for y.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from gradelab.symbolic.exact import SMALL, exact_numbers, expansion_bound
from gradelab.symbolic.modular import proportional
from gradelab.symbolic.numeric import STRONG, Agreement, close


def solved_for(equation: sympy.Eq) -> tuple[sympy.Symbol, sympy.Expr] | None:
    """(y, f) when ``equation`` is ``y = f`` or ``f = y`` with y a variable not in f."""
    for one, other in ((equation.lhs, equation.rhs), (equation.rhs, equation.lhs)):
        if one.is_Symbol and one not in other.free_symbols:
            return one, other
    return None


def difference(equation: sympy.Eq) -> sympy.Expr:
    return equation.lhs - equation.rhs


def substituted_solution(solved: sympy.Eq, other: sympy.Eq) -> sympy.Expr | None:
    """When ``solved`` is ``y = f`` and ``other``, cleared of fractions, is a*y + b = 0 with
    a and b without a common factor (so it has one solution for y, as ``1/x + 1/y = 2``
    has): ``other`` with f put in for y, which is 0 exactly when the two have the same
    solution. None otherwise."""
    found = solved_for(solved)
    if found is None:
        return None
    y, f = found
    rest = difference(other)
    if expansion_bound(rest) > SMALL:
        return None
    numerator, _ = sympy.fraction(sympy.together(rest))
    if not numerator.has(y) or expansion_bound(numerator) > SMALL:
        return None
    try:
        poly = sympy.Poly(numerator, y)
    except sympy.PolynomialError:
        return None
    if poly.degree() != 1 or not sympy.gcd(*poly.all_coeffs()).is_number:
        return None  # x*y = x also holds for any y at x = 0
    return rest.xreplace({y: f})


def ratio_agreement(
    first: Sequence[complex | None], second: Sequence[complex | None], rtol: float, atol: float
) -> Agreement:
    """Whether values ``first`` are one nonzero multiple of ``second`` at every point where
    both are real."""
    ratios, valid = [], 0
    for a, b in zip(first, second, strict=True):
        if a is None or b is None:
            continue
        valid += 1
        zero_a, zero_b = close(a, 0, 0, atol), close(b, 0, 0, atol)
        if zero_a != zero_b:
            return Agreement(False, valid)
        if not zero_a:
            ratios.append(a / b)
    if not ratios:
        return Agreement(None, valid)
    same = all(close(r, ratios[0], rtol, atol) for r in ratios)
    if not same:
        return Agreement(False, valid)
    return Agreement(True if len(ratios) >= STRONG else None, valid)


def proportional_exactly(first: sympy.Eq, second: sympy.Eq, seed: int) -> bool | None:
    return proportional(exact_numbers(difference(first)), exact_numbers(difference(second)), seed)
