"""Hidden tests for learning_rate. They run in the grader's process, never in the student's.

Functions are tried on each student's own problems from ``rng``; ``classify_run`` and
``steps_to_reach`` are given paths made by the reference, so that each is judged alone. The
chosen rate is judged by what it does: the reference runs it, and so does the student's own
``descent_path``; any rate that reaches the tolerance within the budget earns the points.
Messages name a mistake or a type, never the hidden inputs or the expected numbers.
"""

import numpy as np
import pytest
from checks import (
    LABELS,
    RATES,
    STEP_BUDGET,
    TOL,
    course_data,
)

from gradelab.testing import as_numbers, expect_close, kind_of

PATH = "test_descent_path"
REACH = "test_steps_to_reach"
CLASSIFY = "test_classify_run"
STABLE = "test_largest_stable_rate"
COURSE = "test_course_rates"
SCALING = "test_scaling"

# For each label, a rate (as a multiple of 1 / lambda_max) and a run length that give it on
# most problems; ``labelled_run`` draws problems until the reference rule agrees.
LABELLED_RUNS = {
    "diverging": (2.2, 60),
    "oscillating": (1.9, 60),
    "converging": (0.9, 600),
    "too slow": (0.05, 30),
}


def problem(rng, n=None, d=3):
    """A regression problem whose features are not centred, so H has a spread of eigenvalues."""
    n = int(rng.integers(15, 40)) if n is None else n
    features = rng.normal(rng.uniform(0.5, 2.0, size=d - 1), 1.0, size=(n, d - 1))
    X = np.column_stack([np.ones(n), features])
    return X, X @ rng.normal(0.0, 2.0, size=d) + rng.normal(0.0, 0.5, size=n)


def labelled_run(reference, rng, label):
    """A problem and a reference path that the reference rule calls ``label``."""
    multiple, num_steps = LABELLED_RUNS[label]
    for _ in range(50):
        X, y = problem(rng)
        rate = multiple * reference.largest_stable_rate(X) / 2
        path = reference.descent_path(X, y, np.zeros(X.shape[1]), rate, num_steps)
        if reference.classify_run(X, y, path, TOL) == label:
            return X, y, path
    raise RuntimeError(f"no problem found for the label {label!r}")


# -- descent_path ---------------------------------------------------------------------------
def check_path(student, reference, X, y, w0, rate, num_steps):
    expected = reference.descent_path(X, y, w0, rate, num_steps)
    expect_close(
        student.descent_path(X, y, w0, rate, num_steps),
        expected,
        "descent_path",
        mistakes={
            "the steps go uphill: subtract learning_rate * gradient": reference.descent_path(
                X, y, w0, -rate, num_steps
            ),
            "the gradient misses the factor 2 from the square": reference.descent_path(
                X, y, w0, rate / 2, num_steps
            ),
            "the gradient sums over examples instead of averaging": reference.descent_path(
                X, y, w0, rate * len(y), num_steps
            ),
        },
    )


@pytest.mark.points(1, cell=PATH)
def test_path_shape(student, reference, rng):
    """returns a float array with num_steps + 1 rows, one column per weight"""
    X, y = problem(rng, n=12)
    path = student.descent_path(X, y, np.zeros(3), reference.largest_stable_rate(X) / 4, 7)
    if not isinstance(path, np.ndarray) or path.dtype.kind != "f":
        raise AssertionError(f"descent_path returned {kind_of(path)}; expected a float array")
    if path.shape[:1] == (7,):
        raise AssertionError("descent_path has num_steps rows; it needs w0 too: num_steps + 1")
    if path.shape != (8, 3):
        raise AssertionError("descent_path must have num_steps + 1 rows and d columns")


@pytest.mark.points(1, cell=PATH)
def test_path_matches_reference(student, reference, rng):
    """matches the reference path on your data"""
    X, y = problem(rng)
    rate = float(rng.uniform(0.2, 1.8)) * reference.largest_stable_rate(X) / 2
    check_path(student, reference, X, y, rng.normal(size=3), rate, int(rng.integers(10, 30)))


