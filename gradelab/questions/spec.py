"""A quiz as data: the questions of ``quiz.toml``, read and checked.

Every field is checked when the file is read, and an error names the file, the question and
the field, and says what is expected. See docs/authoring.md for the format; in short::

    title = "Derivatives, quickly"

    [[question]]
    id = "power_rule"            # the variable the student sets
    kind = "expression"          # "expression", "number" or "choice"
    points = 2
    prompt = "Differentiate $f(x) = {a}\\\\,x^{{k}}$ with respect to $x$."
    variables = ["x"]
    answer = "a*k*x^(k-1)"
    [question.params]
    a = [2, 9]
    k = { choice = [2, 3, 4] }
    [[question.mistake]]
    answer = "a*x^(k-1)"
    feedback = "The power rule also multiplies by the exponent."
    score = 0.5
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from gradelab.errors import AssignmentError
from gradelab.symbolic.assumptions import KINDS as ASSUMPTION_KINDS
from gradelab.symbolic.forms import FORMS as FORM_CHECKS
from gradelab.symbolic.mistakes import BUILTIN
from gradelab.symbolic.vocabulary import RESERVED

KINDS = ("expression", "number", "choice")
LETTERS = "abcdefgh"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
QUESTION_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}\Z")
QUESTION_FIELDS = {
    "id", "kind", "points", "prompt", "title", "variables", "answer", "params", "mistake",
    "choices", "why_not", "tolerance", "cell", "show_correctness", "cost", "wrt",
    "allow_floats", "form", "assume", "sigfigs", "form_score",
}  # fmt: skip
#: How an expression is given: typed ("text"), built with sympy, or typed in a required form.
FORMS = ("text", "sympy", *FORM_CHECKS)
QUIZ_FIELDS = {"title", "intro", "show_correctness", "question"}
MISTAKE_FIELDS = {"answer", "builtin", "feedback", "score"}
MAX_VALUES = 10**12  # a parameter's values, drawn by index (never listed)


class QuizError(AssignmentError):
    """``quiz.toml`` cannot be used as it is; the message names the place."""


def _number(value: Any, where: str) -> Fraction:
    """An exact number from TOML: 0.05 stays the decimal 0.05, not its binary neighbour."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QuizError(f"{where}: {value!r} is not a number")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


@dataclass(frozen=True)
class Param:
    """How one per-student number is drawn: an integer in ``[low, high]``, one of
    ``choices``, or a decimal between ``low`` and ``high`` with ``decimals`` digits; never
    one of ``exclude``."""

    name: str
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)
    decimals: int = 0
    choices: tuple[Fraction, ...] = ()
    exclude: frozenset[Fraction] = frozenset()

    def _steps(self) -> tuple[int, int]:
        """The first and last k whose value k / 10**decimals lies within [low, high]."""
        scale = 10**self.decimals
        return math.ceil(self.low * scale), math.floor(self.high * scale)

    def _excluded_steps(self) -> list[int]:
        """The k of each excluded value the range would draw, in increasing order."""
        scale = 10**self.decimals
        first, last = self._steps()
        steps = (value * scale for value in self.exclude)
        return sorted(int(k) for k in steps if k.denominator == 1 and first <= k <= last)

    @property
    def count(self) -> int:
        """How many values it may take."""
        if self.choices:
            return sum(1 for value in self.choices if value not in self.exclude)
        first, last = self._steps()
        return max(0, last - first + 1 - len(self._excluded_steps()))

    def value(self, index: int) -> Fraction:
        """The ``index``-th value it may take (0 <= index < count): a choice in its order, or
        a value of the range in increasing order, computed without listing the range."""
        if self.choices:
            return [value for value in self.choices if value not in self.exclude][index]
        step = self._steps()[0] + index
        for excluded in self._excluded_steps():
            if excluded > step:
                break
            step += 1
        return Fraction(step, 10**self.decimals)

    def text(self, value: Fraction) -> str:
        """The value as it is shown: 3, -2.5 (with its decimals), 0.05."""
        if value.denominator == 1:
            return str(value.numerator)
        digits = self.decimals or decimals_of(value)
        return (
            f"{float(value):.{digits}f}"
            if digits is not None
            else f"{value.numerator}/{value.denominator}"
        )

    def as_data(self) -> dict:
        return {
            "name": self.name,
            "low": str(self.low),
            "high": str(self.high),
            "decimals": self.decimals,
            "choices": [str(c) for c in self.choices],
            "exclude": sorted(str(e) for e in self.exclude),
        }

    @classmethod
    def from_data(cls, data: dict) -> Param:
        return cls(
            data["name"],
            Fraction(data["low"]),
            Fraction(data["high"]),
            int(data["decimals"]),
            tuple(Fraction(c) for c in data["choices"]),
            frozenset(Fraction(e) for e in data["exclude"]),
        )


