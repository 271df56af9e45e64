"""The gradients assignment: the reference scores full marks, named mistakes are named and
cost what they should, the source notebook runs clean, and its public checks catch mistakes."""

import numpy as np
import pytest
from course_files import public_module

from gradelab.grading.sample_submission import Sample
from gradelab.selftest.samples import samples
from gradelab.student import CheckFailed, check_choices

ASSIGNMENT = "gradients"
checks = public_module(ASSIGNMENT)
check_descent_step = checks.check_descent_step
check_gradient_answer = checks.check_gradient_answer
check_slope_answers = checks.check_slope_answers
check_steepest_ascent = checks.check_steepest_ascent
check_update_rule = checks.check_update_rule


@pytest.fixture(scope="module")
def grade(grade_sample):
    return lambda course, sample: grade_sample(course, ASSIGNMENT, sample)


def listed(course, name):
    return next(s for s in samples(course, ASSIGNMENT) if s.student == name)


def test_the_reference_scores_full_marks(grade, released):
    grades = grade(released, listed(released, "reference"))
    assert {g: (c.earned, c.max_points) for g, c in grades.items()} == {
        "test_slope_and_derivative": (4, 4),
        "test_gradient": (2, 2),
        "test_steepest_ascent": (3, 3),
        "test_update_rule": (2, 2),
        "test_descent_step": (3, 3),
        "test_concepts": (5, 5),
    }


def test_the_blank_release_scores_zero(grade, released):
    grades = grade(released, listed(released, "blank"))
    assert sum(c.earned for c in grades.values()) == 0
    assert "not written yet" in grades["test_descent_step"].feedback()


def test_a_flipped_sign_in_a_typed_derivative_earns_half_and_is_named(grade, released):
    cells = {"slope_answers": 'secant_slope = "2x + h"\nderivative = "-2x"'}
    grades = grade(released, Sample("sign", None, "", cells))
    slope = grades["test_slope_and_derivative"]
    assert slope.earned == 3
    assert "sign is flipped" in slope.feedback()


def test_a_swapped_gradient_earns_nothing_and_is_named(grade, released):
    grades = grade(released, listed(released, "gradient_swapped"))
    assert grades["test_gradient"].earned == 0
    assert "entries are swapped" in grades["test_gradient"].feedback()


def test_stepping_uphill_is_caught_by_what_it_does_to_f(grade, released):
    grades = grade(released, listed(released, "steps_uphill"))
    text = grades["test_descent_step"].feedback()
    assert grades["test_descent_step"].earned == 1
    assert "raised f" in text and "steps uphill" in text


def test_public_checks_pass_the_right_answers(capsys):
    check_slope_answers("2x + h", "2*x")
    check_gradient_answer("[2x, 2y]")
    check_update_rule("theta - alpha*grad")
    check_choices(q_one="a", q_two=" D ")
    assert capsys.readouterr().out.count("All public checks passed") == 4


def test_public_checks_name_wrong_typed_answers(capsys):
    with pytest.raises(CheckFailed):
        check_slope_answers("2x", "2x")
    with pytest.raises(CheckFailed):
        check_gradient_answer("[x, y]")
    with pytest.raises(CheckFailed, match="lowers J"):
        check_update_rule("theta + alpha grad")
    with pytest.raises(CheckFailed, match="letters"):
        check_choices(q_one="e")
    out = capsys.readouterr().out
    assert "factor 2 is missing" in out


def steepest(point):
    gradient = np.array([2 * point[0], 8 * point[1]])
    length = np.linalg.norm(gradient)
    return gradient / length if length > 0 else np.zeros(2)


def test_public_checks_of_the_stretched_bowl_functions(capsys):
    check_steepest_ascent(steepest)
    check_descent_step(lambda point, rate: point - rate * np.array([2, 8]) * point)
    assert capsys.readouterr().out.count("All public checks passed") == 2
    with pytest.raises(CheckFailed, match="length 1"):
        check_steepest_ascent(lambda point: np.array([2, 8]) * point)
    with pytest.raises(CheckFailed, match="lowers f"):
        check_descent_step(lambda point, rate: point + rate * np.array([2, 8]) * point)