@pytest.mark.points(1, cell=PATH)
def test_path_edge_cases(student, reference, rng):
    """works with zero steps, integer arrays and a rate that diverges"""
    X, y = problem(rng)
    limit = reference.largest_stable_rate(X)
    check_path(student, reference, X, y, rng.normal(size=3), limit / 2, 0)
    X_int = np.column_stack([np.ones(9, dtype=int), rng.integers(-3, 4, size=(9, 2))])
    y_int = rng.integers(-20, 20, size=9)
    rate = reference.largest_stable_rate(X_int) / 3
    check_path(student, reference, X_int, y_int, np.zeros(3, dtype=int), rate, 5)
    check_path(student, reference, X, y, np.zeros(3), 1.5 * limit, 15)


# -- steps_to_reach -------------------------------------------------------------------------
def check_steps(student, reference, X, y, path, tol):
    expected = reference.steps_to_reach(X, y, path, tol)
    got = student.steps_to_reach(X, y, path, tol)
    if expected is None:
        assert got is None, (
            f"steps_to_reach returned {kind_of(got)} for a run that never gets there"
        )
        return
    if not isinstance(got, int | np.integer):
        raise AssertionError(f"steps_to_reach returned {kind_of(got)}; expected an int or None")
    assert got != expected + 1, "steps_to_reach is one too high: w0 is step 0"
    assert got != expected - 1, "steps_to_reach is one too low: w0 is step 0"
    assert got == expected, "steps_to_reach differs from the first step within the tolerance"


@pytest.mark.points(1, cell=REACH)
def test_steps_match_reference(student, reference, rng):
    """finds the first step within the tolerance, on your data and several rates"""
    X, y = problem(rng)
    limit = reference.largest_stable_rate(X)
    for multiple in (0.5, 0.9, 1.6):
        path = reference.descent_path(X, y, np.zeros(3), multiple * limit / 2, 600)
        check_steps(student, reference, X, y, path, float(rng.choice([1e-3, 1e-6])))


@pytest.mark.points(1, cell=REACH)
def test_steps_edge_cases(student, reference, rng):
    """0 for a run that starts at the minimum, None for one that never gets there"""
    X = np.column_stack([np.ones(8, dtype=int), rng.integers(-5, 6, size=(8, 2))])
    w_exact = rng.integers(-4, 5, size=3)
    y = X @ w_exact  # an exact fit: J(w_exact) = 0 = J*
    limit = reference.largest_stable_rate(X)
    at_minimum = reference.descent_path(X, y, w_exact, limit / 2, 5)
    check_steps(student, reference, X, y, at_minimum, TOL)
    X, y = problem(rng)
    slow = reference.descent_path(X, y, np.zeros(3), reference.largest_stable_rate(X) / 100, 20)
    check_steps(student, reference, X, y, slow, TOL)


# -- classify_run ---------------------------------------------------------------------------
def expect_label(student, X, y, path, label, hint):
    got = student.classify_run(X, y, path, TOL)
    if got not in LABELS:
        raise AssertionError(f"classify_run returned {got!r}; expected one of the four labels")
    assert got == label, f"classify_run called a {label} run {got!r}: {hint}"


@pytest.mark.points(1, cell=CLASSIFY)
def test_diverging(student, reference, rng):
    """a run whose cost ends above its start, or overflows, is 'diverging'"""
    X, y, path = labelled_run(reference, rng, "diverging")
    hint = "compare the last cost with the first"
    expect_label(student, X, y, path, "diverging", hint)
    overflow = reference.descent_path(X, y, np.zeros(3), 20 * reference.largest_stable_rate(X), 600)
    expect_label(student, X, y, overflow, "diverging", "a cost that is inf or NaN also diverges")


@pytest.mark.points(1, cell=CLASSIFY)
def test_oscillating(student, reference, rng):
    """a run with a step that reverses the one before is 'oscillating'"""
    X, y, path = labelled_run(reference, rng, "oscillating")
    hint = "look for consecutive steps with a negative dot product"
    expect_label(student, X, y, path, "oscillating", hint)