def decimals_of(value: Fraction) -> int | None:
    """Digits after the point of a terminating decimal, None if it does not terminate."""
    rest, counts = value.denominator, []
    for factor in (2, 5):
        count = 0
        while rest % factor == 0:
            rest, count = rest // factor, count + 1
        counts.append(count)
    return max(counts) if rest == 1 else None


def read_param(name: str, spec: Any, where: str) -> Param:
    where = f"{where}, params.{name}"
    if not NAME.match(name) or name in RESERVED:
        raise QuizError(f"{where}: '{name}' cannot name a parameter (letters and digits)")
    if isinstance(spec, list):
        if len(spec) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in spec):
            raise QuizError(f"{where}: [low, high] needs two integers, got {spec!r}")
        spec = {"between": spec, "decimals": 0}
    if not isinstance(spec, dict):
        raise QuizError(
            f"{where}: write [low, high], {{ choice = [...] }} or {{ between = [...] }}"
        )
    unknown = set(spec) - {"between", "decimals", "choice", "exclude"}
    if unknown or ("choice" in spec) == ("between" in spec):
        raise QuizError(
            f"{where}: give either choice or between (and decimals, exclude); got {sorted(spec)}"
        )
    exclude = frozenset(_number(v, where) for v in spec.get("exclude", []))
    if "choice" in spec:
        choices = tuple(_number(v, where) for v in spec["choice"])
        param = Param(name, choices=choices, exclude=exclude)
    else:
        bounds = spec["between"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise QuizError(f"{where}: between = [low, high]")
        low, high = (_number(v, where) for v in bounds)
        decimals = spec.get("decimals", 0)
        if not isinstance(decimals, int) or not 0 <= decimals <= 6 or low > high:
            raise QuizError(f"{where}: needs low <= high and decimals from 0 to 6")
        param = Param(name, low, high, decimals, exclude=exclude)
    if param.count == 0:
        raise QuizError(f"{where}: no value is left to draw")
    if param.count > MAX_VALUES:
        raise QuizError(f"{where}: more than {MAX_VALUES:.0e} values; use fewer decimals")
    return param


@dataclass(frozen=True)
class MistakeSpec:
    """A wrong answer worth naming (``answer``), or a change to a built-in one (``builtin``)."""

    answer: str | None
    builtin: str | None
    feedback: str
    score: float

    def as_data(self) -> dict:
        return {
            "answer": self.answer,
            "builtin": self.builtin,
            "feedback": self.feedback,
            "score": self.score,
        }


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    points: float
    prompt: str
    answer: str
    title: str = ""
    variables: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    mistakes: tuple[MistakeSpec, ...] = ()
    choices: tuple[str, ...] = ()
    why_not: dict[str, str] = field(default_factory=dict)
    tolerance: float = 1e-6
    cell: str = ""
    show_correctness: bool = False
    cost: str | None = None
    wrt: str | tuple[str, ...] | None = None
    allow_floats: bool = True
    form: str = "text"
    assume: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sigfigs: int | None = None
    form_score: float = 0.5

    @property
    def required_form(self) -> str | None:
        """The form a typed answer must have ("expanded", "factored", "simplified")."""
        return self.form if self.form in FORM_CHECKS else None

    @property
    def grade_cell(self) -> str:
        """The nbgrader test cell whose points this question gives."""
        return self.cell or f"test_{self.id}"

    def public(self, with_key: bool) -> dict:
        """The question as the released notebook has it: with its key and mistakes only when
        ``with_key`` (the notebook then says right or wrong at once)."""
        data = {
            "id": self.id, "kind": self.kind, "points": self.points, "prompt": self.prompt,
            "title": self.title, "variables": list(self.variables),
            "params": [p.as_data() for p in self.params], "choices": list(self.choices),
            "cell": self.cell, "allow_floats": self.allow_floats, "form": self.form,
            "assume": {k: list(v) for k, v in self.assume.items()}, "sigfigs": self.sigfigs,
            "form_score": self.form_score,
        }  # fmt: skip
        if with_key:
            data |= {
                "answer": self.answer, "mistakes": [m.as_data() for m in self.mistakes],
                "why_not": self.why_not, "tolerance": self.tolerance, "cost": self.cost,
                "wrt": list(self.wrt) if isinstance(self.wrt, tuple) else self.wrt,
            }  # fmt: skip
        return data

    @classmethod
    def from_public(cls, data: dict) -> Question:
        wrt = data.get("wrt")
        return cls(
            id=data["id"], kind=data["kind"], points=float(data["points"]), prompt=data["prompt"],
            answer=data.get("answer", ""), title=data.get("title", ""),
            variables=tuple(data.get("variables", [])),
            params=tuple(Param.from_data(p) for p in data.get("params", [])),
            mistakes=tuple(MistakeSpec(**m) for m in data.get("mistakes", [])),
            choices=tuple(data.get("choices", [])), why_not=dict(data.get("why_not", {})),
            tolerance=float(data.get("tolerance", 1e-6)), cell=data.get("cell", ""),
            show_correctness="answer" in data, cost=data.get("cost"),
            wrt=tuple(wrt) if isinstance(wrt, list) else wrt,
            allow_floats=bool(data.get("allow_floats", True)), form=data.get("form", "text"),
            assume={k: tuple(v) for k, v in data.get("assume", {}).items()},
            sigfigs=data.get("sigfigs"), form_score=float(data.get("form_score", 0.5)),
        )  # fmt: skip


@dataclass(frozen=True)
class Quiz:
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    show_correctness: bool = False

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"no question '{question_id}' in this quiz")

    def public(self, course_id: str, assignment: str) -> dict:
        """What the release carries (``quiz.json``): enough to show each student their own
        numbers and read their answers, and the keys of questions that show correctness."""
        return {
            "title": self.title,
            "intro": self.intro,
            "course_id": course_id,
            "assignment": assignment,
            "questions": [q.public(q.show_correctness) for q in self.questions],
        }


