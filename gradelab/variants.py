"""Per-student variants: numbers that differ from one student to the next.

A student's numbers come from a generator seeded by (course, assignment, student) with
``per_student_seed``, the seed behind the hidden tests' ``rng``. The notebook (which knows the
id the student typed) and the hidden tests (which know the id being graded) therefore draw the
same numbers for the same id. An empty id gives the shared numbers of ``PRACTICE_ID``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradelab.grading.plugin import per_student_seed

PRACTICE_ID = "practice"
TABLE_ASSIGNMENT = "update_step"
TABLE_PARAMETERS = ("β₀ (intercept)", "β₁ (TV spend)", "β₂ (radio spend)")
TABLE_LEARNING_RATES = (0.5, 0.2, 0.1, 0.05, 0.01)


def variant_rng(course_id: str, assignment: str, student_id: str) -> np.random.Generator:
    """The generator of one student's own numbers in one assignment of one course."""
    return np.random.default_rng(per_student_seed(course_id, assignment, student_id))


def numbers_id(student_id: object) -> str:
    """The id whose numbers a notebook shows: the one typed, or ``PRACTICE_ID`` if empty."""
    return str(student_id).strip() or PRACTICE_ID


@dataclass(frozen=True)
class UpdateTable:
    """One gradient-descent step to work out: old values, gradients and a learning rate."""

    owner: str
    old: np.ndarray
    gradient: np.ndarray
    learning_rate: float

    def _repr_markdown_(self) -> str:
        note = " (practice numbers: they are not graded)" if self.owner == PRACTICE_ID else ""
        rows = [
            f"Numbers of **{self.owner}**{note}",
            "",
            "| parameter | old value | gradient | learning rate | new value |",
            "| --- | --- | --- | --- | --- |",
        ]
        for name, old, gradient in zip(TABLE_PARAMETERS, self.old, self.gradient, strict=True):
            rows.append(f"| {name} | {old:g} | {gradient:g} | {self.learning_rate:g} | ? |")
        return "\n".join(rows)


def update_table(course_id: str, student_id: object) -> UpdateTable:
    """The update-step table of ``student_id`` (of ``PRACTICE_ID`` when it is empty).

    Old values and gradients have one decimal and no gradient is zero, so the new values can
    be worked out by hand exactly.
    """
    owner = numbers_id(student_id)
    rng = variant_rng(course_id, TABLE_ASSIGNMENT, owner)
    size = len(TABLE_PARAMETERS)
    old = rng.integers(-40, 41, size=size) / 10
    gradient = rng.choice([-1, 1], size=size) * rng.integers(1, 100, size=size) / 10
    learning_rate = float(rng.choice(TABLE_LEARNING_RATES))
    return UpdateTable(owner, old, gradient, learning_rate)
