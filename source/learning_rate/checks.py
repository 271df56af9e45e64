"""Public data and checks of ``learning_rate``: how the step size decides what a run does.

The checks use paths and matrices whose behaviour is known by construction (a path that
halves its distance to the minimum each step, a matrix whose eigenvalues can be read off),
and the student's own functions for consistency; never hidden numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradelab.student import finite_difference_gradient, report


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """J(w) = (1/n) * ||X w - y||^2."""
    residual = X @ w - y
    return float(residual @ residual / len(y))


LABELS = ("too slow", "converging", "oscillating", "diverging")
RATES = (0.0001, 0.001, 0.01, 0.02, 0.1, 0.5)
TOL = 1e-6
NUM_STEPS = 2000
STEP_BUDGET = 800


def course_data() -> tuple[np.ndarray, np.ndarray]:
    """The course's data set, x = 1, ..., 10 and y = 2.5 x + 5 plus seeded noise, as the
    design matrix [1, x] and the targets y."""
    x = np.arange(1, 11, dtype=float)
    noise = np.random.RandomState(42).randn(len(x))
    return np.column_stack([np.ones(len(x)), x]), 2.5 * x + 5 + 2 * noise


def best_cost(X: np.ndarray, y: np.ndarray) -> float:
    """J* = min J(w), reached at the least-squares solution of X w = y."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    return mse(X, y, np.linalg.lstsq(X, y, rcond=None)[0])


def check_descent_path(descent_path: Callable, seed: int = 0) -> None:
    """Check ``descent_path(X, y, w0, learning_rate, num_steps)`` against finite differences."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(6), rng.normal(size=(6, 2))])
    y, w0, rate = rng.normal(size=6), rng.normal(size=3), 0.1
    path = descent_path(X, y, w0.copy(), rate, 3)
    shaped = isinstance(path, np.ndarray) and path.shape == (4, 3) and path.dtype.kind == "f"
    results = [(shaped, "returns a float array with num_steps + 1 rows, one column per weight")]
    if shaped:
        steps_ok = all(
            np.allclose(
                path[k + 1],
                path[k] - rate * finite_difference_gradient(lambda v: mse(X, y, v), path[k]),
                rtol=1e-5,
                atol=1e-7,
            )
            for k in range(3)
        )
        results += [
            (np.allclose(path[0], w0), "row 0 is w0"),
            (steps_ok, "each row is the row before minus learning_rate * gradient"),
        ]
    none = descent_path(X, y, w0.copy(), rate, 0)
    results.append((np.shape(none) == (1, 3), "with num_steps = 0 it returns w0 alone, as one row"))
    report(results)


def line_path(ratio: float, num_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A problem with minimum w* = 1 and the path w_k = 1 - ratio**k: its distance to w* is
    multiplied by ``ratio`` each step, so its excess cost by ratio**2."""
    X, y = np.ones((2, 1)), np.ones(2)
    return X, y, (1 - ratio ** np.arange(num_steps + 1))[:, None]


def is_count(value: object, expected: int) -> bool:
    return isinstance(value, int | np.integer) and value == expected


def check_steps_to_reach(steps_to_reach: Callable) -> None:
    """Check ``steps_to_reach(X, y, path, tol)`` on paths whose progress is known."""
    X, y, halving = line_path(0.5, 10)
    _, _, stalled = line_path(0.99, 10)
    at_minimum = np.ones((3, 1))
    results = [
        (
            is_count(steps_to_reach(X, y, halving, 0.01), 4),
            "a path whose excess cost is divided by 4 each step reaches 0.01 at step 4",
        ),
        (steps_to_reach(X, y, stalled, 0.01) is None, "a path that never gets there gives None"),
        (
            is_count(steps_to_reach(X, y, at_minimum, 0.01), 0),
            "a path that starts at the minimum gives 0",
        ),
    ]
    report(results)


