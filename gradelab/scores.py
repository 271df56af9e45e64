"""Read scores back from nbgrader's gradebook, the one place they are kept."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

from gradelab.course import Course


@dataclass(frozen=True)
class SubmissionScore:
    student: str
    score: float
    max_score: float
    cells: dict[str, float]


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
            scores[submission.student.id] = SubmissionScore(
                submission.student.id,
                float(submission.score),
                float(submission.max_score),
                cells,
            )
    return scores
