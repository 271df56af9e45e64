"""Warm grading workers for ``gradelab serve``: submissions are given to them as they come.

Locally, a pool of worker processes forked from the service, each warmed up once (nbgrader's
steps built, every served assignment's hidden suite collected, the sandbox fork server
running); with ``scheduler``, tasks on a Dask cluster, as ``gradelab autograde --scheduler``.
A task grades the submission collected in a folder of its own and returns data; the service
records it.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from gradelab.autograde.local_pool import stop_at_once
from gradelab.course import Course
from gradelab.grading.hidden_suite import hidden_suite
from gradelab.grading.submission import grade_submission, grader_for
from gradelab.sandbox import spawn
from gradelab.sandbox.confinement import die_with_parent
from gradelab.serve.tasks import HEAVY_NICENESS, at_priority


def warm_up(course_root: str, assignments: list[str], weak: bool) -> None:
    """In a new worker: end with the service, however it ends; leave signals to it; and do
    all one-time work now."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    course = grader_for(course_root, weak).course
    for assignment in assignments:
        try:
            hidden_suite(course, assignment)
        except Exception:  # noqa: BLE001 - each submission's task meets the error and reports it
            continue


class ServeWorkers:
    """Grading workers, local or on a Dask cluster; ``submit`` returns a future."""

    def __init__(
        self,
        course: Course,
        assignments: list[str],
        workers: int,
        scheduler: str | None,
        *,
        weak: bool,
    ) -> None:
        self.root, self.weak = str(course.root), weak
        self.assignments, self.workers, self.scheduler = assignments, workers, scheduler

    def __enter__(self) -> ServeWorkers:
        if self.scheduler:
            from distributed import Client  # only when a cluster is asked for

            self.client = Client(self.scheduler)
        else:
            spawn.start_fork_server()
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=warm_up,
                initargs=(self.root, self.assignments, self.weak),
            )
            # start every worker now, so the first submission finds them warm
            for future in [self.pool.submit(int) for _ in range(self.workers)]:
                future.result()
        return self

    def submit(self, assignment: str, student: str, folder: Path, heavy: bool = False) -> Future:
        """Grade the submission in ``folder``; locally, a ``heavy`` one at a lower priority."""
        args = (self.root, assignment, student, self.weak, str(folder))
        if self.scheduler:
            return self.client.submit(grade_submission, *args, pure=False)
        niceness = HEAVY_NICENESS if heavy else 0
        return self.pool.submit(at_priority, niceness, grade_submission, *args)

    def restart(self) -> None:
        """New local workers, after one died (the pool is then broken)."""
        self.__exit__()
        self.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.scheduler:
            self.client.close()
            return
        stop_at_once(self.pool)
