"""Checking a typed answer against the expected one, in layers.

1. Read the answer with the question's variables (``parse``); unreadable answers score 0
   with the reason.
2. Evaluate both at random points (``numeric``): a clear difference anywhere means wrong.
3. Confirm equality exactly with sympy under a time limit (``exact``). If time runs out,
   strong numeric agreement still counts as correct (``method="numeric"``); otherwise the
   result is undetermined (``correct=None``), never a guess.
4. A wrong answer is matched against the question's named mistakes, then the built-in ones.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import sympy

from gradelab.symbolic import build, equations
from gradelab.symbolic import mistakes as bank
from gradelab.symbolic.as_typed import as_typed
from gradelab.symbolic.assumptions import Assumptions
from gradelab.symbolic.exact import equal_exactly, exact_numbers
from gradelab.symbolic.forms import FORMS, form_feedback, in_form
from gradelab.symbolic.memo import remembered
from gradelab.symbolic.mistakes import Candidate, Mistake
from gradelab.symbolic.modular import identical
from gradelab.symbolic.numeric import (
    STRONG,
    Agreement,
    Point,
    agreement,
    agrees_precisely,
    difference_confirmed,
    differs_beyond_rounding,
    exponent_grid,
    positive,
    sample_points,
    values_at,
)
from gradelab.symbolic.parse import Parsed, parse
from gradelab.symbolic.regions import region_points
from gradelab.symbolic.tokens import ParseError
from gradelab.symbolic.vocabulary import Vocabulary

NUMERIC_BUDGET = 0.5
UNDETERMINED = (
    "We could not decide whether your answer is right: it could not be evaluated at sample "
    "points or simplified in time. It will be checked by hand."
)


@dataclass
class CheckResult:
    """The verdict on one answer. ``correct`` is None when it could not be decided.

    ``method`` says how: "exact" (sympy proved it), "numeric" (random points decided),
    "unreadable", "shape" or "undetermined".
    """

    correct: bool | None
    score: float
    feedback: str
    mistake: str | None = None
    latex: str = ""
    warnings: list[str] = field(default_factory=list)
    method: str = "numeric"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict())


@dataclass(frozen=True)
class _Question:
    expected: Parsed
    names: tuple[str, ...]
    cost: sympy.Expr | None

    @property
    def vocabulary(self) -> Vocabulary:
        return self.expected.vocabulary


def _text(value: str | sympy.Basic) -> str:
    if isinstance(value, sympy.Eq):
        return as_typed(value)  # sympy prints Eq(y, x), which is not the typed grammar
    return value if isinstance(value, str) else sympy.sstr(value)


def _names_of(parsed: Parsed) -> list[str]:
    """The variable names an instructor's expression uses, e.g. ["w", "b", "n", "x_i"]."""
    return list(parsed.vocabulary.used_in(parsed.expr)) or list(parsed.vocabulary.names)


def _read(role: str, value: str | sympy.Basic, variables: tuple[str, ...] | None) -> Parsed:
    try:
        return parse(_text(value), variables)
    except ParseError as error:
        raise ValueError(f"the {role} cannot be read: {error}") from None


@lru_cache(maxsize=256)
def _question(
    expected: str | sympy.Basic,
    variables: tuple[str, ...] | None,
    cost: str | sympy.Basic | None,
) -> _Question:
    if variables is None:
        found = [] if cost is None else _names_of(_read("cost", cost, None))
        variables = tuple(
            dict.fromkeys(_names_of(_read("expected answer", expected, None)) + found)
        )
    parsed = _read("expected answer", expected, variables)
    cost_expr = None if cost is None else _read("cost", cost, variables).expr
    if build.is_matrix(cost_expr):
        raise ValueError("the cost must be a single expression")
    return _Question(parsed, variables, cost_expr)


def _entries(value: build.Value) -> list[sympy.Expr]:
    return list(value) if build.is_matrix(value) else [value]


