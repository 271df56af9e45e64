"""A quiz's per-student numbers and number answers: every draw lies within its range, on its
grid of decimals and outside its exclusions, for any range; a key of 0 takes an answer that
differs from it by rounding."""

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.questions.draw import draw
from gradelab.questions.judge import judge
from gradelab.questions.spec import Param, Question, QuizError, read_param, read_quiz


def question_with(param: Param) -> Question:
    return Question("q", "number", 1.0, "{p}", "p", params=(param,))


def drawn(param: Param, students: int) -> list[Fraction]:
    question = question_with(param)
    return [draw(question, "course", "quiz", f"s{k:03d}")["p"] for k in range(students)]


def test_a_range_with_a_decimal_bound_draws_only_within_it():
    param = read_param("p", {"between": [0.5, 3]}, "quiz.toml")
    assert set(drawn(param, 60)) == {1, 2, 3}
    assert [param.value(k) for k in range(param.count)] == [1, 2, 3]


def test_a_range_with_nothing_on_its_grid_is_refused():
    with pytest.raises(QuizError, match="no value is left"):
        read_param("p", {"between": [0.5, 0.7]}, "quiz.toml")


def test_a_range_of_many_values_is_drawn_without_listing_it():
    param = read_param("p", {"between": [-0.5, 0.5], "decimals": 6}, "quiz.toml")
    assert all(-0.5 <= value <= 0.5 for value in drawn(param, 5))
    assert param.count == 10**6 + 1
    assert read_param("p", {"between": [-(10**5), 10**5], "decimals": 6}, "").count > 10**11


BOUND = st.integers(-2000, 2000).map(lambda k: k / 100 if k % 3 else k // 100)


@settings(max_examples=100, deadline=None)
@given(
    bounds=st.tuples(BOUND, BOUND).map(sorted),
    decimals=st.integers(0, 2),
    exclude=st.lists(st.integers(-2000, 2000).map(lambda k: k / 100), max_size=6),
)
def test_any_range_draws_exactly_its_values_within_bounds(bounds, decimals, exclude):
    low, high = bounds
    spec = {"between": [low, high], "decimals": decimals, "exclude": exclude}
    lo, hi = Fraction(str(low)), Fraction(str(high))
    scale = 10**decimals
    excluded = {Fraction(str(e)) for e in exclude}
    every = [
        Fraction(k, scale)
        for k in range(int(lo * scale) - 1, int(hi * scale) + 2)
        if lo <= Fraction(k, scale) <= hi and Fraction(k, scale) not in excluded
    ]
    if not every:
        with pytest.raises(QuizError):
            read_param("p", spec, "quiz.toml")
        return
    param = read_param("p", spec, "quiz.toml")
    assert set(drawn(param, 8)) <= set(every)
    assert param.count == len(every)
    assert [param.value(k) for k in range(min(param.count, 300))] == every[:300]
    assert param.value(param.count - 1) == every[-1]


def zero_key_quiz(tmp_path: Path, tolerance: float = 1e-6) -> Question:
    path = tmp_path / "quiz.toml"
    path.write_text(
        f"""
[[question]]
id = "slope"
kind = "number"
points = 1
prompt = "The slope of $f(w) = (w - {{c}})^2$ at its minimum?"
answer = "2*(c - c)"
tolerance = {tolerance}
[question.params]
c = [1, 9]
"""
    )
    return read_quiz(path).question("slope")


def test_a_key_of_zero_takes_an_answer_off_by_rounding(tmp_path):
    question = zero_key_quiz(tmp_path)
    values = draw(question, "course", "quiz", "alice")
    assert judge(question, values, 1e-17).correct
    assert judge(question, values, -3e-13).correct
    assert judge(question, values, 0).correct
    assert not judge(question, values, 1e-6).correct
    assert not judge(question, values, 0.01).correct


def test_a_key_of_zero_asked_exactly_takes_only_zero(tmp_path):
    question = zero_key_quiz(tmp_path, tolerance=0)
    values = draw(question, "course", "quiz", "alice")
    assert judge(question, values, "0").correct
    assert not judge(question, values, 1e-17).correct
