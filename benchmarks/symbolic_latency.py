"""Latency of ``gradelab.symbolic.check`` on a bank of gradient-descent questions.

Each question has correct, equivalent, wrong and hostile answers, each with the outcome it
should get. Prints the median, p99 and max latency of normal answers, the max of hostile
ones, and any answer whose outcome differs from the listed one.

    .venv/bin/python benchmarks/symbolic_latency.py

Goals: median < 20 ms, p99 < 500 ms, hostile < 2 s.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from gradelab.symbolic import check

MSE = ["w", "b", "n", "x_i", "y_i"]
COST = "1/n*sum((w*x_i + b - y_i)^2, i)"
DJ_DW = "2/n*sum((w*x_i + b - y_i)*x_i, i)"
DJ_DB = "2/n*sum(w*x_i + b - y_i, i)"
LOGISTIC_DW = "1/n*sum((sigmoid(w*x_i + b) - y_i)*x_i, i)"
LOGISTIC_DB = "1/n*sum(sigmoid(w*x_i + b) - y_i, i)"
RIGHT = True


@dataclass
class Question:
    """One question: its expected answer, options for ``check``, and answers with the
    outcome each should get (True for correct, a mistake name, or False for unnamed wrong)."""

    name: str
    expected: str
    answers: dict[str, bool | str]
    options: dict[str, Any] = field(default_factory=dict)


BANK = [
    Question(
        "d/dx x^2",
        "2*x",
        {
            "2x": RIGHT,
            "x+x": RIGHT,
            "2*x^1": RIGHT,
            "-2x": "sign_flipped",
            "x": "factor_2_missing",
            "x^2": False,
            "2": False,
        },
        {"variables": ["x"]},
    ),
    Question(
        "d/dx (3x^2 + 2x)",
        "6*x + 2",
        {
            "6x+2": RIGHT,
            "2(3x+1)": RIGHT,
            "2 + 6 x": RIGHT,
            "-6x-2": "sign_flipped",
            "3x+1": "factor_2_missing",
            "6x": False,
        },
        {"variables": ["x"]},
    ),
    Question(
        "d/dx exp(-x^2)",
        "-2*x*exp(-x^2)",
        {
            "-2x exp(-x^2)": RIGHT,
            "-2x/exp(x^2)": RIGHT,
            "-2x e^(-x^2)": RIGHT,
            "2x exp(-x^2)": "sign_flipped",
            "exp(-x^2)": False,
        },
        {"variables": ["x"]},
    ),
    Question(
        "grad of x^2 + y^2",
        "[2*x, 2*y]",
        {
            "[2x, 2y]": RIGHT,
            "[x+x, 2y]": RIGHT,
            "2*[x, y]": RIGHT,
            "Matrix([[2*x], [2*y]])": RIGHT,
            "[-2x, -2y]": "sign_flipped",
            "[x, y]": "factor_2_missing",
            "[2x, y]": "factor_2_missing",
            "[2y, 2x]": False,
        },
        {"variables": ["x", "y"]},
    ),
    Question(
        "Hessian of x^2 y",
        "[[2*y, 2*x], [2*x, 0]]",
        {"[[2y, 2x], [2x, 0]]": RIGHT, "2*[[y, x], [x, 0]]": RIGHT, "[[2y, 2x], [2x, 2]]": False},
        {"variables": ["x", "y"]},
    ),
    Question(
        "dJ/dw of the MSE",
        DJ_DW,
        {
            "-2/n*sum(x_i*(y_i - w*x_i - b), i)": RIGHT,
            "2/n*(w*sum(x_i^2, i) + b*sum(x_i, i) - sum(x_i*y_i, i))": RIGHT,
            "2/n*sum(w x_i^2, i) + 2/n*sum(b x_i - x_i y_i, i)": RIGHT,
            "Sum(2*(b + w*x[i] - y[i])*x[i], (i, 1, n))/n": RIGHT,
            "2/n*sum((y_i - w*x_i - b)*x_i, i)": "sign_flipped",
            "1/n*sum((w*x_i + b - y_i)*x_i, i)": "factor_2_missing",
            "2*sum((w*x_i + b - y_i)*x_i, i)": "summed_not_averaged",
            "2/n*sum(w*x_i + b - y_i, i)": "inner_derivative_missing",
            "1/2n*sum((w*x_i + b - y_i)*x_i, i)": False,
            "2/n*sum((w*x_i - y_i)*x_i, i)": "forgot_intercept",
        },
        {
            "variables": MSE,
            "cost": COST,
            "wrt": "w",
            "mistakes": [
                {
                    "name": "forgot_intercept",
                    "expr": "2/n*sum((w*x_i - y_i)*x_i, i)",
                    "score": 0.5,
                    "feedback": "the intercept b is missing",
                }
            ],
        },
    ),
    Question(
        "dJ/db of the MSE",
        DJ_DB,
        {
            "2/n*sum(w x_i + b - y_i, i)": RIGHT,
            "2b + 2/n*sum(w x_i - y_i, i)": RIGHT,
            "2/n*(w sum(x_i, i) + n b - sum(y_i, i))": RIGHT,
            "-2/n*sum(w x_i + b - y_i, i)": "sign_flipped",
            DJ_DW: "wrong_parameter",
            "2*sum(w x_i + b - y_i, i)": "summed_not_averaged",
        },
        {"variables": MSE, "cost": COST, "wrt": "b"},
    ),
    Question(
        "gradient (dJ/dw, dJ/db)",
        f"[{DJ_DW}, {DJ_DB}]",
        {
            f"[{DJ_DW}, {DJ_DB}]": RIGHT,
            "2/n*[sum((w x_i + b - y_i) x_i, i), sum(w x_i + b - y_i, i)]": RIGHT,
            f"-1*[{DJ_DW}, {DJ_DB}]": "sign_flipped",
            f"[{DJ_DB}, {DJ_DW}]": "inner_derivative_missing",
            f"[{DJ_DW}, 0]": False,
        },
        {"variables": MSE, "cost": COST, "wrt": ["w", "b"]},
    ),
    Question(
        "dJ/dw with the 1/(2n) convention allowed",
        DJ_DW,
        {
            "1/n*sum((w x_i + b - y_i) x_i, i)": RIGHT,
            DJ_DW: RIGHT,
            "-1/n*sum((w x_i + b - y_i) x_i, i)": "sign_flipped",
        },
        {"variables": MSE, "allow_half_mse": True},
    ),
    Question(
        "gradient descent step for w",
        f"w - lr*{DJ_DW}",
        {
            f"w - lr*{DJ_DW}": RIGHT,
            "w - 2 lr/n*sum((w x_i + b - y_i) x_i, i)": RIGHT,
            f"w + lr*{DJ_DW}": False,
            f"w - {DJ_DW}": False,
        },
        {"variables": ["w", "b", "lr", "n", "x_i", "y_i"]},
    ),
    Question(
        "ridge: dJ/dw with penalty lam*w^2",
        f"{DJ_DW} + 2*lam*w",
        {
            f"{DJ_DW} + 2 lam w": RIGHT,
            "2/n*sum((w x_i + b - y_i) x_i + n lam w/n, i)": RIGHT,
            f"{DJ_DW} + lam*w": False,
            DJ_DW: False,
        },
        {"variables": ["w", "b", "lam", "n", "x_i", "y_i"]},
    ),
    Question(
        "logistic regression dL/dw",
        LOGISTIC_DW,
        {
            LOGISTIC_DW: RIGHT,
            "1/n*sum((1/(1 + exp(-w x_i - b)) - y_i) x_i, i)": RIGHT,
            "1/n*sum((exp(w x_i + b)/(1 + exp(w x_i + b)) - y_i) x_i, i)": RIGHT,
            "-1/n*sum((sigmoid(w x_i + b) - y_i) x_i, i)": "sign_flipped",
            LOGISTIC_DB: "inner_derivative_missing",
            "1/n*sum((sigmoid(w x_i + b) - y_i), i)*x_i": False,
        },
        {"variables": MSE},
    ),
    Question(
        "logistic regression dL/db",
        LOGISTIC_DB,
        {
            LOGISTIC_DB: RIGHT,
            "1/n*sum(sigmoid(w x_i + b), i) - 1/n*sum(y_i, i)": RIGHT,
            "sum(sigmoid(w x_i + b) - y_i, i)": "summed_not_averaged",
        },
        {"variables": MSE},
    ),
    Question(
        "derivative of the sigmoid",
        "sigmoid(z)*(1 - sigmoid(z))",
        {
            "sigmoid(z)(1 - sigmoid(z))": RIGHT,
            "exp(-z)/(1 + exp(-z))^2": RIGHT,
            "exp(z)/(1 + exp(z))^2": RIGHT,
            "sigmoid(z)^2": False,
            "-sigmoid(z)*(1 - sigmoid(z))": "sign_flipped",
        },
        {"variables": ["z"]},
    ),
    Question(
        "single-example squared-loss gradient",
        "2*(w*x_i + b - y_i)*x_i",
        {
            "2(w x_i + b - y_i) x_i": RIGHT,
            "2 w x_i^2 + 2 b x_i - 2 x_i y_i": RIGHT,
            "2(w x_i + b - y_i)": "inner_derivative_missing",
            "(w x_i + b - y_i) x_i": "factor_2_missing",
        },
        {"variables": MSE},
    ),
    Question(
        "momentum update",
        "beta*v + (1 - beta)*g",
        {
            "beta v + (1-beta) g": RIGHT,
            "g + beta (v - g)": RIGHT,
            "beta g + (1 - beta) v": False,
            "0.9 v + 0.1 g": False,
        },
        {"variables": ["beta", "v", "g"]},
    ),
]

HOSTILE = [
    "__import__('os').system('echo owned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "x" * 5000,
    "(" * 200 + "x" + ")" * 200,
    "9^9^9^9",
    "(x+1)^1000",
    "(w+b+x_i+y_i)^1000/(w+b+x_i+y_i)^999",
    "x^" * 45 + "x",
    "exp(" * 24 + "x" + ")" * 24,
    "+".join(f"exp(exp(x+{k})^7)" for k in range(60)),
    "2x + (sin(x)^2+cos(x)^2-1)*(" + "+".join(f"exp(x*{k})" for k in range(1, 80)) + ")^40",
    "sum(" + "+".join(f"sin(x_i*w+{k})^2*cos(y_i-{k})" for k in range(50)) + ", i)",
    "(1+1/x)^1000*x^1000/(x+1)^1000*2x",
]


def outcome(result: Any) -> bool | str | None:
    if result.correct:
        return True
    return result.mistake or (None if result.correct is None else False)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    check("2x", "2*x", variables=["x"])
    normal, mismatches = [], []
    for question in BANK:
        for answer, wanted in question.answers.items():
            started = time.perf_counter()
            result = check(answer, question.expected, **question.options)
            normal.append(time.perf_counter() - started)
            if outcome(result) != wanted:
                mismatches.append(
                    f"  {question.name}: {answer!r} -> {outcome(result)}, not {wanted}"
                )
    hostile = []
    variables = ["w", "b", "n", "x_i", "y_i", "x", "y", "z"]
    for answer in HOSTILE:
        started = time.perf_counter()
        check(answer, "2*x", variables=variables)
        hostile.append(time.perf_counter() - started)
    ms = 1000.0
    print(f"{len(BANK)} questions, {len(normal)} normal answers, {len(hostile)} hostile answers")
    print(
        f"normal:  median {statistics.median(normal) * ms:.1f} ms, "
        f"p99 {percentile(normal, 0.99) * ms:.1f} ms, max {max(normal) * ms:.1f} ms"
    )
    print(f"hostile: max {max(hostile) * ms:.1f} ms")
    print("outcomes: all as listed" if not mismatches else "outcomes that differ:")
    for line in mismatches:
        print(line)
    return 0 if not mismatches else 1


if __name__ == "__main__":
    raise SystemExit(main())
