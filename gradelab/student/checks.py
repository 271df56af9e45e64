"""Public checks that students run in their notebooks for immediate feedback.

Nothing hidden lives here: a check compares the student's function with the definition it
is asked to differentiate (a finite-difference gradient of the stated cost), on small random
data, and reports what passed and what to look at. Passing the public checks does not
guarantee full marks; the hidden tests try more cases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

PASS, FAIL = "\u2714", "\u2718"


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """J(w) = (1/n) * ||X w - y||^2, the cost as the notebook defines it."""
    residual = X @ w - y
    return float(residual @ residual / len(y))


def finite_difference_gradient(
    cost: Callable[[np.ndarray], float], w: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences, one coordinate at a time."""
    gradient = np.zeros_like(w, dtype=float)
    for j in range(len(w)):
        step = np.zeros_like(w, dtype=float)
        step[j] = eps
        gradient[j] = (cost(w + step) - cost(w - step)) / (2 * eps)
    return gradient


class CheckFailed(AssertionError):
    """A public check failed; the message says what to look at."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message alone, in red."""
        return [f"\x1b[31mCheckFailed: {self}\x1b[0m"]


def _report(results: list[tuple[bool, str]]) -> None:
    for passed, text in results:
        print(f"{PASS if passed else FAIL} {text}")
    failed = [text for passed, text in results if not passed]
    if failed:
        raise CheckFailed(f"{len(failed)} public check(s) failed: {failed[0]}")
    print("All public checks passed. The hidden tests try more cases.")


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
        expected = finite_difference_gradient(lambda v: mse(X, y, v), w.astype(float))
        close = np.allclose(result, expected, rtol=1e-4, atol=1e-6)
        flipped = np.allclose(result, -expected, rtol=1e-4, atol=1e-6)
        hint = " (it has the opposite sign)" if flipped else ""
        results.append((close, f"matches finite differences of J(w){hint}"))
    _report(results)


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
    _report(results)
