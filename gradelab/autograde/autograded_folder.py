"""The ``autograded/`` folder: what nbgrader's autograde leaves there, written all at once.

For each graded submission: the submission's other files (its ``timestamp.txt`` too), the
assignment's own files from ``source/`` over them, and the autograded notebooks, with
nbgrader's configured file permissions. The folder is assembled next to its place and
renamed into it, so it is either complete or absent: a stopped run leaves nothing half
written, and a submission counts as graded exactly when its folder is there.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files

from gradelab.course import Course
from gradelab.grading.grade_notebook import is_test_cell
from gradelab.grading.submission import GradedSubmission

SECRET = "submission_secret.txt"
TIMESTAMP = "timestamp.txt"


def is_graded(course: Course, assignment: str, student: str) -> bool:
    """True when every submitted notebook was autograded to the end."""
    folder = course.autograded_folder(student, assignment)
    for source in course.source_notebooks(assignment):
        if not (course.submission_folder(student, assignment) / source.name).exists():
            continue
        try:
            notebook = nbformat.read(folder / source.name, as_version=4)
        except (OSError, ValueError):  # missing, or cut short by a stopped run
            return False
        for cell in filter(is_test_cell, notebook.cells):
            if not any(o.get("output_type") == "execute_result" for o in cell.outputs):
                return False
    return True


class AutogradedWriter:
    """Writes graded submissions of one assignment into ``autograded/``."""

    def __init__(self, course: Course, assignment: str) -> None:
        self.course = course
        self.assignment = assignment
        config = course.config
        coursedir = CourseDirectory(config=config)
        converter = Autograde(coursedir=coursedir, config=config)
        self.ignore = [*coursedir.ignore, "*.ipynb"]
        self.max_bytes = coursedir.max_file_size * 1000
        self.permissions = int(str(converter.permissions), 8)
        source = course.source_folder(assignment)
        kept = {source / name for name in converter.exclude_overwriting.get(assignment, [])}
        self.source_files = [
            (Path(f), Path(f).relative_to(source))
            for f in find_all_files(str(source), self.ignore)
            if Path(f) not in kept
        ]

    def copied(self, path: Path) -> bool:
        """Whether a submitted file is copied: regular files within nbgrader's size limit."""
        info = path.lstat()
        return stat.S_ISREG(info.st_mode) and info.st_size <= self.max_bytes

    def write(self, graded: GradedSubmission) -> None:
        final = self.course.autograded_folder(graded.student, self.assignment)
        partial = final.with_name(f".{final.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        submitted = self.course.submission_folder(graded.student, self.assignment)
        files = [
            (Path(f), Path(f).relative_to(submitted))
            for f in find_all_files(str(submitted), self.ignore)
            if self.copied(Path(f))
        ]
        for origin, relative in [*files, *self.source_files]:
            (partial / relative).parent.mkdir(parents=True, exist_ok=True)
            (partial / relative).unlink(missing_ok=True)
            shutil.copyfile(origin, partial / relative, follow_symlinks=False)
        for notebook in graded.notebooks:
            # backslashreplace: text that is no valid Unicode is written escaped, never lost
            (partial / f"{notebook.name}.ipynb").write_text(
                notebook.text, encoding="utf-8", errors="backslashreplace"
            )
        self.placed_by_hand(partial)
        for folder, _, names in os.walk(partial):
            for name in names:
                os.chmod(os.path.join(folder, name), self.permissions)
        shutil.rmtree(final, ignore_errors=True)
        partial.rename(final)

    @staticmethod
    def placed_by_hand(folder: Path) -> None:
        """A submission placed in ``submitted/`` by hand has no ``timestamp.txt`` nor
        ``submission_secret.txt``, which ``nbgrader release_feedback`` needs: write them."""
        if not (folder / TIMESTAMP).exists():
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
            (folder / TIMESTAMP).write_text(now)
        if not (folder / SECRET).exists():
            (folder / SECRET).write_text(secrets.token_hex(16))
