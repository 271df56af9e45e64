"""Grade one submitted notebook: its code in the sandbox, the hidden suite in this process."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.hidden_suite import HiddenSuite, hidden_suite
from gradelab.grading.plots import Plot
from gradelab.grading.plugin import Outcome
from gradelab.sandbox.limits import Isolation, Limits
from gradelab.sandbox.session import CellReport, Session, SubmissionError
from gradelab.text import printable

MAX_NOTES = 20
_RAISED_NOTE = re.compile(r"cell '(?P<cell>.*?)' raised .+ when it was run")


@dataclass
class CellGrade:
    """The score of one nbgrader grade cell and the lines of feedback behind it."""

    grade_id: str
    max_points: float
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return round(sum(o.earned for o in self.outcomes), 6)

    def as_data(self) -> dict:
        """The grade as plain data, kept with the autograded notebook for reports."""
        return {
            "grade_id": self.grade_id,
            "max_points": self.max_points,
            "earned": self.earned,
            "tests": [asdict(o) for o in self.outcomes],
            "notes": list(self.notes),
        }

    def feedback(self) -> str:
        lines = [f"{self.grade_id}: {self.earned:g} of {self.max_points:g} points"]
        for o in self.outcomes:
            mark = "\u2714" if o.earned == o.points else "\u2718"
            detail = f" - {o.message}" if o.message else ""
            lines.append(f"  {mark} {o.title} [{o.earned:g}/{o.points:g}]{detail}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines) + "\n"


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution")


def is_hand_graded(cell: NotebookNode) -> bool:
    """A manually graded answer (grade and solution cell) or a task."""
    meta = nbgrader_meta(cell)
    return bool((meta.get("grade") and meta.get("solution")) or meta.get("task"))


def cell_name(cell: NotebookNode, index: int) -> str:
    return str(nbgrader_meta(cell).get("grade_id") or cell.get("id") or f"cell-{index}")


def code_to_run(notebook: NotebookNode) -> list[tuple[str, str]]:
    """The student's code: every code cell but nbgrader's test cells, in notebook order."""
    return [
        (cell_name(cell, i), cell.source)
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not is_test_cell(cell)
    ]


def test_cells(notebook: NotebookNode) -> dict[str, float]:
    """Grade ids of the autograded test cells and their points."""
    return {
        cell_name(cell, i): float(nbgrader_meta(cell).get("points", 0))
        for i, cell in enumerate(notebook.cells)
        if is_test_cell(cell)
    }


def cell_errors_as_notes(reports: list[CellReport]) -> list[str]:
    return [
        f"cell '{printable(r.name, 80)}' raised {r.error['type']}"
        + (f" at line {r.error['line']}" if r.error["line"] else "")
        + " when it was run"
        for r in reports
        if r.error
    ][:MAX_NOTES]


def raised_cell(note: str) -> str | None:
    """The cell a note of ``cell_errors_as_notes`` names as having raised; None for any other
    note."""
    match = _RAISED_NOTE.fullmatch(note)
    return match.group("cell") if match else None


def assignment_test_cells(course: Course, assignment: str) -> dict[str, float]:
    """The test cells of every source notebook of the assignment, with their points."""
    cells: dict[str, float] = {}
    for path in course.source_notebooks(assignment):
        cells.update(_test_cells_of(path, path.stat().st_mtime_ns))
    return cells


@functools.lru_cache(maxsize=64)
def _test_cells_of(path: Path, version: int) -> dict[str, float]:
    return test_cells(nbformat.read(path, as_version=4))


def check_suite_against_cells(course: Course, assignment: str, suite: HiddenSuite) -> None:
    """The author's mistakes that would silently drop points: a ``cell=`` that names no grade
    cell. (Points that do not add up are checked per notebook, below.)"""
    known = assignment_test_cells(course, assignment)
    unknown = sorted(suite.planned_cells - set(known))
    if unknown:
        raise AssignmentError(
            f"{course.hidden_suite(assignment)}: cell={unknown[0]!r} names no grade cell of "
            f"{assignment}; its test cells are {', '.join(sorted(known)) or 'none'}"
        )


def grade_notebook(
    notebook: NotebookNode,
    course: Course,
    assignment: str,
    student: str,
    limits: Limits,
    accept_weak_isolation: bool = False,
    extra_visible: tuple[str, ...] = (),
    strict: bool = False,
) -> dict[str, CellGrade]:
    """Score each test cell of ``notebook`` with the assignment's hidden suite.

    Raises ``AssignmentError`` when the suite is broken (it cannot be collected, its points
    or cells do not match the notebook, or, with ``strict``, for the reference, a test
    raises an error of its own): then the submission must not be graded.
    """
    grades = {gid: CellGrade(gid, points) for gid, points in test_cells(notebook).items()}
    suite = hidden_suite(course, assignment)
    check_suite_against_cells(course, assignment, suite)
    isolation = Isolation.for_assignment(course.release_folder(assignment), extra_visible)
    with Session(isolation, limits, accept_weak_isolation) as session:
        notes: list[str] = []
        try:
            notes = cell_errors_as_notes(session.start(code_to_run(notebook)))
        except SubmissionError as error:
            notes = [error.feedback]
        run = suite.run(session, (course.course_id, assignment, student), set(grades), strict)
        notes += session.notes
    if run.broken:
        raise AssignmentError(
            f"a hidden test of {assignment} is broken: {run.broken[0]}"
            + (f" (and {len(run.broken) - 1} more)" if len(run.broken) > 1 else "")
        )
    for outcome in run.outcomes:
        grades[outcome.cell].outcomes.append(outcome)
    for plot in run.plots:
        grades[plot.cell].plots.append(plot)
    for grade in grades.values():
        planned = sum(o.points for o in grade.outcomes)
        if abs(planned - grade.max_points) > 1e-9:
            raise AssignmentError(
                f"{course.hidden_suite(assignment)}: the tests of cell '{grade.grade_id}' are "
                f"worth {planned:g} points, but the notebook gives the cell {grade.max_points:g}"
            )
        grade.notes = notes
    return grades
