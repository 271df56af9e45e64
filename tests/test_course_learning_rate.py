"""learning_rate: the reference scores full marks, any chosen rate that arrives within the
budget earns its points, the labelling rule agrees with the eigenvalue analysis, the hidden
tests find their cases for every student, and the public checks judge by construction."""

import importlib.util

import nbformat
import numpy as np
import pytest
from course_files import public_module

from gradelab.grading.public_modules import public_modules
from gradelab.grading.sample_submission import Sample, solution_code
from gradelab.student import CheckFailed

ASSIGNMENT = "learning_rate"
checks = public_module(ASSIGNMENT)
LABELS, TOL, course_data = checks.LABELS, checks.TOL, checks.course_data
check_classify_run = checks.check_classify_run
check_largest_stable_rate = checks.check_largest_stable_rate
check_steps_to_reach = checks.check_steps_to_reach


@pytest.fixture(scope="module")
def hidden_suite(course):
    path = course.hidden_suite(ASSIGNMENT) / "test_learning_rate.py"
    spec = importlib.util.spec_from_file_location("learning_rate_hidden_suite", path)
    module = importlib.util.module_from_spec(spec)
    with public_modules(course.source_folder(ASSIGNMENT)):
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def grade(grade_sample):
    return lambda course, cells=None: grade_sample(
        course, ASSIGNMENT, Sample("alice", None, "", cells or {})
    )


def test_the_reference_scores_full_marks(grade, released):
    grades = grade(released)
    assert {gid: (c.earned, c.max_points) for gid, c in grades.items()} == {
        "test_descent_path": (3, 3),
        "test_steps_to_reach": (2, 2),
        "test_classify_run": (4, 4),
        "test_largest_stable_rate": (2, 2),
        "test_course_rates": (4, 4),
        "test_scaling": (4, 4),
    }


@pytest.mark.parametrize(
    "multiple, earned, message",
    [
        (0.6, 4, None),
        (0.95, 4, None),
        (0.3, 1, "the flat direction crawls"),
        (1.05, 1, "not below 2 / lambda_max"),
    ],
)
def test_any_rate_that_arrives_within_the_budget_earns_the_points(
    grade, released, multiple, earned, message
):
    rates_cell = next(
        cell
        for cell in nbformat.read(released.source_notebooks(ASSIGNMENT)[0], 4).cells
        if cell.metadata["nbgrader"]["grade_id"] == "rates"
    )
    chosen = f"{solution_code(rates_cell)}\nchosen_rate = {multiple} * largest_stable_rate(X)"
    cell = grade(released, {"rates": chosen})["test_course_rates"]
    assert cell.earned == earned
    assert message is None or message in cell.feedback()


def test_the_course_rates_show_all_four_behaviours(reference):
    assert sorted(set(reference.course_labels())) == sorted(LABELS)


def test_the_rule_agrees_with_the_eigenvalues(reference, hidden_suite):
    rng = np.random.default_rng(0)
    for _ in range(20):
        X, y = hidden_suite.problem(rng)
        limit = reference.largest_stable_rate(X)
        start = np.zeros(X.shape[1])
        calm = reference.descent_path(X, y, start, 0.99 * limit / 2, 300)
        assert not reference.reverses(calm), "below 1 / lambda_max no step turns back"
        wild = reference.descent_path(X, y, start, 1.1 * limit, 300)
        assert reference.classify_run(X, y, wild, TOL) == "diverging"


def test_the_hidden_tests_find_each_behaviour_for_every_student(reference, hidden_suite):
    for seed in range(100):
        for label in LABELS:
            X, y, path = hidden_suite.labelled_run(reference, np.random.default_rng(seed), label)
            assert reference.classify_run(X, y, path, TOL) == label
        X, y, path = hidden_suite.labelled_run(reference, np.random.default_rng(seed), "converging")
        wobbly = hidden_suite.with_wobble(path)
        assert reference.reverses(wobbly[-5:])
        assert reference.classify_run(X, y, wobbly, TOL) == "converging"


def test_the_scaled_run_arrives_in_one_step(reference):
    X, y = course_data()
    assert reference.steps_at_half_stable_rate(reference.standardize(X), y) == 1
    assert reference.steps_at_half_stable_rate(X, y) > 1


def test_the_public_checks_pass_the_reference(reference):
    check_steps_to_reach(reference.steps_to_reach)
    check_classify_run(reference.classify_run)
    check_largest_stable_rate(reference.largest_stable_rate)


def test_the_public_checks_catch_common_mistakes(reference):
    def counts_from_one(X, y, path, tol):
        steps = reference.steps_to_reach(X, y, path, tol)
        return None if steps is None else steps + 1

    with pytest.raises(CheckFailed, match="step 4"):
        check_steps_to_reach(counts_from_one)
    with pytest.raises(CheckFailed, match="too slow"):
        check_classify_run(lambda X, y, path, tol: "converging")
    with pytest.raises(CheckFailed, match="2 I"):
        check_largest_stable_rate(lambda X: 2 / np.linalg.eigvalsh(X.T @ X)[-1])
