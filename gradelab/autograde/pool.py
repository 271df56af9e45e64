"""Where submissions are graded: the interface of the local pool and of the Dask pool.

A pool is given the students to grade when it is made. Entered as a context manager, it
starts grading all of them; iterated, it yields each ``Graded`` result as it comes; left, it
stops whatever is still running. Workers only return data: the coordinator records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from gradelab.errors import AssignmentError, SubmissionRefused
from gradelab.grading.submission import GradedSubmission


@dataclass
class Graded:
    """One submission's result from a worker: its grades, why grading it failed, or why it
    cannot be graded.

    A failure is the grader's, never the student's: a broken hidden test, a worker that
    died; the submission is then left ungraded, to be graded again. A refusal is the
    submission's own (nbgrader's steps cannot read it): 0 with the reason.
    """

    student: str
    submission: GradedSubmission | None = None
    error: str | None = None
    refused: str | None = None

    @classmethod
    def of(cls, student: str, future: Future) -> Graded:
        error = future.exception()
        if error is None:
            return cls(student, submission=future.result())
        if isinstance(error, BrokenProcessPool):
            return cls(student, error="a grading worker process died (out of memory?)")
        if isinstance(error, AssignmentError):
            return cls(student, error=str(error))
        if isinstance(error, SubmissionRefused):
            return cls(student, refused=str(error))
        return cls(student, error=f"{type(error).__name__}: {error}")


class GradingPool(Protocol):
    """Grades the students it was made with; see the module's docstring."""

    def __enter__(self) -> GradingPool: ...

    def __iter__(self) -> Iterator[Graded]: ...

    def __exit__(self, *exc: object) -> None: ...


def as_they_come(
    futures: dict[Any, str], completed: Callable[[Iterable[Any]], Iterator[Any]]
) -> Iterator[Graded]:
    """Each student's result as its future (``futures`` maps them to students) completes;
    ``completed`` is the executor's ``as_completed``."""
    for future in completed(futures):
        yield Graded.of(futures[future], future)
