"""Autograde an assignment: screen each submission, grade the rest in workers, record.

Workers (local processes, or Dask tasks with ``scheduler``) grade and return data; this
process, the coordinator, is the only one that writes: the gradebook in batches, one
transaction each, then each batch's ``autograded/`` folders. A submission counts as graded
once its folder is there, so a run stopped midway (Ctrl-C, a killed process) leaves the
rest to the next run, and the gradebook is consistent at every commit.

A submission that cannot be graded (screening refused it) gets 0 with the reason. A
submission whose grading failed on the grader's side (a test that broke on it) gets no
score: any score of an earlier submission is withdrawn, so the gradebook never shows a stale
grade, and it is graded again on the next run. A hidden suite that fails its check before
grading (a broken test) stops the run before it changes anything: every ``autograded/``
folder and every recorded score stays as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from tqdm import tqdm

from gradelab.autograde.autograded_folder import AutogradedWriter, is_graded
from gradelab.autograde.gradebook_writer import GradebookWriter
from gradelab.autograde.intake import Refused, screen
from gradelab.autograde.local_pool import LocalPool
from gradelab.autograde.pool import GradingPool
from gradelab.autograde.submission_time import inbound_entries, submission_time
from gradelab.course import Course
from gradelab.errors import AssignmentError, GradelabError
from gradelab.grading.nbgrader_step import sandbox_limits
from gradelab.grading.submission import GradedSubmission
from gradelab.grading.suite_check import check_hidden_suite

BATCH_SIZE = 50
BATCH_SECONDS = 2.0


@dataclass
class AutogradeRun:
    """What one run did, by student: graded, skipped, refused (with the reason), failed."""

    graded: list[str] = field(default_factory=list)
    already_graded: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    recorded: int = 0
    stopped: str | None = None


class Interrupted(GradelabError):
    """The run was stopped (Ctrl-C); the message says what was recorded."""

    exit_status = 130


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Names of the folders in ``submitted/`` holding this assignment (any name: screening
    refuses the ones that are not valid ids)."""
    submitted = course.folder("submitted")
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if os.path.lexists(p / assignment))


class Recorder:
    """Collects graded submissions and records them a batch at a time."""

    def __init__(self, gradebook: GradebookWriter, times: dict[str, datetime | None]) -> None:
        self.gradebook = gradebook
        self.folders = AutogradedWriter(gradebook.course, gradebook.assignment)
        self.times = times
        self.pending: list[GradedSubmission] = []
        self.last = time.monotonic()
        self.recorded = 0
        self.unwritten: dict[str, str] = {}

    def add(self, graded: GradedSubmission) -> None:
        self.pending.append(graded)
        if len(self.pending) >= BATCH_SIZE or time.monotonic() - self.last > BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """The gradebook first, then the folders: a folder never claims an unrecorded grade.
        Ctrl-C waits for the end of a flush, so that a batch is recorded and counted once."""
        with ctrl_c_deferred():
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.gradebook.record([(g, self.times.get(g.student)) for g in self.pending])
            for graded in self.pending:
                try:
                    self.folders.write(graded)
                    self.recorded += 1
                except (OSError, ValueError) as error:  # one folder never stops the others
                    self.unwritten[graded.student] = f"autograded/ could not be written ({error})"
        self.pending = []
        self.last = time.monotonic()


@contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Run the block whole: a Ctrl-C that arrives meanwhile takes effect when it ends."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _: arrived.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if arrived:
            signal.raise_signal(signal.SIGINT)


def grading_pool(
    course: Course,
    assignment: str,
    students: list[str],
    workers: int,
    scheduler: str | None,
    weak: bool,
) -> GradingPool:
    if scheduler:
        from gradelab.autograde.dask_pool import DaskPool  # only when a cluster is asked for

        return DaskPool(course, assignment, students, scheduler, weak=weak)
    return LocalPool(course, assignment, students, workers, weak=weak)


def sort_submissions(
    course: Course, assignment: str, students: list[str], force: bool, run: AutogradeRun
) -> dict[str, datetime | None]:
    """Screen each submission into the run's lists; the submission times of those to grade."""
    times = {}
    inbound = inbound_entries(course)
    for name in students:
        try:
            screened = screen(course, assignment, name)
        except Refused as refused:
            run.refused[name] = str(refused)
            continue
        except Exception as error:  # noqa: BLE001 - one submission never stops the others
            run.refused[name] = f"the submission could not be screened ({type(error).__name__})"
            continue
        if not force and is_graded(course, assignment, name):
            run.already_graded.append(name)
        else:
            run.graded.append(name)
            times[name] = submission_time(course, assignment, name, screened.timestamp, inbound)
    return times


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
    course.require_sandbox_step()
    course.secret()  # made once here, before any worker reads it
    run = AutogradeRun()
    students = [student] if student else submitted_students(course, assignment)
    times = sort_submissions(course, assignment, students, force, run)
    if run.graded:
        try:
            check_hidden_suite(course, assignment, sandbox_limits(course), weak)
        except AssignmentError as error:  # nothing recorded is touched: no folder, no score
            run.stopped = str(error)
            run.failed = dict.fromkeys(run.graded, run.stopped)
            return run
    valid_refused = [name for name in run.refused if course.valid_student_id(name)]
    for name in [*run.graded, *valid_refused]:
        shutil.rmtree(course.autograded_folder(name, assignment), ignore_errors=True)
    gradebook = GradebookWriter(course, assignment)
    if run.graded:
        recorder = Recorder(gradebook, times)
        workers = workers or os.cpu_count() or 1
        pool = grading_pool(course, assignment, run.graded, workers, scheduler, weak)
        try:
            with pool, tqdm(total=len(run.graded), unit="submission", desc=assignment) as bar:
                try:
                    for result in pool:
                        if result.refused is not None:
                            run.refused[result.student] = result.refused
                        elif result.submission is None:
                            run.failed[result.student] = str(result.error)
                        else:
                            recorder.add(result.submission)
                        bar.set_postfix(failed=len(run.failed), refresh=False)
                        bar.update(1)
                finally:  # stopped or not, what was graded is recorded
                    try:
                        recorder.flush()  # a Ctrl-C meanwhile comes at its end
                    finally:
                        run.recorded = recorder.recorded
                        run.failed.update(recorder.unwritten)
        except KeyboardInterrupt:
            left = len(run.graded) - run.recorded - len(run.failed)
            raise Interrupted(
                f"stopped. {run.recorded} graded submission(s) were recorded and {left} were "
                "not graded; run the same command again to grade the rest."
            ) from None
    run.graded = [name for name in run.graded if name not in run.refused]
    for name, error in run.failed.items():
        gradebook.withdraw(name, times.get(name), error)
    for name, reason in run.refused.items():
        if course.valid_student_id(name):
            gradebook.refuse(name, reason)
    return run
