"""Hidden tests for gradients. They run in the grader's process, never in the student's.

Typed answers are checked with ``gradelab.symbolic`` against the reference, with the
mistakes worth naming; each is worth 2 points: 1 when it is right up to a mistake worth half
credit, 1 when it is fully right. The functions on the stretched bowl are tried at points
drawn from ``rng``; the descent step is judged by what it does to f. Messages name a mistake
or a type, never the hidden inputs or the expected values.
"""

import numpy as np
import pytest
from checks import GRADIENT_VARIABLES, SLOPE_VARIABLES, UPDATE_VARIABLES, stretched_bowl

from gradelab.testing import (
    CheckResult,
    check,
    expect_choice,
    expect_close,
    expect_float_array,
    typed_answer,
)

SLOPE = "test_slope_and_derivative"
GRADIENT = "test_gradient"
ASCENT = "test_steepest_ascent"
UPDATE = "test_update_rule"
DESCENT = "test_descent_step"
CONCEPTS = "test_concepts"
HALF_CREDIT = 0.5

SECANT_MISTAKES = [
    {
        "name": "limit_taken",
        "expr": "2x",
        "score": 0.5,
        "feedback": "that is the limit as h goes to 0; the slope of the secant still has h",
    },
    {
        "name": "rise_only",
        "expr": "2 x h + h^2",
        "score": 0.0,
        "feedback": "that is the rise f(x + h) - f(x); the slope divides it by the run h",
    },
]
DERIVATIVE_MISTAKES = [
    {
        "name": "not_differentiated",
        "expr": "x^2",
        "score": 0.0,
        "feedback": "that is f itself; its derivative is its slope",
    },
    {
        "name": "power_kept",
        "expr": "2x^2",
        "score": 0.0,
        "feedback": "the power drops by one: the derivative of x^k is k x^(k-1)",
    },
    {
        "name": "secant_kept",
        "expr": "2x + h",
        "score": 0.0,
        "feedback": "that is the secant slope; the derivative is its limit as h goes to 0",
    },
]
GRADIENT_MISTAKES = [
    {
        "name": "swapped",
        "expr": "[2y, 2x]",
        "score": 0.0,
        "feedback": "the entries are swapped: the first is the partial derivative in x",
    },
    {
        "name": "not_differentiated",
        "expr": "[x^2, y^2]",
        "score": 0.0,
        "feedback": "these are the terms of f; differentiate each with respect to its variable",
    },
]
UPDATE_MISTAKES = [
    {
        "name": "uphill",
        "expr": "theta + alpha grad",
        "score": 0.0,
        "feedback": "this steps uphill, with the gradient: subtract alpha grad",
    },
    {
        "name": "rate_missing",
        "expr": "theta - grad",
        "score": 0.5,
        "feedback": "the direction is right, but the learning rate alpha is missing",
    },
    {
        "name": "step_only",
        "expr": "-alpha grad",
        "score": 0.5,
        "feedback": "this is the step; the new value starts from theta",
    },
    {
        "name": "divided",
        "expr": "theta - grad/alpha",
        "score": 0.0,
        "feedback": "multiply the gradient by the learning rate, do not divide by it",
    },
    {"name": "sign_flipped", "score": 0.0},
]


# -- typed answers ------------------------------------------------------------------------
def judged(student, name: str, expected: str, **question) -> CheckResult:
    return check(typed_answer(student.value(name), name), expected, **question)


def expect_half_credit(result: CheckResult, name: str) -> None:
    assert result.score >= HALF_CREDIT, f"{name}: {result.feedback}"


def expect_correct(result: CheckResult, name: str) -> None:
    assert result.correct, f"{name}: {result.feedback}"


def secant(student, reference) -> CheckResult:
    return judged(
        student,
        "secant_slope",
        reference.SECANT_SLOPE,
        variables=SLOPE_VARIABLES,
        mistakes=SECANT_MISTAKES,
    )


def derivative(student, reference) -> CheckResult:
    return judged(
        student,
        "derivative",
        reference.DERIVATIVE,
        variables=SLOPE_VARIABLES,
        mistakes=DERIVATIVE_MISTAKES,
    )


def gradient(student, reference) -> CheckResult:
    return judged(
        student,
        "gradient_typed",
        reference.GRADIENT,
        variables=GRADIENT_VARIABLES,
        cost="x^2 + y^2",
        wrt=GRADIENT_VARIABLES,
        mistakes=GRADIENT_MISTAKES,
    )


def update_rule(student, reference) -> CheckResult:
    return judged(
        student,
        "update_rule",
        reference.UPDATE_RULE,
        variables=UPDATE_VARIABLES,
        mistakes=UPDATE_MISTAKES,
    )


@pytest.mark.points(1, cell=SLOPE)
def test_secant_slope_up_to_a_slip(student, reference):
    """secant_slope is right or half right"""
    expect_half_credit(secant(student, reference), "secant_slope")


@pytest.mark.points(1, cell=SLOPE)
def test_secant_slope(student, reference):
    """secant_slope is the slope of the secant of x^2 from x to x + h"""
    expect_correct(secant(student, reference), "secant_slope")


@pytest.mark.points(1, cell=SLOPE)
def test_derivative_up_to_a_slip(student, reference):
    """derivative is right up to a sign or a factor 2"""
    expect_half_credit(derivative(student, reference), "derivative")


