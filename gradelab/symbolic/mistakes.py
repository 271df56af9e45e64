"""Named mistakes: wrong answers worth naming, as data, and a bank built from the expected
answer (sign flipped, factor 2 missing, doubled, summed instead of averaged, inner
derivative missing, derivative with respect to another parameter)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from gradelab.symbolic import build
from gradelab.symbolic.as_typed import as_typed
from gradelab.symbolic.parse import parse
from gradelab.symbolic.tokens import ParseError
from gradelab.symbolic.vocabulary import Vocabulary


@dataclass(frozen=True)
class Mistake:
    """A wrong answer worth naming: ``expr`` (text or sympy), its score, what to tell.

    Declared per question as ``{"name": ..., "expr": ..., "score": 0.5, "feedback": ...}``.
    Without ``expr``, it changes the score or feedback of the built-in mistake of that name.
    """

    name: str
    expr: str | sympy.Basic | None = None
    score: float = 0.0
    feedback: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"mistake '{self.name}': score {self.score} is not in [0, 1]")

    @classmethod
    def of(cls, spec: Mistake | Mapping[str, Any]) -> Mistake:
        """A Mistake from itself or from a dict with the same keys."""
        if isinstance(spec, Mistake):
            return spec
        unknown = set(spec) - {"name", "expr", "score", "feedback"}
        if unknown or "name" not in spec:
            raise ValueError(f"a mistake needs 'name' and may have expr, score, feedback: {spec}")
        return cls(**spec)


SIGN_FLIPPED = Mistake("sign_flipped", score=0.5, feedback="the sign is flipped")
FACTOR_2_MISSING = Mistake(
    "factor_2_missing",
    score=0.5,
    feedback="a factor 2 is missing (the 2 from differentiating the square?)",
)
DOUBLED = Mistake("doubled", score=0.5, feedback="it is twice the expected answer")
SUMMED = Mistake(
    "summed_not_averaged",
    score=0.5,
    feedback="it is summed instead of averaged: divide by n",
)
INNER_DERIVATIVE = Mistake(
    "inner_derivative_missing",
    score=0.25,
    feedback="the inner derivative is missing (chain rule): a factor {factor}",
)
WRONG_PARAMETER = Mistake(
    "wrong_parameter",
    score=0.0,
    feedback="this is the derivative with respect to {other}, not {wrt}",
)
ROUNDED = Mistake(
    "rounded",
    score=0.5,
    feedback="close, but rounded: write exact numbers such as 1/3, not 0.333",
)
BUILTIN = {
    m.name: m
    for m in (SIGN_FLIPPED, FACTOR_2_MISSING, DOUBLED, SUMMED, INNER_DERIVATIVE, WRONG_PARAMETER)
}
BUILTIN[ROUNDED.name] = ROUNDED


@dataclass(frozen=True)
class Candidate:
    """A mistake made concrete for one question: the value an answer would have to match."""

    mistake: Mistake
    value: build.Value
    rtol: float | None = None


def declared(
    mistakes: Iterable[Mistake | Mapping[str, Any]], names: Sequence[str]
) -> list[Candidate]:
    """The declared mistakes with an expression, read with the question's variables."""
    found = []
    for mistake in map(Mistake.of, mistakes):
        if mistake.expr is None:
            if mistake.name not in BUILTIN:
                raise ValueError(f"mistake '{mistake.name}' needs an expr")
            continue
        text = mistake.expr
        if isinstance(text, sympy.Eq):
            text = as_typed(text)
        elif not isinstance(text, str):
            text = sympy.sstr(text)
        try:
            found.append(Candidate(mistake, parse(text, names).expr))
        except ParseError as error:
            raise ValueError(f"mistake '{mistake.name}' cannot be read: {error}") from None
    return found


