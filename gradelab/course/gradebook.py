"""The course's gradebook (nbgrader's ``Gradebook``), opened once per process and kept.

Opening nbgrader's gradebook makes a database engine, checks every table and the course,
and starts with an empty cache of compiled queries: a long-running process (the service,
its task processes, a grading run) that opened it for each question spent most of its
database time there. Here each process keeps one per database and course; each use gets a
fresh session (its objects read anew, nothing left uncommitted after it), uses nest, and a
SQLite file replaced on disk (a new gradebook at the same path) is opened anew.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from nbgrader.api import Gradebook

from gradelab.course import Course

Key = tuple[int, str, str]  # (process, database, course)
KEPT = 4  # gradebooks a process keeps open at most (the least recently opened is closed)
_kept: OrderedDict[Key, tuple[Gradebook, tuple[int, int] | None]] = OrderedDict()
_opening = threading.Lock()
_in_use = threading.local()  # per thread: how deep in ``with`` blocks each gradebook is


def _file_of(db_url: str) -> tuple[int, int] | None:
    """The device and inode of a SQLite gradebook's file (None for a database server)."""
    if not db_url.startswith("sqlite:///"):
        return None
    try:
        found = os.stat(db_url.removeprefix("sqlite:///"))
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _gradebook(key: Key) -> Gradebook:
    """The kept gradebook of ``key``, opened (again) when it is new or its file changed."""
    pid, db_url, course_id = key
    with _opening:
        for inherited in [k for k in _kept if k[0] != pid]:
            del _kept[inherited]  # the parent's, before a fork: its to close, not ours
        kept = _kept.get(key)
        if kept is not None and kept[1] == _file_of(db_url):
            _kept.move_to_end(key)
            return kept[0]
        if kept is not None:
            del _kept[key]
            kept[0].close()
        gradebook = Gradebook(db_url, course_id)
        _kept[key] = (gradebook, _file_of(db_url))
        depths = _in_use.__dict__.setdefault("depths", {})
        idle = [k for k in _kept if k != key and not depths.get(k)]
        for old in idle[: max(0, len(_kept) - KEPT)]:
            _kept.pop(old)[0].close()
        return gradebook


@contextmanager
def gradebook_at(db_url: str, course_id: str) -> Iterator[Gradebook]:
    """nbgrader's gradebook of ``course_id`` at ``db_url``, for the ``with`` block."""
    key = (os.getpid(), db_url, course_id)  # a forked process opens its own
    depths = _in_use.__dict__.setdefault("depths", {})
    depth = depths.get(key, 0)
    # nbgrader 0.9 predates SQLAlchemy 2's session warnings; they say nothing to a user.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Object of type")
        gradebook = _gradebook(key) if depth == 0 else _kept[key][0]
        depths[key] = depth + 1
        try:
            yield gradebook
        finally:
            depths[key] = depth
            if depth == 0:
                gradebook.db.remove()  # the session ends: rolled back if left uncommitted


def open_gradebook(course: Course) -> AbstractContextManager[Gradebook]:
    """The course's gradebook, for the ``with`` block."""
    return gradebook_at(course.db_url, course.course_id)
