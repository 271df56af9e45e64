"""Reference solution of ASSIGNMENT: the answers the hidden tests compare with.

This file is never released. Typed answers are written in the grammar students type
(gradelab.symbolic); multiple-choice answers are gradelab.student.Choice objects.
"""

import numpy as np

from gradelab.student import Choice

DERIVATIVE = "3x^2"
CHOICES = {
    "q_direction": Choice(
        "b",
        {
            "a": "along the gradient, f grows fastest: that is the way up",
            "c": "the step depends on the gradient; a fixed direction ignores it",
        },
        letters="abc",
    ),
}


def gradient(w: np.ndarray) -> np.ndarray:
    """The gradient of f(w) = sum of w_j^2 + 3 w_j."""
    return 2 * np.asarray(w, dtype=float) + 3
