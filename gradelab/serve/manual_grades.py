"""Feedback released again when a grader changes a hand grade in formgrader.

A grader scores manually graded answers and tasks (and may override any score or write a
comment) in formgrader, which writes nbgrader's gradebook and nothing else. While
``gradelab serve`` runs, ``HandGrades.changed`` is called from its loop: every few seconds
it reads what a grader set on each submission (manual scores, extra credit and manual
comments), and names each submission whose values changed since its page was last made; the
service then makes that page again from the gradebook and releases it, in a task process,
as after a due date. What was last released is kept in ``gradebook/hand_grades.json``, so a grade
given while the service was stopped is released when it starts again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass

from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    SubmittedAssignment,
    SubmittedNotebook,
)

from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook

#: How often the gradebook is read for changed hand grades, at most.
CHECK_SECONDS = 2.0
log = logging.getLogger("gradelab.serve")

Key = tuple[str, str]  # (student, assignment)


@dataclass(frozen=True)
class HandGradeState:
    """What a grader set on one submission: a digest of it, and whether any of it is a
    grade or a comment given (not only a flag raised by grading)."""

    digest: str
    graded: bool


def hand_grade_states(course: Course, assignments: list[str]) -> dict[Key, HandGradeState]:
    """Per submission of ``assignments``, what a grader sets in formgrader."""
    values: dict[Key, list[str]] = {}
    graded: set[Key] = set()
    with open_gradebook(course) as gradebook:
        # what a grader sets, not the flags grading raises and lowers (a regrade, a retry)
        grades = (Grade.cell_id, Grade.manual_score, Grade.extra_credit)
        comments = (Comment.cell_id, Comment.manual_comment)
        for model, columns in ((Grade, grades), (Comment, comments)):
            found = (
                gradebook.db.query(SubmittedAssignment.student_id, Assignment.name, *columns)
                .join(SubmittedNotebook, model.notebook_id == SubmittedNotebook.id)
                .join(
                    SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id
                )
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .filter(Assignment.name.in_(assignments), Assignment.course_id == course.course_id)
            )
            for student, assignment, *rest in found:
                key = (student, assignment)
                values.setdefault(key, []).append(repr(tuple(rest)))
                if any(value is not None for value in rest[1:]):
                    graded.add(key)
    return {
        key: HandGradeState(
            hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest(), key in graded
        )
        for key, found in values.items()
    }


class HandGrades:
    """What a grader had set when each submission's page was last released, and the check."""

    def __init__(self, course: Course, assignments: list[str]) -> None:
        self.course = course
        self.assignments = assignments
        self.path = course.root / "gradebook" / "hand_grades.json"
        self.released = self._load()
        self.checked = 0.0

    def _load(self) -> dict[Key, str]:
        try:
            stored = json.loads(self.path.read_text())
            return {(s, a): str(d) for s, a, d in stored}
        except (OSError, ValueError, TypeError):
            return {}

    def _save(self) -> None:
        draft = self.path.with_name(f".{self.path.name}.draft")
        rows = [[s, a, d] for (s, a), d in sorted(self.released.items())]
        draft.write_text(json.dumps(rows))
        os.replace(draft, self.path)

    def changed(self) -> dict[Key, str]:
        """The submissions (by student and assignment) whose hand grades changed since their
        page was last made, with what they are now; at most once per ``CHECK_SECONDS``. A
        submission seen for the first time counts only if a grader already gave it a grade
        or a comment (its page may predate them); otherwise it is remembered as it is."""
        if time.monotonic() - self.checked < CHECK_SECONDS:
            return {}
        self.checked = time.monotonic()
        found, first_seen = {}, False
        for key, state in hand_grade_states(self.course, self.assignments).items():
            if self.released.get(key) == state.digest:
                continue
            if key in self.released or state.graded:
                found[key] = state.digest
            else:
                self.released[key], first_seen = state.digest, True
        if first_seen:
            self._save()
        return found

    def mark(self, student: str, assignment: str, digest: str) -> None:
        """The page of ``student``'s ``assignment`` is made again from hand grades ``digest``."""
        self.released[(student, assignment)] = digest
        self._save()
