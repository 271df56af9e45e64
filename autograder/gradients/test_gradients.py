"""Hidden tests for gradients. They run in the grader's process, never in the student's.

The typed formulas and the multiple-choice questions are graded from ``quiz.toml`` beside
the notebook. Here: the functions on the stretched bowl, tried at points drawn from
``rng``; the descent step is judged by what it does to f. Messages name a mistake or a
type, never the hidden inputs or the expected values.
"""

import numpy as np
import pytest
from checks import stretched_bowl

from gradelab.testing import expect_close, expect_float_array

ASCENT = "test_steepest_ascent"
DESCENT = "test_descent_step"


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
