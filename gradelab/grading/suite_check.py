"""Before any student is graded: the hidden suite must give the reference full marks.

The reference solution (the source notebook's solutions) is graded like a submission, in
the sandbox, with the hidden suite. A test that breaks (an unknown name, a fixture error,
``cell=`` naming no grade cell, points that do not add up) or a reference short of full
marks is the author's mistake: the run stops before it can cost any student a point.
An assignment without a hidden suite is checked the same way, its reference graded as
nbgrader grades (``nbgrader_mode``): every test cell must give the reference its points.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.grade_notebook import cell_name, grade_notebook, is_test_cell
from gradelab.grading.hidden_suite import uses_hidden_suite
from gradelab.grading.nbgrader_mode import run_like_nbgrader
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.sandbox.limits import Limits

REFERENCE = Sample("reference", None, "the reference solution")


def check_hidden_suite(course: Course, assignment: str, limits: Limits, weak: bool) -> None:
    """Raise ``AssignmentError`` unless the reference scores full marks, test by test."""
    for path in course.source_notebooks(assignment):
        text = submission_notebook(course, assignment, path.stem, REFERENCE)
        notebook = nbformat.reads(text, as_version=4)
        if uses_hidden_suite(course, assignment):
            grades = grade_notebook(
                notebook, course, assignment, REFERENCE.student, limits, weak, strict=True
            )
        else:
            tests_from_source(notebook, path)
            grades = run_like_nbgrader(notebook, course.release_folder(assignment), limits, weak)
        short = [
            f"{outcome.title!r} ({grade.grade_id}): {outcome.message}"
            for grade in grades.values()
            for outcome in grade.outcomes
            if outcome.earned < outcome.points
        ]
        if short:
            raise AssignmentError(
                f"the reference solution of {assignment} does not score full marks with the "
                f"{tests_of(course, assignment)}: {short[0]}"
                + (f" (and {len(short) - 1} more)" if len(short) > 1 else "")
            )


def tests_of(course: Course, assignment: str) -> str:
    if uses_hidden_suite(course, assignment):
        return f"hidden tests in {course.hidden_suite(assignment)}"
    return f"test cells of {course.source_folder(assignment)}"


def tests_from_source(notebook: nbformat.NotebookNode, source: Path) -> None:
    """Put the source's test cells (hidden tests included) in place of the released ones,
    as nbgrader's ``OverwriteCells`` does before grading."""
    original = nbformat.read(source, as_version=4)
    tests = {cell_name(c, i): c.source for i, c in enumerate(original.cells) if is_test_cell(c)}
    for index, cell in enumerate(notebook.cells):
        if is_test_cell(cell) and cell_name(cell, index) in tests:
            cell.source = tests[cell_name(cell, index)]
