"""Hidden tests for sgd_logistic. They run in the grader's process, never in the student's.

Each student gets logistic-regression problems drawn from ``rng``. SGD runs are reproducible
because the notebook fixes how batches are drawn (one generator per run, one permutation per
epoch), so the reference repeats the student's run exactly. Messages name a mistake or a
type, never the hidden inputs or the expected numbers.
"""

import numpy as np
import pytest

from gradelab.testing import as_numbers, expect_close, kind_of

SIGMOID = "test_sigmoid"
CROSS_ENTROPY = "test_cross_entropy"
GRADIENT = "test_logistic_gradient"
SGD = "test_minibatch_sgd"
STOPPING = "test_descend_until"
MOMENTUM = "test_sgd_momentum"


def logistic_problem(rng, m, d=3, scale=1.0):
    """m examples with an intercept column, labels drawn from a logistic model."""
    X = np.column_stack([np.ones(m), rng.normal(0.0, scale, size=(m, d - 1))])
    chance = 1 / (1 + np.exp(-np.clip(X @ rng.normal(0.0, 1.5, size=d), -500, 500)))
    return X, (rng.random(m) < chance).astype(float), rng.normal(0.0, 0.5, size=d)


def huge(X, theta):
    """``theta`` scaled so that X theta reaches 1000 (e^1000 overflows) and holds values of
    both signs far from 0 or not (confident predictions either way)."""
    z = X @ theta
    return theta * (1000.0 / z[np.argmax(np.abs(z))])


def expect_or_say(value, expected, what, mistakes, otherwise):
    """``expect_close``, with ``otherwise`` as the message when no named mistake matches."""
    try:
        expect_close(value, expected, what, mistakes=mistakes)
    except AssertionError as error:
        if str(error) == f"{what} differs from the reference result":
            raise AssertionError(f"{what} {otherwise}") from None
        raise


# -- sigmoid and the cost ---------------------------------------------------------------------
@pytest.mark.points(1, cell=SIGMOID)
def test_sigmoid_matches_reference(student, reference, rng):
    """sigmoid matches the reference on an array of your values"""
    z = rng.normal(0.0, 4.0, size=int(rng.integers(5, 20)))
    expect_close(
        student.sigmoid(z),
        reference.sigmoid(z),
        "sigmoid",
        mistakes={
            "this is sigmoid(-z): the exponent is e^(-z)": reference.sigmoid(-z),
            "this is e^(-z) / (1 + e^(-z)), which is 1 - sigmoid(z)": 1 - reference.sigmoid(z),
        },
    )


@pytest.mark.points(1, cell=SIGMOID)
def test_sigmoid_is_stable(student, reference, rng):
    """sigmoid gives finite, right values for huge |z| and for a single number"""
    z = np.array([-1000.0, -745.0, -40.0, 0.0, 40.0, 745.0, 1000.0]) * rng.uniform(1.0, 1.2)
    expect_close(student.sigmoid(z), reference.sigmoid(z), "sigmoid at huge |z|")
    expect_close(student.sigmoid(float(z[2])), reference.sigmoid(z[2]), "sigmoid of one number")


def check_cost(student, reference, X, y, theta):
    expected = reference.cross_entropy(X, y, theta)
    expect_close(
        student.cross_entropy(X, y, theta),
        expected,
        "cross_entropy",
        mistakes={
            "the sign is flipped: the cross-entropy is minus the mean log-likelihood": -expected,
            "the losses are summed, not averaged: divide by m": expected * len(y),
        },
    )


@pytest.mark.points(1, cell=CROSS_ENTROPY)
def test_cross_entropy_matches_reference(student, reference, rng):
    """cross_entropy matches the reference on your data"""
    check_cost(student, reference, *logistic_problem(rng, int(rng.integers(20, 60))))


@pytest.mark.points(1, cell=CROSS_ENTROPY)
def test_cross_entropy_is_stable(student, reference, rng):
    """cross_entropy stays finite and right when X theta is huge (confident predictions)"""
    X, y, theta = logistic_problem(rng, 30)
    check_cost(student, reference, X, y, huge(X, theta))


