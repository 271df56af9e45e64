"""Reference solutions for ``update_step``: one update by hand, a descent loop, two fits.

One step of gradient descent is theta_new = theta - alpha * grad J(theta). For the mean squared
error J(w) = (1/n) * ||X w - y||^2 the gradient is (2/n) * X^T (X w - y). ``cost_history``
holds J before the first step and after each step: num_steps + 1 values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from checks import (
    HOUSE_FEATURES,
    HOUSE_PRICES,
    STUDY_HOURS,
    STUDY_SCORES,
    with_intercept,
)

STUDY_RATE, STUDY_STEPS = 0.03, 3000
HOUSE_RATE, HOUSE_STEPS = 0.3, 10000


def update(old: float, gradient: float, learning_rate: float) -> float:
    """One gradient-descent step for one parameter."""
    return old - learning_rate * gradient


def cost(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    residual = np.asarray(X, dtype=float) @ w - y
    return float(residual @ residual / len(residual))


def gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return (2.0 / len(X)) * X.T @ (X @ w - y)


def gradient_descent(
    X: np.ndarray, y: np.ndarray, w0: np.ndarray, learning_rate: float, num_steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Take ``num_steps`` steps from ``w0``; return the last w and the num_steps + 1 costs."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.asarray(w0, dtype=float).copy()
    history = [cost(X, y, w)]
    for _ in range(num_steps):
        w = w - learning_rate * gradient(X, y, w)
        history.append(cost(X, y, w))
    return w, np.array(history)


def fit_study_hours() -> np.ndarray:
    """(intercept, slope) of the exam score against hours studied, by gradient descent."""
    X = with_intercept(STUDY_HOURS)
    w, _ = gradient_descent(X, STUDY_SCORES, np.zeros(2), STUDY_RATE, STUDY_STEPS)
    return w


@dataclass(frozen=True)
class HouseFit:
    """The house-price weights for standardized features and in the original units."""

    scaled: np.ndarray
    original: np.ndarray


def fit_house_prices() -> HouseFit:
    """Fit on standardized features (mean 0, standard deviation 1), then convert back:
    w_j = v_j / std_j and w_0 = v_0 - sum_j v_j * mean_j / std_j."""
    mean, std = HOUSE_FEATURES.mean(axis=0), HOUSE_FEATURES.std(axis=0)
    Z = with_intercept((HOUSE_FEATURES - mean) / std)
    v, _ = gradient_descent(Z, HOUSE_PRICES, np.zeros(Z.shape[1]), HOUSE_RATE, HOUSE_STEPS)
    weights = v[1:] / std
    return HouseFit(v, np.concatenate([[v[0] - weights @ mean], weights]))
