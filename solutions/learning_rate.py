"""Reference solutions for ``learning_rate``: what the step size does to a run.

For J(w) = (1/n) * ||X w - y||^2 the Hessian H = (2/n) X^T X is constant and the error
e_k = w_k - w* obeys e_{k+1} = (I - alpha H) e_k. A run is judged from its path, in order:

1. "diverging": J at the end is above J at the start, or is not a finite number;
2. "oscillating": before it reaches the tolerance (or in the whole run, if it never does),
   some step points against the step before it (a negative dot product);
3. "converging": it reaches the tolerance, J_k - J* <= tol * (J_0 - J*);
4. "too slow": it does not.
"""

from __future__ import annotations

import numpy as np
from checks import (
    NUM_STEPS,
    RATES,
    TOL,
    best_cost,
    course_data,
)


def costs(X: np.ndarray, y: np.ndarray, path: np.ndarray) -> np.ndarray:
    """J(w_k) for each row w_k of ``path`` (inf where the run has overflowed)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residuals = np.asarray(path, dtype=float) @ np.asarray(X, dtype=float).T - np.asarray(y)
        return np.mean(residuals**2, axis=1)


def descent_path(
    X: np.ndarray, y: np.ndarray, w0: np.ndarray, learning_rate: float, num_steps: int
) -> np.ndarray:
    """w_0, ..., w_num_steps of gradient descent, one per row."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    path = [np.asarray(w0, dtype=float)]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            w = path[-1]
            path.append(w - learning_rate * (2.0 / len(y)) * X.T @ (X @ w - y))
    return np.array(path)


def steps_to_reach(X: np.ndarray, y: np.ndarray, path: np.ndarray, tol: float) -> int | None:
    """The first k with J(w_k) - J* <= tol * (J(w_0) - J*), or None if there is none."""
    excess = costs(X, y, path) - best_cost(X, y)
    reached = np.flatnonzero(excess <= tol * excess[0])
    return int(reached[0]) if reached.size else None


def reverses(path: np.ndarray) -> bool:
    """Whether some step of ``path`` points against the step before it."""
    steps = np.diff(path, axis=0)
    return bool(np.any(np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0))


def classify_run(X: np.ndarray, y: np.ndarray, path: np.ndarray, tol: float) -> str:
    """'diverging', 'oscillating', 'converging' or 'too slow', by the rules above."""
    path = np.asarray(path, dtype=float)
    first, last = costs(X, y, path[[0, -1]])
    if not np.isfinite(last) or last > first:
        return "diverging"
    reached = steps_to_reach(X, y, path, tol)
    if reverses(path if reached is None else path[: reached + 1]):
        return "oscillating"
    return "too slow" if reached is None else "converging"


def largest_stable_rate(X: np.ndarray) -> float:
    """2 / lambda_max of the Hessian H = (2/n) X^T X."""
    X = np.asarray(X, dtype=float)
    return float(2.0 / np.linalg.eigvalsh((2.0 / len(X)) * X.T @ X)[-1])


def standardize(X: np.ndarray) -> np.ndarray:
    """Keep the column of ones; give every other column mean 0 and standard deviation 1."""
    X = np.asarray(X, dtype=float)
    features = X[:, 1:]
    return np.column_stack([X[:, 0], (features - features.mean(axis=0)) / features.std(axis=0)])


def course_labels() -> list[str]:
    """The label of each rate in ``RATES`` on the course data, from w = 0, NUM_STEPS steps."""
    X, y = course_data()
    start = np.zeros(X.shape[1])
    return [classify_run(X, y, descent_path(X, y, start, r, NUM_STEPS), TOL) for r in RATES]


def steps_at_half_stable_rate(X: np.ndarray, y: np.ndarray) -> int | None:
    """Steps to reach TOL from w = 0 at alpha = 1 / lambda_max, within NUM_STEPS."""
    rate = largest_stable_rate(X) / 2
    return steps_to_reach(X, y, descent_path(X, y, np.zeros(X.shape[1]), rate, NUM_STEPS), TOL)
