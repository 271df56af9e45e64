"""Hidden tests of ASSIGNMENT. They run in the grader's process, never in the student's.

Each test is tied to a grade cell of the notebook by @pytest.mark.points(n, cell=...); the
tests of a cell add up to its points. See gradelab.testing for the fixtures and helpers.
"""

import pytest

from gradelab.testing import (
    check,
    expect_choice,
    expect_close,
    expect_credit,
    expect_float_array,
    typed_answer,
)

GRADIENT = "test_gradient"
DERIVATIVE = "test_derivative"
CONCEPTS = "test_concepts"


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


@pytest.mark.points(2, cell=DERIVATIVE)
def test_derivative(student, reference):
    """derivative is the derivative of x^3"""
    answer = typed_answer(student.value("derivative"), "derivative")
    mistakes = [
        {
            "name": "power_kept",
            "expr": "3x^3",
            "score": 0.5,
            "feedback": "the power drops by one: the derivative of x^k is k x^(k-1)",
        }
    ]
    result = check(answer, reference.DERIVATIVE, variables=["x"], mistakes=mistakes)
    expect_credit(result, "derivative")


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_direction(student, reference):
    """which way gradient descent steps"""
    expect_choice(student.value("q_direction"), reference.CHOICES["q_direction"], "q_direction")
