"""Each student's numbers, and what a question says and expects with them.

A question's parameters are drawn from ``gradelab.student.variant_rng`` keyed by the course,
the quiz, the question and the student, so the notebook (which knows the id the student
typed, or the hub user) and the grader (which knows the id being graded) draw the same
numbers; an empty id gives the shared practice numbers.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

import sympy

from gradelab.questions.spec import LETTERS, Param, Question, decimals_of
from gradelab.student.variants import numbers_id, variant_rng
from gradelab.symbolic import Parsed, ParseError, parse, sigfigs
from gradelab.symbolic.as_typed import as_typed

_PLACE = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
Values = dict[str, Fraction]


def draw(question: Question, course_id: str, quiz: str, student_id: str) -> Values:
    """The question's parameters for ``student_id`` (an empty id: the practice numbers)."""
    rng = variant_rng(course_id, quiz, question.id, numbers_id(student_id))
    return {p.name: p.value(int(rng.integers(p.count))) for p in question.params}


def shown(question: Question, values: Values) -> dict[str, str]:
    by_name: dict[str, Param] = {p.name: p for p in question.params}
    return {name: by_name[name].text(value) for name, value in values.items()}


def prompt(question: Question, values: Values) -> str:
    """The prompt with each ``{name}`` of a parameter replaced by its value; every other
    brace stays, so ``x^{{k}}`` is ``x^{3}`` when k is 3."""
    texts = shown(question, values)
    return _PLACE.sub(lambda m: texts.get(m.group(1), m.group(0)), question.prompt)


def question_text(question: Question, values: Values) -> str:
    """What the student reads (Markdown): the prompt with their numbers, and the choices."""
    text = prompt(question, values)
    if question.kind == "choice":
        text += "\n\n" + "\n".join(
            f"- ({letter}) {choice}"
            for letter, choice in zip(LETTERS, question.choices, strict=False)
        )
    return text


def substituted(text: str, question: Question, values: Values) -> sympy.Basic:
    """``text`` (the answer or a mistake, in the typed-math grammar, over the question's
    variables and parameters) with the parameters' values put in: an exact expression."""
    parsed = _template(text, (*question.variables, *values))
    numbers = {
        parsed.vocabulary.scalars[name]: sympy.Rational(value.numerator, value.denominator)
        for name, value in values.items()
    }
    return parsed.expr.xreplace(numbers)


def typed(answer: str, question: Question, values: Values) -> str:
    """``answer`` (the key or a declared mistake) with this student's numbers, as a student
    would type it: a letter, a number (a decimal when it has one), or a formula."""
    if question.kind == "choice":
        return answer.strip().lower()
    expr = substituted(answer, question, values)
    if question.kind == "number" and question.sigfigs is not None:
        exact = (
            Fraction(int(expr.p), int(expr.q))
            if expr.is_Rational
            else Fraction(str(expr.evalf(40)))
        )
        return sigfigs.written(exact, question.sigfigs)
    if question.kind == "number" and expr.is_Rational:
        digits = decimals_of(Fraction(int(expr.p), int(expr.q)))
        if digits is not None:
            return f"{float(expr):.{max(digits, 1)}f}" if digits <= 15 else str(expr)
    return as_typed(expr)


@functools.lru_cache(maxsize=1024)
def _template(text: str, names: tuple[str, ...]) -> Parsed:
    """An instructor's formula, read once per process (every student's numbers go in it)."""
    return parse(text, names)


def key_text(question: Question, values: Values) -> str:
    """The right answer as a student would type it."""
    return typed(question.answer, question, values)


def readable(text: str, question: Question, values: Values) -> str | None:
    """Why ``text`` cannot be read with the question's variables and parameters, or None."""
    try:
        substituted(text, question, values)
    except ParseError as error:
        return str(error)
    return None
