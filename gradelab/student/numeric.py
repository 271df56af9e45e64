"""Numbers public checks compare against: finite differences, and the shape of an answer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def finite_difference_gradient(
    cost: Callable[[np.ndarray], float], w: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """The gradient of ``cost`` at ``w`` by central differences, one coordinate at a time.

    >>> finite_difference_gradient(lambda v: float(v @ v), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    w = np.asarray(w, dtype=float)
    gradient = np.zeros_like(w)
    for j in range(len(w)):
        step = np.zeros_like(w)
        step[j] = eps
        gradient[j] = (cost(w + step) - cost(w - step)) / (2 * eps)
    return gradient


def is_float_array(value: object, shape: tuple[int, ...]) -> bool:
    """Whether ``value`` is a numpy array of float dtype and exactly ``shape``."""
    return isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind == "f"


def is_number(value: object) -> bool:
    """Whether ``value`` is one finite real number (Python or numpy)."""
    return isinstance(value, int | float | np.integer | np.floating) and bool(np.isfinite(value))
