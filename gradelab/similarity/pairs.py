"""Every pair of submissions, scored by how much of their code they share.

A submission's runs (``NOISE_CHARS`` characters of tokenized code, without the release's)
are those of all its parts (its answer cells and its other code). A pair's score is the
share of the runs of both submissions that the other submission has too, in any of its
parts: ``(runs of A in B + runs of B in A) / (runs of A + runs of B)``. So code moved into
another cell still matches. The score is 1 when each submission is all in the other,
whatever the names, comments and layout, and 0 when they share no run. Each side's own
share is kept too (MOSS shows both): a copy padded with code of its own has a lower share
than the submission it copies.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from gradelab.similarity.fingerprints import Fingerprint, shared_spans

Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class Prints:
    """A submission's fingerprints, part by part, and how many of its runs have each hash."""

    parts: dict[str, Fingerprint]
    counts: Counter[int]
    hashes: frozenset[int]
    runs: int

    @classmethod
    def of(cls, parts: dict[str, Fingerprint]) -> Prints:
        counts: Counter[int] = Counter()
        for found in parts.values():
            counts.update(found.counts)
        return cls(parts, counts, frozenset(counts), sum(counts.values()))

    def shared_runs(self, other: Prints) -> tuple[int, int]:
        """How many runs of each submission the other has too: this one's, then other's."""
        shared = self.hashes & other.hashes
        return (
            sum(self.counts[value] for value in shared),
            sum(other.counts[value] for value in shared),
        )


@dataclass(frozen=True)
class Pair:
    """Two submissions, what they share and, when asked for, where: per part, the spans of
    each side's text that the other submission has."""

    first: str
    second: str
    matched: tuple[int, int]
    runs: tuple[int, int]
    spans: dict[str, tuple[Spans, Spans]] = field(default_factory=dict)

    @property
    def score(self) -> float:
        total = sum(self.runs)
        return sum(self.matched) / total if total else 0.0

    def share(self, side: int) -> float:
        """The share of one side's runs that the other has (0: first, 1: second)."""
        return self.matched[side] / self.runs[side] if self.runs[side] else 0.0


def marks(one: Prints, other: Prints) -> dict[str, Spans]:
    """Per part of ``one``, the spans of its text that ``other`` has, in any part."""
    found: dict[str, Spans] = {}
    for part, fingerprint in one.parts.items():
        found[part] = sorted(
            span
            for elsewhere in other.parts.values()
            for span in shared_spans(fingerprint, elsewhere)[0]
        )
    return found


def compare_pair(first: str, second: str, prints: dict[str, Prints], spans: bool = False) -> Pair:
    """What ``first`` and ``second`` share; with ``spans``, where in each part's text."""
    one, other = prints[first], prints[second]
    matched = one.shared_runs(other)
    where: dict[str, tuple[Spans, Spans]] = {}
    if spans:
        mine, theirs = marks(one, other), marks(other, one)
        where = {part: (mine.get(part, []), theirs.get(part, [])) for part in mine | theirs}
    return Pair(first, second, matched, (one.runs, other.runs), where)


class Scored(NamedTuple):
    """A pair's score alone: what is kept of every pair (the spans of the pairs shown are
    found again)."""

    first: str
    second: str
    score: float
    matched: int


def ranked_pairs(prints: dict[str, Prints]) -> list[Scored]:
    """Every pair of submissions, the closest first (ties: more shared runs first)."""
    scored = []
    for first, second in itertools.combinations(sorted(prints), 2):
        one, other = prints[first], prints[second]
        pair = Pair(first, second, one.shared_runs(other), (one.runs, other.runs))
        scored.append(Scored(first, second, pair.score, sum(pair.matched)))
    return sorted(scored, key=lambda s: (-s.score, -s.matched, s.first, s.second))
