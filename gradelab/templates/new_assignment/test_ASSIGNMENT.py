"""Hidden tests of ASSIGNMENT. They run in the grader's process, never in the student's.

Each test is tied to a grade cell of the notebook by @pytest.mark.points(n, cell=...); the
tests of a cell add up to its points. See gradelab.testing for the fixtures and helpers.
The typed formula and the multiple-choice question need no test here: source/ASSIGNMENT/
quiz.toml grades them.
"""

import pytest

from gradelab.testing import expect_close, expect_float_array

GRADIENT = "test_gradient"


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient_shape(student, rng):
    """returns a float array shaped like w"""
    w = rng.normal(size=5)
    expect_float_array(student.gradient(w), (5,), "gradient")


@pytest.mark.points(2, cell=GRADIENT)
def test_gradient_values(student, reference, rng):
    """matches the reference gradient at points of your own"""
    for _ in range(3):
        w = rng.normal(0.0, 10.0, size=int(rng.integers(1, 8)))
        expected = reference.gradient(w)
        expect_close(
            student.gradient(w),
            expected,
            "gradient",
            mistakes={
                "the sign is flipped": -expected,
                "the 3 from the linear term is missing": expected - 3,
            },
        )
