"""Public checks of ``mse_gradient``: the gradient of the mean squared error, by hand, with
sympy, and by central differences.

Each check compares an answer with the definition it comes from: finite differences of the
cost as the notebook defines it, or sympy's derivative of J(w, b). Nothing hidden is used;
the hidden tests try more cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from gradelab.student import (
    finite_difference_gradient,
    is_float_array,
    report,
    sympy_results,
    typed_results,
)

#: What students may type in the derivation answers: J(w, b) over data x_i, y_i, i = 1..n.
VARIABLES = ("w", "b", "n", "x_i", "y_i")
_w, _b, _n = sympy.symbols("w b n")
_i = sympy.symbols("i", integer=True)
_data_x, _data_y = sympy.IndexedBase("x"), sympy.IndexedBase("y")
COST = sympy.Sum((_w * _data_x[_i] + _b - _data_y[_i]) ** 2, (_i, 1, _n)) / _n
PARAMETERS = {"w": _w, "b": _b}


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """J(w) = (1/n) * ||X w - y||^2, the cost as the notebook defines it."""
    residual = X @ w - y
    return float(residual @ residual / len(y))


def check_compute_gradient(compute_gradient: Callable, seed: int = 0) -> None:
    """Check ``compute_gradient(X, y, w)`` against finite differences of J on small data."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(5), rng.normal(size=(5, 2))])
    y, w = rng.normal(size=5), rng.normal(size=3)
    result = compute_gradient(X, y, w)
    is_array = isinstance(result, np.ndarray)
    results = [
        (is_array, "returns a numpy array"),
        (is_array and result.shape == (3,), "has shape (d,) when X is n by d"),
        (is_array and result.dtype.kind == "f", "has a float dtype"),
    ]
    if is_array and result.shape == (3,):
        expected = finite_difference_gradient(lambda v: mse(X, y, v), w)
        close = np.allclose(result, expected, rtol=1e-4, atol=1e-6)
        flipped = np.allclose(result, -expected, rtol=1e-4, atol=1e-6)
        hint = " (it has the opposite sign)" if flipped else ""
        results.append((close, f"matches finite differences of J(w){hint}"))
    report(results)


def check_compute_gradient_wb(compute_gradient_wb: Callable, seed: int = 0) -> None:
    """Check ``compute_gradient_wb(x, y, w, b)`` against finite differences of J(w, b)."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=6), rng.normal(size=6)
    w, b = float(rng.normal()), float(rng.normal())
    result = compute_gradient_wb(x, y, w, b)
    is_pair = isinstance(result, tuple | list) and len(result) == 2
    results = [(is_pair, "returns a pair (dJ/dw, dJ/db)")]
    if is_pair:
        X = np.column_stack([x, np.ones_like(x)])
        expected = finite_difference_gradient(lambda v: mse(X, y, v), np.array([w, b]))
        close = np.allclose(np.asarray(result, dtype=float), expected, rtol=1e-4, atol=1e-6)
        results.append((close, "matches finite differences of J(w, b)"))
    report(results)


# -- the derivation: J(w, b) = (1/n) * sum (w x_i + b - y_i)^2 ------------------------------
def derivative_question(wrt: str) -> dict[str, Any]:
    """The question "dJ/d<wrt>": the expected answer, the claim to print, and for
    ``gradelab.symbolic.check`` the variables, the cost and the parameter."""
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
    report(
        sympy_results("dJ_dw", dJ_dw, **derivative_question("w"))
        + sympy_results("dJ_db", dJ_db, **derivative_question("b"))
    )


def check_typed_derivatives(dJ_dw_typed: object, dJ_db_typed: object) -> None:
    """Check that the typed answers are strings that read as the derivatives of J."""
    report(
        typed_results("dJ_dw_typed", dJ_dw_typed, **derivative_question("w"))
        + typed_results("dJ_db_typed", dJ_db_typed, **derivative_question("b"))
    )


# -- a gradient by central differences ------------------------------------------------------
def bowl(v: np.ndarray) -> float:
    """v . v, whose gradient is 2 v."""
    return float(np.dot(v, v))


def wavy(v: np.ndarray) -> float:
    """sum_j sin(v_j) + (v . v)^2 / 4: smooth, and not quadratic."""
    return float(np.sum(np.sin(v)) + np.dot(v, v) ** 2 / 4)


def wavy_gradient(v: np.ndarray) -> np.ndarray:
    """The exact gradient of ``wavy``: cos(v) + (v . v) v."""
    return np.cos(v) + np.dot(v, v) * v


#: The functions the grader can ask ``numerical_gradient`` about, by name.
SAMPLE_FUNCTIONS: dict[str, Callable[[np.ndarray], float]] = {"bowl": bowl, "wavy": wavy}


def check_numerical_gradient(numerical_gradient: Callable, seed: int = 0) -> None:
    """Check ``numerical_gradient(f, w, eps)`` on ``wavy``: against its exact gradient for a
    small eps, and against the central-difference formula for a large one."""
    w = np.random.default_rng(seed).normal(size=3)
    given = w.copy()
    result = numerical_gradient(wavy, given, 1e-5)
    shaped = is_float_array(result, (3,))
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
                is_float_array(large, (3,))
                and np.allclose(large, finite_difference_gradient(wavy, w, 0.5)),
                "with eps = 0.5, each entry is (f(w + eps e_j) - f(w - eps e_j)) / (2 eps)",
            ),
            (
                is_float_array(integer, (3,))
                and np.allclose(integer, wavy_gradient(np.array([1.0, -2.0, 3.0])), rtol=1e-6),
                "works when w holds integers (work on a float copy of w)",
            ),
        ]
    report(results)
