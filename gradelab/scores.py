"""Read scores back from nbgrader's gradebook, the one place they are kept."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

from gradelab.course import Course

NOT_GRADED = "Not graded: "


@dataclass(frozen=True)
class SubmissionScore:
    student: str
    score: float
    max_score: float
    cells: dict[str, float]
    not_graded: str | None = None


def assignment_scores(course: Course, assignment: str) -> dict[str, SubmissionScore]:
    """Each graded student's total and per-cell score for ``assignment``."""
    scores = {}
    with Gradebook(course.db_url, course.course_id) as gradebook:
        try:
            submissions = gradebook.find_assignment(assignment).submissions
        except MissingEntry:
            return {}
        for submission in submissions:
            cells = {
                grade.name: float(grade.score)
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
            reasons = [
                comment.auto_comment.removeprefix(NOT_GRADED)
                for notebook in submission.notebooks
                for comment in notebook.comments
                if (comment.auto_comment or "").startswith(NOT_GRADED)
            ]
            scores[submission.student.id] = SubmissionScore(
                submission.student.id,
                float(submission.score),
                float(submission.max_score),
                cells,
                reasons[0] if reasons else None,
            )
    return scores
