"""Hidden tests for update_step. They run in the grader's process, never in the student's.

The update table is drawn for the id being graded (``student_id``), whatever id the notebook
used; the descent loop is tried on each student's own data from ``rng``; the fits are checked
against the reference fits of the course's data. Messages name a mistake or a type, never the
hidden inputs or the expected numbers.
"""

import numpy as np
import pytest
from checks import update_table

from gradelab.student import numbers_id
from gradelab.testing import SubmissionError, as_numbers, expect_close, kind_of

TABLE = "test_update_table"
DESCENT = "test_gradient_descent"
STUDY = "test_study_fit"
HOUSES = "test_house_fit"
FIT_RTOL = 1e-5


# -- the update table ---------------------------------------------------------------------
def notebook_owner(student) -> str | None:
    """Whose numbers the notebook showed, or None if its STUDENT_ID cannot be read."""
    try:
        return numbers_id(student.value("STUDENT_ID"))
    except SubmissionError:
        return None


@pytest.mark.points(1, cell=TABLE)
def test_table_has_your_numbers(student, student_id):
    """the table in your notebook is the one of your student id"""
    used = numbers_id(student.value("STUDENT_ID"))
    assert used == student_id, (
        f"your notebook used the numbers of '{used}'; graded with yours, '{student_id}'"
    )


def check_new_value(student, reference, course_id, student_id, row):
    name = f"new_beta{row}"
    value = student.value(name)
    own = update_table(course_id, student_id)
    old, gradient, rate = own.old[row], own.gradient[row], own.learning_rate
    mistakes = {
        "the step goes uphill: subtract learning rate x gradient, do not add it": old
        + rate * gradient,
        "the learning rate is missing: the step is learning rate x gradient": old - gradient,
        "this is the step itself, not the new value: start from the old value": -rate * gradient,
    }
    owner = notebook_owner(student)
    if owner not in (None, student_id):
        shown = update_table(course_id, owner)
        mistakes[f"computed with the numbers of '{owner}'; graded with yours, '{student_id}'"] = (
            reference.update(shown.old[row], shown.gradient[row], shown.learning_rate)
        )
    expect_close(value, reference.update(old, gradient, rate), name, mistakes=mistakes)


@pytest.mark.points(1, cell=TABLE)
def test_new_beta0(student, reference, course_id, student_id):
    """β₀: the new value is the old value minus learning rate x gradient"""
    check_new_value(student, reference, course_id, student_id, 0)


@pytest.mark.points(1, cell=TABLE)
def test_new_beta1(student, reference, course_id, student_id):
    """β₁: the new value is the old value minus learning rate x gradient"""
    check_new_value(student, reference, course_id, student_id, 1)


@pytest.mark.points(1, cell=TABLE)
def test_new_beta2(student, reference, course_id, student_id):
    """β₂: the new value is the old value minus learning rate x gradient"""
    check_new_value(student, reference, course_id, student_id, 2)


# -- the descent loop ---------------------------------------------------------------------
def regression_problem(rng, n, d, scale=1.0):
    """n examples with an intercept column, and a learning rate that converges on them."""
    X = np.column_stack([np.ones(n), rng.normal(0.0, scale, size=(n, d - 1))])
    y = X @ rng.normal(0.0, 2.0, size=d) + rng.normal(0.0, 0.5 * scale, size=n)
    lmax = np.linalg.eigvalsh((2.0 / n) * X.T @ X)[-1]
    return X, y, rng.normal(0.0, 1.0, size=d), float(rng.uniform(0.1, 0.5) / lmax)


def descent_pair(result) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise AssertionError(
            f"gradient_descent returned {kind_of(result)}; expected a pair (w, cost_history)"
        )
    return as_numbers(result[0], "gradient_descent"), as_numbers(result[1], "gradient_descent")


def expect_history_length(history, num_steps):
    extra = history.size - (num_steps + 1)
    if history.ndim == 1 and extra == -1:
        raise AssertionError(
            "cost_history has num_steps entries; it needs num_steps + 1: "
            "the cost before the first step, then the cost after each step"
        )
    if history.ndim == 1 and extra == 1:
        raise AssertionError("cost_history has one entry too many; it needs num_steps + 1")
    if history.shape != (num_steps + 1,):
        raise AssertionError("cost_history must be a flat array of num_steps + 1 costs")


def wrong_runs(rate, num_steps, n) -> dict[str, tuple[float, int]]:
    """Named mistakes of the loop, each as the (learning rate, steps) that reproduces it."""
    runs = {
        "the steps go uphill: subtract learning_rate * gradient": (-rate, num_steps),
        "the gradient misses the factor 2 from the square": (rate / 2, num_steps),
        "the gradient sums over examples instead of averaging": (rate * n, num_steps),
        "it takes one step too many": (rate, num_steps + 1),
    }
    if num_steps > 0:
        runs["it takes one step too few"] = (rate, num_steps - 1)
    return runs


