"""Grade submissions on a Dask distributed cluster instead of the local worker processes.

Each task runs the same grading function as a local worker (``grade_submission``), on a
worker that sees the course folder at the same path (a shared file system). Workers only
read the gradebook (use PostgreSQL for several machines); the grades travel back to the
coordinator as data, and the coordinator records them. Workers must run as root for the
sandbox's namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator

from distributed import Client, as_completed

from gradelab.autograde.pool import Graded, as_they_come
from gradelab.course import Course
from gradelab.grading.submission import grade_submission


class DaskPool:
    """Grading tasks on the Dask scheduler at ``scheduler``, one per submission; use as a
    context manager, then iterate over the results as they come."""

    def __init__(
        self, course: Course, assignment: str, students: list[str], scheduler: str, *, weak: bool
    ) -> None:
        self.args = (str(course.root), assignment, weak)
        self.students = students
        self.scheduler = scheduler

    def __enter__(self) -> DaskPool:
        self.client = Client(self.scheduler)
        root, assignment, weak = self.args
        self.futures = {
            self.client.submit(grade_submission, root, assignment, name, weak, pure=False): name
            for name in self.students
        }
        return self

    def __iter__(self) -> Iterator[Graded]:
        return as_they_come(self.futures, as_completed)

    def __exit__(self, *exc: object) -> None:
        self.client.cancel(list(self.futures))
        self.client.close()
