"""Public checks of ASSIGNMENT: what students run for immediate feedback.

This file lives in source/ASSIGNMENT/ and is released with the notebook: students import it
(`from checks import check_gradient`), and so may the hidden tests and the reference. Put
nothing secret here; the graded answers stay in solutions/ and autograder/.
"""

import numpy as np

from gradelab.student import finite_difference_gradient, is_float_array, report


def f(w: np.ndarray) -> float:
    """f(w) = sum of w_j^2 + 3 w_j: the function of the first question."""
    w = np.asarray(w, dtype=float)
    return float(np.sum(w**2 + 3 * w))


def check_gradient(gradient) -> None:
    """Check ``gradient(w)`` against finite differences of f at a few points."""
    points = np.random.default_rng(0).normal(size=(3, 4))
    found = [gradient(point.copy()) for point in points]
    shaped = all(is_float_array(value, (4,)) for value in found)
    results = [(shaped, "returns a float numpy array shaped like w")]
    if shaped:
        expected = [finite_difference_gradient(f, point) for point in points]
        close = all(np.allclose(v, e, atol=1e-6) for v, e in zip(found, expected, strict=True))
        flipped = all(np.allclose(v, -e, atol=1e-6) for v, e in zip(found, expected, strict=True))
        hint = " (it has the opposite sign)" if flipped else ""
        results.append((close, f"matches finite differences of f{hint}"))
    report(results)
