"""Generated tests of the larger language: identities of the new functions hold and any change
to them is found, equations are equivalent exactly when one is a multiple of the other,
polynomial identity testing agrees with expansion, numbers written to significant figures
read back as written, and no text with the new words keeps the checker busy."""

import resource
from fractions import Fraction

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradelab.symbolic import check, sigfigs
from gradelab.symbolic.as_typed import as_typed
from gradelab.symbolic.modular import identical

x, y = sympy.symbols("x y", real=True)
VARIABLES = ["x", "y"]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
FUNCTIONS = (sympy.tan, sympy.sec, sympy.csc, sympy.cot, sympy.sinh, sympy.cosh, sympy.tanh)
#: Each function in terms of others, as a student may write it.
REWRITTEN = {
    sympy.tan: lambda a: sympy.sin(a) / sympy.cos(a),
    sympy.sec: lambda a: 1 / sympy.cos(a),
    sympy.csc: lambda a: 1 / sympy.sin(a),
    sympy.cot: lambda a: sympy.cos(a) / sympy.sin(a),
    sympy.sinh: lambda a: (sympy.exp(a) - sympy.exp(-a)) / 2,
    sympy.cosh: lambda a: (sympy.exp(a) + sympy.exp(-a)) / 2,
    sympy.tanh: lambda a: (sympy.exp(2 * a) - 1) / (sympy.exp(2 * a) + 1),
}

linear = st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3)).filter(
    lambda t: t[0] or t[1]
)
arguments = linear.map(lambda t: t[0] * x + t[1] * y + t[2])
terms = st.tuples(st.sampled_from(FUNCTIONS), arguments, st.integers(-4, 4).filter(bool))
with_functions = st.lists(terms, min_size=1, max_size=3).map(
    lambda parts: sympy.Add(*(c * f(a) for f, a, c in parts))
)
polynomials = st.lists(
    st.tuples(st.integers(-(10**15), 10**15), st.integers(0, 13), st.integers(0, 3)),
    min_size=1,
    max_size=5,
).map(lambda parts: sympy.Add(*(c * x**i * y**j for c, i, j in parts)))


def rewritten(expr: sympy.Expr) -> sympy.Expr:
    for function, rule in REWRITTEN.items():
        expr = expr.replace(function, rule)
    return expr


@settings(SETTINGS, max_examples=15)
@given(with_functions, st.integers(1, 5))
def test_the_new_functions_equal_their_definitions_and_a_change_is_found(expr, change):
    same = check(as_typed(rewritten(expr)), as_typed(expr), variables=VARIABLES, time_limit=0.2)
    assert same.correct in (True, None), (expr, same.method)
    changed = as_typed(rewritten(expr) + change * x)
    assert check(changed, as_typed(expr), variables=VARIABLES, time_limit=0.2).correct is False


@SETTINGS
@given(polynomials, polynomials, st.sampled_from([1, 7, 3000]))
def test_identity_testing_modulo_a_prime_agrees_with_expansion(first, second, power):
    truth = sympy.expand(first - second) == 0
    assert identical(first, second, seed=1) is truth
    assert identical(first**power, (sympy.expand(first) * 1) ** power, seed=2) is True
    if not truth:
        assert identical(first**power, second**power, seed=3) is not True or (
            sympy.expand(first + second) == 0 and power % 2 == 0
        )


@SETTINGS
@given(polynomials.filter(lambda p: p.free_symbols), st.integers(-9, 9).filter(bool), linear)
def test_equations_are_equivalent_exactly_when_one_is_a_multiple_of_the_other(poly, factor, change):
    expected = f"{as_typed(poly)} = {change[2]}"
    multiple = f"{as_typed(factor * (poly - change[2]))} = 0"
    assert check(multiple, expected, variables=VARIABLES).correct is True
    moved = f"{as_typed(poly - change[2] + change[0] * x + change[1] * y)} = 0"
    assert check(moved, expected, variables=VARIABLES).correct is False


@SETTINGS
@given(
    st.fractions(min_value=Fraction(-(10**9)), max_value=Fraction(10**9), max_denominator=10**6),
    st.integers(1, 12),
)
def test_a_number_written_to_n_figures_reads_back_with_n_figures_and_its_value(value, figures):
    text = sigfigs.written(value, figures)
    found = sigfigs.read(text)
    assert found is not None, text
    assert found.figures == figures, text
    assert sigfigs.is_rounding_of(found, value), text


TOKENS = ["x", "y", "^", "(", ")", "*", "/", "+", "-", "=", ",", "2", "999", "6000", "0.5",
          "%pi", "e", "tan(", "sec(", "asin(", "cosh(", "log(", "abs(", "sign(", "floor(",
          "min(", "max(", "sqrt(", " "]  # fmt: skip


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40), st.booleans())
def test_no_text_with_the_new_words_fills_memory_or_breaks_the_checker(tokens, equation):
    answer = "".join(tokens)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    expected = "y = x^2 + 1" if equation else "x^2 + 1"
    result = check.__wrapped__(answer, expected, variables=VARIABLES, form="factored")
    assert result.correct in (True, False, None) and 0 <= result.score <= 1
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, answer
