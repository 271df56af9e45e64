"""Public data and checks of ``sgd_logistic``: logistic regression by mini-batch SGD.

The checks compare a student's functions with the definitions: the sigmoid's symmetry,
finite differences of the cross-entropy, one full-batch step, the batches of one epoch drawn
from ``np.random.default_rng(seed).permutation``. Nothing hidden is used.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradelab.student import finite_difference_gradient, report

ALPHA, BATCH_SIZE, NUM_EPOCHS, SEED = 0.5, 16, 30, 7
EPS, MAX_STEPS = 1e-4, 5000


def exam_data() -> tuple[np.ndarray, np.ndarray]:
    """Passed (1) or failed (0) an exam, for a class whose hours studied and hours slept are
    standardized; X has a column of ones in front."""
    rng = np.random.default_rng(2024)
    features = rng.normal(size=(120, 2))
    X = np.column_stack([np.ones(120), features])
    chance = 1 / (1 + np.exp(-(X @ np.array([0.3, 1.8, 0.9]))))
    return X, (rng.random(120) < chance).astype(float)


def log_loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """J(theta) = mean(log(1 + e^z) - y z) with z = X theta: the cross-entropy, stably."""
    z = X @ theta
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def small_problem(seed: int, m: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=(m, 2))])
    return X, (rng.random(m) < 0.5).astype(float), rng.normal(size=3)


def check_sigmoid(sigmoid: Callable) -> None:
    """Check ``sigmoid(z)``: values, symmetry, shape, and no overflow at large |z|."""
    z = np.linspace(-6.0, 6.0, 7)
    values = sigmoid(z)
    shaped = isinstance(values, np.ndarray) and values.shape == z.shape
    results = [(shaped, "returns an array of the same shape as z")]
    if shaped:
        results += [
            (np.allclose(values, 1 / (1 + np.exp(-z))), "equals 1 / (1 + e^(-z))"),
            (np.allclose(values + sigmoid(-z), 1.0), "sigmoid(-z) = 1 - sigmoid(z)"),
        ]
    extreme = np.asarray(sigmoid(np.array([-1000.0, 1000.0])), dtype=float)
    results.append(
        (np.allclose(extreme, [0.0, 1.0]), "gives 0 and 1 at z = -1000 and 1000, no nan")
    )
    report(results)


def check_cross_entropy(cross_entropy: Callable, seed: int = 0) -> None:
    """Check ``cross_entropy(X, y, theta)`` against its definition, also at large |X theta|."""
    X, y, theta = small_problem(seed)
    p = 1 / (1 + np.exp(-(X @ theta)))
    definition = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    results = [(np.isclose(cross_entropy(X, y, theta), definition), "matches its definition")]
    confident = cross_entropy(X, y, 500 * theta)
    results.append(
        (
            np.isfinite(confident) and np.isclose(confident, log_loss(X, y, 500 * theta)),
            "stays finite and right when X theta is huge (write log(sigmoid) without sigmoid)",
        )
    )
    report(results)


def check_logistic_gradient(logistic_gradient: Callable, seed: int = 0) -> None:
    """Check ``logistic_gradient(X, y, theta)`` against finite differences of the cost."""
    X, y, theta = small_problem(seed)
    result = logistic_gradient(X, y, theta)
    shaped = isinstance(result, np.ndarray) and result.shape == (3,) and result.dtype.kind == "f"
    results = [(shaped, "returns a float array of shape (d,)")]
    if shaped:
        expected = finite_difference_gradient(lambda t: log_loss(X, y, t), theta)
        flipped = np.allclose(result, -expected, rtol=1e-4, atol=1e-7)
        hint = " (it has the opposite sign)" if flipped else ""
        close = np.allclose(result, expected, rtol=1e-4, atol=1e-7)
        results.append((close, f"matches finite differences of the cross-entropy{hint}"))
    report(results)


def gradient_on(X: np.ndarray, y: np.ndarray, theta: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The finite-difference gradient of the cost of the examples ``rows`` alone."""
    return finite_difference_gradient(lambda t: log_loss(X[rows], y[rows], t), theta)


