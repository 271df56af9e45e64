"""update_step: each student's table is their own, the grading is fair to a student who
used the wrong id, the public checks judge by definitions, and the reference fits are the
least-squares fits."""

import base64
import re

import nbformat
import numpy as np
import pytest
from course_files import public_module

from gradelab.grading.sample_submission import Sample
from gradelab.student import PRACTICE_ID, CheckFailed, stable_seed, variant_rng

ASSIGNMENT = "update_step"
checks = public_module(ASSIGNMENT)
HOUSE_FEATURES, HOUSE_PRICES = checks.HOUSE_FEATURES, checks.HOUSE_PRICES
STUDY_HOURS, STUDY_SCORES = checks.STUDY_HOURS, checks.STUDY_SCORES
TABLE_LEARNING_RATES, update_table = checks.TABLE_LEARNING_RATES, checks.update_table
check_gradient_descent = checks.check_gradient_descent
check_house_fit, check_study_fit = checks.check_house_fit, checks.check_study_fit
check_update_table, with_intercept = checks.check_update_table, checks.with_intercept
FULL_MARKS = {
    "test_update_table": (4, 4),
    "test_gradient_descent": (6, 6),
    "test_study_fit": (2, 2),
    "test_house_fit": (2, 2),
}


@pytest.fixture(scope="module")
def grade(grade_sample):
    def grade_as(course, student, typed_id):
        """Grade the reference answers as ``student``, with ``typed_id`` typed as STUDENT_ID."""
        sample = Sample(student, None, "", {"student_id": f"STUDENT_ID = {typed_id!r}"})
        grades = grade_sample(course, ASSIGNMENT, sample)
        return {gid: (cell.earned, cell.max_points) for gid, cell in grades.items()}, grades

    return grade_as


def test_a_student_who_types_their_own_id_scores_full_marks(grade, released):
    scores, _ = grade(released, "alice", "alice")
    assert scores == FULL_MARKS


@pytest.mark.parametrize("typed_id, used", [("", PRACTICE_ID), ("bob", "bob")])
def test_another_ids_numbers_cost_the_table_and_nothing_else(grade, released, typed_id, used):
    scores, grades = grade(released, "alice", typed_id)
    assert scores == {**FULL_MARKS, "test_update_table": (0, 4)}
    feedback = grades["test_update_table"].feedback()
    assert f"your notebook used the numbers of '{used}'; graded with yours, 'alice'" in feedback
    assert f"new_beta0: computed with the numbers of '{used}'" in feedback
    details = [line.partition(" - ")[2] for line in feedback.splitlines()]
    assert not [d for d in details if re.search(r"(?<![\w.])\d", d)], "a message shows a number"


def test_the_notebook_draws_its_table_for_this_course(course):
    setup = nbformat.read(course.source_notebooks(ASSIGNMENT)[0], 4).cells[1].source
    assert f'COURSE_ID = "{course.course_id}"' in setup


def test_each_id_gets_its_own_table_the_same_every_time():
    alice = update_table("gradient-descent", "alice")
    assert np.array_equal(alice.old, update_table("gradient-descent", " alice ").old)
    assert not np.array_equal(alice.gradient, update_table("gradient-descent", "bob").gradient)
    assert not np.array_equal(alice.gradient, update_table("other-course", "alice").gradient)
    assert update_table("gradient-descent", "").owner == PRACTICE_ID


def test_the_numbers_come_from_the_public_seed_of_the_student_id():
    seed = stable_seed("gradient-descent", ASSIGNMENT, "alice")
    expected = np.random.default_rng(seed).integers(1000, size=5)
    assert np.array_equal(
        variant_rng("gradient-descent", ASSIGNMENT, "alice").integers(1000, size=5), expected
    )


def test_every_table_can_be_worked_out_by_hand():
    for student in (f"student{i}" for i in range(200)):
        table = update_table("gradient-descent", student)
        for value in (*table.old, *table.gradient):
            assert value == round(value, 1)
        assert np.all(table.gradient != 0) and table.learning_rate in TABLE_LEARNING_RATES


def test_the_table_says_when_its_numbers_are_for_practice():
    assert "not graded" in update_table("gradient-descent", "")._repr_markdown_()
    assert "not graded" not in update_table("gradient-descent", "alice")._repr_markdown_()


def test_the_public_table_check_names_a_step_uphill(capsys):
    table = update_table("gradient-descent", "alice")
    check_update_table(table, *(table.old - table.learning_rate * table.gradient))
    with pytest.raises(CheckFailed):
        check_update_table(table, *(table.old + table.learning_rate * table.gradient))
    assert "moved uphill" in capsys.readouterr().out


def test_the_public_descent_check_passes_the_reference_and_fails_ascent(reference):
    check_gradient_descent(reference.gradient_descent)
    with pytest.raises(CheckFailed, match="the cost falls"):
        check_gradient_descent(
            lambda X, y, w0, rate, steps: reference.gradient_descent(X, y, w0, -rate, steps)
        )


def test_the_public_fit_checks_pass_the_fits_and_fail_standardized_weights(reference):
    check_study_fit(reference.fit_study_hours())
    fit = reference.fit_house_prices()
    check_house_fit(fit.original)
    with pytest.raises(CheckFailed, match="gradient of J"):
        check_house_fit(fit.scaled)


def test_the_reference_fits_are_the_least_squares_fits(reference):
    for features, y, w in (
        (STUDY_HOURS, STUDY_SCORES, reference.fit_study_hours()),
        (HOUSE_FEATURES, HOUSE_PRICES, reference.fit_house_prices().original),
    ):
        best = np.linalg.lstsq(with_intercept(features), y, rcond=None)[0]
        np.testing.assert_allclose(w, best, rtol=1e-8)


def test_feedback_draws_your_cost_history_against_the_reference(released, grade):
    _, grades = grade(released, "alice", "alice")
    plots = grades["test_gradient_descent"].plots
    assert [plot.title for plot in plots] == ["cost history on your data"]
    assert base64.b64decode(plots[0].png_base64).startswith(b"\x89PNG")
