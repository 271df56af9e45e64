"""Grading typed formulas: every correct form earns full marks, each known mistake is named
with its score, and what cannot be decided is said to be undecided, never guessed."""

import json
import resource
import signal
import time

import pytest
import sympy

from gradelab.cli import build_parser
from gradelab.symbolic import CheckResult, Mistake, check

MSE = ["w", "b", "n", "x_i", "y_i"]
COST = "1/n*sum((w*x_i + b - y_i)^2, i)"
DJ_DW = "2/n*sum((w*x_i + b - y_i)*x_i, i)"
DJ_DB = "2/n*sum(w*x_i + b - y_i, i)"


def grade(answer, expected=DJ_DW, **options):
    options.setdefault("variables", MSE)
    return check(answer, expected, **options)


@pytest.mark.parametrize(
    "answer",
    [
        "-2/n*sum(x_i*(y_i - w*x_i - b), i)",
        "2/n*(w*sum(x_i^2, i) + b*sum(x_i, i) - sum(x_i*y_i, i))",
        "2/n*sum(w*x_i^2, i) + 2/n*sum(b*x_i - x_i*y_i, i)",
        "(2/n) sum(x_i (b + x_i w - y_i), i)",
        "2*sum((w*x_i + b - y_i)*x_i, i)/n",
        "2/n*sum((w*x_i + b - y_i)**2/(w*x_i + b - y_i)*x_i, i)",
        "Sum(2*(b + w*x[i] - y[i])*x[i], (i, 1, n))/n",
    ],
)
def test_every_correct_form_of_dJ_dw_earns_full_marks_and_is_proved(answer):
    result = grade(answer)
    assert (result.correct, result.score, result.method) == (True, 1.0, "exact")
    assert result.feedback == "Correct."


def test_an_expected_answer_built_with_sympy_sets_the_variables_itself():
    x = sympy.Symbol("x")
    result = check("2x", sympy.diff(x**2, x))
    assert result.correct is True
    assert "this question uses x" in check("2y", sympy.diff(x**2, x)).feedback


def test_the_gradient_of_x2_plus_y2_is_a_vector_compared_entry_by_entry():
    assert grade("[2x, 2y]", "[2*x, 2*y]", variables=["x", "y"]).correct is True
    half_right = grade("[2x, y]", "[2*x, 2*y]", variables=["x", "y"])
    assert (half_right.correct, half_right.score) == (False, 0.5)
    assert half_right.feedback.startswith("1 of 2 entries are correct. Entry 2: a factor 2")
    assert half_right.mistake == "factor_2_missing"


def test_a_row_vector_counts_like_a_column_and_a_wrong_length_is_named():
    assert grade("[[2x, 2y]]", "[2*x, 2*y]", variables=["x", "y"]).correct is True
    result = grade("[2x, 2y, 0]", "[2*x, 2*y]", variables=["x", "y"])
    assert (result.correct, result.score, result.method) == (False, 0.0, "shape")
    assert "Expected a vector of 2 entries; your answer is a vector of 3 entries" in result.feedback
    assert "Expected a single expression" in grade("[x, y]", "x*y", variables=["x", "y"]).feedback


def test_a_sign_error_scores_half_and_is_told_the_sign_is_flipped():
    result = grade("2/n*sum((y_i - w*x_i - b)*x_i, i)")
    assert (result.correct, result.score, result.mistake) == (False, 0.5, "sign_flipped")
    assert result.feedback == "The sign is flipped."


def test_a_flipped_gradient_vector_is_one_mistake_not_two_wrong_entries():
    result = grade("[-2x, -2y]", "[2*x, 2*y]", variables=["x", "y"])
    assert (result.score, result.mistake) == (0.5, "sign_flipped")


@pytest.mark.parametrize(
    ("answer", "mistake", "score", "told"),
    [
        ("1/n*sum((w*x_i + b - y_i)*x_i, i)", "factor_2_missing", 0.5, "factor 2 is missing"),
        ("4/n*sum((w*x_i + b - y_i)*x_i, i)", "doubled", 0.5, "twice"),
        ("2*sum((w*x_i + b - y_i)*x_i, i)", "summed_not_averaged", 0.5, "divide by n"),
        ("2/n*sum(w*x_i + b - y_i, i)", "inner_derivative_missing", 0.25, "a factor x_i"),
    ],
)
def test_each_builtin_mistake_is_named_with_its_score(answer, mistake, score, told):
    result = grade(answer)
    assert (result.correct, result.mistake, result.score) == (False, mistake, score)
    assert told in result.feedback