def _shape_problem(answer: build.Value, expected: build.Value) -> str | None:
    """Why the two cannot be compared entry by entry (a row and a column vector can)."""
    if isinstance(answer, sympy.Eq) != isinstance(expected, sympy.Eq):
        pass
    elif build.is_matrix(answer) == build.is_matrix(expected):
        if not build.is_matrix(answer) or answer.shape == expected.shape:
            return None
        vectors = 1 in answer.shape and 1 in expected.shape
        if vectors and len(answer) == len(expected):
            return None
    return f"Expected {build.describe(expected)}; your answer is {build.describe(answer)}."


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _exponent_symbols(exprs: Iterable[sympy.Basic]) -> set[sympy.Symbol]:
    """The variables in exponents, such as the n of (-1)^n: a power of a negative number is
    real only at some values of them, so they are also sampled on a grid."""
    found: set[sympy.Symbol] = set()
    for expr in exprs:
        for power in expr.atoms(sympy.Pow):
            if not power.exp.is_Number:
                found |= {s for s in power.exp.free_symbols if isinstance(s, sympy.Symbol)}
    return found


class _Judge:
    """Values at one shared set of random points, computed once per expression.

    The points: random signed values; when a variable appears in an exponent, also a grid
    of integer and half-integer values for it (see ``exponent_grid``); and, for expressions
    real at fewer than ``STRONG`` of those, the same points made positive (where roots and
    logarithms are real).
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        samples: int,
        seed: int | None,
        rtol: float,
        atol: float,
        assumptions: Assumptions,
        exprs: Sequence[sympy.Basic],
    ):
        fresh = secrets.randbits(64) if seed is None else seed  # unknown to any student
        self.seed = fresh
        base = sample_points(vocabulary, samples, random.Random(fresh), assumptions)
        exponents = {s for s in _exponent_symbols(exprs) if s.name not in assumptions.integer}
        fixed = [
            s
            for s in vocabulary.scalars.values()
            if s.is_integer or s.name in assumptions.positive | assumptions.integer
        ]
        self.points = base + (exponent_grid(base, exponents, fixed) if exponents else [])
        self.base = base
        self.deadline = time.monotonic() + NUMERIC_BUDGET
        self.rtol, self.atol = rtol, atol
        self.cache: dict[tuple[sympy.Basic, bool], list] = {}

    @cached_property
    def more(self) -> list[Point]:
        """The points made positive, drawn only when needed."""
        return positive(self.base)

    def values(self, expr: sympy.Basic, widened: bool = False) -> list:
        """Values at the points (and at the positive ones too, when ``widened``)."""
        key = (expr, widened)
        if key not in self.cache:
            if widened:
                self.cache[key] = self.values(expr) + values_at(expr, self.more, self.deadline)
            else:
                self.cache[key] = values_at(expr, self.points, self.deadline)
        return self.cache[key]

    def all_points(self, widened: bool) -> list[Point]:
        return self.points + self.more if widened else self.points

    def agreement(
        self, first: sympy.Expr, second: sympy.Expr, rtol: float | None = None
    ) -> Agreement:
        tolerance = self.rtol if rtol is None else rtol
        found = agreement(self.values(first), self.values(second), tolerance, self.atol)
        if found.valid >= STRONG or found.equal is False:
            return found
        return agreement(self.values(first, True), self.values(second, True), tolerance, self.atol)

    def verdict(self, answer: sympy.Expr, expected: sympy.Expr) -> Agreement:
        """``agreement``, where a difference only counts if evaluation with 30 and 60 digits
        confirms it."""
        found = self.agreement(answer, expected)
        widened = (answer, True) in self.cache and (expected, True) in self.cache
        values = self.values(answer, widened), self.values(expected, widened)
        if found.equal is False and not difference_confirmed(
            answer, expected, self.all_points(widened), values, self.rtol, self.atol
        ):
            return Agreement(None, found.valid)
        return found

    def precisely(self, answer: sympy.Expr, expected: sympy.Expr) -> Agreement:
        """Agreement at the points with 60 and 120 digits (floats cancelled too much)."""
        deadline = time.monotonic() + NUMERIC_BUDGET / 2
        points = self.all_points(True)[: 2 * STRONG]
        return agrees_precisely(answer, expected, points, deadline)

    def differs(self, answer: sympy.Expr, expected: sympy.Expr) -> bool:
        """Whether the two differ at a point by more than rounding, even by a hair."""
        first, second = exact_numbers(answer), exact_numbers(expected)
        return differs_beyond_rounding(
            first, second, self.points, time.monotonic() + NUMERIC_BUDGET
        )

    def matches(self, answer: list, candidate: Candidate) -> bool:
        entries = _entries(candidate.value)
        if len(entries) != len(answer):
            return False
        return all(
            self.agreement(a, c, candidate.rtol).strong
            for a, c in zip(answer, entries, strict=True)
        )


def _entry_verdicts(
    agreements: list[Agreement], exact: list[bool | None]
) -> list[tuple[bool | None, str]]:
    """(equal, method) per entry, from the numeric agreement and the exact verdict. A proof
    wins over the points, either way: points only decide what sympy could not."""
    verdicts = []
    for numeric, proved in zip(agreements, exact, strict=True):
        if numeric.equal is False:
            verdicts.append((False, "numeric"))
        elif proved is not None:
            verdicts.append((proved, "exact"))
        elif numeric.strong:
            verdicts.append((True, "numeric"))
        else:
            verdicts.append((None, "undetermined"))
    return verdicts


def _matched(judge: _Judge, answer: list, candidates: Iterable[Candidate]) -> list[Mistake]:
    return [c.mistake for c in candidates if judge.matches(answer, c)]


def _named(found: list[Mistake]) -> tuple[str, float, str]:
    """(name, score, feedback) of the first match; the others are mentioned as well."""
    first, others = found[0], [m for m in found[1:] if m.feedback != found[0].feedback]
    text = _sentence(first.feedback)
    if others:
        text += " " + " ".join(_sentence(f"also: {m.feedback}") for m in others)
    return first.name, first.score, text


def _dependence_hints(answer: Parsed, expected: Parsed) -> list[str]:
    missing = [name for name in expected.symbols if name not in answer.symbols]
    extra = [name for name in answer.symbols if name not in expected.symbols]
    hints = []
    if missing:
        hints.append(f"Your answer does not depend on {', '.join(missing)}; the expected does.")
    if extra:
        hints.append(f"Your answer depends on {', '.join(extra)}; the expected does not.")
    return hints


def _has_float(value: build.Value) -> bool:
    return any(
        node.is_Float for entry in _entries(value) for node in sympy.preorder_traversal(entry)
    )


def _per_entry(wrt: str | Sequence[str] | None, size: int) -> list[str | None]:
    """The parameter each entry is the derivative for: one name, or one per entry."""
    if isinstance(wrt, str):
        return [wrt] * size if size == 1 else [None] * size
    if wrt is not None and len(wrt) == size:
        return list(wrt)
    return [None] * size


@remembered
def check(
    answer: str,
    expected: str | sympy.Basic,
    *,
    variables: Sequence[str] | None = None,
    allow_floats: bool = True,
    mistakes: Iterable[Mistake | Mapping[str, Any]] = (),
    cost: str | sympy.Basic | None = None,
    wrt: str | Sequence[str] | None = None,
    allow_half_mse: bool = False,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    samples: int = 12,
    time_limit: float = 1.0,
    seed: int | None = None,
    latex: bool = True,
    assume: Assumptions | Mapping[str, Sequence[str]] | None = None,
    form: str | None = None,
    form_score: float = 0.5,
) -> CheckResult:
    """Check the student's ``answer`` (text) against ``expected`` (text or sympy).

    ``variables`` lists the names students may use (default: those of ``expected``);
    ``mistakes`` are named wrong answers; ``cost`` with ``wrt`` (the parameter, or one per
    entry of a gradient) adds the mistake of differentiating with respect to another
    parameter; ``allow_half_mse`` accepts half the expected answer (the 1/(2n) convention).
    ``time_limit`` bounds the exact step in seconds; ``latex=False`` leaves the answer's
    LaTeX out of the result (it is the costliest part of a quick check). The ``samples``
    points are drawn fresh for each check unless a ``seed`` is given (for tests).
    ``assume`` declares variables positive, nonzero or integer (``{"positive": ["x"]}``);
    ``form`` ("expanded", "factored", "simplified") also requires the answer's form, a
    correct value in another form scoring ``form_score``. Raises ValueError only when the
    question itself (expected, cost, variables, mistakes, assumptions) cannot be read.
    """
    if samples < STRONG:
        raise ValueError(f"samples must be at least {STRONG}, the points needed to agree")
    if isinstance(expected, sympy.MatrixBase | list | tuple):
        expected = sympy.ImmutableMatrix(expected)
    mistakes = list(mistakes)
    question = _question(expected, None if variables is None else tuple(variables), cost)
    assumptions = Assumptions.of(assume)
    assumptions.check_names(question.vocabulary.scalars)
    if form is not None and form not in FORMS:
        raise ValueError(f"form {form!r} is not one of {', '.join(FORMS)}")
    declared = bank.declared(mistakes, question.names)
    try:
        parsed = parse(answer, question.names, allow_floats=allow_floats)
    except ParseError as error:
        return CheckResult(
            False, 0.0, f"We could not read your answer: {error}.", method="unreadable"
        )
    verdict = _Verdict(parsed, latex)
    expected_value = question.expected.expr
    problem = _shape_problem(parsed.expr, expected_value)
    if problem is not None:
        return verdict.result(False, 0.0, problem, method="shape")

    answer_entries, expected_entries = _entries(parsed.expr), _entries(expected_value)
    judge = _Judge(
        question.vocabulary,
        samples,
        seed,
        rtol,
        atol,
        assumptions,
        [*answer_entries, *expected_entries],
    )
    if isinstance(expected_value, sympy.Eq):
        return _equation_result(
            judge, parsed, declared, verdict, expected_value, time_limit, assumptions
        )
    equal = _equal_entries(judge, answer_entries, expected_entries, time_limit, assumptions)
    if all(is_equal for is_equal, _ in equal):
        method = "exact" if all(how == "exact" for _, how in equal) else "numeric"
        shaped = True if form is None else in_form(answer, question.names, form)
        if shaped is None:
            text = form_feedback(form, None)
            return verdict.result(None, form_score, text, method="undetermined")
        if not shaped:
            text = form_feedback(form, False)
            return verdict.result(False, form_score, text, mistake=f"not_{form}", method=method)
        return verdict.result(True, 1.0, "Correct.", method=method)

    adjusted = bank.adjusted(mistakes)
    half = Candidate(Mistake("half_mse"), expected_value / 2) if allow_half_mse else None
    if half is not None and judge.matches(answer_entries, half):
        return verdict.result(True, 1.0, "Correct: you used the 1/(2n) convention.")
    wrt_entries = _per_entry(wrt, len(expected_entries))
    if any(is_equal is False for is_equal, _ in equal):
        candidates = [
            *declared,
            *bank.builtin(
                expected_value,
                question.vocabulary,
                adjusted,
                cost=question.cost,
                wrt=wrt_entries[0],
            ),
        ]
        if allow_half_mse:
            candidates += bank.builtin(expected_value / 2, question.vocabulary, adjusted)
        if _has_float(parsed.expr):
            candidates.append(bank.rounded(expected_value, adjusted))
        found = _matched(judge, answer_entries, candidates)
        if found:
            name, score, text = _named(found)
            return verdict.result(False, score, text, mistake=name)
    if build.is_matrix(expected_value):
        return _by_entry(judge, question, adjusted, wrt_entries, verdict, equal)
    if equal[0][0] is None:
        return verdict.result(None, 0.0, UNDETERMINED, method="undetermined")
    hints = _dependence_hints(parsed, question.expected)
    return verdict.result(False, 0.0, " ".join(["Not equal to the expected answer.", *hints]))


class _Verdict:
    """Builds results for one parsed answer: its LaTeX, its warnings (also in the feedback
    when the answer is not correct, since a reading the student did not mean may be why)."""

    def __init__(self, parsed: Parsed, latex: bool) -> None:
        self.parsed = parsed
        self.latex = latex

    def result(self, correct: bool | None, score: float, text: str, **extra: Any) -> CheckResult:
        warnings = self.parsed.warnings
        if correct is not True and warnings:
            text += " Note: " + " ".join(_sentence(w) for w in warnings)
        return CheckResult(
            correct,
            score,
            text,
            latex=self.parsed.latex if self.latex else "",
            warnings=list(warnings),
            **extra,
        )


def _equal_entries(
    judge: _Judge,
    answer: list,
    expected: list,
    time_limit: float,
    assumptions: Assumptions,
) -> list[tuple[bool | None, str]]:
    """Per entry: rational expressions by identity testing modulo a prime; the others by
    numeric agreement, then one exact run for the entries it did not rule out."""
    identity = [
        identical(exact_numbers(a), exact_numbers(e), judge.seed)
        for a, e in zip(answer, expected, strict=True)
    ]
    rest = [k for k, found in enumerate(identity) if found is None]
    agreements = {k: judge.verdict(answer[k], expected[k]) for k in rest}
    open_entries = [k for k in rest if agreements[k].equal is not False]
    pairs = [
        (assumptions.applied(answer[k]), assumptions.applied(expected[k])) for k in open_entries
    ]
    exact: dict[int, bool | None] = dict.fromkeys(rest)
    for k, found in zip(open_entries, equal_exactly(pairs, time_limit), strict=True):
        exact[k] = found
        if found is None:
            agreements[k] = _undecided(judge, answer[k], expected[k], agreements[k])
    verdicts = _entry_verdicts([agreements[k] for k in rest], [exact[k] for k in rest])
    decided = iter(verdicts)
    return [(found, "exact") if found is not None else next(decided) for found in identity]


def _undecided(
    judge: _Judge, answer: sympy.Expr, expected: sympy.Expr, found: Agreement
) -> Agreement:
    """The numeric verdict on a pair sympy could not decide: a difference beyond rounding
    is a difference; near-agreement is settled with 60 and 120 digits; agreement with abs()
    or sign() counts only if it holds on every side of their kinks."""
    if judge.differs(answer, expected):
        return Agreement(False, found.valid)  # close, but not equal
    if found.equal is None and found.valid:
        found = judge.precisely(answer, expected)
    if found.equal and (_piecewise(answer) or _piecewise(expected)):
        points = region_points(answer, expected, judge.seed)
        if points is None:
            return Agreement(None, found.valid)
        deadline = time.monotonic() + NUMERIC_BUDGET
        first, second = values_at(answer, points, deadline), values_at(expected, points, deadline)
        return agreement(first, second, judge.rtol, judge.atol)
    return found


def _piecewise(expr: sympy.Basic) -> bool:
    """Whether ``expr`` has a function that is not analytic (abs, sign, floor, min...)."""
    return expr.has(sympy.Abs, sympy.sign, sympy.floor, sympy.ceiling, sympy.Min, sympy.Max)


def _equations_equal(
    judge: _Judge,
    answer: sympy.Eq,
    expected: sympy.Eq,
    time_limit: float,
    assumptions: Assumptions,
) -> tuple[bool | None, str]:
    """Whether two equations say the same (see ``equations``), and how it was decided."""
    solved = equations.solved_for(answer), equations.solved_for(expected)
    if solved[0] and solved[1] and solved[0][0] == solved[1][0]:
        pair = [solved[0][1]], [solved[1][1]]
        return _equal_entries(judge, *pair, time_limit, assumptions)[0]
    exactly = equations.proportional_exactly(answer, expected, judge.seed)
    if exactly is None:
        first = judge.values(equations.difference(answer), True)
        second = judge.values(equations.difference(expected), True)
        found = equations.ratio_agreement(first, second, judge.rtol, judge.atol)
        verdict = found.equal, "numeric" if found.equal is not None else "undetermined"
    else:
        verdict = exactly, "exact"
    if verdict[0]:
        return verdict
    for one, other in ((answer, expected), (expected, answer)):
        substituted = equations.substituted_solution(one, other)
        if substituted is not None:
            found = _equal_entries(judge, [substituted], [sympy.S.Zero], time_limit, assumptions)
            if found[0][0]:
                return found[0]
    return verdict


def _equation_result(
    judge: _Judge,
    parsed: Parsed,
    declared: list[Candidate],
    verdict: _Verdict,
    expected: sympy.Eq,
    time_limit: float,
    assumptions: Assumptions,
) -> CheckResult:
    """The verdict on an equation: equivalent, a declared mistake, or not equivalent."""
    equal, method = _equations_equal(judge, parsed.expr, expected, time_limit, assumptions)
    if equal:
        return verdict.result(True, 1.0, "Correct.", method=method)
    for candidate in declared:
        equation = isinstance(candidate.value, sympy.Eq)
        same = equation and _equations_equal(
            judge, parsed.expr, candidate.value, time_limit, assumptions
        )
        if same and same[0]:
            name, score, text = _named([candidate.mistake])
            return verdict.result(False, score, text, mistake=name)
    if equal is None:
        return verdict.result(None, 0.0, UNDETERMINED, method="undetermined")
    return verdict.result(False, 0.0, "Not equivalent to the expected equation.")


def _entry_name(k: int, shape: tuple[int, int]) -> str:
    rows, cols = shape
    if 1 in (rows, cols):
        return f"Entry {k + 1}"
    return f"Entry ({k // cols + 1}, {k % cols + 1})"


def _by_entry(
    judge: _Judge,
    question: _Question,
    adjusted: dict[str, Mistake],
    wrt_entries: list[str | None],
    verdict: _Verdict,
    equal: list[tuple[bool | None, str]],
) -> CheckResult:
    """Partial credit for a vector or matrix: the fraction of correct entries, with what
    is wrong in each other entry."""
    answer_entries = _entries(verdict.parsed.expr)
    expected_entries = _entries(question.expected.expr)
    shape = question.expected.expr.shape
    lines, first_mistake = [], None
    for k, (is_equal, _) in enumerate(equal):
        if is_equal:
            continue
        label = _entry_name(k, shape)
        if is_equal is None:
            lines.append(f"{label}: could not be decided; it will be checked by hand.")
            continue
        candidates = bank.builtin(
            expected_entries[k],
            question.vocabulary,
            adjusted,
            cost=question.cost,
            wrt=wrt_entries[k],
        )
        found = _matched(judge, [answer_entries[k]], candidates)
        if found:
            name, _, text = _named(found)
            first_mistake = first_mistake or name
            lines.append(f"{label}: {text[:1].lower()}{text[1:]}")
        else:
            lines.append(f"{label}: not equal to the expected entry.")
    right = sum(1 for is_equal, _ in equal if is_equal)
    correct = False if any(is_equal is False for is_equal, _ in equal) else None
    summary = f"{right} of {len(equal)} entries are correct."
    return verdict.result(
        correct,
        right / len(equal),
        " ".join([summary, *lines]),
        mistake=first_mistake,
        method="numeric" if correct is False else "undetermined",
    )