def adjusted(mistakes: Iterable[Mistake | Mapping[str, Any]]) -> dict[str, Mistake]:
    """The built-in mistakes, with the score and feedback a question declares for them."""
    bank = dict(BUILTIN)
    for mistake in map(Mistake.of, mistakes):
        if mistake.expr is None and mistake.name in bank:
            default = bank[mistake.name]
            bank[mistake.name] = replace(
                default,
                score=mistake.score,
                feedback=mistake.feedback or default.feedback,
            )
    return bank


def _averages(value: build.Value, count: sympy.Symbol | None) -> bool:
    """Whether ``value`` divides by the count n somewhere."""
    if count is None:
        return False
    entries = list(value) if build.is_matrix(value) else [value]
    return any(
        power.base == count and power.exp.is_negative
        for entry in entries
        for power in entry.atoms(sympy.Pow)
    )


def scaled(
    expected: build.Value, vocabulary: Vocabulary, bank: dict[str, Mistake]
) -> list[Candidate]:
    """The expected answer negated, halved, doubled and, if it averages, times n."""
    found = [
        Candidate(bank[SIGN_FLIPPED.name], -expected),
        Candidate(bank[FACTOR_2_MISSING.name], expected / 2),
        Candidate(bank[DOUBLED.name], 2 * expected),
    ]
    if _averages(expected, vocabulary.count):
        found.append(Candidate(bank[SUMMED.name], expected * vocabulary.count))
    return found


def inner_derivative_missing(
    expected: sympy.Expr, vocabulary: Vocabulary, bank: dict[str, Mistake]
) -> list[Candidate]:
    """The expected answer with one data factor such as x_i removed from inside its sums
    (or from the product itself when it has no sum): the chain rule's inner derivative."""
    found = []
    sums = [node for node in sympy.preorder_traversal(expected) if isinstance(node, sympy.Sum)]
    places = [(total, total.function) for total in sums] or [(None, expected)]
    for total, body in places:
        body = sympy.factor_terms(body)
        for factor in sympy.Mul.make_args(body):
            base = factor.as_base_exp()[0]
            if not isinstance(base, sympy.Indexed):
                continue
            reduced = body / base
            value = (
                reduced
                if total is None
                else expected.xreplace({total: sympy.Sum(reduced, *total.limits)})
            )
            mistake = bank[INNER_DERIVATIVE.name]
            feedback = mistake.feedback.format(factor=vocabulary.name_of(base))
            found.append(Candidate(replace(mistake, feedback=feedback), value))
    return found


def wrong_parameter(
    cost: sympy.Expr, wrt: str, vocabulary: Vocabulary, bank: dict[str, Mistake]
) -> list[Candidate]:
    """The derivative of the cost with respect to each parameter other than ``wrt``."""
    found = []
    for name in vocabulary.used_in(cost):
        symbol = vocabulary.scalars.get(name)
        if name == wrt or symbol is None or symbol == vocabulary.count:
            continue
        derivative = sympy.diff(cost, symbol).replace(
            lambda node: isinstance(node, sympy.Derivative), lambda node: node.doit()
        )
        mistake = bank[WRONG_PARAMETER.name]
        feedback = mistake.feedback.format(other=name, wrt=wrt)
        found.append(Candidate(replace(mistake, feedback=feedback), derivative))
    return found


def builtin(
    expected: build.Value,
    vocabulary: Vocabulary,
    bank: dict[str, Mistake],
    *,
    cost: sympy.Expr | None = None,
    wrt: str | None = None,
) -> list[Candidate]:
    """The built-in mistakes for ``expected`` (for a matrix: only the scaled ones)."""
    found = scaled(expected, vocabulary, bank)
    if not build.is_matrix(expected):
        found += inner_derivative_missing(expected, vocabulary, bank)
        if cost is not None and wrt is not None:
            found += wrong_parameter(cost, wrt, vocabulary, bank)
    return found


def rounded(expected: build.Value, bank: dict[str, Mistake]) -> Candidate:
    """The expected answer itself, matched loosely: for answers written with decimals."""
    return Candidate(bank[ROUNDED.name], expected, rtol=1e-3)
