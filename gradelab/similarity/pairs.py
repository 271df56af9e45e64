"""Every pair of submissions, scored by how much of their code they share.

Each part of a submission (an answer cell, or its other code) is compared with the same part
of the other submission. A pair's score is the share of the runs of both submissions
(``NOISE_CHARS`` characters of tokenized code, without the release's) that the other one has
too: ``(runs of A in B + runs of B in A) / (runs of A + runs of B)``. It is 1 when each
submission is all in the other, whatever the names, comments and layout, and 0 when they
share no run. Each side's own share is kept too (MOSS shows both): a copy padded with code
of its own has a lower share than the submission it copies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

from gradelab.similarity.fingerprints import Fingerprint, Match, compare

Prints = dict[str, Fingerprint]


@dataclass(frozen=True)
class Pair:
    """Two submissions and what they share, part by part."""

    first: str
    second: str
    parts: dict[str, Match]

    def _total(self, side: int, what: str) -> int:
        return sum(getattr(match, what)[side] for match in self.parts.values())

    @property
    def score(self) -> float:
        compared = self._total(0, "compared") + self._total(1, "compared")
        matched = self._total(0, "matched") + self._total(1, "matched")
        return matched / compared if compared else 0.0

    def share(self, side: int) -> float:
        """The share of one side's compared code that matches (0: first, 1: second)."""
        compared = self._total(side, "compared")
        return self._total(side, "matched") / compared if compared else 0.0

    @property
    def matched(self) -> int:
        """Runs found in the other submission, both sides counted."""
        return self._total(0, "matched") + self._total(1, "matched")


def compare_pair(first: str, second: str, prints: dict[str, Prints], spans: bool = False) -> Pair:
    """What ``first`` and ``second`` share, part by part (a part one lacks matches nothing);
    with ``spans``, where in each part's text."""
    parts = {}
    for part in prints[first].keys() | prints[second].keys():
        one, other = prints[first].get(part), prints[second].get(part)
        if one is None or other is None:
            parts[part] = Match((0, 0), (one.runs if one else 0, other.runs if other else 0))
        else:
            parts[part] = compare(one, other, spans)
    return Pair(first, second, parts)


class Scored(NamedTuple):
    """A pair's score alone: what is kept of every pair (the matches of the pairs shown are
    computed again)."""

    first: str
    second: str
    score: float
    matched: int


def ranked_pairs(prints: dict[str, Prints]) -> list[Scored]:
    """Every pair of submissions, the closest first (ties: more matched code first)."""
    scored = []
    for first, second in itertools.combinations(sorted(prints), 2):
        pair = compare_pair(first, second, prints)
        scored.append(Scored(first, second, pair.score, pair.matched))
    return sorted(scored, key=lambda s: (-s.score, -s.matched, s.first, s.second))
