"""One grading service per course: a lock file in ``gradebook/`` holds its process id.

``gradelab serve`` holds the lock while it runs: a POSIX record lock, which belongs to the
process alone (its forked workers do not inherit it) and which the kernel drops when the
process ends, however it ends. ``gradelab autograde`` and ``gradelab status`` ask whether it
is held.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gradelab.course import Course
from gradelab.errors import CourseError

LOCK_FILE = "serve.lock"


def lock_path(course: Course) -> Path:
    return course.root / "gradebook" / LOCK_FILE


def running_service(course: Course) -> int | None:
    """The process id of the course's running service, if one runs."""
    path = lock_path(course)
    if not path.is_file():
        return None
    with open(path) as file:
        try:
            fcntl.lockf(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = path.read_text().strip()
            return int(text) if text.isdigit() else -1
    return None


@contextmanager
def service_lock(course: Course) -> Iterator[None]:
    """Hold the course's service lock, or fail naming the process that holds it."""
    path = lock_path(course)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CourseError(
                f"gradelab serve already runs for this course (process {path.read_text()})"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield
