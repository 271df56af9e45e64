"""Form checks: whether a correct answer is also written expanded, factored or simplified.

The answer is read again as written (``parse(..., evaluate=False)``: ``2*(x+1)`` stays a
product), after the ordinary reading has bounded it. STACK's answer tests are the model:

- expanded (STACK's Expanded): no product or positive power has a sum as a factor,
  anywhere (``x^2 - a*x - b*x + a*b`` is expanded, ``2*(x-1)`` is not);
- factored (STACK's FacForm): a product of factors none of which can be factored further
  over the rationals; a factor with integer coefficients may not have a common factor
  (``2*(x+3)`` is factored, ``(x+2)*(2x+6)`` and ``x^2-1`` are not; ``x^2+1`` is);
- simplified: no arithmetic left that reading the answer does (``2/4``, ``2*x*3``,
  ``x + x``, ``x^2/x``), and a fraction in lowest terms (``(x^2-1)/(x-1)`` is not).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import gcd

import sympy

from gradelab.symbolic.exact import SMALL, exact_numbers, expansion_bound, in_child
from gradelab.symbolic.parse import parse

FORMS = ("expanded", "factored", "simplified")
SECONDS = 1.0
_WORDS = {
    "expanded": "expanded (multiply out every bracket)",
    "factored": "fully factored",
    "simplified": "simplified",
}


def _nodes(expr: sympy.Basic) -> Iterator[sympy.Basic]:
    yield from sympy.preorder_traversal(expr)


def _has_sum_factor(node: sympy.Basic) -> bool:
    """A product with a sum among its factors (other than -(sum)), or a sum to a positive
    integer power."""
    if node.is_Pow:
        return node.base.is_Add and node.exp.is_Integer and node.exp > 1
    if not node.is_Mul:
        return False
    factors = [f for f in node.args if f != -1]
    return len(factors) > 1 and any(
        f.is_Add or (f.is_Pow and f.base.is_Add and f.exp.is_positive) for f in factors
    )


def is_expanded(written: sympy.Basic) -> bool:
    return not any(_has_sum_factor(node) for node in _nodes(written))


def _factors(written: sympy.Basic) -> Iterator[sympy.Basic]:
    """The factors of a product as written, powers to their bases."""
    if written.is_Mul:
        for arg in written.args:
            yield from _factors(arg)
    elif written.is_Pow and written.exp.is_Integer and written.exp > 0:
        yield from _factors(written.base)
    else:
        yield written


def _irreducible(factor: sympy.Expr) -> bool:
    """Whether a factor cannot be factored further over the rationals."""
    value = exact_numbers(factor.doit())
    if value.is_number or value.is_Symbol or not value.free_symbols:
        return True
    if expansion_bound(value) > SMALL:
        return True  # too large to factor in time: not held against the answer
    try:
        poly = sympy.Poly(value)
    except sympy.PolynomialError:
        return True
    if any(gen.is_Pow and gen.exp.is_negative for gen in poly.gens):
        return False  # a sum with 1/x in it, such as x - 4 + 4/x
    if poly.domain.is_ZZ:
        coefficients = [int(c) for c in poly.coeffs()]
        if len(coefficients) > 1 and gcd(*coefficients) > 1:
            return False
    _, parts = sympy.factor_list(value)
    return len(parts) <= 1 and all(multiplicity == 1 for _, multiplicity in parts)


def is_factored(written: sympy.Basic) -> bool:
    return all(_irreducible(factor) for factor in _factors(written))


def _fraction_reducible(node: sympy.Basic) -> bool:
    """A written fraction of whole numbers with a common factor, such as 2/4."""
    if not node.is_Mul:
        return False
    numbers = [abs(int(f)) for f in node.args if f.is_Integer]
    divisors = [
        abs(int(f.base)) for f in node.args if f.is_Pow and f.base.is_Integer and f.exp == -1
    ]
    return any(gcd(p, q) > 1 for p in numbers for q in divisors)


def _leaves(expr: sympy.Basic) -> tuple[int, int]:
    """(occurrences of variables, numbers other than 1 and -1) in ``expr``."""
    symbols = numbers = 0
    for node in _nodes(expr):
        if node.is_Symbol or isinstance(node, sympy.Indexed):
            symbols += 1
        elif node.is_Number and node not in (1, -1):
            numbers += 1
    return symbols, numbers


def is_simplified(written: sympy.Basic) -> bool:
    value = written.doit()
    typed, evaluated = _leaves(written), _leaves(value)
    if typed[0] > evaluated[0] or typed[1] > evaluated[1]:
        return False
    if any(_fraction_reducible(node) for node in _nodes(written)):
        return False
    if expansion_bound(value) > SMALL:
        return True
    for node in _nodes(exact_numbers(value)):
        if node.is_Mul:
            numerator, denominator = sympy.fraction(node)
            if denominator != 1 and sympy.gcd(numerator, denominator) not in (1, -1):
                return False
    return True


CHECKS = {"expanded": is_expanded, "factored": is_factored, "simplified": is_simplified}


def in_form(text: str, variables: Sequence[str] | None, form: str) -> bool | None:
    """Whether the answer ``text`` (already read once) is in ``form``; None when that could
    not be decided within ``SECONDS`` (factoring can take long)."""
    written = parse(text, variables, evaluate=False).expr
    return in_child(CHECKS[form], [written], SECONDS)[0]


def form_feedback(form: str, verdict: bool | None) -> str:
    """What a right value in the wrong form (False), or an undecided form (None), is told."""
    if verdict is None:
        return (
            f"The value is right; whether it is {_WORDS[form]} could not be decided in time. "
            "It will be checked by hand."
        )
    return f"The value is right, but the answer is not {_WORDS[form]}."
