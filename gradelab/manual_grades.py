"""Answers graded by hand: nbgrader's manually graded answers and tasks, until a person
scores them in formgrader (nbgrader's "needs manual grade"), are awaiting grading.

Every view of the scores says so: the autograde table, the feedback page, the report and
``gradelab export``, which exports them only when asked to (``--allow-ungraded``).
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

from gradelab.course import Course
from gradelab.grading.grade_notebook import is_hand_graded, nbgrader_meta
from gradelab.scores import assignment_scores
from gradelab.text import printable

#: Ungraded answers listed by name; the rest are counted.
LISTED = 20


@dataclass(frozen=True)
class Ungraded:
    """One answer of one submission that a person has still to score."""

    assignment: str
    student: str
    cell: str


def ungraded_answers(course: Course, assignments: list[str]) -> list[Ungraded]:
    """The answers of ``assignments`` awaiting grading, by assignment, student and cell."""
    return [
        Ungraded(assignment, student, cell)
        for assignment in assignments
        for student, score in sorted(assignment_scores(course, assignment).items())
        for cell in score.awaiting
    ]


def ungraded_lines(found: list[Ungraded]) -> list[str]:
    """``found`` as lines to print: the first ``LISTED`` named, the rest counted."""
    lines = [
        f"  {printable(u.assignment, 60)}  {printable(u.student, 40)}  {printable(u.cell, 60)}"
        for u in found[:LISTED]
    ]
    if len(found) > LISTED:
        lines.append(f"  and {len(found) - LISTED} more")
    return lines


def hand_graded_cells(course: Course, assignment: str) -> dict[str, float]:
    """The cells of ``assignment``'s source notebooks a person grades, with their points:
    manually graded answers (grade and solution cells) and tasks."""
    found = {}
    for path in course.source_notebooks(assignment):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_hand_graded(cell):
                meta = nbgrader_meta(cell)
                found[str(meta.get("grade_id"))] = float(meta.get("points") or 0)
    return found
