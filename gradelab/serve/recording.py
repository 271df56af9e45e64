"""What ``gradelab serve`` commits: a graded or refused submission in the gradebook and its
ledger row in one transaction, and which submission counts.

The gradebook is the one source of truth for scores: under ``counts = "best"`` a new
submission counts when it scores more than what the gradebook holds for the student now
(late penalty taken off, a manual score included), not what the service once recorded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from nbgrader.api import MissingEntry

from gradelab.autograde.gradebook_writer import GradebookWriter
from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook
from gradelab.grading.submission import GradedSubmission
from gradelab.serve.ledger import Ledger, Row
from gradelab.text import one_line

log = logging.getLogger("gradelab.serve")
ATTEMPTS = 3


class Recorder:
    """Commits the results of the submissions of ``assignments``."""

    def __init__(self, course: Course, ledger: Ledger, assignments: list[str]) -> None:
        self.course, self.ledger = course, ledger
        self.writers = {a: GradebookWriter(course, a) for a in assignments}
        self.policies = {a: course.policy(a) for a in assignments}

    def gradebook_score(self, student: str, assignment: str) -> float | None:
        """The student's score of ``assignment`` in the gradebook, late penalty taken off."""
        with open_gradebook(self.course) as gradebook:
            try:
                found = gradebook.find_submission(assignment, student)
            except MissingEntry:
                return None
            return float(found.score) - float(found.late_submission_penalty or 0.0)

    def gradebook_extension(self, student: str, assignment: str) -> timedelta | None:
        """The extension nbgrader's gradebook holds for the student's submission, if any
        (set with formgrader or nbgrader's API): the policy's never replaces it."""
        with open_gradebook(self.course) as gradebook:
            try:
                return gradebook.find_submission(assignment, student).extension
            except MissingEntry:
                return None

    def counts(self, row: Row, score: float) -> bool:
        """Whether ``row`` (scoring ``score`` after any penalty) is the one that counts now."""
        current = self.ledger.counted(row.student, row.assignment)
        if current is None or current.name == row.name:
            return True
        if self.policies[row.assignment].counts == "best":
            recorded = self.gradebook_score(row.student, row.assignment)
            return recorded is None or score > recorded
        return current.submitted_at is None or row.submitted_at >= current.submitted_at

    def record_many(self, batch: list[tuple[Row, GradedSubmission, datetime]]) -> list[bool]:
        """Commit graded submissions (each with its row and when its grading began): those
        that count in the gradebook too, one transaction per assignment (no student twice:
        the service grades one submission at a time per student and assignment); whether
        each counts."""
        counts, counted = [], {}
        for row, graded, started in batch:
            writer = self.writers[row.assignment]
            score = writer.score_after_penalty(graded, row.submitted_at)
            values = {
                "state": "graded",
                "score": score,
                "max_score": writer.max_score,
                "started_at": started,
                "graded_at": datetime.now(UTC),
                "message": None,
            }
            counts.append(self.counts(row, score))
            if counts[-1]:
                counted.setdefault(row.assignment, []).append((row, graded, values))
            else:
                self.ledger.set(row.name, counted=False, **values)
        for assignment, items in counted.items():

            def mark(connection, items=items) -> None:
                for row, _, values in items:
                    self.ledger.uncount(row.student, row.assignment, connection)
                    self.ledger.set(row.name, connection, counted=True, **values)

            self.writers[assignment].record(
                [(graded, row.submitted_at) for row, graded, _ in items], also=mark
            )
        return counts

    def refuse(self, row: Row, reason: str) -> bool:
        """Commit a refusal: 0 points with the reason in the gradebook when it is the
        submission that counts; whether it counts."""
        log.info("refused %s: %s", row.name, one_line(reason, 300))
        values = {
            "state": "refused",
            "graded_at": datetime.now(UTC),
            "message": one_line(reason, 300),
            "first_released_at": None,
        }
        submitted = row.submitted_at or row.seen_at
        if not self.counts(row, 0.0):
            self.ledger.set(row.name, counted=False, **values)
            return False

        def mark(connection) -> None:
            self.ledger.uncount(row.student, row.assignment, connection)
            self.ledger.set(row.name, connection, counted=True, score=0.0, **values)

        self.writers[row.assignment].refuse(row.student, reason, submitted, also=mark)
        return True

    def failed(self, row: Row, reason: str, again: str) -> None:
        """The service's own failure on ``row``: it goes back to ``again`` to be tried
        anew; after a few tries it is left ``failed`` for the instructor, with the reason."""
        attempts = row.attempts + 1
        state = again if attempts < ATTEMPTS else "failed"
        self.ledger.set(row.name, state=state, attempts=attempts, message=one_line(reason, 600))