def mistake_spec(spec: Any, where: str) -> MistakeSpec:
    """A ``[[question.mistake]]`` table, checked."""
    if not isinstance(spec, dict) or set(spec) - MISTAKE_FIELDS:
        raise QuizError(f"{where}: a mistake has answer (or builtin), feedback and score")
    answer, builtin = spec.get("answer"), spec.get("builtin")
    if (answer is None) == (builtin is None):
        raise QuizError(
            f"{where}: give answer = ... (a wrong answer) or builtin = ... (one of "
            f"{sorted(BUILTIN)})"
        )
    if builtin is not None and builtin not in BUILTIN:
        raise QuizError(f"{where}: builtin = {builtin!r} is not one of {sorted(BUILTIN)}")
    score = spec.get("score", 0.0)
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score < 1:
        raise QuizError(f"{where}: score is a fraction of the points, from 0 up to (not) 1")
    feedback = spec.get("feedback", "")
    if not isinstance(feedback, str) or (answer is not None and not feedback.strip()):
        raise QuizError(f'{where}: feedback = "..." says what the mistake is')
    return MistakeSpec(None if answer is None else str(answer), builtin, feedback, float(score))


def _assumptions(spec: Any, variables: list[str], where: str) -> dict[str, tuple[str, ...]]:
    """``assume = { positive = ["x"], integer = ["n"] }``: each kind lists variables."""
    if not isinstance(spec, dict) or set(spec) - set(ASSUMPTION_KINDS):
        kinds = ", ".join(ASSUMPTION_KINDS)
        raise QuizError(f'{where}: assume = {{ positive = ["x"], ... }} with kinds {kinds}')
    found = {}
    for kind, names in spec.items():
        if not isinstance(names, list) or not all(n in variables for n in names):
            raise QuizError(f"{where}: assume.{kind} lists variables of this question")
        found[kind] = tuple(names)
    return found


