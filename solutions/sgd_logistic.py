"""Reference solutions for ``sgd_logistic``: logistic regression by mini-batch SGD.

sigmoid(z) = 1 / (1 + e^-z); the cross-entropy J(theta) = -(1/m) sum(y log p + (1-y) log(1-p))
with p = sigmoid(X theta) equals mean(log(1 + e^z) - y z), z = X theta, and its gradient is
(1/m) X^T (sigmoid(X theta) - y).

Batches: ``rng = np.random.default_rng(seed)`` is made once; each epoch draws
``order = rng.permutation(m)`` and takes the batches order[0:b], order[b:2b], ..., the last
one holding what is left. Momentum: v = beta * v + g (v starts at 0), theta = theta - alpha * v.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written as exp(-log(1 + e^-z)) so that no e^(large) is formed."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def cross_entropy(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    z = np.asarray(X, dtype=float) @ theta
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def logistic_gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return X.T @ (sigmoid(X @ theta) - y) / len(X)


def batches(rng: np.random.Generator, m: int, batch_size: int) -> Iterator[np.ndarray]:
    """The row indices of each batch of one epoch."""
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def sgd_momentum(
    X: np.ndarray,
    y: np.ndarray,
    theta0: np.ndarray,
    learning_rate: float,
    beta: float,
    batch_size: int,
    num_epochs: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch SGD with momentum; return theta and the cost before and after each epoch."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    theta = np.asarray(theta0, dtype=float).copy()
    velocity = np.zeros_like(theta)
    history = [cross_entropy(X, y, theta)]
    for _ in range(num_epochs):
        for rows in batches(rng, len(y), batch_size):
            velocity = beta * velocity + logistic_gradient(X[rows], y[rows], theta)
            theta = theta - learning_rate * velocity
        history.append(cross_entropy(X, y, theta))
    return theta, np.array(history)


def minibatch_sgd(
    X: np.ndarray,
    y: np.ndarray,
    theta0: np.ndarray,
    learning_rate: float,
    batch_size: int,
    num_epochs: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Plain mini-batch SGD: momentum with beta = 0 takes exactly the same steps."""
    return sgd_momentum(X, y, theta0, learning_rate, 0.0, batch_size, num_epochs, seed)


def descend_until(
    X: np.ndarray,
    y: np.ndarray,
    theta0: np.ndarray,
    learning_rate: float,
    eps: float,
    max_steps: int,
    rule: str,
) -> tuple[np.ndarray, int]:
    """Full-batch gradient descent that stops by ``rule``; return theta and the steps taken.

    "gradient": before each step, stop if ||grad J(theta)|| < eps.
    "cost": after each step, stop if |J(theta_new) - J(theta_old)| < eps.
    Never more than ``max_steps`` steps.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    theta = np.asarray(theta0, dtype=float).copy()
    for step in range(max_steps):
        gradient = logistic_gradient(X, y, theta)
        if rule == "gradient" and np.linalg.norm(gradient) < eps:
            return theta, step
        new_theta = theta - learning_rate * gradient
        if (
            rule == "cost"
            and abs(cross_entropy(X, y, new_theta) - cross_entropy(X, y, theta)) < eps
        ):
            return new_theta, step + 1
        theta = new_theta
    return theta, max_steps
