"""Feedback for students: gradelab's page for each graded notebook (nbgrader's
``generate_feedback`` with ``gradelab.feedback.page.FeedbackPage``), and a page with the
reason for a submission that could not be graded."""

from __future__ import annotations

import shutil

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.feedback.page import not_graded_page
from gradelab.scores import assignment_scores


def write_feedback(course: Course, assignment: str) -> None:
    """Feedback HTML into ``feedback/<student>/<assignment>/`` for every submission."""
    scores = assignment_scores(course, assignment)
    if any(score.not_graded is None and score.pending is None for score in scores.values()):
        nbgrader_commands.feedback(course, assignment)
    for student, score in scores.items():
        if score.pending is not None:  # no score yet: an earlier page must not stay out there
            shutil.rmtree(course.feedback_folder(student, assignment), ignore_errors=True)
        if score.not_graded is None:
            continue
        folder = course.feedback_folder(student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        for source in course.source_notebooks(assignment):
            text = not_graded_page(assignment, source.stem, score.not_graded, score.max_score)
            (folder / f"{source.stem}.html").write_text(text)