def test_differentiating_with_respect_to_the_other_parameter_is_named():
    result = grade(DJ_DW, DJ_DB, cost=COST, wrt="b")
    assert (result.mistake, result.score) == ("wrong_parameter", 0.0)
    assert result.feedback == "This is the derivative with respect to w, not b."


def test_forgetting_the_chain_rule_in_dJ_dw_is_named_and_also_read_as_dJ_db():
    result = grade(DJ_DB, cost=COST, wrt="w")
    assert (result.mistake, result.score) == ("inner_derivative_missing", 0.25)
    assert "Also: this is the derivative with respect to b, not w." in result.feedback


def test_swapped_gradient_entries_are_each_named_as_the_other_derivative():
    result = grade(f"[{DJ_DB}, {DJ_DW}]", f"[{DJ_DW}, {DJ_DB}]", cost=COST, wrt=["w", "b"])
    assert (result.correct, result.score) == (False, 0.0)
    assert "Also: this is the derivative with respect to b, not w." in result.feedback
    assert "Entry 2: this is the derivative with respect to w, not b." in result.feedback


def test_the_one_over_2n_convention_is_accepted_when_the_question_allows_it():
    half = "1/n*sum((w*x_i + b - y_i)*x_i, i)"
    result = grade(half, allow_half_mse=True)
    assert (result.correct, result.score) == (True, 1.0)
    assert "you used the 1/(2n) convention" in result.feedback
    flipped = grade("-" + half, allow_half_mse=True)
    assert (flipped.mistake, flipped.score) == ("sign_flipped", 0.5)


def test_a_declared_mistake_is_named_with_its_own_score_and_feedback():
    forgot_b = {
        "name": "forgot_intercept",
        "expr": "2/n*sum((w*x_i - y_i)*x_i, i)",
        "score": 0.3,
        "feedback": "the intercept b is missing from the prediction",
    }
    result = grade("2/n*sum(x_i*(w*x_i - y_i), i)", mistakes=[forgot_b])
    assert (result.mistake, result.score) == ("forgot_intercept", 0.3)
    assert result.feedback == "The intercept b is missing from the prediction."
    as_object = grade("2/n*sum(x_i*(w*x_i - y_i), i)", mistakes=[Mistake(**forgot_b)])
    assert as_object.mistake == "forgot_intercept"


def test_a_question_can_change_the_score_of_a_builtin_mistake():
    result = grade("-" + DJ_DW, mistakes=[{"name": "sign_flipped", "score": 0.0}])
    assert (result.mistake, result.score) == ("sign_flipped", 0.0)
    with pytest.raises(ValueError, match="score 2 is not in"):
        grade(DJ_DW, mistakes=[{"name": "sign_flipped", "score": 2}])


def test_a_rounded_decimal_is_named_and_decimals_can_be_refused():
    result = grade("0.333*x", "x/3", variables=["x"])
    assert (result.mistake, result.score) == ("rounded", 0.5)
    refused = grade("0.5*x", "x/2", variables=["x"], allow_floats=False)
    assert (refused.correct, refused.method) == (False, "unreadable")
    assert "write exact numbers such as 1/2, not 0.5" in refused.feedback
    assert grade("0.5*x", "x/2", variables=["x"]).correct is True


def test_an_unnamed_wrong_answer_scores_zero_with_what_it_depends_on():
    result = grade("2/n*sum(w*x_i*x_i, i) + b")
    assert (result.correct, result.score, result.mistake) == (False, 0.0, None)
    assert result.feedback.startswith("Not equal to the expected answer.")
    assert "Your answer does not depend on y_i" in result.feedback


def test_an_ambiguous_reading_is_returned_and_explained_when_the_answer_is_wrong():
    result = grade("1/2n*sum(w*x_i, i)")
    assert result.warnings == ["'1/2n' is read as (1/2)*n; write 1/(2n) if you meant that"]
    assert "Note: '1/2n' is read as (1/2)*n" in result.feedback


def test_an_unreadable_answer_scores_zero_with_the_reason():
    result = grade("w*q")
    assert (result.correct, result.score, result.method) == (False, 0.0, "unreadable")
    assert "unknown name 'q'" in result.feedback


def test_logistic_regression_gradient_in_exponential_form_is_proved_equal():
    expected = "1/n*sum((sigmoid(w*x_i + b) - y_i)*x_i, i)"
    answer = "1/n*sum((exp(w x_i + b)/(1 + exp(w x_i + b)) - y_i) x_i, i)"
    assert grade(answer, expected).correct is True


def test_numeric_agreement_stands_when_the_exact_step_runs_out_of_time():
    answer = "2x + (sin(x)^2 + cos(x)^2 - 1)*x"
    result = grade(answer, "2*x", variables=["x"], time_limit=0.02)
    assert (result.correct, result.method) == (True, "numeric")


