"""Polynomial identity testing: rational expressions compared exactly, modulo a large prime.

Two rational functions of the variables (sums, products, integer powers of them, exact
numbers) are equal when they take the same value at random points modulo the prime P.
If they differ, the numerator of their difference has some degree D, and by the
Schwartz-Zippel lemma a random point hides the difference with probability at most D/P;
``ROUNDS`` independent points make a wrong "equal" less likely than 1e-30. Each round is a
walk over the tree with integers below P, so ``(x-a)^6000`` or a degree-13 polynomial with
40-digit coefficients costs microseconds, not an expansion.
"""

from __future__ import annotations

import random

import sympy

PRIME = 2**127 - 1
ROUNDS = 3
#: Above this degree bound the error probability D/P is no longer negligible.
MAX_DEGREE = 2**60


class _NotRational(Exception):
    pass


def _degree(expr: sympy.Basic) -> int:
    """An upper bound on the degree of numerator and denominator of ``expr``."""
    if expr.is_Rational:
        return 0
    if expr.is_Symbol or isinstance(expr, sympy.Indexed):
        return 1
    if expr.is_Add or expr.is_Mul:
        return sum(_degree(arg) for arg in expr.args)
    if expr.is_Pow and expr.exp.is_Integer:
        return _degree(expr.base) * abs(int(expr.exp))
    raise _NotRational


def _value(expr: sympy.Basic, point: dict[sympy.Basic, int]) -> int:
    """``expr`` at ``point`` modulo PRIME; ZeroDivisionError when a denominator is 0 there."""
    if expr.is_Rational:
        return int(expr.p) * pow(int(expr.q), -1, PRIME) % PRIME
    if expr.is_Symbol or isinstance(expr, sympy.Indexed):
        return point[expr]
    if expr.is_Add:
        return sum(_value(arg, point) for arg in expr.args) % PRIME
    if expr.is_Mul:
        product = 1
        for arg in expr.args:
            product = product * _value(arg, point) % PRIME
        return product
    exponent = int(expr.exp)
    base = _value(expr.base, point)
    if exponent < 0:
        if base == 0:
            raise ZeroDivisionError
        return pow(pow(base, -1, PRIME), -exponent, PRIME)
    return pow(base, exponent, PRIME)


def _variables(first: sympy.Expr, second: sympy.Expr) -> list | None:
    """The variables to draw values for (each data item of a sum apart), or None when
    either side is not a rational expression or their degrees add up past ``MAX_DEGREE``."""
    try:
        degree = _degree(first) + _degree(second)
    except (_NotRational, TypeError):
        return None
    if degree > MAX_DEGREE:
        return None
    names = sorted(first.free_symbols | second.free_symbols, key=sympy.default_sort_key)
    if any(isinstance(name, sympy.IndexedBase) for name in names):
        names = [name for name in names if not isinstance(name, sympy.IndexedBase)]
        names += sorted(first.atoms(sympy.Indexed) | second.atoms(sympy.Indexed), key=str)
    return names


def identical(first: sympy.Expr, second: sympy.Expr, seed: int) -> bool | None:
    """True if the two rational expressions are equal, False if not, None if either is not
    a rational expression (a function, a root, a decimal, a sum over data) or too large."""
    names = _variables(first, second)
    if names is None:
        return None
    rng = random.Random(seed)
    rounds = 0
    for _ in range(4 * ROUNDS):
        point = {name: rng.randrange(PRIME) for name in names}
        try:
            if _value(first, point) != _value(second, point):
                return False
        except (ZeroDivisionError, ValueError):  # a denominator is 0 at this point
            continue
        rounds += 1
        if rounds == ROUNDS:
            return True
    return None


def proportional(first: sympy.Expr, second: sympy.Expr, seed: int) -> bool | None:
    """Whether ``first`` is a nonzero constant multiple of ``second`` (two rational
    expressions): ``first * b == second * a`` where a, b are their values at one random
    point. None when either is not a rational expression."""
    if identical(first, sympy.S.Zero, seed) or identical(second, sympy.S.Zero, seed):
        return bool(identical(first, second, seed))
    names = _variables(first, second)
    if names is None:
        return None
    rng = random.Random(seed)
    for _ in range(4 * ROUNDS):
        point = {name: rng.randrange(PRIME) for name in names}
        try:
            a, b = _value(first, point), _value(second, point)
        except (ZeroDivisionError, ValueError):
            continue
        if (a == 0) != (b == 0):
            return False
        if a:
            return identical(first * b, second * a, seed + 1)
    return None