# -- the gradient ---------------------------------------------------------------------------
def check_gradient(student, reference, X, y, theta):
    expected = reference.logistic_gradient(X, y, theta)
    X_float = np.asarray(X, dtype=float)
    linear = X_float.T @ (X_float @ theta - y) / len(y)
    expect_close(
        student.logistic_gradient(X, y, theta),
        expected,
        "logistic_gradient",
        mistakes={
            "the sign is flipped: it is (1/m) X^T (sigmoid(X theta) - y)": -expected,
            "it is summed over examples, not averaged: divide by m": expected * len(y),
            "it uses X theta where sigmoid(X theta) belongs": linear,
            "it has a factor 2 that the cross-entropy does not give": 2 * expected,
        },
    )


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient_is_float_vector(student, rng):
    """returns a float numpy array of shape (d,)"""
    X, y, theta = logistic_problem(rng, 8)
    result = student.logistic_gradient(X, y, theta)
    if not isinstance(result, np.ndarray) or result.dtype.kind != "f" or result.shape != (3,):
        raise AssertionError(
            f"logistic_gradient returned {kind_of(result)}; expected a float array of shape (d,)"
        )


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient_matches_reference(student, reference, rng):
    """matches the reference gradient on your data"""
    d = int(rng.integers(2, 6))
    check_gradient(student, reference, *logistic_problem(rng, int(rng.integers(20, 60)), d))


@pytest.mark.points(1, cell=GRADIENT)
def test_gradient_edge_cases(student, reference, rng):
    """works with one example, integer arrays and huge X theta"""
    check_gradient(student, reference, *logistic_problem(rng, 1))
    X_int = np.column_stack([np.ones(7, dtype=int), rng.integers(-3, 4, size=(7, 2))])
    y_int = rng.integers(0, 2, size=7)
    check_gradient(student, reference, X_int, y_int, rng.integers(-2, 3, size=3))
    X, y, theta = logistic_problem(rng, 12)
    check_gradient(student, reference, X, y, huge(X, theta))


# -- mini-batch SGD ---------------------------------------------------------------------------
def sgd_pair(result, what):
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise AssertionError(f"{what} returned {kind_of(result)}; expected (theta, cost_history)")
    return as_numbers(result[0], what), as_numbers(result[1], what)


def check_sgd(student, reference, problem, run, otherwise):
    """Compare a run of ``run`` = (learning_rate, batch_size, num_epochs, seed) on ``problem``
    = (X, y, theta0); ``otherwise`` says what to look at when no named mistake matches."""
    X, y, theta0 = problem
    rate, batch_size, num_epochs, seed = run
    theta, history = sgd_pair(student.minibatch_sgd(*problem, *run), "minibatch_sgd")
    expected_theta, expected_history = reference.minibatch_sgd(*problem, *run)
    restarted = theta0
    for _ in range(num_epochs):
        restarted, _ = reference.minibatch_sgd(X, y, restarted, rate, batch_size, 1, seed)
    mistakes = {"it makes a new generator every epoch: make it once, before the epochs": restarted}
    if len(y) % batch_size == 0:
        summed = (rate * batch_size, batch_size, num_epochs, seed)
        mistakes["the batch gradient is summed, not averaged over the batch"] = (
            reference.minibatch_sgd(*problem, *summed)[0]
        )
    expect_or_say(theta, expected_theta, "the theta of minibatch_sgd", mistakes, otherwise)
    if history.shape != expected_history.shape:
        raise AssertionError("cost_history must hold num_epochs + 1 costs")
    expect_close(history, expected_history, "the cost_history of minibatch_sgd")


@pytest.mark.points(1, cell=SGD)
def test_sgd_returns_theta_and_history(student, rng):
    """returns (theta, cost_history): a float array (d,) and num_epochs + 1 costs"""
    X, y, theta0 = logistic_problem(rng, 12)
    result = student.minibatch_sgd(X, y, theta0, 0.3, 4, 3, int(rng.integers(1000)))
    theta, history = sgd_pair(result, "minibatch_sgd")
    if not isinstance(result[0], np.ndarray) or result[0].dtype.kind != "f":
        raise AssertionError(f"theta is {kind_of(result[0])}; expected a float numpy array")
    assert theta.shape == (3,), "theta must have one entry per column of X"
    assert history.shape == (4,), "cost_history must hold num_epochs + 1 costs"


@pytest.mark.points(2, cell=SGD)
def test_sgd_matches_reference(student, reference, rng):
    """repeats the reference run on your data, when batch_size divides m"""
    batch_size = int(rng.integers(2, 6))
    problem = logistic_problem(rng, batch_size * int(rng.integers(4, 10)))
    run = (
        float(rng.uniform(0.1, 0.5)),
        batch_size,
        int(rng.integers(2, 6)),
        int(rng.integers(1000)),
    )
    otherwise = "differs from the reference run: check the gradient and the batches"
    check_sgd(student, reference, problem, run, otherwise)


