"""When a submission in ``submitted/`` was handed in, by clocks no student can set back.

``timestamp.txt`` and the name of an inbound entry are written by the student's own
``nbgrader submit``: a student can write any time there. The kernel's ``ctime`` of a file
(its last change) can only move forward. So ``gradelab autograde`` takes the time of a
submission from the file system:

1. the exchange's inbound entries of that student and assignment (the folders
   ``nbgrader collect`` copies from) whose notebooks are byte for byte the submitted ones:
   the last change to such an entry is when it was handed in (if several hold the same
   notebooks, the earliest of them counts);
2. when no entry holds them (placed in ``submitted/`` by hand, or the entry was changed or
   removed since): the last change to the submission's files in ``submitted/``, the moment
   they were placed there, never earlier than the real submission.

A course whose submissions never pass through an exchange that students write to (the
instructor places them, with their times) can say so with
``c.Gradelab.submission_times = "timestamp.txt"``: the times are then read from
``timestamp.txt`` as nbgrader reads them.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from gradelab.autograde.intake import MAX_NOTEBOOK_BYTES, Refused, read_regular_file
from gradelab.course import Course
from gradelab.serve.inbox import exchange_inbound

MAX_FILES = 2_000
MAX_DEPTH = 16
MAX_ENTRIES_PER_STUDENT = 100
MAX_INBOUND = 200_000


def last_change(folder: Path) -> float | None:
    """The newest ctime of ``folder`` and everything in it (no link followed, no recursion),
    or None when it is not a folder or holds too many files or levels."""
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    newest, count, stack = info.st_ctime, 0, [(str(folder), 0)]
    while stack:
        path, depth = stack.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            return None
        for entry in entries:
            count += 1
            if count > MAX_FILES:
                return None
            try:
                found = entry.stat(follow_symlinks=False)
            except OSError:
                return None
            newest = max(newest, found.st_ctime)
            if stat.S_ISDIR(found.st_mode):
                if depth + 1 > MAX_DEPTH:
                    return None
                stack.append((entry.path, depth + 1))
    return newest


def notebooks_of(folder: Path, names: list[str]) -> dict[str, bytes] | None:
    """The bytes of each of ``names`` in ``folder`` that is there, or None if one cannot be
    read as a regular file within the size limit."""
    found = {}
    for name in names:
        if os.path.lexists(folder / name):
            try:
                found[name] = read_regular_file(folder / name, MAX_NOTEBOOK_BYTES)
            except Refused:
                return None
    return found


def names_submission(name: str, student: str, assignment: str) -> bool:
    """Whether an inbound entry's name is nbgrader's ``student+assignment+time+random``
    for this student and assignment (an id holding a ``+`` matches no entry)."""
    parts = name.split("+")
    return len(parts) == 4 and parts[0] == student and parts[1] == assignment


def inbound_entries(course: Course) -> list[str]:
    """The names in the exchange's inbound folder (at most ``MAX_INBOUND`` of them; read once
    per run: a student who fills the folder slows no one's grading more than once)."""
    names: list[str] = []
    try:
        with os.scandir(exchange_inbound(course)) as entries:
            for entry in entries:
                if len(names) >= MAX_INBOUND:
                    break
                names.append(entry.name)
    except OSError:
        return []
    return names


def handed_in_entry(
    course: Course, assignment: str, student: str, names: list[str], inbound: list[str]
) -> float | None:
    """The earliest last change of an inbound entry holding exactly the submitted notebooks."""
    submitted = notebooks_of(course.submission_folder(student, assignment), names)
    if not submitted:
        return None
    folder = exchange_inbound(course)
    mine = sorted(name for name in inbound if names_submission(name, student, assignment))
    times = []
    for path in [folder / name for name in mine[:MAX_ENTRIES_PER_STUDENT]]:
        before = last_change(path)
        if before is None or notebooks_of(path, names) != submitted:
            continue
        after = last_change(path)  # changed while read: it tells nothing
        if after == before:
            times.append(before)
    return min(times, default=None)


def submission_time(
    course: Course,
    assignment: str,
    student: str,
    claimed: datetime | None,
    inbound: list[str],
) -> datetime | None:
    """The time ``student``'s submission of ``assignment`` was handed in (see the module's
    docstring); ``claimed`` is its ``timestamp.txt``, used only when the course says so;
    ``inbound``: the names ``inbound_entries`` found."""
    if course.settings.submission_times == "timestamp.txt":
        return claimed
    names = [path.name for path in course.source_notebooks(assignment)]
    moment = handed_in_entry(course, assignment, student, names, inbound)
    if moment is None:
        moment = last_change(course.submission_folder(student, assignment))
    return datetime.fromtimestamp(moment, UTC) if moment is not None else None
