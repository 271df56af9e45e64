"""Reference solutions for ``gradients``: from the slope of x^2 to the direction of steepest
ascent, and why gradient descent steps against it.

The secant of f(x) = x^2 from x to x + h has slope ((x + h)^2 - x^2) / h = 2x + h, whose limit
as h -> 0 is f'(x) = 2x. The gradient of x^2 + y^2 is [2x, 2y]. On the stretched bowl
f(x, y) = x^2 + 4 y^2 the gradient is (2x, 8y); its unit vector is the direction of steepest
ascent, and one step of descent is point - learning_rate * gradient. Typed answers are in the
grammar of ``gradelab.symbolic``.
"""

from __future__ import annotations

import numpy as np

from gradelab.student import Choice

SECANT_SLOPE = "2x + h"
DERIVATIVE = "2x"
GRADIENT = "[2x, 2y]"
UPDATE_RULE = "theta - alpha grad"


CHOICES = {
    "q_gradient": Choice(
        "c",
        {
            "a": "that is the value of f; the gradient says how f changes",
            "b": "not in general: on the stretched bowl the gradient does not point at the minimum",
            "d": "the gradient describes f near the point only, not over its whole domain",
        },
    ),
    "q_learning_rate": Choice(
        "a",
        {
            "b": "the direction comes from the gradient; the learning rate only scales the step",
            "c": "the parameters are set by the model, not by the learning rate",
            "d": "the cost is chosen with the model; the learning rate only scales the step",
        },
    ),
    "q_large_rate": Choice(
        "c",
        {
            "a": "slow but steady progress comes from a learning rate that is too small",
            "b": "a large step still moves; the trouble is where it lands",
            "d": "a step that is too long jumps over the minimum instead of reaching it",
        },
    ),
    "q_zero_gradient": Choice(
        "d",
        {
            "a": "the gradient says the cost is flat there, not that it is zero",
            "b": "a learning rate that is too large makes the steps overshoot, not stop",
            "c": "a flat point may be a local minimum or a saddle, not always the best one",
        },
    ),
    "q_models": Choice(
        "b",
        {
            "a": "it trains any model whose cost can be differentiated, not only linear ones",
            "c": "it trains any model whose cost can be differentiated, not only networks",
            "d": "it is used even when a closed form exists, because it scales to large data",
        },
    ),
}


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
