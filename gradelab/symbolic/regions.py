"""Points on every side of the kinks of abs() and sign(), for answers in one variable.

Agreement at random points shows that two analytic expressions are equal; abs(u) and
sign(u) are analytic only where u keeps its sign, so two answers may agree on one side of
a kink and differ on the other (``abs(x-5)`` and ``5-x``). When every kink is a polynomial
u(x) of small degree with rational coefficients, its real roots cut the line into regions
in which both answers are analytic; points in each region then check each piece.
"""

from __future__ import annotations

import random

import sympy

from gradelab.symbolic.numeric import Point

MAX_DEGREE = 8
MAX_KINKS = 10
PER_REGION = 3


def _kinks(expr: sympy.Basic) -> list[sympy.Expr] | None:
    found = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Abs | sympy.sign):
            found.append(node.args[0])
        elif isinstance(node, sympy.floor | sympy.ceiling | sympy.Min | sympy.Max):
            return None
    return found


def region_points(first: sympy.Expr, second: sympy.Expr, seed: int) -> list[Point] | None:
    """Points in each region between the real roots of the kinks of the two, or None when
    they are not in one scalar variable with polynomial kinks (of degree up to 8)."""
    symbols = first.free_symbols | second.free_symbols
    kinks = [_kinks(first), _kinks(second)]
    if len(symbols) != 1 or None in kinks or first.has(sympy.Sum) or second.has(sympy.Sum):
        return None
    (x,) = symbols
    arguments = set(kinks[0] + kinks[1])
    if not isinstance(x, sympy.Symbol) or len(arguments) > MAX_KINKS:
        return None
    roots: set[float] = set()
    for argument in arguments:
        if not argument.is_polynomial(x):
            return None
        poly = sympy.Poly(argument, x)
        if poly.degree() > MAX_DEGREE or not (poly.domain.is_ZZ or poly.domain.is_QQ):
            return None
        roots.update(float(root) for root in poly.real_roots())
    cuts = sorted(roots)
    rng = random.Random(seed)
    values: list[float] = []
    if not cuts:
        cuts = [0.0]
    for low, high in zip(cuts, cuts[1:], strict=False):
        values += [low + (high - low) * rng.uniform(0.1, 0.9) for _ in range(PER_REGION)]
    values += [cuts[0] - rng.uniform(0.1, 3.0) for _ in range(PER_REGION)]
    values += [cuts[-1] + rng.uniform(0.1, 3.0) for _ in range(PER_REGION)]
    return [Point({x: complex(value)}, {}) for value in values]
