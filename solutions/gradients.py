"""Reference solutions for ``gradients``: from the slope of x^2 to the direction of steepest
ascent, and why gradient descent steps against it.

On the stretched bowl f(x, y) = x^2 + 4 y^2 the gradient is (2x, 8y); its unit vector is the
direction of steepest ascent, and one step of descent is point - learning_rate * gradient.
The typed formulas and the choices have their keys in ``source/gradients/quiz.toml``.
"""

from __future__ import annotations

import numpy as np


def gradient(point: np.ndarray) -> np.ndarray:
    """The gradient (2x, 8y) of the stretched bowl f(x, y) = x^2 + 4 y^2."""
    x, y = np.asarray(point, dtype=float)
    return np.array([2 * x, 8 * y])


def steepest_ascent(point: np.ndarray) -> np.ndarray:
    """The unit vector along the gradient at ``point``; the zero vector at the minimum."""
    g = gradient(point)
    length = np.linalg.norm(g)
    return g / length if length > 0 else np.zeros(2)


def descent_step(point: np.ndarray, learning_rate: float) -> np.ndarray:
    """One step of gradient descent from ``point``."""
    return np.asarray(point, dtype=float) - learning_rate * gradient(point)