def check_classify_run(classify_run: Callable) -> None:
    """Check ``classify_run(X, y, path, tol)`` on paths that behave as each label says."""
    cases = {
        "too slow": (0.99, 20),
        "converging": (0.5, 40),
        "oscillating": (-0.5, 40),
        "diverging": (-1.5, 20),
    }
    results = []
    for label, (ratio, num_steps) in cases.items():
        X, y, path = line_path(ratio, num_steps)
        got = classify_run(X, y, path, 1e-6)
        results.append((got == label, f"a path with w_k - w* = -({ratio:g})^k is {label!r}"))
    report(results)


def check_largest_stable_rate(largest_stable_rate: Callable) -> None:
    """Check ``largest_stable_rate(X)`` on matrices whose Hessian can be read off."""
    orthogonal = np.tile([[1.0, 1.0], [1.0, -1.0]], (2, 1))  # (2/n) X^T X = 2 I
    diagonal = np.tile([[3.0, 0.0], [0.0, 1.0]], (2, 1))  # (2/n) X^T X = diag(9, 1)
    results = [
        (np.isclose(largest_stable_rate(orthogonal), 1.0), "2 / lambda_max is 1 when H = 2 I"),
        (
            np.isclose(largest_stable_rate(diagonal), 2 / 9),
            "2 / lambda_max is 2/9 when H = diag(9, 1)",
        ),
    ]
    report(results)


def check_course_rates(
    rate_labels: Sequence[str],
    chosen_rate: float,
    descent_path: Callable,
    steps_to_reach: Callable,
    largest_stable_rate: Callable,
) -> None:
    """Check the labels of ``RATES`` and ``chosen_rate`` with your own functions."""
    X, y = course_data()
    limit = largest_stable_rate(X)
    labels_ok = len(rate_labels) == len(RATES) and all(label in LABELS for label in rate_labels)
    results = [(labels_ok, "rate_labels has one of the four labels for each rate in RATES")]
    if labels_ok:
        consistent = all(
            (label == "diverging") == (rate > limit)
            for rate, label in zip(RATES, rate_labels, strict=True)
        )
        results.append((consistent, "exactly the rates above 2 / lambda_max are 'diverging'"))
    usable = isinstance(chosen_rate, int | float) and 0 < chosen_rate < limit
    results.append((usable, "chosen_rate is a positive number below 2 / lambda_max"))
    if usable:
        path = descent_path(X, y, np.zeros(X.shape[1]), chosen_rate, STEP_BUDGET)
        reached = steps_to_reach(X, y, path, TOL) is not None
        results.append((reached, "with your descent_path it reaches TOL within STEP_BUDGET"))
    report(results)


def check_standardize(standardize: Callable, seed: int = 0) -> None:
    """Check ``standardize(X)``: the column of ones stays, the others get mean 0 and std 1."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(8), rng.normal(5.0, 3.0, size=8), rng.normal(-2.0, 0.1, size=8)])
    Z = standardize(X.copy())
    shaped = isinstance(Z, np.ndarray) and Z.shape == X.shape
    results = [(shaped, "returns an array of the same shape as X")]
    if shaped:
        features = Z[:, 1:]
        results += [
            (np.allclose(Z[:, 0], 1.0), "the column of ones is kept"),
            (np.allclose(features.mean(axis=0), 0.0), "the other columns have mean 0"),
            (np.allclose(features.std(axis=0), 1.0), "and standard deviation 1 (np.std)"),
            (
                all(abs(np.corrcoef(X[:, j], Z[:, j])[0, 1] - 1) < 1e-9 for j in (1, 2)),
                "each column is a shifted, rescaled copy of the original (same order and sign)",
            ),
        ]
    report(results)


def check_scaling(steps_raw: int | None, steps_scaled: int | None) -> None:
    """Check the step counts' types and that scaling made the run shorter."""
    counts = (steps_raw, steps_scaled)
    ints = all(isinstance(c, int | np.integer) for c in counts)
    results = [(ints, "steps_raw and steps_scaled are whole numbers of steps")]
    if ints:
        results.append((steps_scaled < steps_raw, "standardized features need fewer steps"))
    report(results)