@pytest.mark.points(1, cell=SLOPE)
def test_derivative(student, reference):
    """derivative is the derivative of x^2"""
    expect_correct(derivative(student, reference), "derivative")


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient_up_to_a_slip(student, reference):
    """gradient_typed is right up to a sign or a factor 2, or in one of its entries"""
    expect_half_credit(gradient(student, reference), "gradient_typed")


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient(student, reference):
    """gradient_typed is the gradient of x^2 + y^2"""
    expect_correct(gradient(student, reference), "gradient_typed")


@pytest.mark.points(1, cell=UPDATE)
def test_update_rule_up_to_a_slip(student, reference):
    """update_rule steps against the gradient"""
    expect_half_credit(update_rule(student, reference), "update_rule")


@pytest.mark.points(1, cell=UPDATE)
def test_update_rule(student, reference):
    """update_rule is the gradient-descent update of theta"""
    expect_correct(update_rule(student, reference), "update_rule")


# -- the stretched bowl -------------------------------------------------------------------
def points(rng, count: int) -> np.ndarray:
    """Points away from the minimum, at several scales."""
    return rng.normal(size=(count, 2)) * rng.choice([0.01, 1.0, 100.0], size=(count, 1))


def ascent_mistakes(reference, point: np.ndarray) -> dict[str, np.ndarray]:
    unit = reference.steepest_ascent(point)
    return {
        "this points downhill: the steepest ascent is along the gradient": -unit,
        "this is the gradient itself: divide it by its length": reference.gradient(point),
        "this points away from the minimum, which on a stretched bowl is not the steepest way "
        "up: use the gradient": point / np.linalg.norm(point),
    }


@pytest.mark.points(1, cell=ASCENT)
def test_ascent_is_a_unit_vector(student, rng):
    """returns a float array of 2 entries and length 1"""
    result = expect_float_array(student.steepest_ascent(points(rng, 1)[0]), (2,), "steepest_ascent")
    assert np.isclose(np.linalg.norm(result), 1.0), "steepest_ascent: the vector must have length 1"


@pytest.mark.points(1, cell=ASCENT)
def test_ascent_matches_reference(student, reference, rng):
    """points where f grows fastest, at points of your own"""
    for point in points(rng, 5):
        expect_close(
            student.steepest_ascent(point),
            reference.steepest_ascent(point),
            "steepest_ascent",
            mistakes=ascent_mistakes(reference, point),
        )


@pytest.mark.points(1, cell=ASCENT)
def test_ascent_at_the_minimum(student):
    """is the zero vector at the minimum"""
    result = student.steepest_ascent(np.zeros(2))
    assert np.all(np.isfinite(np.asarray(result, dtype=float))), (
        "steepest_ascent at the minimum: the gradient is zero there, so return the zero vector "
        "instead of dividing by its length"
    )
    expect_close(result, np.zeros(2), "steepest_ascent at the minimum")


def descent_mistakes(reference, point: np.ndarray, rate: float) -> dict[str, np.ndarray]:
    g = reference.gradient(point)
    return {
        "this steps uphill, with the gradient: subtract learning_rate * gradient": point + rate * g,
        "the learning rate is missing: the step is learning_rate * gradient": point - g,
        "the step uses the unit vector: its length must be learning_rate * |gradient|": point
        - rate * reference.steepest_ascent(point),
    }


@pytest.mark.points(1, cell=DESCENT)
def test_descent_returns_a_point(student, rng):
    """returns a new point: a float array of 2 entries"""
    expect_float_array(student.descent_step(points(rng, 1)[0], 0.05), (2,), "descent_step")


@pytest.mark.points(1, cell=DESCENT)
def test_descent_lowers_f(student, rng):
    """lowers f from points of your own, with small learning rates"""
    for point in points(rng, 5):
        rate = float(rng.uniform(0.01, 0.1))
        new = expect_float_array(student.descent_step(point, rate), (2,), "descent_step")
        assert stretched_bowl(new) < stretched_bowl(point), (
            "descent_step raised f: one small step against the gradient must lower it"
        )


@pytest.mark.points(1, cell=DESCENT)
def test_descent_step_length(student, reference, rng):
    """moves by learning_rate * gradient, against the gradient"""
    for point in points(rng, 3):
        rate = float(rng.uniform(0.01, 0.1))
        expect_close(
            student.descent_step(point, rate),
            reference.descent_step(point, rate),
            "descent_step",
            mistakes=descent_mistakes(reference, point, rate),
        )


# -- concepts -----------------------------------------------------------------------------
def chose(student, reference, name: str) -> None:
    expect_choice(student.value(name), reference.CHOICES[name], name)


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_gradient(student, reference):
    """what the gradient tells you"""
    chose(student, reference, "q_gradient")


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_learning_rate(student, reference):
    """what the learning rate controls"""
    chose(student, reference, "q_learning_rate")


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_large_rate(student, reference):
    """what a learning rate that is too large does"""
    chose(student, reference, "q_large_rate")


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_zero_gradient(student, reference):
    """what a zero gradient means"""
    chose(student, reference, "q_zero_gradient")


@pytest.mark.points(1, cell=CONCEPTS)
def test_q_models(student, reference):
    """which models gradient descent trains"""
    chose(student, reference, "q_models")