def test_rounding_noise_in_floats_does_not_make_a_correct_answer_wrong():
    noise = "(sin(x)^2 + cos(x)^2 - 1)*(" + "+".join(f"exp({k}x)" for k in range(1, 40)) + ")^9"
    result = grade(f"2x + {noise}", "2*x", variables=["x"], time_limit=0.02)
    assert result.correct is not False


def test_an_answer_that_can_be_neither_evaluated_nor_simplified_is_undetermined():
    huge = "exp(exp(x^2 + 5)^1000)"
    answer = f"2x + {huge}*(sin(x)^2 + cos(x)^2) - {huge}"
    result = grade(answer, "2*x", variables=["x"], time_limit=0.05)
    assert (result.correct, result.score, result.method) == (None, 0.0, "undetermined")
    assert "checked by hand" in result.feedback


def test_a_result_serializes_to_one_json_object():
    result = grade("-" + DJ_DW)
    data = json.loads(result.to_json())
    assert data == result.as_dict()
    assert data["mistake"] == "sign_flipped" and data["latex"].startswith("-")
    assert isinstance(result, CheckResult)


def test_an_unreadable_question_is_the_instructors_error():
    with pytest.raises(ValueError, match="expected answer cannot be read"):
        check("x", "x +")
    with pytest.raises(ValueError, match="reserved word"):
        check("x", "x", variables=["lambda"])


def run_cli(argv, capsys):
    args = build_parser().parse_args(["check-expr", *argv])
    code = args.handler(args)
    return code, json.loads(capsys.readouterr().out)


def test_check_expr_prints_one_json_result_and_exits_0_even_when_wrong(capsys):
    code, right = run_cli(["2*x", "--expected", "x+x", "--vars", "x"], capsys)
    assert (code, right["correct"], right["method"]) == (0, True, "exact")
    code, wrong = run_cli(["--expected", "x+x", "--", "-2*x"], capsys)
    assert (code, wrong["mistake"]) == (0, "sign_flipped")
    code, refused = run_cli(["0.5x", "--expected", "x/2", "--no-floats"], capsys)
    assert (code, refused["method"]) == (0, "unreadable")


def test_check_expr_takes_assumptions_and_a_required_form(capsys):
    code, general = run_cli(["sqrt(x^2)", "--expected", "x"], capsys)
    assert (code, general["correct"]) == (0, False)  # x may be negative
    code, positive = run_cli(["sqrt(x^2)", "--expected", "x", "--positive", "x"], capsys)
    assert (code, positive["correct"]) == (0, True)
    code, integer = run_cli(["cos(pi*n)", "--expected", "(-1)^n", "--integer", "n"], capsys)
    assert (code, integer["correct"]) == (0, True)
    code, form = run_cli(["2(x+1)", "--expected", "2x+2", "--form", "expanded"], capsys)
    assert (code, form["correct"], form["score"], form["mistake"]) == (
        0,
        False,
        0.5,
        "not_expanded",
    )
    code, error = run_cli(["x", "--expected", "x", "--positive", "q"], capsys)
    assert code == 2 and "not a variable" in error["error"]


def test_check_expr_exits_2_with_a_json_error_when_expected_is_unreadable(capsys):
    code, output = run_cli(["x", "--expected", "x +"], capsys)
    assert code == 2
    assert "expected answer cannot be read" in output["error"]


def test_check_expr_run_inside_a_process_gives_its_limits_and_alarm_back(capsys):
    """As in a test worker: a browser it starts afterwards must not inherit 2 GiB."""
    before = (resource.getrlimit(resource.RLIMIT_AS), signal.getsignal(signal.SIGALRM))
    assert run_cli(["2*x", "--expected", "x+x", "--vars", "x"], capsys)[0] == 0
    assert run_cli(["x", "--expected", "x +"], capsys)[0] == 2
    after = (resource.getrlimit(resource.RLIMIT_AS), signal.getsignal(signal.SIGALRM))
    assert after == before


def test_check_expr_help_shows_an_example():
    sub = build_parser()._subparsers._group_actions[0].choices["check-expr"]
    assert "gradelab check-expr '2x' --expected 'x+x' --vars x" in sub.format_help()


def test_check_expr_bounds_its_own_time_and_memory(gradelab, tmp_path):
    started = time.monotonic()
    run = gradelab(
        "check-expr",
        "(x+1)^999*(x-1)^999 + sin(x)^999",
        "--expected",
        "(x^2-1)^999",
        "--vars",
        "x",
        cwd=tmp_path,
    )
    assert time.monotonic() - started < 30 and run.returncode in (0, 2)
    result = json.loads(run.stdout)
    assert result.get("correct") is not True
