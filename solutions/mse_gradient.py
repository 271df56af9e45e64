"""Reference solutions for ``mse_gradient``: the gradient of the mean squared error.

J(w) = (1/n) * ||X w - y||^2, so grad J(w) = (2/n) * X^T (X w - y).
With one feature and a bias, J(w, b) = (1/n) * sum (w x_i + b - y_i)^2, so
dJ/dw = (2/n) * sum (w x_i + b - y_i) x_i and dJ/db = (2/n) * sum (w x_i + b - y_i): those
derivatives are the keys of ``source/mse_gradient/quiz.toml``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradelab.student import finite_difference_gradient


def compute_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    residual = X @ np.asarray(w, dtype=float) - np.asarray(y, dtype=float)
    return (2.0 / X.shape[0]) * (X.T @ residual)


def compute_gradient_wb(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    residual = w * x + b - np.asarray(y, dtype=float)
    return float(2.0 * np.mean(residual * x)), float(2.0 * np.mean(residual))


def numerical_gradient(f: Callable[[np.ndarray], float], w: np.ndarray, eps: float) -> np.ndarray:
    """Central differences (f(w + eps e_j) - f(w - eps e_j)) / (2 eps), one j at a time."""
    return finite_difference_gradient(f, np.asarray(w, dtype=float), eps)