def with_wobble(path):
    """``path`` followed by rows that go back and forth by a hair around its last row: steps
    that reverse after the run has arrived, as rounding noise can make them."""
    last = path[-1]
    hair = 1e-9 * (1 + np.abs(last))
    return np.vstack([path, last + hair, last, last + hair, last])


@pytest.mark.points(1, cell=CLASSIFY)
def test_converging(student, reference, rng):
    """a run that arrives without reversing is 'converging', whatever its steps do after"""
    X, y, path = labelled_run(reference, rng, "converging")
    hint = "only the steps up to the one that reaches the tolerance count"
    expect_label(student, X, y, with_wobble(path), "converging", hint)


@pytest.mark.points(1, cell=CLASSIFY)
def test_too_slow(student, reference, rng):
    """a steady run that does not reach the tolerance is 'too slow'"""
    X, y, path = labelled_run(reference, rng, "too slow")
    expect_label(student, X, y, path, "too slow", "it never reaches the tolerance")


# -- largest_stable_rate --------------------------------------------------------------------
def check_stable_rate(student, reference, X):
    X_float = np.asarray(X, dtype=float)
    n = len(X_float)
    eigenvalues = np.linalg.eigvalsh((2.0 / n) * X_float.T @ X_float)
    expect_close(
        student.largest_stable_rate(X),
        reference.largest_stable_rate(X),
        "largest_stable_rate",
        mistakes={
            "the Hessian is (2/n) X^T X, not X^T X": 4 / (n * eigenvalues[-1]),
            "the Hessian is (2/n) X^T X, not (1/n) X^T X": 4 / eigenvalues[-1],
            "this is 1 / lambda_max; the limit is 2 / lambda_max": 1 / eigenvalues[-1],
            "use the largest eigenvalue, not the smallest": 2 / eigenvalues[0],
        },
    )


@pytest.mark.points(1, cell=STABLE)
def test_stable_rate_matches_reference(student, reference, rng):
    """is 2 / lambda_max of H = (2/n) X^T X on your data"""
    check_stable_rate(student, reference, problem(rng, d=int(rng.integers(2, 5)))[0])


@pytest.mark.points(1, cell=STABLE)
def test_stable_rate_edge_cases(student, reference, rng):
    """works with one column, one example and integer arrays"""
    check_stable_rate(student, reference, rng.normal(2.0, 1.0, size=(10, 1)))
    check_stable_rate(student, reference, problem(rng, n=1)[0])
    check_stable_rate(student, reference, rng.integers(1, 9, size=(7, 3)))


# -- the course's rates ---------------------------------------------------------------------
@pytest.mark.points(1, cell=COURSE)
def test_rate_labels(student, reference):
    """rate_labels gives each rate in RATES the label of the rule"""
    labels = student.value("rate_labels")
    if not isinstance(labels, list | tuple) or len(labels) != len(RATES):
        raise AssertionError(f"rate_labels is {kind_of(labels)}; expected one label per rate")
    for rate, got, expected in zip(RATES, labels, reference.course_labels(), strict=True):
        assert got == expected, f"rate_labels: the label of the rate {rate:g} is not the rule's"


def chosen_rate(student, reference):
    """The student's rate, checked to be a number below the largest stable rate."""
    rate = student.value("chosen_rate")
    if isinstance(rate, bool) or not isinstance(rate, int | float | np.number):
        raise AssertionError(f"chosen_rate is {kind_of(rate)}; expected a number")
    rate = float(rate)
    limit = reference.largest_stable_rate(course_data()[0])
    assert np.isfinite(rate) and rate > 0, "chosen_rate must be a positive number"
    assert rate < limit, "chosen_rate is not below 2 / lambda_max: the run diverges"
    return rate, limit


