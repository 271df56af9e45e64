"""Judge one answer to a quiz question, with one student's numbers.

The same judgement runs in the notebook (when the question shows correctness) and in the
grader. Expressions go through ``gradelab.symbolic.check`` (declared mistakes and the
built-in mistake bank named, partial credit); numbers are compared exactly (as rationals)
first, then within the question's relative tolerance (an absolute one for a key of 0); a
choice is one letter. A judgement never shows the key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Number
from typing import Any

import sympy

from gradelab.questions.draw import Values, substituted
from gradelab.questions.printed import SympyText
from gradelab.questions.spec import LETTERS, Question
from gradelab.symbolic import Mistake, ParseError, check, parse, sigfigs

ZERO_TOLERANCE = 1e-12  # absolute, for a number whose key (or declared mistake) is 0


@dataclass(frozen=True)
class Judgement:
    """``fraction`` of the question's points; ``message`` for the student (what is wrong or
    could not be read); ``correct`` None when it could not be decided."""

    fraction: float
    message: str
    correct: bool | None
    answered: bool = True


def _as_text(value: Any, form: str) -> str | None:
    """The answer's text when it has the question's form: a string typed by hand, or an
    expression built with sympy (in the notebook a sympy object; in the grader the text of
    sympy's printer, which arrives as ``SympyText``)."""
    built = isinstance(value, sympy.Basic | SympyText)
    if form == "sympy":
        return (sympy.sstr(value) if isinstance(value, sympy.Basic) else value) if built else None
    return value if isinstance(value, str) and not built else None


def _unanswered(question: Question) -> Judgement:
    return Judgement(0.0, f"{question.id} has no answer yet", False, answered=False)


def judge_expression(question: Question, values: Values, value: Any) -> Judgement:
    text = _as_text(value, question.form)
    if text is None and question.form == "sympy":
        return Judgement(0.0, f"{question.id}: build it with sympy (a sympy expression)", False)
    if text is None:
        return Judgement(0.0, f'{question.id}: type the formula as a string, such as "2x"', False)
    if not text.strip():
        return _unanswered(question)
    mistakes = []
    for number, spec in enumerate(question.mistakes, 1):
        if spec.builtin is not None:
            mistakes.append(Mistake(spec.builtin, score=spec.score, feedback=spec.feedback))
        else:
            wrong = substituted(spec.answer, question, values)
            mistakes.append(Mistake(f"declared_{number}", wrong, spec.score, spec.feedback))
    cost = substituted(question.cost, question, values) if question.cost else None
    result = check(
        text,
        substituted(question.answer, question, values),
        variables=question.variables,
        mistakes=mistakes,
        cost=cost,
        wrt=question.wrt,
        allow_floats=question.allow_floats,
        latex=False,
        assume=question.assume,
        form=question.required_form,
        form_score=question.form_score,
    )
    fraction = 1.0 if result.correct else result.score
    message = "" if result.correct else f"{question.id}: {result.feedback}"
    return Judgement(fraction, message, result.correct)


def exact_number(value: Any) -> Fraction | float | None:
    """A student's number: exact (a rational) when it can be, else a float; None if it is not
    one finite real number. Strings are read with the typed-math grammar ("7/20", "-0.35")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            parsed = parse(value, [])
        except ParseError:
            return None
        if parsed.symbols or not isinstance(parsed.expr, sympy.Expr) or not parsed.expr.is_number:
            return None
        value = parsed.expr
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, sympy.Float):
        return Fraction(str(value))
    if isinstance(value, sympy.Expr):
        number = complex(value.evalf(30))
        return number.real if number.imag == 0 and math.isfinite(number.real) else None
    if isinstance(value, Number):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(number):
            return None
        return (
            Fraction(int(value)) if float(number).is_integer() and abs(number) < 2**53 else number
        )
    return None


def _close(found: Fraction | float, target: Fraction | float, tolerance: float) -> bool:
    """Within ``tolerance`` of ``target``, relative; a target of 0, where a relative
    tolerance takes nothing but 0, takes ``ZERO_TOLERANCE`` absolute (unless tolerance is 0)."""
    if found == target:
        return True
    if target == 0:
        return tolerance > 0 and abs(float(found)) <= ZERO_TOLERANCE
    return abs(float(found) - float(target)) <= tolerance * abs(float(target))


def judge_figures(question: Question, values: Values, value: Any) -> Judgement:
    """A number to ``question.sigfigs`` significant figures: the key rounded there scores
    full marks; the right value with other figures ``form_score``."""
    text = repr(value) if isinstance(value, float | int) and not isinstance(value, bool) else value
    found = sigfigs.read(text) if isinstance(text, str) else None
    if found is None:
        return Judgement(0.0, f"{question.id}: write one number in decimals, such as 0.0521", False)
    key = exact_number(substituted(question.answer, question, values))
    figures = question.sigfigs
    if key is not None and sigfigs.is_rounding_of(found, Fraction(key)):
        if found.figures == figures:
            return Judgement(1.0, "", True)
        return Judgement(
            question.form_score,
            f"{question.id}: the value is right, but give it to {figures} significant figures "
            f"(you gave {found.figures})",
            False,
        )
    for spec in question.mistakes:
        if spec.answer is None:
            continue
        wrong = exact_number(substituted(spec.answer, question, values))
        if wrong is not None and sigfigs.is_rounding_of(found, Fraction(wrong)):
            return Judgement(spec.score, f"{question.id}: {spec.feedback}", False)
    return Judgement(0.0, f"{question.id}: not the expected number", False)


def judge_number(question: Question, values: Values, value: Any) -> Judgement:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _unanswered(question)
    if question.sigfigs is not None:
        return judge_figures(question, values, value)
    found = exact_number(value)
    if found is None:
        return Judgement(0.0, f"{question.id}: write one number, such as -0.35 or 7/20", False)
    key = exact_number(substituted(question.answer, question, values))
    if key is not None and _close(found, key, question.tolerance):
        return Judgement(1.0, "", True)
    for spec in question.mistakes:
        if spec.answer is None:
            continue
        wrong = exact_number(substituted(spec.answer, question, values))
        if wrong is not None and _close(found, wrong, question.tolerance):
            return Judgement(spec.score, f"{question.id}: {spec.feedback}", False)
    return Judgement(0.0, f"{question.id}: not the expected number", False)


def judge_choice(question: Question, value: Any) -> Judgement:
    letters = LETTERS[: len(question.choices)]
    if not isinstance(value, str):
        return Judgement(
            0.0, f'{question.id}: answer with one letter as a string, such as "a"', False
        )
    letter = value.strip().lower()
    if not letter:
        return _unanswered(question)
    if letter not in letters or len(letter) != 1:
        shown = value if len(value) <= 20 else value[:17] + "..."
        return Judgement(
            0.0, f'{question.id}: "{shown}" is not one of the letters {", ".join(letters)}', False
        )
    if letter == question.answer.strip().lower():
        return Judgement(1.0, "", True)
    for spec in question.mistakes:
        if spec.answer is not None and spec.answer.strip().lower() == letter:
            return Judgement(spec.score, f"{question.id}: {spec.feedback}", False)
    why = question.why_not.get(letter, "not the right choice")
    return Judgement(0.0, f"{question.id}: {why}", False)


def judge(question: Question, values: Values, value: Any) -> Judgement:
    """How ``value`` (what the student set ``question.id`` to) answers the question."""
    if question.kind == "choice":
        return judge_choice(question, value)
    if question.kind == "number":
        return judge_number(question, values, value)
    return judge_expression(question, values, value)
