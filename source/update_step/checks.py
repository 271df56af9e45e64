"""Public data and checks of ``update_step``: one update by hand, a descent loop, two fits.

The data sets are the course's (study hours and exam scores; five houses); each student's
update table comes from ``gradelab.student.variant_rng``, so the notebook and the hidden
tests draw the same numbers for the same id. The checks compare a student's answers with the
definitions (the update rule, finite differences of J, a zero gradient at the minimum),
never with hidden numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradelab.student import (
    PRACTICE_ID,
    finite_difference_gradient,
    is_number,
    numbers_id,
    report,
    variant_rng,
)

STUDY_HOURS = np.array([1, 2, 3, 4, 5, 6, 7, 8])
STUDY_SCORES = np.array([45, 55, 60, 70, 80, 85, 88, 92])
# One house per row: bedrooms, bathrooms, square feet.
HOUSE_FEATURES = np.array([[2, 1, 1000], [3, 2, 1500], [4, 2, 1800], [3, 3, 2000], [5, 4, 3000]])
HOUSE_PRICES = np.array([250000, 380000, 450000, 520000, 750000])
FIT_TOLERANCE = 1e-9


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """J(w) = (1/n) * ||X w - y||^2."""
    residual = X @ w - y
    return float(residual @ residual / len(y))


TABLE_KEY = "update_step"
TABLE_PARAMETERS = ("β₀ (intercept)", "β₁ (TV spend)", "β₂ (radio spend)")
TABLE_LEARNING_RATES = (0.5, 0.2, 0.1, 0.05, 0.01)


@dataclass(frozen=True)
class UpdateTable:
    """One gradient-descent step to work out: old values, gradients and a learning rate."""

    owner: str
    old: np.ndarray
    gradient: np.ndarray
    learning_rate: float

    def _repr_markdown_(self) -> str:
        note = " (practice numbers: they are not graded)" if self.owner == PRACTICE_ID else ""
        rows = [
            f"Numbers of **{self.owner}**{note}",
            "",
            "| parameter | old value | gradient | learning rate | new value |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, old, gradient in zip(TABLE_PARAMETERS, self.old, self.gradient, strict=True):
            rows.append(f"| {name} | {old:g} | {gradient:g} | {self.learning_rate:g} | ? |")
        return "\n".join(rows)


def update_table(course_id: str, student_id: object) -> UpdateTable:
    """The update-step table of ``student_id`` (of ``PRACTICE_ID`` when it is empty).

    Old values and gradients have one decimal and no gradient is zero, so the new values can
    be worked out by hand exactly.
    """
    owner = numbers_id(student_id)
    rng = variant_rng(course_id, TABLE_KEY, owner)
    size = len(TABLE_PARAMETERS)
    old = rng.integers(-40, 41, size=size) / 10
    gradient = rng.choice([-1, 1], size=size) * rng.integers(1, 100, size=size) / 10
    learning_rate = float(rng.choice(TABLE_LEARNING_RATES))
    return UpdateTable(owner, old, gradient, learning_rate)


def check_update_table(table: UpdateTable, *new_values: float) -> None:
    """Check each new value against old value - learning rate * gradient of ``table``."""
    results = []
    for name, old, gradient, new in zip(
        TABLE_PARAMETERS, table.old, table.gradient, new_values, strict=True
    ):
        step = table.learning_rate * gradient
        right = is_number(new) and np.isclose(new, old - step, rtol=1e-9, atol=1e-9)
        uphill = is_number(new) and np.isclose(new, old + step, rtol=1e-9, atol=1e-9)
        hint = " (it moved uphill: subtract the step, do not add it)" if uphill else ""
        results.append((right, f"{name}: old value - learning rate x gradient{hint}"))
    report(results)


def small_problem(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(6), rng.normal(size=(6, 2))])
    return X, rng.normal(size=6), rng.normal(size=3)


def check_gradient_descent(gradient_descent: Callable, seed: int = 0) -> None:
    """Check ``gradient_descent(X, y, w0, learning_rate, num_steps)`` on small data."""
    X, y, w0 = small_problem(seed)
    rate, steps = 0.05, 4
    result = gradient_descent(X, y, w0.copy(), rate, steps)
    is_pair = isinstance(result, tuple) and len(result) == 2
    results = [(is_pair, "returns a pair (w, cost_history)")]
    if is_pair:
        w, history = result
        w_ok = isinstance(w, np.ndarray) and w.shape == (3,) and w.dtype.kind == "f"
        h_ok = isinstance(history, np.ndarray) and history.shape == (steps + 1,)
        results += [
            (w_ok, "w is a float numpy array of shape (d,)"),
            (h_ok, "cost_history is a numpy array of num_steps + 1 costs"),
        ]
        if w_ok and h_ok:
            results += [
                (np.isclose(history[0], mse(X, y, w0)), "cost_history[0] is J(w0)"),
                (np.isclose(history[-1], mse(X, y, w)), "cost_history[-1] is J(w) at the end"),
                (bool(np.all(np.diff(history) < 0)), "the cost falls at every step here"),
            ]
        one_step, _ = gradient_descent(X, y, w0.copy(), rate, 1)
        expected = w0 - rate * finite_difference_gradient(lambda v: mse(X, y, v), w0)
        close = np.allclose(one_step, expected, rtol=1e-5, atol=1e-7)
        results.append((close, "one step is w0 - learning_rate * (finite-difference gradient)"))
    report(results)


def standardized_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The gradient of J at the predictions X w, in standardized feature units (so that no
    column's scale hides a large component); X's first column is the intercept."""
    features = X[:, 1:]
    Z = np.column_stack([np.ones(len(X)), (features - features.mean(0)) / features.std(0)])
    return (2 / len(y)) * Z.T @ (X @ w - y)


def with_intercept(features: np.ndarray) -> np.ndarray:
    """A design matrix: a leading column of ones, then the feature columns."""
    features = np.asarray(features, dtype=float).reshape(len(features), -1)
    return np.column_stack([np.ones(len(features)), features])


def check_fit(features: np.ndarray, y: np.ndarray, w: object) -> None:
    """Check that ``w`` minimizes J(w) = (1/n)||X w - y||^2 for X = [1, features]: the
    gradient of J there is zero."""
    X, y = with_intercept(features), np.asarray(y, dtype=float)
    shaped = isinstance(w, np.ndarray) and w.shape == (X.shape[1],)
    results = [(shaped, "w is a numpy array: the intercept, then one weight per feature")]
    if shaped:
        start = np.linalg.norm(standardized_gradient(X, y, np.zeros(X.shape[1])))
        ratio = np.linalg.norm(standardized_gradient(X, y, w)) / start
        results.append(
            (
                bool(ratio <= FIT_TOLERANCE),
                "the gradient of J at w is close to zero (if not: more steps, a larger rate, "
                "or check that w is in the units of the data)",
            )
        )
    report(results)


def check_study_fit(study_w: object) -> None:
    """Check ``study_w`` = (intercept, slope) of score against hours."""
    check_fit(STUDY_HOURS, STUDY_SCORES, study_w)


def check_house_fit(house_w: object) -> None:
    """Check ``house_w`` = (base price, per bedroom, per bathroom, per square foot)."""
    check_fit(HOUSE_FEATURES, HOUSE_PRICES, house_w)
