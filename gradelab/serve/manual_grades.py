"""Feedback released again when a grader changes a hand grade in formgrader.

A grader scores manually graded answers and tasks (and may override any score or write a
comment) in formgrader, which writes nbgrader's gradebook and nothing else. While
``gradelab serve`` runs, ``HandGrades.release_changed`` is called from its loop: every few
seconds it reads each submission's manual scores, extra credit, needs-manual-grade flags
and manual comments, and for each released submission whose values changed since its page
was last made, makes the page again from the gradebook and releases it, as the first
release did. What was last released is kept in ``gradebook/hand_grades.json``, so a grade
given while the service was stopped is released when it starts again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    SubmittedAssignment,
    SubmittedNotebook,
)

from gradelab.course import Course
from gradelab.serve import feedback_release

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
    with Gradebook(course.db_url, course.course_id) as gradebook:
        grades = (Grade.cell_id, Grade.manual_score, Grade.extra_credit, Grade.needs_manual_grade)
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
                given = rest[1] is not None and (model is Comment or not rest[3])
                if given:
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

    def release_changed(self, released: Iterable[Key]) -> list[Key]:
        """Make and release again the page of each of ``released`` (the submissions whose
        page the service has released, by student and assignment) whose hand grades
        changed since; at most once per ``CHECK_SECONDS``. A submission seen for the first
        time is released again only if a grader already gave it a grade or a comment (its
        page may predate them). Returns those released."""
        if time.monotonic() - self.checked < CHECK_SECONDS:
            return []
        self.checked = time.monotonic()
        now = hand_grade_states(self.course, self.assignments)
        done, seen = [], False
        for key in sorted(set(released)):
            if key not in now or self.released.get(key) == now[key].digest:
                continue
            seen = True
            if key in self.released or now[key].graded:
                student, assignment = key
                try:
                    feedback_release.generate(self.course, student, assignment)
                    feedback_release.release(self.course, student, assignment)
                except Exception as error:  # noqa: BLE001 - one page never stops the service
                    log.error("feedback of %s/%s not released again: %s", *key, error)
                    continue
                log.info("released %s/%s again: a hand grade changed", *key)
                done.append(key)
            self.released[key] = now[key].digest
        if seen:
            self._save()
        return done
