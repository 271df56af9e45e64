"""Reading typed math: what students write becomes the sympy expression they meant, or a
plain message saying where the text stops making sense. Nothing in it runs as code."""

import pytest
import sympy

from gradelab.student.preview import preview
from gradelab.symbolic import ParseError, parse

MSE = ["w", "b", "n", "x_i", "y_i"]
w, b = sympy.symbols("w b", real=True)
x, y = sympy.symbols("x y", real=True)
i, n = sympy.symbols("i n", integer=True, positive=True)
X, Y = sympy.IndexedBase("x", real=True), sympy.IndexedBase("y", real=True)


def read(text, variables=None, **options):
    return parse(text, variables, **options).expr


def test_the_mse_gradient_as_a_student_types_it_is_a_sum_over_the_data():
    parsed = parse("-2/n*sum(x_i*(y_i - w*x_i - b), i)", MSE)
    expected = -2 * sympy.Sum(X[i] * (Y[i] - w * X[i] - b), (i, 1, n)) / n
    assert parsed.expr == expected
    assert parsed.symbols == ("w", "b", "n", "x_i", "y_i")
    assert parsed.warnings == []
    assert r"\sum_{i=1}^{n}" in parsed.latex


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("2x", "2*x"),
        ("2(x+1)", "2*(x+1)"),
        ("x y", "x*y"),
        ("(x)(y)", "x*y"),
        ("2 x^2 y", "2*x**2*y"),
        ("x^2", "x**2"),
        ("-x^2", "-(x**2)"),
        ("x^-2", "1/x**2"),
        ("2^2^3", "256"),
    ],
)
def test_implicit_products_and_powers_read_like_their_explicit_forms(text, meant):
    explicit = parse(meant, ["x", "y"]).expr
    assert read(text, ["x", "y"]) == explicit


def test_two_x_i_with_a_space_is_two_times_the_data_element():
    assert read("2 x_i", MSE) == 2 * X[i]


def test_what_sympy_prints_reads_back_as_the_same_expression():
    gradient = sympy.Sum(2 * (w * X[i] + b - Y[i]) * X[i], (i, 1, n)) / n
    vector = sympy.Matrix([2 * x, -2 * y])
    logistic = 1 / (1 + sympy.exp(-(w * x + b)))
    assert read(sympy.sstr(gradient), MSE) == gradient
    assert read(sympy.sstr(vector), ["x", "y"]) == sympy.ImmutableMatrix(vector)
    assert read(str(logistic), ["w", "b", "x"]) == logistic
    assert read("sigmoid(w x + b)", ["w", "b", "x"]) == logistic


def test_one_over_two_n_is_half_of_n_and_the_student_is_warned():
    parsed = parse("1/2n", ["n"])
    assert parsed.expr == sympy.Symbol("n", real=True) / 2
    assert parsed.warnings == ["'1/2n' is read as (1/2)*n; write 1/(2n) if you meant that"]
    assert parse("1/(2n)", ["n"]).warnings == []


def test_e_is_eulers_number_unless_the_question_names_a_variable_e():
    parsed = parse("e^x", ["x"])
    assert parsed.expr == sympy.exp(x)
    assert any("Euler's number" in warning for warning in parsed.warnings)
    as_variable = parse("e^x", ["e", "x"])
    assert as_variable.expr == sympy.Symbol("e", real=True) ** x
    assert any("not Euler's number" in warning for warning in as_variable.warnings)
    assert any("power of ten" in warning for warning in parse("2e-3").warnings)


def test_a_python_keyword_is_refused_with_another_name_suggested():
    with pytest.raises(ParseError, match="reserved word in Python.*such as lam"):
        parse("lambda*x")


def test_an_unknown_name_lists_the_names_of_the_question():
    with pytest.raises(ParseError) as error:
        parse("w*q", MSE)
    assert str(error.value) == (
        "unknown name 'q' at character 3; this question uses w, b, n, x_i, y_i"
    )
    assert error.value.position == 2


