"""Item statistics of classical test theory, one question (nbgrader grade cell) at a time.

- **difficulty**: the mean fraction of the question's points the submissions earned (0: no
  one earned a point, 1: everyone full marks);
- **discrimination**: the correlation (Pearson's r) between the question's score and the
  rest of the total (the total minus that question), over the same submissions: the
  corrected item-total correlation. Students who do well on the rest should do well on a
  sound question: near zero, the question does not tell strong students from weak ones;
  negative, strong students fail it more often than weak ones (a wrong key, a broken test).

It is undefined when everyone has the same score on the question, or on the rest: then no
correlation can be computed, and the reason is given instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: A question is flagged as failed by nearly everyone below this difficulty.
HARD_BELOW = 0.2
#: A question is flagged as not telling strong students from weak ones below this
#: discrimination (near zero or negative).
DISCRIMINATION_BELOW = 0.1
#: Flags need at least this many submissions: with fewer, a correlation says little.
MIN_SUBMISSIONS = 10
#: Scores closer than this are the same score; so are a statistic and a threshold.
SAME = 1e-9


@dataclass(frozen=True)
class ItemStatistics:
    """One question's statistics over the submissions it was computed on."""

    question: str
    points: float
    submissions: int
    mean: float | None
    difficulty: float | None
    discrimination: float | None
    why_undefined: str | None
    flags: tuple[str, ...]


def correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r of two equally long series; None when either is constant (or shorter
    than 2), where it is undefined."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.size < 2 or a.size != b.size:
        return None
    a, b = a - a.mean(), b - b.mean()
    spread = math.sqrt(float(a @ a) * float(b @ b))
    if float(np.ptp(a)) < SAME or float(np.ptp(b)) < SAME or spread == 0.0:
        return None
    return max(-1.0, min(1.0, float(a @ b) / spread))


def _why_undefined(question: np.ndarray, rest: np.ndarray, others: int) -> str | None:
    if question.size < 2:
        return f"needs at least 2 submissions ({question.size} so far)"
    if float(np.ptp(question)) < SAME:
        return f"everyone scored the same on this question ({question[0]:g})"
    if others == 0:
        return "the assignment has no other question to compare with"
    if float(np.ptp(rest)) < SAME:
        return f"everyone scored the same on the rest of the assignment ({rest[0]:g})"
    return None


def _flags(
    submissions: int, difficulty: float | None, discrimination: float | None
) -> tuple[str, ...]:
    if submissions < MIN_SUBMISSIONS:
        return ()
    flags = []
    if difficulty is not None and difficulty < HARD_BELOW - SAME:
        flags.append(
            f"nearly everyone fails it: {difficulty:.0%} of its points earned on average "
            f"(flagged below {HARD_BELOW:.0%})"
        )
    if discrimination is not None and discrimination < DISCRIMINATION_BELOW - SAME:
        flags.append(
            "strong students fail it as often as weak ones, or more: discrimination "
            f"{discrimination:.2f} (flagged below {DISCRIMINATION_BELOW:g})"
        )
    return tuple(flags)


def item_statistics(
    points: Mapping[str, float], scores: Sequence[Mapping[str, float]]
) -> list[ItemStatistics]:
    """The statistics of each question of ``points`` (question -> its points), computed on
    ``scores``, one mapping (question -> score) per submission; a missing score is 0."""
    questions = list(points)
    table = np.array([[s.get(q, 0.0) for q in questions] for s in scores], dtype=float)
    table = table.reshape(len(scores), len(questions))
    totals = table.sum(axis=1)
    found = []
    for column, question in enumerate(questions):
        mine, rest = table[:, column], totals - table[:, column]
        mean = float(mine.mean()) if mine.size else None
        difficulty = mean / points[question] if mean is not None and points[question] else None
        why = _why_undefined(mine, rest, len(questions) - 1)
        discrimination = None if why else correlation(mine, rest)
        if why is None and discrimination is None:
            why = "the scores vary too little to be correlated"
        found.append(
            ItemStatistics(
                question,
                float(points[question]),
                int(mine.size),
                mean,
                difficulty,
                discrimination,
                why,
                _flags(int(mine.size), difficulty, discrimination),
            )
        )
    return found