@pytest.mark.points(2, cell=COURSE)
def test_chosen_rate(student, reference, plot):
    """chosen_rate reaches TOL within STEP_BUDGET steps (run by the grader)"""
    rate, limit = chosen_rate(student, reference)
    X, y = course_data()
    path = reference.descent_path(X, y, np.zeros(X.shape[1]), rate, STEP_BUDGET)
    excess = reference.costs(X, y, path) - reference.best_cost(X, y)
    plot(
        f"your chosen_rate = {rate:.4g}: relative excess cost per step",
        {"J(w_k) - J*, over J(w_0) - J*": excess / excess[0]},
        ylabel="relative excess cost",
        log_y=True,
        level=TOL,
    )
    hint = (
        "it is so small that the flat direction crawls"
        if rate <= limit / 2
        else "it is so close to 2 / lambda_max that the steep direction barely settles"
    )
    assert reference.steps_to_reach(X, y, path, TOL) is not None, (
        f"chosen_rate does not reach TOL within STEP_BUDGET steps: {hint}"
    )


@pytest.mark.points(1, cell=COURSE)
def test_chosen_rate_with_your_descent(student, reference):
    """chosen_rate reaches TOL within STEP_BUDGET steps with your own descent_path"""
    rate, _ = chosen_rate(student, reference)
    X, y = course_data()
    path = as_numbers(
        student.descent_path(X, y, np.zeros(X.shape[1]), rate, STEP_BUDGET), "descent_path"
    )
    assert path.shape == (STEP_BUDGET + 1, X.shape[1]), "descent_path returned the wrong shape"
    assert reference.steps_to_reach(X, y, path, TOL) is not None, (
        "with your descent_path, chosen_rate does not reach TOL within STEP_BUDGET steps"
    )


# -- feature scaling ------------------------------------------------------------------------
def check_standardize(student, reference, X):
    X_float = np.asarray(X, dtype=float)
    expected = reference.standardize(X)
    got = as_numbers(student.standardize(X), "standardize")
    if got.shape == expected.shape:
        assert np.allclose(got[:, 0], 1.0), "standardize must keep the column of ones"
    features = X_float[:, 1:]
    expect_close(
        got,
        expected,
        "standardize",
        mistakes={
            "divide by np.std (the population standard deviation), not with ddof=1": (
                np.column_stack(
                    [X_float[:, 0], (features - features.mean(0)) / features.std(0, ddof=1)]
                )
            ),
            "the columns are centred but not divided by their standard deviation": (
                np.column_stack([X_float[:, 0], features - features.mean(0)])
            ),
        },
    )


@pytest.mark.points(1, cell=SCALING)
def test_standardize_matches_reference(student, reference, rng):
    """standardize matches the reference on your data"""
    check_standardize(student, reference, problem(rng, d=int(rng.integers(3, 6)))[0])


@pytest.mark.points(1, cell=SCALING)
def test_standardize_edge_cases(student, reference, rng):
    """standardize works with one feature, integer arrays and large values"""
    check_standardize(student, reference, problem(rng, d=2)[0])
    X_int = np.column_stack([np.ones(8, dtype=int), rng.integers(-50, 50, size=(8, 2))])
    check_standardize(student, reference, X_int)
    X_large = problem(rng)[0]
    X_large[:, 1:] *= 1e6
    check_standardize(student, reference, X_large)


def check_count(student, name, expected):
    got = student.value(name)
    if got is None:
        raise AssertionError(f"{name} is None: that run did not reach TOL within NUM_STEPS steps")
    if not isinstance(got, int | np.integer):
        raise AssertionError(f"{name} is {kind_of(got)}; expected a whole number of steps")
    assert abs(got - expected) != 1, f"{name} is one step off: w0 is step 0"
    assert got == expected, f"{name} is not the count at alpha = 1 / lambda_max from w = 0"


@pytest.mark.points(1, cell=SCALING)
def test_steps_raw(student, reference):
    """steps_raw counts the steps on the raw course data"""
    X, y = course_data()
    check_count(student, "steps_raw", reference.steps_at_half_stable_rate(X, y))


@pytest.mark.points(1, cell=SCALING)
def test_steps_scaled(student, reference):
    """steps_scaled counts the steps on the standardized course data"""
    X, y = course_data()
    check_count(
        student, "steps_scaled", reference.steps_at_half_stable_rate(reference.standardize(X), y)
    )