def check_minibatch_sgd(minibatch_sgd: Callable, seed: int = 0) -> None:
    """Check ``minibatch_sgd(X, y, theta0, learning_rate, batch_size, num_epochs, seed)``."""
    X, y, theta0 = small_problem(seed, m=3)
    rate = 0.5
    result = minibatch_sgd(X, y, theta0.copy(), rate, 2, 1, 11)
    is_pair = isinstance(result, tuple) and len(result) == 2
    results = [(is_pair, "returns a pair (theta, cost_history)")]
    if is_pair:
        theta, history = result
        order = np.random.default_rng(11).permutation(3)
        expected = theta0.copy()
        for rows in (order[:2], order[2:]):
            expected = expected - rate * gradient_on(X, y, expected, rows)
        results += [
            (
                np.shape(history) == (2,) and np.isclose(history[0], log_loss(X, y, theta0)),
                "cost_history has num_epochs + 1 costs, starting with J(theta0)",
            ),
            (
                np.allclose(theta, expected, rtol=1e-5, atol=1e-7),
                "one epoch takes the batches order[:2], order[2:] of "
                "order = np.random.default_rng(seed).permutation(m)",
            ),
        ]
    full, _ = minibatch_sgd(X, y, theta0.copy(), rate, 3, 1, 11)
    one_step = theta0 - rate * gradient_on(X, y, theta0, np.arange(3))
    results.append(
        (
            np.allclose(full, one_step, rtol=1e-5, atol=1e-7),
            "with batch_size = m, one epoch is one full gradient step",
        )
    )
    report(results)


def check_descend_until(descend_until: Callable, seed: int = 0) -> None:
    """Check ``descend_until(X, y, theta0, learning_rate, eps, max_steps, rule)``."""
    X, y, theta0 = small_problem(seed)
    rate = 0.5
    one_step = theta0 - rate * gradient_on(X, y, theta0, np.arange(len(y)))
    cases = [
        ("gradient", np.inf, 0, theta0, "rule 'gradient' with a huge eps stops before a step"),
        ("cost", np.inf, 1, one_step, "rule 'cost' with a huge eps stops after one step"),
    ]
    results = []
    for rule, eps, steps, theta, text in cases:
        got_theta, got_steps = descend_until(X, y, theta0.copy(), rate, eps, 10, rule)
        right = got_steps == steps and np.allclose(got_theta, theta, rtol=1e-5, atol=1e-7)
        results.append((bool(right), text))
    for rule in ("gradient", "cost"):
        _, got_steps = descend_until(X, y, theta0.copy(), rate, 0.0, 10, rule)
        results.append((got_steps == 10, f"rule {rule!r} with eps = 0 takes max_steps steps"))
    report(results)


def check_sgd_momentum(sgd_momentum: Callable, minibatch_sgd: Callable, seed: int = 0) -> None:
    """Check ``sgd_momentum(X, y, theta0, learning_rate, beta, batch_size, num_epochs, seed)``."""
    X, y, theta0 = small_problem(seed)
    rate, beta, m = 0.5, 0.9, len(y)
    plain = minibatch_sgd(X, y, theta0.copy(), rate, 4, 3, 5)[0]
    no_momentum = sgd_momentum(X, y, theta0.copy(), rate, 0.0, 4, 3, 5)[0]
    g0 = gradient_on(X, y, theta0, np.arange(m))
    theta1 = theta0 - rate * g0
    theta2 = theta1 - rate * (beta * g0 + gradient_on(X, y, theta1, np.arange(m)))
    two_epochs = sgd_momentum(X, y, theta0.copy(), rate, beta, m, 2, 5)[0]
    results = [
        (np.allclose(no_momentum, plain), "with beta = 0 it is your minibatch_sgd"),
        (
            np.allclose(two_epochs, theta2, rtol=1e-5, atol=1e-7),
            "with batch_size = m, two epochs give theta1 - alpha * (beta * g0 + g1)",
        ),
    ]
    report(results)