def test_multi_letter_names_are_whole_variables_and_never_split_silently():
    assert read("lr*w", ["lr", "w"]) == sympy.Symbol("lr", real=True) * sympy.Symbol("w", real=True)
    with pytest.raises(ParseError, match="unknown name 'wx'.*for a product write w\\*x"):
        parse("wx", ["w", "x"])


def test_floats_are_allowed_or_refused_per_question():
    assert read("0.5x", ["x"]) == sympy.Float(0.5) * x
    with pytest.raises(ParseError, match="write exact numbers such as 1/2, not 0.5"):
        parse("0.5x", ["x"], allow_floats=False)


def test_vectors_and_matrices():
    assert read("[2x, 2y]", ["x", "y"]) == sympy.ImmutableMatrix([2 * x, 2 * y])
    assert read("[[x, y], [1, 0]]", ["x", "y"]).shape == (2, 2)
    assert read("2*[x, y] + [1, 0]", ["x", "y"]) == sympy.ImmutableMatrix([2 * x + 1, 2 * y])
    with pytest.raises(ParseError, match="multiplying two vectors"):
        parse("[x, y]*[x, y]", ["x", "y"])
    with pytest.raises(ParseError, match="cannot add a single expression and a vector"):
        parse("x + [x, y]", ["x", "y"])


def test_sums_run_over_the_data_index_from_one_to_n():
    with pytest.raises(ParseError, match="from 1 to n"):
        parse("sum(x_i, j)", MSE)
    with pytest.raises(ParseError, match="sum inside another sum"):
        parse("sum(sum(x_i, i), i)", MSE)
    with pytest.raises(ParseError, match="needs data to sum over"):
        parse("sum(x, i)", ["x"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 2001, "too long"),
        ("(" * 60 + "x" + ")" * 60, "nested too deeply"),
        ("-" * 80 + "x", "nested too deeply"),
        ("1" * 41 + "*x", "more than 40 digits"),
        ("x^10001", "exponent 10001 .* too large"),
        ("2^2^2^2^2", "exponent 65536"),
        ("999999999999^1000", "more than 1000 digits"),
        ("x = x = 1", "a second '='"),
        ("x == 1", "'==' .* is not allowed"),
        ("log(x, 1)", "no meaning"),
        ("min(x)", "takes 2 to 20 arguments"),
        ("sin(x, x)", "takes 1 argument"),
        ("%i", "only allowed in %pi and %e"),
        ("+".join(["x"] * 900), "more than 1000 parts"),
        ("1/0", "division by zero"),
        ("log(0)", "undefined"),
        ("", "empty"),
        ("x +", "ends too early"),
        ("sin x", "needs parentheses"),
    ],
)
def test_limits_and_nonsense_are_refused_before_any_algebra(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text, ["x"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "'_'"),
        ("().__class__", "'.' may only appear inside a number"),
        ("x.real", "no attribute access"),
        ("lambda: 1", "reserved word"),
        ("'x'", "quotes are not allowed"),
        ("x; y", "single expression"),
        ("x := 1", "':' is not allowed"),
        ("x[0]", "looks like indexing"),
    ],
)
def test_text_that_looks_like_code_gets_a_plain_message(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text, ["x"])


def test_preview_shows_the_reading_the_variables_and_the_warnings(capsys):
    assert preview("1/2n x_i", ["n", "x_i"]) is None
    shown = capsys.readouterr().out
    parsed = parse("1/2n x_i", ["n", "x_i"])
    assert parsed.expr == n * X[i] / 2
    assert "this is how we read your answer" in shown.lower()
    assert parsed.latex in shown
    assert "Variables used: n, x_i" in shown
    assert "write 1/(2n) if you meant that" in shown


def test_preview_of_unreadable_text_says_why(capsys):
    preview("x.y", ["x", "y"])
    assert "no attribute access" in capsys.readouterr().out
