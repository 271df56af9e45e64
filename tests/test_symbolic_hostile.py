"""Hostile answers: text meant to run code is refused and has no effect, and valid but
expensive formulas come back within 2 s, undecided or wrong rather than hanging."""

import time

import pytest

from gradelab.symbolic import ParseError, check, parse

VARIABLES = ["w", "b", "n", "x_i", "y_i", "x", "y", "z"]
WITHIN = 2.0


def timed(function, *args, **kwargs):
    started = time.monotonic()
    try:
        outcome = function(*args, **kwargs)
    except ParseError as error:
        outcome = error
    return outcome, time.monotonic() - started


def code_strings(target):
    return [
        f"__import__('os').system('touch {target}')",
        f"open('{target}', 'w').write('x')",
        "().__class__.__bases__[0].__subclasses__()",
        "lambda: 1",
        f"exec(\"open('{target}','w')\")",
        f'eval(\'open("{target}", "w")\')',
        "x; import os",
        "x := 1",
        "globals()['os']",
        "[c for c in ().__class__]",
        "x if x else y",
        "getattr(x, 'real')",
        "Symbol('x')",
        "sympify('x')",
    ]


def test_text_meant_to_run_code_is_refused_quickly_and_creates_nothing(tmp_path):
    target = tmp_path / "pwned"
    for text in code_strings(target):
        refused, seconds = timed(parse, text, VARIABLES)
        assert isinstance(refused, ParseError), text
        assert seconds < WITHIN
        result = check(text, "2*x", variables=VARIABLES)
        assert (result.correct, result.method) == (False, "unreadable"), text
    assert not target.exists()


@pytest.mark.parametrize(
    "answer",
    [
        "(x+y+z+w+b)^1000",
        "((x+1)^1000 - (x-1)^1000)/(x+1)^999",
        "(1+1/x)^1000*x^1000/(x+1)^1000*2x",
        "x^" * 45 + "x",
        "exp(" * 24 + "x" + ")" * 24,
        "+".join(f"exp(exp(x+{k})^7)" for k in range(60)),
        "sum(" + "+".join(f"sin(x_i*w+{k})^2*cos(y_i-{k})" for k in range(50)) + ", i)",
        "[" + ",".join(["(x+y)^999*(w+b)^999"] * 60) + "]",
    ],
)
def test_expensive_but_valid_answers_come_back_within_two_seconds(answer):
    result, seconds = timed(check, answer, "2*x", variables=VARIABLES)
    assert seconds < WITHIN, f"{seconds:.2f} s"
    assert result.correct in (False, None, True)
    assert 0.0 <= result.score <= 1.0


def test_a_correct_answer_lost_in_rounding_noise_is_never_marked_wrong():
    noise = "(sin(x)^2+cos(x)^2-1)*(" + "+".join(f"exp(x*{k})" for k in range(1, 80)) + ")^40"
    result, seconds = timed(check, f"2x + {noise}", "2*x", variables=VARIABLES)
    assert (result.correct, result.method) in ((None, "undetermined"), (True, "numeric"))
    assert seconds < WITHIN


@pytest.mark.parametrize(
    "text",
    [
        "exp(999999999999*log(2))",
        "2^(999999999999*log(3)/log(2))",
        "exp(999999999999*(log(2) + log(3)))",
        "exp(exp(exp(exp(1000))))",
        "exp(exp(exp(exp(9))))*x - 1",
    ],
)
def test_constants_sympy_would_expand_into_giant_numbers_are_refused_at_once(text):
    refused, seconds = timed(parse, text, VARIABLES)
    assert isinstance(refused, ParseError)
    assert "too large" in str(refused)
    assert seconds < 0.5