def check_descent(
    student, reference, X, y, w0, rate, num_steps, *, final=True, costs=True, plot=None
):
    w, history = descent_pair(student.gradient_descent(X, y, w0, rate, num_steps))
    expected_w, expected_history = reference.gradient_descent(X, y, w0, rate, num_steps)
    if plot is not None:
        curves = {"reference": expected_history}
        if history.ndim == 1 and np.all(np.isfinite(history)):
            curves["yours"] = history
        plot("cost history on your data", curves)
    wrong = {
        message: reference.gradient_descent(X, y, w0, *run)
        for message, run in wrong_runs(rate, num_steps, len(y)).items()
    }
    if final:
        mistakes = {message: run[0] for message, run in wrong.items()}
        expect_close(w, expected_w, "the final w of gradient_descent", mistakes=mistakes)
    if costs:
        expect_history_length(history, num_steps)
        mistakes = {message: run[1] for message, run in wrong.items()}
        mistakes["the costs are summed, not averaged: J is (1/n) ||Xw - y||^2"] = (
            expected_history * len(y)
        )
        mistakes["the costs are halved: J is (1/n) ||Xw - y||^2, without 1/2"] = (
            expected_history / 2
        )
        expect_close(history, expected_history, "cost_history", mistakes=mistakes)


@pytest.mark.points(1, cell=DESCENT)
def test_returns_w_and_history(student, rng):
    """returns (w, cost_history): a float array of shape (d,) and num_steps + 1 costs"""
    X, y, w0, rate = regression_problem(rng, n=10, d=3)
    result = student.gradient_descent(X, y, w0, rate, 5)
    descent_pair(result)
    w, history = result
    if not isinstance(w, np.ndarray) or w.dtype.kind != "f" or w.shape != (3,):
        raise AssertionError(f"w is {kind_of(w)}; expected a float numpy array of shape (d,)")
    if not isinstance(history, np.ndarray):
        raise AssertionError(f"cost_history is {kind_of(history)}; expected a numpy array")
    expect_history_length(as_numbers(history, "cost_history"), 5)


@pytest.mark.points(2, cell=DESCENT)
def test_descent_matches_reference(student, reference, rng):
    """the final w matches the reference on your data"""
    X, y, w0, rate = regression_problem(rng, n=int(rng.integers(20, 60)), d=4)
    num_steps = int(rng.integers(5, 15))
    check_descent(student, reference, X, y, w0, rate, num_steps, costs=False)


@pytest.mark.points(2, cell=DESCENT)
def test_history_matches_reference(student, reference, rng, plot):
    """the whole cost history matches the reference on your data"""
    X, y, w0, rate = regression_problem(rng, n=int(rng.integers(20, 60)), d=3)
    num_steps = int(rng.integers(5, 15))
    check_descent(student, reference, X, y, w0, rate, num_steps, final=False, plot=plot)


@pytest.mark.points(1, cell=DESCENT)
def test_descent_edge_cases(student, reference, rng):
    """works with zero steps, one example, integer arrays and large values"""
    check_descent(student, reference, *regression_problem(rng, n=8, d=3), 0)
    check_descent(student, reference, *regression_problem(rng, n=1, d=3), 3)
    X_int = np.column_stack([np.ones(9, dtype=int), rng.integers(-3, 4, size=(9, 2))])
    y_int = rng.integers(-20, 20, size=9)
    lmax = np.linalg.eigvalsh((2.0 / 9) * X_int.T @ X_int)[-1]
    check_descent(student, reference, X_int, y_int, np.zeros(3, dtype=int), 0.5 / lmax, 6)
    check_descent(student, reference, *regression_problem(rng, n=15, d=3, scale=1e4), 5)


# -- the fits -------------------------------------------------------------------------------
def expect_minimum(value, expected, what, mistakes):
    """Expect the reference fit; a value that is neither it nor a named mistake is told that
    it is not the minimum yet."""
    try:
        expect_close(value, expected, what, rtol=FIT_RTOL, mistakes=mistakes)
    except AssertionError as error:
        if str(error) == f"{what} differs from the reference result":
            raise AssertionError(
                f"{what} is not the minimum of J yet: take more steps or a larger learning "
                "rate (and check the columns of X)"
            ) from None
        raise


@pytest.mark.points(2, cell=STUDY)
def test_study_fit(student, reference):
    """study_w is the least-squares line (intercept, slope) of score against hours"""
    expected = reference.fit_study_hours()
    expect_minimum(
        student.value("study_w"),
        expected,
        "study_w",
        {"it is (slope, intercept): store the intercept first": expected[::-1]},
    )


@pytest.mark.points(2, cell=HOUSES)
def test_house_fit(student, reference):
    """house_w is the least-squares fit of price, in dollars per bedroom, bathroom, sq ft"""
    fit = reference.fit_house_prices()
    expect_minimum(
        student.value("house_w"),
        fit.original,
        "house_w",
        {"it is in standardized units: convert it back to the original units": fit.scaled},
    )
