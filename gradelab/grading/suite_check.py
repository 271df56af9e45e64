"""Before any student is graded: the hidden suite must give the reference full marks.

The reference solution (the source notebook's solutions) is graded like a submission, in
the sandbox, with the hidden suite. A test that breaks (an unknown name, a fixture error,
``cell=`` naming no grade cell, points that do not add up) or a reference short of full
marks is the author's mistake: the run stops before it can cost any student a point.
"""

from __future__ import annotations

import nbformat

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.grade_notebook import grade_notebook
from gradelab.samples import Sample, submission_notebook
from gradelab.sandbox.limits import Limits

REFERENCE = Sample("reference", None, "the reference solution")


def check_hidden_suite(course: Course, assignment: str, limits: Limits, weak: bool) -> None:
    """Raise ``AssignmentError`` unless the reference scores full marks, test by test."""
    for path in course.source_notebooks(assignment):
        text = submission_notebook(course, assignment, path.stem, REFERENCE)
        notebook = nbformat.reads(text, as_version=4)
        grades = grade_notebook(
            notebook, course, assignment, REFERENCE.student, limits, accept_weak_isolation=weak
        )
        short = [
            f"{outcome.title!r} ({grade.grade_id}): {outcome.message}"
            for grade in grades.values()
            for outcome in grade.outcomes
            if outcome.earned < outcome.points
        ]
        if short:
            raise AssignmentError(
                f"the reference solution of {assignment} does not score full marks with the "
                f"hidden tests in {course.hidden_suite(assignment)}: {short[0]}"
                + (f" (and {len(short) - 1} more)" if len(short) > 1 else "")
            )
