"""Public checks of ``gradients``: slope, derivative, gradient, steepest ascent, one step.

Each check compares an answer with the definition it comes from: the limit of the secant
slope, the partial derivatives, finite differences of the function, or what one step must
do to the cost. Multiple-choice answers are only checked for their form. Nothing hidden is
used; the hidden tests try more cases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy

from gradelab.student import (
    Result,
    finite_difference_gradient,
    is_float_array,
    report,
    typed_results,
)
from gradelab.symbolic import ParseError, parse

#: What students may type in each typed answer.
SLOPE_VARIABLES = ("x", "h")
GRADIENT_VARIABLES = ("x", "y")
UPDATE_VARIABLES = ("theta", "alpha", "grad")
_x, _y, _h = sympy.symbols("x y h")
_SECANT = ((_x + _h) ** 2 - _x**2) / _h


def stretched_bowl(point: np.ndarray) -> float:
    """f(x, y) = x^2 + 4 y^2: a bowl four times steeper in y than in x."""
    x, y = point
    return float(x**2 + 4 * y**2)


def check_slope_answers(secant_slope: object, derivative: object) -> None:
    """Check the typed secant slope of x^2 between x and x + h, and its limit as h -> 0."""
    question = {"variables": SLOPE_VARIABLES}
    report(
        typed_results(
            "secant_slope", secant_slope, _SECANT, "equals ((x + h)^2 - x^2) / h", **question
        )
        + typed_results(
            "derivative",
            derivative,
            sympy.limit(_SECANT, _h, 0),
            "equals the limit of the secant slope as h goes to 0",
            **question,
        )
    )


def check_gradient_answer(gradient_typed: object) -> None:
    """Check the typed gradient of x^2 + y^2 against its partial derivatives."""
    f = _x**2 + _y**2
    partials = sympy.Matrix([sympy.diff(f, _x), sympy.diff(f, _y)])
    claim = "equals [df/dx, df/dy]"
    report(
        typed_results(
            "gradient_typed", gradient_typed, partials, claim, variables=GRADIENT_VARIABLES
        )
    )


def _lowers_the_cost(text: str) -> list[Result]:
    """Whether the rule reads, uses its three names, and steps downhill on J = theta^2."""
    try:
        parsed = parse(text, UPDATE_VARIABLES)
    except ParseError as error:
        return [(False, f"update_rule can be read ({error})")]
    names = parsed.vocabulary.scalars
    given = {names["theta"]: 1, names["alpha"]: sympy.Rational(1, 10), names["grad"]: 2}
    new = parsed.expr.subs(given)
    lower = isinstance(new, sympy.Expr) and bool(new.is_extended_real and new**2 < 1)
    return [
        (set(parsed.symbols) == set(UPDATE_VARIABLES), "update_rule uses theta, alpha and grad"),
        (lower, "from theta = 1, with alpha = 1/10 and grad = 2, it lowers J(theta) = theta^2"),
    ]


def check_update_rule(update_rule: object) -> None:
    """Check that the typed update rule reads, uses theta, alpha and grad, and lowers the
    cost J(theta) = theta^2 for a small learning rate (it is not compared with the answer)."""
    is_text = isinstance(update_rule, str)
    report(
        [(is_text, "update_rule is a string"), *(_lowers_the_cost(update_rule) if is_text else [])]
    )


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def check_steepest_ascent(steepest_ascent: Callable, seed: int = 0) -> None:
    """Check ``steepest_ascent(point)`` against the normalized finite-difference gradient of
    the stretched bowl, and the zero vector at its minimum."""
    points = np.random.default_rng(seed).normal(size=(3, 2))
    found = [steepest_ascent(point.copy()) for point in points]
    shaped = all(is_float_array(value, (2,)) for value in found)
    results = [(shaped, "returns a float numpy array of 2 entries")]
    if shaped:
        expected = [_unit(finite_difference_gradient(stretched_bowl, p)) for p in points]
        at_minimum = steepest_ascent(np.zeros(2))
        results += [
            (all(np.isclose(np.linalg.norm(v), 1.0) for v in found), "has length 1"),
            (
                all(np.allclose(v, e, atol=1e-6) for v, e in zip(found, expected, strict=True)),
                "points along the gradient of f (from finite differences)",
            ),
            (
                is_float_array(at_minimum, (2,)) and np.allclose(at_minimum, 0.0),
                "is the zero vector at the minimum (0, 0), where no way is up",
            ),
        ]
    report(results)


def check_descent_step(descent_step: Callable, seed: int = 0) -> None:
    """Check that ``descent_step(point, learning_rate)`` lowers the stretched bowl and moves
    by the learning rate times its finite-difference gradient."""
    points, rate = np.random.default_rng(seed).normal(size=(3, 2)), 0.05
    found = [descent_step(point.copy(), rate) for point in points]
    shaped = all(is_float_array(value, (2,)) for value in found)
    results = [(shaped, "returns a new point: a float numpy array of 2 entries")]
    if shaped:
        expected = [p - rate * finite_difference_gradient(stretched_bowl, p) for p in points]
        lower = all(
            stretched_bowl(v) < stretched_bowl(p) for v, p in zip(found, points, strict=True)
        )
        results += [
            (lower, f"lowers f with learning rate {rate}"),
            (
                all(np.allclose(v, e, atol=1e-6) for v, e in zip(found, expected, strict=True)),
                "moves to point - learning_rate * gradient (from finite differences)",
            ),
        ]
    report(results)
