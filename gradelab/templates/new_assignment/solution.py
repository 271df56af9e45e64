"""Reference solution of ASSIGNMENT: the answers the hidden tests compare with.

This file is never released. The typed formula and the multiple-choice question are graded
from source/ASSIGNMENT/quiz.toml, which holds their keys.
"""

import numpy as np


def gradient(w: np.ndarray) -> np.ndarray:
    """The gradient of f(w) = sum of w_j^2 + 3 w_j."""
    return 2 * np.asarray(w, dtype=float) + 3
