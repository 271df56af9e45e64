"""Autograde an assignment: screen each submission, grade the rest in workers, record.

Workers (local processes, or Dask tasks with ``scheduler``) grade and return data; this
process, the coordinator, is the only one that writes: the gradebook in batches, one
transaction each, then each batch's ``autograded/`` folders. A submission counts as graded
once its folder is there, so a run stopped midway (Ctrl-C, a killed process) leaves the
rest to the next run, and the gradebook is consistent at every commit. Submissions that
cannot be graded get 0 in the gradebook with the reason as nbgrader's automatic comment,
so formgrader and feedback show it.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from nbgrader.utils import parse_utc
from tqdm import tqdm

from gradelab import nbgrader_commands
from gradelab.autograded_folder import AutogradedWriter, autograded_folder, is_graded
from gradelab.course import Course
from gradelab.gradebook_writer import GradebookWriter, record_refusal
from gradelab.grading.submission import GradedSubmission
from gradelab.grading_pool import LocalPool
from gradelab.intake import screen

if TYPE_CHECKING:
    from gradelab.dask_dispatch import DaskPool

BATCH_SIZE = 50
BATCH_SECONDS = 2.0


@dataclass
class AutogradeRun:
    graded: list[str] = field(default_factory=list)
    already_graded: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def submitted_students(course: Course, assignment: str) -> list[str]:
    submitted = course.root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).exists())


def submission_time(course: Course, assignment: str, student: str) -> datetime | None:
    """The time in the submission's ``timestamp.txt``, as nbgrader reads it."""
    path = course.submission_folder(student, assignment) / "timestamp.txt"
    try:
        text = path.read_text().strip()
        return parse_utc(text) if text else None
    except (OSError, ValueError):
        return None


class Recorder:
    """Collects graded submissions and records them a batch at a time."""

    def __init__(self, course: Course, assignment: str) -> None:
        self.course = course
        self.assignment = assignment
        self.gradebook = GradebookWriter(course, assignment)
        self.folders = AutogradedWriter(course, assignment)
        self.pending: list[GradedSubmission] = []
        self.last = time.monotonic()

    def add(self, graded: GradedSubmission) -> None:
        self.pending.append(graded)
        if len(self.pending) >= BATCH_SIZE or time.monotonic() - self.last > BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """The gradebook first, then the folders: a folder never claims an unrecorded grade."""
        if self.pending:
            self.gradebook.record(
                [
                    (g, submission_time(self.course, self.assignment, g.student))
                    for g in self.pending
                ]
            )
            for graded in self.pending:
                self.folders.write(graded)
        self.pending = []
        self.last = time.monotonic()


def grading_pool(
    course: Course,
    assignment: str,
    students: list[str],
    workers: int,
    scheduler: str | None,
    weak: bool,
) -> LocalPool | DaskPool:
    if scheduler:
        from gradelab.dask_dispatch import DaskPool  # only when a cluster is asked for

        return DaskPool(course, assignment, students, scheduler, weak=weak)
    return LocalPool(course, assignment, students, workers, weak=weak)


def autograde(
    course: Course,
    assignment: str,
    student: str | None = None,
    *,
    force: bool,
    weak: bool,
    workers: int | None = None,
    scheduler: str | None = None,
) -> AutogradeRun:
    """Screen and grade the submissions of ``assignment`` (or one student's) in ``workers``
    processes (default: one per core); ``scheduler`` is a Dask scheduler address to grade
    on a cluster instead."""
    nbgrader_commands.require_sandbox_step(course)
    run = AutogradeRun()
    students = [student] if student else submitted_students(course, assignment)
    for name in students:
        reason = screen(course, assignment, name)
        if reason is not None:
            run.refused[name] = reason
        elif not force and is_graded(course, assignment, name):
            run.already_graded.append(name)
        else:
            run.graded.append(name)
    for name in [*run.graded, *run.refused]:
        shutil.rmtree(autograded_folder(course, name, assignment), ignore_errors=True)
    if run.graded:
        recorder = Recorder(course, assignment)
        workers = workers or os.cpu_count() or 1
        pool = grading_pool(course, assignment, run.graded, workers, scheduler, weak)
        with pool, tqdm(total=len(run.graded), unit="submission", desc=assignment) as bar:
            try:
                for result in pool:
                    if result.submission is None:
                        run.failed[result.student] = str(result.error)
                    else:
                        recorder.add(result.submission)
                    bar.set_postfix(failed=len(run.failed), refresh=False)
                    bar.update(1)
            finally:  # stopped or not, what was graded is recorded
                recorder.flush()
    for name, reason in run.refused.items():
        record_refusal(course, assignment, name, reason)
    return run
