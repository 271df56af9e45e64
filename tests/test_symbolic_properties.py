"""Generated tests of typed-answer checking: the verdict matches the truth on random pairs of
expressions, equal and unequal; a student cannot steer it with planted points, rounding or
tiny numbers; and no typed text keeps the checker busy or fills its memory."""

import random
import resource
import time

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradelab.symbolic import ParseError, check, parse
from gradelab.symbolic.assumptions import Assumptions
from gradelab.symbolic.check import _Judge
from gradelab.symbolic.numeric import sample_points
from gradelab.symbolic.vocabulary import declared

x, y = sympy.symbols("x y", real=True)
VARIABLES = ["x", "y"]
SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def leaves() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from([x, y]),
        st.integers(-5, 5).map(sympy.Integer),
        st.fractions(min_value=-3, max_value=3, max_denominator=5).map(sympy.Rational),
    )


def combine(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, children).map(lambda pair: pair[0] + pair[1]),
        st.tuples(children, children).map(lambda pair: pair[0] * pair[1]),
        st.tuples(children, children).map(lambda pair: pair[0] - pair[1]),
        st.tuples(children, st.integers(0, 3)).map(lambda pair: pair[0] ** pair[1]),
        children.map(sympy.exp),
        children.map(sympy.sin),
    )


expressions = st.recursive(leaves(), combine, max_leaves=8)
#: A nonzero change: c * x^k * y^j, or c * sin(x).
perturbations = st.one_of(
    st.tuples(
        st.integers(1, 9), st.sampled_from([1, -1]), st.integers(0, 3), st.integers(0, 2)
    ).map(lambda t: sympy.Integer(t[0] * t[1]) * x ** t[2] * y ** t[3]),
    st.integers(1, 5).map(lambda c: c * sympy.sin(x)),
)
rewrites = st.sampled_from([sympy.expand, sympy.factor_terms, lambda e: e.rewrite(sympy.exp)])


def text(expr: sympy.Basic) -> str:
    """How sympy prints it, which students may hand in (the parser reads sympy's printer)."""
    return sympy.sstr(expr)


def readable(*exprs: sympy.Basic) -> bool:
    """Within the parser's limits (a constant such as exp(exp(27)) is not)."""
    try:
        for expr in exprs:
            parse(text(expr), VARIABLES)
    except ParseError:
        return False
    return True


@SETTINGS
@given(expressions, rewrites)
def test_an_expression_equals_any_rewriting_of_itself(expr, rewrite):
    expected = rewrite(expr)
    assume(not expected.has(sympy.I) and expected.count_ops() <= 60)  # as a student types it
    assume(readable(expr, expected))
    result = check(text(expr), text(expected), variables=VARIABLES)
    assert result.correct is True, (text(expr), text(expected), result.feedback)


@SETTINGS
@given(expressions, perturbations)
def test_an_expression_never_equals_itself_plus_a_nonzero_term(expr, change):
    assume(readable(expr, expr + change))
    result = check(text(expr + change), text(expr), variables=VARIABLES)
    assert result.correct is False, (text(expr + change), text(expr), result.method)
    assert result.score < 1


def test_a_polynomial_planted_to_vanish_at_the_checkers_points_is_still_wrong():
    vocabulary = declared(VARIABLES)
    known = sample_points(vocabulary, 12, random.Random(0))  # what seed 0 would use
    planted = sympy.Mul(
        *[x - sympy.nsimplify(p.values[vocabulary.scalars["x"]].real) for p in known]
    )
    answer = text(2 * x + planted)
    for seed in (0, None):  # even a student who knows the points is found out by the proof
        result = check(answer, "2*x", variables=VARIABLES, seed=seed)
        assert result.correct is False, (seed, result.method)


NONE = Assumptions()


def test_points_are_drawn_fresh_for_each_check_unless_a_seed_is_given():
    vocabulary = declared(VARIABLES)
    fresh = [_Judge(vocabulary, 12, None, 1e-8, 1e-12, NONE, []).points for _ in range(2)]
    assert fresh[0] != fresh[1]
    seeded = [_Judge(vocabulary, 12, 0, 1e-8, 1e-12, NONE, []).points for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_an_exact_difference_is_never_overridden_by_numeric_closeness():
    assert check("x + 10^(-30)", "x", variables=VARIABLES).correct is False
    assert check("2x + x^3/10^12", "2x", variables=VARIABLES).correct is False
    assert check("sin(x) + exp(exp(4))", "exp(exp(4))", variables=VARIABLES).correct is False
    assert check("x^2 + 1/10^20", "x^2", variables=VARIABLES).correct is False
    assert check("0.1 x + 0.2 x", "3x/10", variables=VARIABLES).correct is True


@pytest.mark.parametrize(
    "answer",
    [
        "(w^1000)^100",
        "w^6000 * w^6000",
        "0." + "0" * 400 + "1 * 10^400 * w",
        "1" + "0" * 30 + ".5 w",
        "(((((w^9)^9)^9)^9)^9)",
    ],
)
def test_answers_that_would_blow_up_are_refused_when_read(answer):
    with pytest.raises(ParseError):
        parse(answer, ["w"])


TOKENS = ["w", "x", "^", "**", "(", ")", "*", "/", "+", "-", "2", "9", "99", "1000", "0.5",
          "0.000001", "e", "exp(", "log(", "sin(", "sqrt(", "[", "]", ",", " "]  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60))
def test_no_typed_text_keeps_the_checker_busy_or_grows_its_memory(tokens):
    answer = "".join(tokens)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = check.__wrapped__(answer, "w^2 + x", variables=["w", "x"])
    assert time.monotonic() - started < 4.0, answer
    assert result.correct in (True, False, None) and 0 <= result.score <= 1
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, answer


def test_abs_cannot_hide_a_difference_outside_the_points_and_constants_are_exact():
    hidden = check("2x + abs(x - 3) + x - 3", "2x", variables=VARIABLES)
    assert hidden.correct is not True
    assert check("2x + tanh(1000) - 1", "2x", variables=VARIABLES).correct is False
    assert check("abs(x) + 1", "1 + abs(x)", variables=VARIABLES).correct is True
