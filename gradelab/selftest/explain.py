"""Why a selftest sample got the score it got: cell by cell, expected against got, with the
messages of the tests that did not pass, in words or as JSON.

A sample's cells are read from its autograded notebook. When the run stopped before any
sample (the reference short of full marks), the reference is graded once more on its own,
as the stop check grades it, so that each of its cells is explained too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import nbformat

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.feedback.question_titles import question_titles
from gradelab.feedback.results import read_results
from gradelab.grading.grade_notebook import grade_notebook
from gradelab.grading.nbgrader_step import sandbox_limits
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.text import printable


@dataclass(frozen=True)
class TestResult:
    title: str
    points: float
    earned: float
    message: str


@dataclass(frozen=True)
class CellCheck:
    """One grade cell of one sample: what it got, what it must get (None: not stated)."""

    grade_id: str
    title: str
    points: float
    got: float
    expected: float | None
    tests: list[TestResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.expected is None or abs(self.got - self.expected) < 1e-6


def expected_of(sample: Sample, points: float) -> float | None:
    """Per cell, the reference must get full marks and the blank release 0; a listed wrong
    submission states its total only."""
    if sample.blank:
        return 0.0
    return points if sample.expected is None else None


def checks_of(data: list[dict], sample: Sample, titles: dict[str, str]) -> list[CellCheck]:
    """The cells of one graded sample, from the grades kept as data (``CellGrade.as_data``)."""
    found = []
    for cell in data:
        grade_id = str(cell.get("grade_id", ""))
        points = float(cell.get("max_points", 0))
        tests = [
            TestResult(str(t["title"]), float(t["points"]), float(t["earned"]), str(t["message"]))
            for t in cell.get("tests", [])
        ]
        got = sum(t.earned for t in tests)
        found.append(
            CellCheck(
                grade_id,
                titles.get(grade_id, grade_id),
                points,
                got,
                expected_of(sample, points),
                tests,
            )
        )
    return found


def sample_checks(course: Course, assignment: str, listed: list[Sample]) -> dict[str, list]:
    """Each graded sample's cells, by sample name."""
    titles = question_titles(course, assignment)
    results = read_results(course, assignment)
    return {
        sample.student: checks_of(results[sample.student].cells, sample, titles)
        for sample in listed
        if sample.student in results
    }


def reference_checks(course: Course, assignment: str) -> list[CellCheck]:
    """The reference graded on its own (when the run stopped because of it)."""
    reference = Sample("reference", None, "the reference solution")
    titles = question_titles(course, assignment)
    found = []
    for path in course.source_notebooks(assignment):
        text = submission_notebook(course, assignment, path.stem, reference)
        notebook = nbformat.reads(text, as_version=4)
        try:
            grades = grade_notebook(
                notebook, course, assignment, reference.student, sandbox_limits(course)
            )
        except AssignmentError:  # a broken suite: the stop message already says where
            return []
        found += checks_of([g.as_data() for g in grades.values()], reference, titles)
    return found


def explain_lines(checks: list[CellCheck], every: bool) -> list[str]:
    """The lines under a sample's row: each cell that is off (``every``: each cell), and
    the tests of it that did not pass, with their messages."""
    lines = []
    for check in checks:
        failed = [t for t in check.tests if t.earned < t.points - 1e-9]
        if not every and check.ok and (check.expected is not None or not failed):
            continue
        expected = "" if check.expected is None else f", expected {check.expected:g}"
        mark = "" if check.ok else "  <-"
        lines.append(
            f"      {printable(check.title, 60)} ({check.grade_id}): "
            f"got {check.got:g} of {check.points:g}{expected}{mark}"
        )
        lines += [
            f"        x {printable(t.title, 80)} [{t.earned:g}/{t.points:g}]"
            + (f": {printable(t.message, 300)}" if t.message else "")
            for t in failed
        ]
    return lines


def checks_data(checks: list[CellCheck]) -> list[dict]:
    return [asdict(check) | {"ok": check.ok} for check in checks]
