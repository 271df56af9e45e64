"""Read scores back from nbgrader's gradebook, the one place they are kept."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

from gradelab.course import Course

NOT_GRADED = "Not graded: "
NOT_GRADED_YET = "Not graded yet: "


@dataclass(frozen=True)
class SubmissionScore:
    student: str
    score: float
    max_score: float
    cells: dict[str, float]
    not_graded: str | None = None
    pending: str | None = None
    late_penalty: float = 0.0


def assignment_scores(course: Course, assignment: str) -> dict[str, SubmissionScore]:
    """Each graded student's total (before any late penalty), per-cell score and late
    penalty for ``assignment``."""
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
            comments = [
                comment.auto_comment or ""
                for notebook in submission.notebooks
                for comment in notebook.comments
            ]
            scores[submission.student.id] = SubmissionScore(
                submission.student.id,
                float(submission.score),
                float(submission.max_score),
                cells,
                _reason(comments, NOT_GRADED),
                _reason(comments, NOT_GRADED_YET),
                sum(float(n.late_submission_penalty or 0) for n in submission.notebooks),
            )
    return scores


def _reason(comments: list[str], prefix: str) -> str | None:
    return next((c.removeprefix(prefix) for c in comments if c.startswith(prefix)), None)
