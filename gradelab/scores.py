"""Read scores back from nbgrader's gradebook, the one place they are kept."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import MissingEntry, SubmittedAssignment

from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook

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
    awaiting: tuple[str, ...] = ()


def assignment_scores(course: Course, assignment: str) -> dict[str, SubmissionScore]:
    """Each graded student's total (before any late penalty), per-cell score and late
    penalty for ``assignment``."""
    scores = {}
    with open_gradebook(course) as gradebook:
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
            pending = _reason(comments, NOT_GRADED_YET)
            scores[submission.student.id] = SubmissionScore(
                submission.student.id,
                float(submission.score),
                float(submission.max_score),
                cells,
                _reason(comments, NOT_GRADED),
                pending,
                sum(float(n.late_submission_penalty or 0) for n in submission.notebooks),
                () if pending is not None else awaiting_grading(submission),
            )
    return scores


def awaiting_grading(submission: SubmittedAssignment) -> tuple[str, ...]:
    """The cells of ``submission`` a person has still to score (nbgrader's "needs manual
    grade"): answers and tasks graded by hand, until a grader scores them in formgrader."""
    return tuple(
        grade.name
        for notebook in submission.notebooks
        for grade in notebook.grades
        if grade.needs_manual_grade
    )


def _reason(comments: list[str], prefix: str) -> str | None:
    return next((c.removeprefix(prefix) for c in comments if c.startswith(prefix)), None)
