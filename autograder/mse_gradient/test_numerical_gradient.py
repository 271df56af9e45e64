"""Hidden tests of ``numerical_gradient`` in mse_gradient (the derivations dJ/dw and dJ/db are
graded from ``source/mse_gradient/quiz.toml``).

``numerical_gradient`` is called through the notebook's ``numerical_gradient_of`` on the
public sample functions (a Python function cannot be sent into the sandbox), at a point
drawn from ``rng``.
"""

import numpy as np
import pytest
from checks import SAMPLE_FUNCTIONS, wavy_gradient

from gradelab.testing import expect_close, expect_float_array

NUMERICAL = "test_numerical_gradient"


def point(rng) -> np.ndarray:
    return rng.normal(0.0, 1.0, size=int(rng.integers(2, 7)))


def forward_differences(name: str, w: np.ndarray, eps: float) -> np.ndarray:
    f, w = SAMPLE_FUNCTIONS[name], np.asarray(w, dtype=float)
    return np.array([(f(w + eps * e) - f(w)) / eps for e in np.eye(len(w))])


def named_mistakes(name: str, w: np.ndarray, eps: float, expected: np.ndarray) -> dict:
    return {
        "these are forward differences: step both ways, f(w + eps e_j) - f(w - eps e_j)": (
            forward_differences(name, w, eps)
        ),
        "the result is twice the gradient: divide by 2 eps, not by eps": 2 * expected,
        "the sign is flipped: f(w + eps e_j) comes first": -expected,
    }


def rounded_steps(name: str, w: np.ndarray, eps: float) -> np.ndarray:
    """Central differences taken on integer copies of an integer w: each step is rounded."""
    f, result = SAMPLE_FUNCTIONS[name], np.zeros(len(w))
    for j in range(len(w)):
        plus, minus = w.copy(), w.copy()
        plus[j] += eps
        minus[j] -= eps
        result[j] = (f(plus) - f(minus)) / (2 * eps)
    return result


def check_numerical_gradient(student, reference, name, w, eps, mistakes=None):
    expected = reference.numerical_gradient(SAMPLE_FUNCTIONS[name], w, eps)
    result = student.numerical_gradient_of(name, w, eps)
    expect_float_array(result, expected.shape, "numerical_gradient")
    named = {**named_mistakes(name, w, eps, expected), **(mistakes or {})}
    expect_close(result, expected, "numerical_gradient", mistakes=named)


@pytest.mark.points(1, cell=NUMERICAL)
def test_numerical_gradient_shape(student, rng):
    """returns a float numpy array shaped like w"""
    w = point(rng)
    expect_float_array(
        student.numerical_gradient_of("bowl", w, 1e-6), w.shape, "numerical_gradient"
    )


@pytest.mark.points(1, cell=NUMERICAL)
def test_numerical_gradient_small_step(student, reference, rng):
    """matches central differences of a smooth function at your point"""
    check_numerical_gradient(student, reference, "wavy", point(rng), 1e-4)


@pytest.mark.points(1, cell=NUMERICAL)
def test_numerical_gradient_uses_eps(student, reference, rng):
    """uses the step eps it is given"""
    w, eps = point(rng), float(rng.uniform(0.3, 0.8))
    ignored = {"it does not use the eps it is given": wavy_gradient(w)}
    check_numerical_gradient(student, reference, "wavy", w, eps, ignored)


@pytest.mark.points(1, cell=NUMERICAL)
def test_numerical_gradient_integer_w(student, reference, rng):
    """works when w holds integers"""
    w = rng.integers(-3, 4, size=int(rng.integers(2, 7)))
    rounded = {
        "w + eps e_j was rounded to integers: work on a float copy of w": rounded_steps(
            "wavy", w, 1e-4
        )
    }
    check_numerical_gradient(student, reference, "wavy", w, 1e-4, rounded)