def _question(spec: Any, number: int, path: Path, quiz_correctness: bool) -> Question:
    where = f"{path}: question {number}"
    if not isinstance(spec, dict):
        raise QuizError(f"{where}: each [[question]] is a table")
    qid = spec.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid) or qid in RESERVED:
        raise QuizError(f'{where}: id = "..." names the variable the student sets (a Python name)')
    where = f"{path}: question '{qid}'"
    unknown = set(spec) - QUESTION_FIELDS
    if unknown:
        raise QuizError(
            f"{where}: unknown field(s) {sorted(unknown)}; fields are {sorted(QUESTION_FIELDS)}"
        )
    kind = spec.get("kind")
    if kind not in KINDS:
        raise QuizError(f"{where}: kind is one of {', '.join(KINDS)}")
    points = spec.get("points")
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        raise QuizError(f"{where}: points = a positive number")
    for text_field in ("prompt", "answer"):
        if not isinstance(spec.get(text_field), str) or not spec[text_field].strip():
            raise QuizError(f'{where}: {text_field} = "..." is needed')
    params = tuple(read_param(name, p, where) for name, p in dict(spec.get("params", {})).items())
    variables = spec.get("variables", [])
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise QuizError(f'{where}: variables = ["x", ...]')
    clash = {p.name for p in params} & set(variables)
    if clash:
        raise QuizError(f"{where}: {sorted(clash)} are both parameters and variables")
    choices = spec.get("choices", [])
    if kind == "choice":
        if not isinstance(choices, list) or not 2 <= len(choices) <= len(LETTERS):
            raise QuizError(f'{where}: choices = ["...", ...], from 2 to {len(LETTERS)} of them')
        letters = LETTERS[: len(choices)]
        if spec["answer"].strip().lower() not in letters:
            raise QuizError(f"{where}: answer is one of the letters {', '.join(letters)}")
    mistakes = spec.get("mistake", [])
    if not isinstance(mistakes, list):
        raise QuizError(f"{where}: mistakes are [[question.mistake]] tables")
    why_not = spec.get("why_not", {})
    if not isinstance(why_not, dict):
        raise QuizError(f'{where}: why_not = {{ a = "why a is wrong", ... }}')
    tolerance = spec.get("tolerance", 1e-6)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not 0 <= tolerance < 1
    ):
        raise QuizError(f"{where}: tolerance is relative, from 0 up to 1")
    wrt = spec.get("wrt")
    form = spec.get("form", "text")
    if form not in FORMS or (form != "text" and kind != "expression"):
        raise QuizError(
            f'{where}: form is "text" (typed) or, for an expression, "sympy" (built with '
            f"sympy) or one of {', '.join(FORM_CHECKS)} (typed in that form)"
        )
    assume = _assumptions(spec.get("assume", {}), variables, where)
    sigfigs = spec.get("sigfigs")
    if sigfigs is not None and (
        kind != "number" or isinstance(sigfigs, bool) or not isinstance(sigfigs, int)
        or not 1 <= sigfigs <= 15
    ):  # fmt: skip
        raise QuizError(f"{where}: sigfigs = 1 to 15, for a number question")
    form_score = spec.get("form_score", 0.5)
    if isinstance(form_score, bool) or not isinstance(form_score, int | float):
        raise QuizError(f"{where}: form_score is a fraction of the points, from 0 up to (not) 1")
    if not 0 <= form_score < 1:
        raise QuizError(f"{where}: form_score is a fraction of the points, from 0 up to (not) 1")
    return Question(
        id=qid,
        kind=kind,
        points=float(points),
        prompt=spec["prompt"],
        answer=spec["answer"].strip(),
        title=str(spec.get("title", "")),
        variables=tuple(variables),
        params=params,
        mistakes=tuple(mistake_spec(m, f"{where}, mistake {k}") for k, m in enumerate(mistakes, 1)),
        choices=tuple(str(c) for c in choices),
        why_not={str(k).lower(): str(v) for k, v in why_not.items()},
        tolerance=float(tolerance),
        cell=str(spec.get("cell", "")),
        show_correctness=bool(spec.get("show_correctness", quiz_correctness)),
        cost=spec.get("cost"),
        wrt=tuple(wrt) if isinstance(wrt, list) else wrt,
        allow_floats=bool(spec.get("allow_floats", True)),
        form=form,
        assume=assume,
        sigfigs=sigfigs,
        form_score=float(form_score),
    )


def read_quiz(path: Path) -> Quiz:
    """The quiz in ``path`` (a ``quiz.toml``), with every field checked."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise QuizError(f"{path}: {error}") from None
    unknown = set(data) - QUIZ_FIELDS
    if unknown:
        raise QuizError(
            f"{path}: unknown field(s) {sorted(unknown)}; fields are {sorted(QUIZ_FIELDS)}"
        )
    show = data.get("show_correctness", False)
    if not isinstance(show, bool):
        raise QuizError(f"{path}: show_correctness = true or false")
    questions = data.get("question", [])
    if not isinstance(questions, list) or not questions:
        raise QuizError(f"{path}: a quiz needs [[question]] tables")
    found = tuple(_question(spec, k, path, show) for k, spec in enumerate(questions, 1))
    ids = [q.id for q in found]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise QuizError(f"{path}: question id {repeated[0]!r} is used twice")
    return Quiz(str(data.get("title", path.parent.name)), found, str(data.get("intro", "")), show)


def read_public(path: Path) -> tuple[Quiz, str, str]:
    """The quiz of a release's ``quiz.json`` (see ``Quiz.public``), its course id and its
    assignment's name."""
    data = json.loads(path.read_text())
    questions = tuple(Question.from_public(q) for q in data["questions"])
    quiz = Quiz(data["title"], questions, data.get("intro", ""))
    return quiz, str(data["course_id"]), str(data["assignment"])
