"""A submission made from an assignment's release notebook: its answer cells filled in with
the reference solution's code, or with other code for some of them (a ``Sample``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.grade_notebook import cell_name, nbgrader_meta

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Sample:
    """A submission to grade, with the score it must get (None: full marks expected)."""

    student: str
    expected: float | None
    why: str
    cells: dict[str, str] = field(default_factory=dict)
    blank: bool = False


def solution_code(cell: NotebookNode) -> str:
    """A source answer cell with nbgrader's solution markers taken out."""
    lines = cell.source.splitlines()
    return "\n".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)


def submission_notebook(course: Course, assignment: str, notebook: str, sample: Sample) -> str:
    """The release notebook with its answer cells filled in as ``sample`` says."""
    released = nbformat.read(course.release_notebook(assignment, notebook), as_version=4)
    if sample.blank:
        return nbformat.writes(released)
    source = nbformat.read(course.source_notebook(assignment, notebook), 4)
    answers = {
        cell_name(cell, i): solution_code(cell)
        for i, cell in enumerate(source.cells)
        if nbgrader_meta(cell).get("solution")
    }
    unknown = set(sample.cells) - set(answers)
    if unknown:
        raise AssignmentError(
            f"{course.hidden_suite(assignment) / 'selftest.toml'}: submission "
            f"'{sample.student}' replaces cells {sorted(unknown)}, which {notebook} has not"
        )
    answers.update({name: code.strip("\n") for name, code in sample.cells.items()})
    for i, cell in enumerate(released.cells):
        name = cell_name(cell, i)
        if nbgrader_meta(cell).get("solution") and name in answers:
            cell.source = answers[name]
    return nbformat.writes(released)
