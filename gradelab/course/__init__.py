"""A course: its folders and settings, read from its ``nbgrader_config.py`` through
nbgrader's own ``CourseDirectory``, plus gradelab's conventions (``autograder/``,
``solutions/``) and settings (``c.Gradelab``).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets import Dict, Enum, Unicode
from traitlets.config import Config, LoggingConfigurable
from traitlets.config.loader import PyFileConfigLoader

from gradelab.course.policy import Policy, read_policy
from gradelab.errors import AssignmentError, CourseError

CONFIG_FILE = "nbgrader_config.py"
SANDBOX_STEP = "gradelab.grading.nbgrader_step.GradeInSandbox"
TEST_CELLS_STEP = "gradelab.grading.test_cells.TestCellsFromSource"
SECRET_FILE = "gradebook/course_secret"


class Gradelab(LoggingConfigurable):
    """gradelab's course settings (``c.Gradelab.*`` in ``nbgrader_config.py``)."""

    student_id_pattern = Unicode(
        r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}",
        help="Submission folder names (student ids) gradelab grades; others are refused with "
        "the reason. The default keeps ids safe in paths, terminals, CSV files and HTML.",
    ).tag(config=True)

    submission_times = Enum(
        ["file system", "timestamp.txt"],
        default_value="file system",
        help="Where gradelab autograde takes each submission's time: 'file system' (when the "
        "exchange received it, or when it was placed in submitted/: times no user can set "
        "back) or 'timestamp.txt' (the time the submission claims, as nbgrader reads it; "
        "only for submissions the instructor places, never with an exchange students write "
        "to). See gradelab.autograde.submission_time.",
    ).tag(config=True)

    policies = Dict(
        help="Grading policies per assignment ('*' for all): due, feedback_before_due, "
        "gradings_per_hour, counts, extensions. See gradelab.course.policy.",
    ).tag(config=True)


@dataclass(frozen=True)
class Course:
    """The course whose ``nbgrader_config.py`` lies in ``root``."""

    root: Path
    course_id: str
    db_url: str
    config: Config = field(repr=False, compare=False, hash=False)

    @classmethod
    def load(cls, root: Path | str = ".") -> Course:
        """Read the course whose ``nbgrader_config.py`` is in ``root``."""
        root = Path(root).resolve()
        if not (root / CONFIG_FILE).is_file():
            raise CourseError(f"{root / CONFIG_FILE}: not found; run gradelab in a course folder")
        try:
            config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
        except Exception as error:  # noqa: BLE001 - any error in the instructor's file
            raise CourseError(f"{root / CONFIG_FILE}: {type(error).__name__}: {error}") from None
        if "root" not in config.CourseDirectory:
            config.CourseDirectory.root = str(root)
        return cls.from_config(config)

    @classmethod
    def from_config(cls, config: Config) -> Course:
        """The course of a loaded nbgrader configuration (as nbgrader's steps have it)."""
        coursedir = CourseDirectory(config=config)
        root = Path(coursedir.root).resolve()
        return cls(root, coursedir.course_id or "default_course", coursedir.db_url, config)

    @property
    def directories(self) -> CourseDirectory:
        return CourseDirectory(config=self.config)

    @property
    def settings(self) -> Gradelab:
        return Gradelab(config=self.config)

    # -- what the instructor writes --------------------------------------------------------
    def assignments(self) -> list[str]:
        """Assignments in the source folder, in name order."""
        source = self.folder("source")
        return sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []

    def require_assignment(self, assignment: str) -> str:
        if assignment not in self.assignments():
            raise CourseError(f"no assignment '{assignment}' in {self.folder('source')}")
        return assignment

    def source_folder(self, assignment: str) -> Path:
        return self.folder("source") / assignment

    def quiz_source_folder(self, assignment: str) -> Path:
        """Where ``gradelab release`` makes a quiz alone into an nbgrader source folder: the
        author's files and the notebook made from ``quiz.toml`` (never in ``source/``)."""
        return self.root / "build" / "quiz_source" / assignment

    def authored_notebooks(self, assignment: str) -> list[Path]:
        """The notebooks the author put in ``source/<assignment>/`` (none for a quiz alone)."""
        return sorted(self.source_folder(assignment).glob("*.ipynb"))

    def source_notebooks(self, assignment: str) -> list[Path]:
        """The assignment's notebooks as its author wrote them; for a quiz alone, the notebook
        made from its ``quiz.toml`` at its release."""
        found = self.authored_notebooks(assignment)
        return found or sorted(self.quiz_source_folder(assignment).glob("*.ipynb"))

    def source_notebook(self, assignment: str, notebook: str) -> Path:
        """The source of ``notebook`` (its name without ``.ipynb``)."""
        for path in self.source_notebooks(assignment):
            if path.stem == notebook:
                return path
        raise AssignmentError(f"{self.source_folder(assignment)}: no notebook {notebook}.ipynb")

    def hidden_suite(self, assignment: str) -> Path:
        return self.root / "autograder" / assignment

    def reference_solution(self, assignment: str) -> Path:
        return self.root / "solutions" / f"{assignment}.py"

    # -- nbgrader's folders ---------------------------------------------------------------------
    def folder(self, step: str) -> Path:
        """The folder of an nbgrader step ("source", "release", "submitted", ...)."""
        directories = self.directories
        name = getattr(directories, f"{step}_directory")
        return Path(directories.root) / name

    def release_folder(self, assignment: str) -> Path:
        """The instructor's released copy of an assignment: what students get, and what the
        sandbox sees of the course while grading."""
        return self.folder("release") / assignment

    def release_notebook(self, assignment: str, notebook: str) -> Path:
        return self.release_folder(assignment) / f"{notebook}.ipynb"

    def submission_folder(self, student: str, assignment: str) -> Path:
        return self.folder("submitted") / student / assignment

    def autograded_folder(self, student: str, assignment: str) -> Path:
        return self.folder("autograded") / student / assignment

    def feedback_folder(self, student: str, assignment: str) -> Path:
        return self.folder("feedback") / student / assignment

    # -- gradelab's settings --------------------------------------------------------------------
    def policy(self, assignment: str) -> Policy:
        """The grading policy of ``assignment`` (``c.Gradelab.policies``)."""
        where = f"{self.root / CONFIG_FILE}: c.Gradelab.policies"
        return read_policy(assignment, self.settings.policies, where)

    def valid_student_id(self, student: str) -> bool:
        return re.fullmatch(self.settings.student_id_pattern, student) is not None

    def require_sandbox_step(self) -> None:
        """Refuse a configuration in which nbgrader would run student code in a kernel, or
        take a submission's test cells as they come."""
        for setting, step, why in (
            ("autograde_preprocessors", SANDBOX_STEP, "nbgrader would run student code in a "
             "Jupyter kernel"),
            ("sanitize_preprocessors", TEST_CELLS_STEP, "a submission could move its test "
             "cells"),
        ):  # fmt: skip
            steps = self.config.Autograde.get(setting, [])
            names = [s if isinstance(s, str) else f"{s.__module__}.{s.__name__}" for s in steps]
            if step not in names:
                raise CourseError(
                    f"{self.root / CONFIG_FILE}: Autograde.{setting} does not list {step}; "
                    f"{why}. Add it first (see this repository's nbgrader_config.py)."
                )

    def secret(self) -> str:
        """The course secret mixed into the hidden tests' seeds: made on first use, kept in
        ``gradebook/`` (never visible to a sandbox, never released)."""
        path = self.root / SECRET_FILE
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
            try:
                os.link(draft, path)  # atomic: the first process to get here sets it
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()