@pytest.mark.points(1, cell=SGD)
def test_sgd_last_smaller_batch(student, reference, rng):
    """uses the last, smaller batch when batch_size does not divide m"""
    batch_size = int(rng.integers(3, 6))
    m = batch_size * int(rng.integers(3, 8)) + int(rng.integers(1, batch_size))
    run = (0.3, batch_size, 3, int(rng.integers(1000)))
    otherwise = "differs when batch_size does not divide m: the last batch holds what is left"
    check_sgd(student, reference, logistic_problem(rng, m), run, otherwise)


# -- stopping rules ---------------------------------------------------------------------------
def check_stopping(student, reference, X, y, theta0, rate, eps, max_steps, rule):
    args = (X, y, theta0, rate, eps, max_steps, rule)
    result = student.descend_until(*args)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise AssertionError(f"descend_until returned {kind_of(result)}; expected (theta, steps)")
    theta, steps = result
    expected_theta, expected_steps = reference.descend_until(*args)
    if not isinstance(steps, int | np.integer):
        raise AssertionError(f"the steps of descend_until are {kind_of(steps)}; expected an int")
    assert steps != expected_steps + 1, f"rule {rule!r}: the step count is one too high"
    assert steps != expected_steps - 1, f"rule {rule!r}: the step count is one too low"
    assert steps == expected_steps, f"rule {rule!r}: it does not stop where the rule says"
    expect_close(theta, expected_theta, f"the theta of descend_until (rule {rule!r})")


@pytest.mark.points(1, cell=STOPPING)
def test_gradient_rule(student, reference, rng):
    """rule 'gradient' stops before the first step with ||grad J|| < eps"""
    X, y, theta0 = logistic_problem(rng, int(rng.integers(30, 60)))
    eps = float(rng.choice([1e-2, 1e-3]))
    check_stopping(student, reference, X, y, theta0, 1.0, eps, 3000, "gradient")


@pytest.mark.points(1, cell=STOPPING)
def test_cost_rule(student, reference, rng):
    """rule 'cost' stops after the first step that changes J by less than eps"""
    X, y, theta0 = logistic_problem(rng, int(rng.integers(30, 60)))
    eps = float(rng.choice([1e-4, 1e-5]))
    check_stopping(student, reference, X, y, theta0, 1.0, eps, 3000, "cost")


@pytest.mark.points(1, cell=STOPPING)
def test_stopping_edge_cases(student, reference, rng):
    """stops at max_steps, takes no step when it starts where the rule holds, takes ints"""
    X, y, theta0 = logistic_problem(rng, 20)
    for rule in ("gradient", "cost"):
        check_stopping(student, reference, X, y, theta0, 0.5, 1e-12, 7, rule)
    check_stopping(student, reference, X, y, theta0, 0.5, 1e3, 50, "gradient")
    X_int = np.column_stack([np.ones(9, dtype=int), rng.integers(-3, 4, size=(9, 2))])
    y_int = rng.integers(0, 2, size=9)
    check_stopping(student, reference, X_int, y_int, np.zeros(3, dtype=int), 0.5, 1e-3, 500, "cost")


# -- momentum (bonus) -----------------------------------------------------------------------
def check_momentum(student, reference, problem, run):
    """Compare a run of ``run`` = (learning_rate, beta, batch_size, num_epochs, seed)."""
    rate, _, batch_size, num_epochs, seed = run
    theta, history = sgd_pair(student.sgd_momentum(*problem, *run), "sgd_momentum")
    expected_theta, expected_history = reference.sgd_momentum(*problem, *run)
    without_velocity = reference.minibatch_sgd(*problem, rate, batch_size, num_epochs, seed)[0]
    expect_or_say(
        theta,
        expected_theta,
        "the theta of sgd_momentum",
        {"it steps with the gradient, not with the velocity": without_velocity},
        "differs from the reference: check v = beta * v + g (from v = 0), theta -= alpha * v",
    )
    expect_close(history, expected_history, "the cost_history of sgd_momentum")


@pytest.mark.points(1, cell=MOMENTUM)
def test_momentum_matches_reference(student, reference, rng):
    """sgd_momentum repeats the reference run on your data"""
    problem = logistic_problem(rng, 4 * int(rng.integers(5, 10)))
    run = (0.2, float(rng.uniform(0.5, 0.9)), 4, 3, int(rng.integers(1000)))
    check_momentum(student, reference, problem, run)


@pytest.mark.points(1, cell=MOMENTUM)
def test_momentum_without_momentum(student, reference, rng):
    """with beta = 0 and a smaller last batch, sgd_momentum is plain mini-batch SGD"""
    run = (0.3, 0.0, 5, 3, int(rng.integers(1000)))
    check_momentum(student, reference, logistic_problem(rng, 23), run)
