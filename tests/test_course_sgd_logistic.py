"""sgd_logistic: the reference scores full marks, the momentum bonus is its own cell, the
reference keeps its promises (no overflow, reproducible batches, beta = 0 is plain SGD), and
the public checks catch the usual mistakes."""

import nbformat
import numpy as np
import pytest
from course_files import public_module

from gradelab.grading.grade_notebook import grade_notebook, nbgrader_meta
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.sandbox.limits import Limits
from gradelab.student import CheckFailed

ASSIGNMENT = "sgd_logistic"
checks = public_module(ASSIGNMENT)
check_cross_entropy = checks.check_cross_entropy
check_descend_until = checks.check_descend_until
check_logistic_gradient = checks.check_logistic_gradient
check_minibatch_sgd = checks.check_minibatch_sgd
exam_data = checks.exam_data


def test_the_reference_scores_full_marks(released):
    text = submission_notebook(released, ASSIGNMENT, ASSIGNMENT, Sample("alice", None, ""))
    grades = grade_notebook(nbformat.reads(text, 4), released, ASSIGNMENT, "alice", Limits())
    assert {gid: (c.earned, c.max_points) for gid, c in grades.items()} == {
        "test_sigmoid": (2, 2),
        "test_cross_entropy": (2, 2),
        "test_logistic_gradient": (3, 3),
        "test_minibatch_sgd": (4, 4),
        "test_descend_until": (3, 3),
        "test_sgd_momentum": (2, 2),
    }


def test_the_notebook_calls_momentum_a_bonus_with_its_own_test_cell(course):
    cells = nbformat.read(course.source_notebooks(ASSIGNMENT)[0], 4).cells
    ids = [nbgrader_meta(cell)["grade_id"] for cell in cells]
    about = cells[ids.index("about_momentum")]
    assert "bonus" in about.source.lower()
    assert ids[ids.index("about_momentum") :] == [
        "about_momentum",
        "sgd_momentum",
        "test_sgd_momentum",
    ]


def test_the_sigmoid_and_the_cost_never_overflow(reference):
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    X, y = np.column_stack([np.ones(7), z]), (z > 0).astype(float)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_allclose(reference.sigmoid(z), (z > 0) + 0.5 * (z == 0), atol=1e-15)
        assert np.isfinite(reference.cross_entropy(X, 1 - y, np.array([0.0, 1.0])))


def test_one_batch_of_all_examples_is_full_batch_gradient_descent(reference):
    X, y = exam_data()
    theta = np.zeros(3)
    for _ in range(3):
        theta = theta - 0.5 * reference.logistic_gradient(X, y, theta)
    sgd, history = reference.minibatch_sgd(X, y, np.zeros(3), 0.5, len(y), 3, seed=1)
    np.testing.assert_allclose(sgd, theta, rtol=1e-12)
    assert history.shape == (4,) and np.all(np.diff(history) < 0)


def test_runs_repeat_with_a_seed_and_beta_zero_is_plain_sgd(reference):
    X, y = exam_data()
    first = reference.minibatch_sgd(X, y, np.zeros(3), 0.5, 16, 4, seed=3)[0]
    assert np.array_equal(first, reference.minibatch_sgd(X, y, np.zeros(3), 0.5, 16, 4, 3)[0])
    assert not np.array_equal(first, reference.minibatch_sgd(X, y, np.zeros(3), 0.5, 16, 4, 4)[0])
    no_momentum = reference.sgd_momentum(X, y, np.zeros(3), 0.5, 0.0, 16, 4, 3)[0]
    assert np.array_equal(first, no_momentum)


def test_each_stopping_rule_stops_at_the_first_step_it_allows(reference):
    X, y = exam_data()
    eps, rate = 1e-3, 0.5
    theta, steps = reference.descend_until(X, y, np.zeros(3), rate, eps, 5000, "gradient")
    assert np.linalg.norm(reference.logistic_gradient(X, y, theta)) < eps
    before, _ = reference.descend_until(X, y, np.zeros(3), rate, 0.0, steps - 1, "gradient")
    assert np.linalg.norm(reference.logistic_gradient(X, y, before)) >= eps
    theta, steps = reference.descend_until(X, y, np.zeros(3), rate, 1e-6, 5000, "cost")
    previous, _ = reference.descend_until(X, y, np.zeros(3), rate, 0.0, steps - 1, "cost")
    change = reference.cross_entropy(X, y, previous) - reference.cross_entropy(X, y, theta)
    assert 0 < change < 1e-6


def test_the_public_checks_pass_the_reference(reference):
    check_cross_entropy(reference.cross_entropy)
    check_logistic_gradient(reference.logistic_gradient)
    check_minibatch_sgd(reference.minibatch_sgd)
    check_descend_until(reference.descend_until)


def test_the_public_checks_catch_the_usual_mistakes(reference, capsys):
    def log_of_sigmoid(X, y, theta):
        p = reference.sigmoid(X @ theta)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def drops_last_batch(X, y, theta0, rate, batch_size, num_epochs, seed):
        kept = np.random.default_rng(seed).permutation(len(y))[: len(y) - len(y) % batch_size]
        theta = theta0 - rate * reference.logistic_gradient(X[kept], y[kept], theta0)
        costs = [reference.cross_entropy(X, y, t) for t in (theta0, theta)]
        return theta, np.array(costs)

    def cost_rule_off_by_one(*args):
        theta, steps = reference.descend_until(*args)
        return theta, steps - (args[-1] == "cost")

    with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(CheckFailed):
        check_cross_entropy(log_of_sigmoid)
    with pytest.raises(CheckFailed):
        check_logistic_gradient(lambda X, y, theta: -reference.logistic_gradient(X, y, theta))
    assert "opposite sign" in capsys.readouterr().out
    with pytest.raises(CheckFailed):
        check_minibatch_sgd(drops_last_batch)
    assert "\u2718 one epoch takes the batches" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="one step"):
        check_descend_until(cost_rule_off_by_one)
