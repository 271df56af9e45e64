"""Grade submissions on this machine: a pool of worker processes, one per core by default.

Each worker is started once and warmed up before the first submission: nbgrader's steps
built, the hidden suite collected, the sandbox fork server running. Workers return data;
they never write the gradebook or the ``autograded/`` folder (the coordinator does).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from gradelab.autograde.pool import Graded, as_they_come
from gradelab.course import Course
from gradelab.grading.hidden_suite import hidden_suite
from gradelab.grading.submission import grade_submission, grader_for
from gradelab.sandbox import spawn


def warm_up(course_root: str, assignment: str, weak: bool) -> None:
    """In a new worker: leave Ctrl-C to the coordinator, and do all one-time work now."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        course = grader_for(course_root, weak).course
        hidden_suite(course, assignment)
    except Exception:  # noqa: BLE001 - a failed warm-up must not break the pool: each
        return  # submission's own task meets the same error and reports it, file named


class LocalPool:
    """``workers`` processes grading ``students``; use as a context manager, then iterate.

    Workers are forked from this process, which has already imported everything they run,
    so they start in a fraction of a second, and share one sandbox fork server; they are
    started, and given every submission, on entering. Leaving stops them at once, finished
    or not (their sandboxes end with them).
    """

    def __init__(
        self, course: Course, assignment: str, students: list[str], workers: int, *, weak: bool
    ) -> None:
        self.args = (str(course.root), assignment, weak)
        self.students = students
        self.workers = max(1, min(workers, len(students)))

    def __enter__(self) -> LocalPool:
        spawn.start_fork_server()  # one for all workers, which inherit it
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=warm_up,
            initargs=self.args,
        )
        root, assignment, weak = self.args
        self.futures = {
            self.pool.submit(grade_submission, root, assignment, name, weak): name
            for name in self.students
        }
        return self

    def __iter__(self) -> Iterator[Graded]:
        return as_they_come(self.futures, as_completed)

    def __exit__(self, *exc: object) -> None:
        stop_at_once(self.pool)


def stop_at_once(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now, finished or not (their sandboxes end with them)."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
