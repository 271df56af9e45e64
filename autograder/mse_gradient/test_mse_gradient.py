"""Hidden tests for mse_gradient. They run in the grader's process, never in the student's.

Each student gets data drawn from ``rng`` (seeded per student and per test). Messages name a
mistake or a type, never the inputs or the expected numbers.
"""

import numpy as np
import pytest

from gradelab.testing import (
    expect_close,
    expect_float_array,
    expect_pair_of_numbers,
)

VECTOR = "test_compute_gradient"
ONE_FEATURE = "test_compute_gradient_wb"


def design_matrix(rng, n, d, scale=1.0):
    """n examples, a leading column of ones, d - 1 features."""
    features = rng.normal(0.0, scale, size=(n, d - 1))
    return np.column_stack([np.ones(n), features])


def vector_problem(rng, n, d, scale=1.0):
    X = design_matrix(rng, n, d, scale)
    y = X @ rng.normal(0.0, 2.0, size=d) + rng.normal(0.0, 0.5 * scale, size=n)
    w = rng.normal(0.0, 1.0, size=d)
    return X, y, w


def named_mistakes(gradient, n):
    return {
        "the sign is flipped: this is the direction of steepest descent, not the gradient": (
            -gradient
        ),
        "the factor 2 from differentiating the square is missing": gradient / 2,
        "the result is twice the gradient": gradient * 2,
        "the errors are summed instead of averaged: divide by n": gradient * n,
    }


def check_vector_gradient(student, reference, X, y, w):
    expected = reference.compute_gradient(X, y, w)
    result = student.compute_gradient(X, y, w)
    expect_close(
        result,
        expected,
        "compute_gradient",
        mistakes=named_mistakes(expected, X.shape[0]),
    )


@pytest.mark.points(1, cell=VECTOR)
def test_returns_float_vector(student, rng):
    """returns a float numpy array of shape (d,)"""
    X, y, w = vector_problem(rng, n=8, d=3)
    expect_float_array(student.compute_gradient(X, y, w), (3,), "compute_gradient")


@pytest.mark.points(2, cell=VECTOR)
def test_matches_reference(student, reference, rng):
    """matches the reference gradient on your data"""
    X, y, w = vector_problem(rng, n=int(rng.integers(20, 60)), d=4)
    check_vector_gradient(student, reference, X, y, w)


@pytest.mark.points(1, cell=VECTOR)
def test_single_example(student, reference, rng):
    """works with a single example (n = 1)"""
    X, y, w = vector_problem(rng, n=1, d=3)
    check_vector_gradient(student, reference, X, y, w)


@pytest.mark.points(1, cell=VECTOR)
def test_intercept_only(student, reference, rng):
    """works with the intercept column alone (d = 1)"""
    X, y, w = vector_problem(rng, n=12, d=1)
    check_vector_gradient(student, reference, X, y, w)


@pytest.mark.points(1, cell=VECTOR)
def test_integer_and_large_inputs(student, reference, rng):
    """works with integer arrays and with large values"""
    X_int = np.column_stack([np.ones(10, dtype=int), rng.integers(-9, 10, size=(10, 2))])
    y_int = rng.integers(-50, 50, size=10)
    w_int = rng.integers(-3, 4, size=3)
    check_vector_gradient(student, reference, X_int, y_int, w_int)
    check_vector_gradient(student, reference, *vector_problem(rng, n=15, d=3, scale=1e6))


def one_feature_problem(rng, n, scale=1.0):
    x = rng.normal(0.0, scale, size=n)
    y = rng.normal(1.0, 2.0) * x + rng.normal(0.0, 3.0) + rng.normal(0.0, 0.5 * scale, size=n)
    return x, y, float(rng.normal()), float(rng.normal())


def check_one_feature(student, reference, x, y, w, b):
    expected = np.array(reference.compute_gradient_wb(x, y, w, b))
    result = expect_pair_of_numbers(student.compute_gradient_wb(x, y, w, b), "compute_gradient_wb")
    mistakes = named_mistakes(expected, len(x))
    mistakes["dJ/dw and dJ/db are swapped"] = expected[::-1]
    expect_close(result, expected, "compute_gradient_wb", mistakes=mistakes)


@pytest.mark.points(1, cell=ONE_FEATURE)
def test_returns_pair(student, rng):
    """returns a pair of numbers (dJ/dw, dJ/db)"""
    expect_pair_of_numbers(
        student.compute_gradient_wb(*one_feature_problem(rng, 6)), "compute_gradient_wb"
    )


@pytest.mark.points(2, cell=ONE_FEATURE)
def test_one_feature_matches_reference(student, reference, rng):
    """matches the reference (dJ/dw, dJ/db) on your data"""
    check_one_feature(student, reference, *one_feature_problem(rng, int(rng.integers(20, 60))))


@pytest.mark.points(1, cell=ONE_FEATURE)
def test_one_feature_edge_cases(student, reference, rng):
    """works with one data point, integer arrays and large values"""
    check_one_feature(student, reference, *one_feature_problem(rng, 1))
    x_int, y_int = rng.integers(-9, 10, size=7), rng.integers(-40, 40, size=7)
    check_one_feature(student, reference, x_int, y_int, int(rng.integers(-3, 4)), 2)
    check_one_feature(student, reference, *one_feature_problem(rng, 9, scale=1e6))
