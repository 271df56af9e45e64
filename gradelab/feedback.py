"""Feedback for students: nbgrader's HTML for graded notebooks, a plain page for the rest."""

from __future__ import annotations

import html

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.scores import assignment_scores

NOT_GRADED_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{assignment}: not graded</title></head>
<body><h1>{assignment}</h1>
<p>Your submission could not be graded: <strong>{reason}</strong>.</p>
<p>Score: 0 of {max_score:g}. Fix the file and submit again, or ask your instructor.</p>
</body></html>
"""


def write_feedback(course: Course, assignment: str) -> None:
    """Feedback HTML into ``feedback/<student>/<assignment>/`` for every submission."""
    scores = assignment_scores(course, assignment)
    if any(score.not_graded is None for score in scores.values()):
        nbgrader_commands.feedback(course, assignment)
    for student, score in scores.items():
        if score.not_graded is None:
            continue
        folder = course.feedback_folder(student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        for source in course.source_notebooks(assignment):
            page = NOT_GRADED_PAGE.format(
                assignment=html.escape(assignment),
                reason=html.escape(score.not_graded),
                max_score=score.max_score,
            )
            (folder / f"{source.stem}.html").write_text(page)
