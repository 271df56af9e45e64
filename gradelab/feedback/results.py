"""Per-test results of graded submissions, read back from the autograded notebooks.

``GradeInSandbox`` keeps each test cell's grade as plain data in the metadata of the score
it writes; reports and exports read it from there, and never rerun anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from gradelab.course import Course
from gradelab.grading.grade_notebook import is_test_cell
from gradelab.grading.nbgrader_step import RESULTS_KEY
from gradelab.text import one_line


@dataclass
class SubmissionResults:
    student: str
    cells: list[dict] = field(default_factory=list)
    notebooks: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def tests(self) -> list[dict]:
        return [test for cell in self.cells for test in cell["tests"]]

    @property
    def notes(self) -> list[str]:
        return sorted({note for cell in self.cells for note in cell["notes"]})


def read_results(course: Course, assignment: str) -> dict[str, SubmissionResults]:
    """Each autograded student's per-cell, per-test results for ``assignment``; a notebook
    that cannot be read is named in ``unreadable``, and the others are still read."""
    results = {}
    for folder in sorted(course.folder("autograded").glob(f"*/{assignment}")):
        student = folder.parent.name
        found = SubmissionResults(student)
        for path in sorted(folder.glob("*.ipynb")):
            try:
                notebook = nbformat.read(path, as_version=4)
            except Exception as error:  # noqa: BLE001 - any damage to the file: named, skipped
                found.unreadable.append(f"{path.name}: {one_line(error, 200)}")
                continue
            found.notebooks.append(path.stem)
            for cell in filter(is_test_cell, notebook.cells):
                for output in cell.get("outputs", []):
                    data = output.get("metadata", {}).get(RESULTS_KEY)
                    if data:
                        found.cells.append(data)
        results[student] = found
    return results
