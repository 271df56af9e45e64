"""Public checks for symbolic answers and gradients, for the notebooks ``mse_gradient``
(dJ/dw and dJ/db built with sympy and typed by hand, a gradient by central differences) and
``gradients`` (slope, derivative, gradient, steepest ascent, one step of descent).

Each check compares an answer with the definition it comes from: sympy's derivative of the
cost as the notebook defines it, the limit of the secant slope, finite differences of the
function, or what one step must do to the cost. Multiple-choice answers are only checked
for their form. Nothing hidden is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from gradelab.student.checks import _report, finite_difference_gradient
from gradelab.symbolic import ParseError, check, parse

Result = tuple[bool, str]

# -- mse_gradient: J(w, b) = (1/n) * sum (w x_i + b - y_i)^2 --------------------------------
VARIABLES = ("w", "b", "n", "x_i", "y_i")
_w, _b, _n = sympy.symbols("w b n")
_i = sympy.symbols("i", integer=True)
_data_x, _data_y = sympy.IndexedBase("x"), sympy.IndexedBase("y")
COST = sympy.Sum((_w * _data_x[_i] + _b - _data_y[_i]) ** 2, (_i, 1, _n)) / _n
PARAMETERS = {"w": _w, "b": _b}


def bowl(v: np.ndarray) -> float:
    """v . v, whose gradient is 2 v."""
    return float(np.dot(v, v))


def wavy(v: np.ndarray) -> float:
    """sum_j sin(v_j) + (v . v)^2 / 4: smooth, and not quadratic."""
    return float(np.sum(np.sin(v)) + np.dot(v, v) ** 2 / 4)


def wavy_gradient(v: np.ndarray) -> np.ndarray:
    """The exact gradient of ``wavy``: cos(v) + (v . v) v."""
    return np.cos(v) + np.dot(v, v) * v


SAMPLE_FUNCTIONS: dict[str, Callable[[np.ndarray], float]] = {"bowl": bowl, "wavy": wavy}


def _agrees(name: str, text: str, expected: Any, claim: str, **question: Any) -> Result:
    """Whether ``text`` reads as ``expected``, with what is wrong when it does not."""
    result = check(text, expected, **question)
    detail = "" if result.correct else f" ({result.feedback})"
    return bool(result.correct), f"{name} {claim}{detail}"


def _typed(name: str, value: object, expected: Any, claim: str, **question: Any) -> list[Result]:
    """A string that reads as ``expected``."""
    is_text = isinstance(value, str)
    results = [(is_text, f"{name} is a string")]
    if is_text:
        results.append(_agrees(name, value, expected, claim, **question))
    return results


def _derivative_of_cost(wrt: str) -> dict[str, Any]:
    """The question "dJ/d<wrt>": the expected answer, the claim to print, and for ``check``
    the variables, the cost and the parameter."""
    return {
        "expected": sympy.diff(COST, PARAMETERS[wrt]),
        "claim": f"equals dJ/d{wrt}, the derivative of J",
        "variables": VARIABLES,
        "cost": COST,
        "wrt": wrt,
    }


def check_sympy_derivatives(dJ_dw: object, dJ_db: object) -> None:
    """Check that ``dJ_dw`` and ``dJ_db`` are sympy expressions equal to sympy's
    derivatives of J."""
    results = []
    for name, value, wrt in (("dJ_dw", dJ_dw, "w"), ("dJ_db", dJ_db, "b")):
        is_sympy = isinstance(value, sympy.Basic)
        results.append((is_sympy, f"{name} is a sympy expression"))
        if is_sympy:
            results.append(_agrees(name, sympy.sstr(value), **_derivative_of_cost(wrt)))
    _report(results)


def check_typed_derivatives(dJ_dw_typed: object, dJ_db_typed: object) -> None:
    """Check that the typed answers are strings that read as the derivatives of J."""
    results = []
    for name, value, wrt in (("dJ_dw_typed", dJ_dw_typed, "w"), ("dJ_db_typed", dJ_db_typed, "b")):
        results += _typed(name, value, **_derivative_of_cost(wrt))
    _report(results)


def _is_float_vector(value: object, size: int) -> bool:
    return isinstance(value, np.ndarray) and value.shape == (size,) and value.dtype.kind == "f"


def check_numerical_gradient(numerical_gradient: Callable, seed: int = 0) -> None:
    """Check ``numerical_gradient(f, w, eps)`` on ``wavy``: against its exact gradient for a
    small eps, and against the central-difference formula for a large one."""
    w = np.random.default_rng(seed).normal(size=3)
    given = w.copy()
    result = numerical_gradient(wavy, given, 1e-5)
    shaped = _is_float_vector(result, 3)
    results = [
        (shaped, "returns a float numpy array shaped like w"),
        (np.array_equal(given, w), "leaves w unchanged"),
    ]
    if shaped:
        large = numerical_gradient(wavy, w.copy(), 0.5)
        integer = numerical_gradient(wavy, np.array([1, -2, 3]), 1e-5)
        results += [
            (
                np.allclose(result, wavy_gradient(w), rtol=1e-6, atol=1e-8),
                "matches the exact gradient when eps is small",
            ),
            (
                _is_float_vector(large, 3)
                and np.allclose(large, finite_difference_gradient(wavy, w, 0.5)),
                "with eps = 0.5, each entry is (f(w + eps e_j) - f(w - eps e_j)) / (2 eps)",
            ),
            (
                _is_float_vector(integer, 3)
                and np.allclose(integer, wavy_gradient(np.array([1.0, -2.0, 3.0])), rtol=1e-6),
                "works when w holds integers (work on a float copy of w)",
            ),
        ]
    _report(results)


# -- gradients: f(x) = x^2, f(x, y) = x^2 + y^2, the stretched bowl x^2 + 4 y^2 ------------
SLOPE_VARIABLES = ("x", "h")
GRADIENT_VARIABLES = ("x", "y")
UPDATE_VARIABLES = ("theta", "alpha", "grad")
CHOICE_LETTERS = ("a", "b", "c", "d")
_x, _y, _h = sympy.symbols("x y h")
_SECANT = ((_x + _h) ** 2 - _x**2) / _h


def stretched_bowl(point: np.ndarray) -> float:
    """f(x, y) = x^2 + 4 y^2: a bowl four times steeper in y than in x."""
    x, y = point
    return float(x**2 + 4 * y**2)


def check_slope_answers(secant_slope: object, derivative: object) -> None:
    """Check the typed secant slope of x^2 between x and x + h, and its limit as h -> 0."""
    question = {"variables": SLOPE_VARIABLES}
    _report(
        _typed("secant_slope", secant_slope, _SECANT, "equals ((x + h)^2 - x^2) / h", **question)
        + _typed(
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
    _report(_typed("gradient_typed", gradient_typed, partials, claim, variables=GRADIENT_VARIABLES))


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
    _report(
        [(is_text, "update_rule is a string"), *(_lowers_the_cost(update_rule) if is_text else [])]
    )


def check_choices(**answers: object) -> None:
    """Check that each answer is one of the letters a, b, c, d (not whether it is right)."""
    _report(
        [
            (
                isinstance(answer, str) and answer.strip().lower() in CHOICE_LETTERS,
                f"{name} is one of the letters {', '.join(CHOICE_LETTERS)}",
            )
            for name, answer in answers.items()
        ]
    )


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def check_steepest_ascent(steepest_ascent: Callable, seed: int = 0) -> None:
    """Check ``steepest_ascent(point)`` against the normalized finite-difference gradient of
    the stretched bowl, and the zero vector at its minimum."""
    points = np.random.default_rng(seed).normal(size=(3, 2))
    found = [steepest_ascent(point.copy()) for point in points]
    shaped = all(_is_float_vector(value, 2) for value in found)
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
                _is_float_vector(at_minimum, 2) and np.allclose(at_minimum, 0.0),
                "is the zero vector at the minimum (0, 0), where no way is up",
            ),
        ]
    _report(results)


def check_descent_step(descent_step: Callable, seed: int = 0) -> None:
    """Check that ``descent_step(point, learning_rate)`` lowers the stretched bowl and moves
    by the learning rate times its finite-difference gradient."""
    points, rate = np.random.default_rng(seed).normal(size=(3, 2)), 0.05
    found = [descent_step(point.copy(), rate) for point in points]
    shaped = all(_is_float_vector(value, 2) for value in found)
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
    _report(results)
