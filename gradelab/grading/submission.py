"""Grade one submission into plain data: the work of a grading worker, local or on Dask.

The steps are nbgrader's own autograde preprocessors, as the course configures them: the
sanitizing pass (clear outputs, restore locked cells and kernelspec from the gradebook's
copy of the source) and the grading pass, whose execute step is ``GradeInSandbox``. Only
the steps that write the gradebook are left out: a worker reads the gradebook but never
writes it. It returns the autograded notebooks and the score of each grade cell; the
coordinator (``gradelab.autograde``) records them.
"""

from __future__ import annotations

import copy
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from gradelab.course import Course
from gradelab.errors import GradelabError, SubmissionRefused
from gradelab.grading.edited_cells import edited_locked_cells
from gradelab.grading.metadata_check import CheckCellMetadataOnce
from gradelab.grading.source_snapshot import (
    OverwriteCellsFromSnapshot,
    OverwriteKernelspecFromSnapshot,
)
from gradelab.text import one_line

#: Autograde steps that write the gradebook: the coordinator does their work, once.
GRADEBOOK_WRITERS = (SaveAutoGrades, AssignLatePenalties)
#: nbgrader's steps, and the same steps doing their one-time work once per worker.
FASTER_EQUIVALENTS = {
    CheckCellMetadata: CheckCellMetadataOnce,
    OverwriteCells: OverwriteCellsFromSnapshot,
    OverwriteKernelspec: OverwriteKernelspecFromSnapshot,
}
log = logging.getLogger("gradelab")


@dataclass
class GradedNotebook:
    """One autograded notebook: its text and what nbgrader's gradebook steps would store."""

    name: str
    text: str
    scores: dict[str, float | None] = field(default_factory=dict)
    comments: dict[str, str | None] = field(default_factory=dict)


@dataclass
class GradedSubmission:
    student: str
    notebooks: list[GradedNotebook]


def make_step(step: type | str, config: Config) -> Preprocessor:
    cls = import_item(step) if isinstance(step, str) else step
    return FASTER_EQUIVALENTS.get(cls, cls)(config=config)


class SubmissionGrader:
    """nbgrader's autograde steps for one course, built once per worker process."""

    def __init__(self, course: Course, weak: bool) -> None:
        self.course = course
        config = copy.deepcopy(course.config)
        config.GradeInSandbox.accept_weak_isolation = weak
        autograde = Autograde(coursedir=CourseDirectory(config=config), config=config)
        self.sanitize = [make_step(s, config) for s in autograde.sanitize_preprocessors]
        grading = [make_step(s, config) for s in autograde.autograde_preprocessors]
        self.grade = [s for s in grading if not isinstance(s, GRADEBOOK_WRITERS)]

    def grade_notebook(self, path: Path, assignment: str, student: str) -> GradedNotebook:
        resources = {
            "unique_key": path.stem,
            "output_files_dir": f"{path.stem}_files",
            "nbgrader": {
                "student": student,
                "assignment": assignment,
                "notebook": path.stem,
                "db_url": self.course.db_url,
            },
        }
        notebook = nbformat.read(path, as_version=4)
        release = self.course.release_notebook(assignment, path.stem)
        edited = edited_locked_cells(notebook, release)
        if edited:
            log.warning(
                "%s/%s/%s: read-only cells edited (checksum changed): %s; the source's are graded",
                student,
                assignment,
                path.stem,
                ", ".join(edited),
            )
        try:
            for step in self.sanitize:
                notebook, resources = step(notebook, resources)
        except (GradelabError, MissingEntry):
            raise
        except Exception as error:  # noqa: BLE001 - nbgrader's steps stopped on this notebook
            detail = one_line(error, 160) or type(error).__name__
            raise SubmissionRefused(
                f"{path.name} could not be prepared for grading: {detail}"
            ) from None
        for step in self.grade:
            notebook, resources = step(notebook, resources)
        graded = GradedNotebook(path.stem, nbformat.writes(notebook) + "\n")
        for cell in notebook.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if utils.is_grade(cell):
                graded.scores[grade_id] = utils.determine_grade(cell, log)[0]
            elif utils.is_task(cell):  # graded by hand, as every task is: no automatic score
                graded.scores[grade_id] = None
            if utils.is_solution(cell) or utils.is_task(cell):
                unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
                answered = not unchanged or utils.is_task(cell)
                graded.comments[grade_id] = None if answered else "No response."
        return graded

    def grade_submission(
        self, assignment: str, student: str, folder: Path | None = None
    ) -> GradedSubmission:
        folder = folder or self.course.submission_folder(student, assignment)
        notebooks = [
            self.grade_notebook(folder / source.name, assignment, student)
            for source in self.course.source_notebooks(assignment)
            if (folder / source.name).is_file()
        ]
        return GradedSubmission(student, notebooks)


@functools.cache
def grader_for(course_root: str, weak: bool) -> SubmissionGrader:
    return SubmissionGrader(Course.load(course_root), weak)


def grade_submission(
    course_root: str, assignment: str, student: str, weak: bool, folder: str | None = None
) -> GradedSubmission:
    """Grade ``student``'s submission of ``assignment`` (in ``submitted/``, or in ``folder``);
    the steps are built once per process."""
    where = Path(folder) if folder else None
    return grader_for(course_root, weak).grade_submission(assignment, student, where)
