"""Screen a submission before anything else reads it.

Every byte under ``submitted/`` is the student's. Screening reads it defensively: the
folder name must be a valid student id; every entry must be a regular file or folder (no
links, pipes or devices), within a bounded count; each notebook is bounded in size and
nesting before it is parsed; every parse is guarded for any exception; ``timestamp.txt`` is
a short, valid date. A submission that fails gets a plain reason and is refused (0 points,
the reason in the gradebook and the feedback); the rest of the batch goes on. Screening
never modifies the files.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from gradelab.course import Course
from gradelab.text import printable

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_FOLDER_DEPTH = 16
MAX_JSON_DEPTH = 64
MAX_TIMESTAMP_BYTES = 100
NBGRADER_SCHEMA = 3
TIMESTAMP = "timestamp.txt"


class Refused(ValueError):
    """A submission that cannot be graded; the message is the reason, for the student."""


@dataclass(frozen=True)
class Screened:
    """What screening learned of a submission it accepts."""

    timestamp: datetime | None


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; never follows
    a link, never blocks on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise Refused(f"{path.name} cannot be read ({error.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise Refused(f"{path.name} is larger than {limit:,} bytes")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"{path.name} is larger than {limit:,} bytes")
    return data


def check_entries(folder: Path) -> None:
    """Every entry under ``folder`` is a regular file or folder, and there are not too many."""
    count = 0

    def unreadable(error: OSError) -> None:
        raise Refused(f"a folder of the submission cannot be read ({error.strerror})")

    base = str(folder).count(os.sep)
    for parent, folders, files in os.walk(folder, onerror=unreadable, followlinks=False):
        if parent.count(os.sep) - base > MAX_FOLDER_DEPTH:
            raise Refused(f"the submission's folders are nested more than {MAX_FOLDER_DEPTH} deep")
        for name in folders + files:
            count += 1
            if count > MAX_ENTRIES:
                raise Refused(f"the submission holds more than {MAX_ENTRIES} files")
            try:
                mode = os.lstat(os.path.join(parent, name)).st_mode
            except OSError as error:
                raise Refused(
                    f"a file of the submission cannot be read ({error.strerror})"
                ) from None
            shown = printable(name, 60)
            if stat.S_ISLNK(mode):
                raise Refused(f"{shown} is a symbolic link; submit the file itself")
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise Refused(f"{shown} is not a regular file")


def json_depth(data: object) -> int:
    """The nesting depth of parsed JSON, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def notebook_problem(path: Path) -> str | None:
    """Why the notebook at ``path`` cannot be graded, or None when it can."""
    name = path.name
    try:
        raw = read_regular_file(path, MAX_NOTEBOOK_BYTES)
    except Refused as refused:
        return str(refused)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{name} is not UTF-8 text (bad byte at position {error.start})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return f"{name} is not valid JSON (line {error.lineno}, column {error.colno})"
    except (RecursionError, ValueError):
        return f"{name} is nested too deeply to be a notebook"
    if json_depth(data) > MAX_JSON_DEPTH:
        return f"{name} is nested more than {MAX_JSON_DEPTH} levels deep"
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return (
            f"{name} holds text that is not valid Unicode (a lone surrogate escape such as \\ud800)"
        )
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        found = data.get("nbformat") if isinstance(data, dict) else None
        found = printable(found, 20)
        return f"{name} is not a version 4 notebook (nbformat {found}); save it with Jupyter"
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except (Exception, RecursionError) as error:  # noqa: BLE001 - any failure is a refusal
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{name} does not follow the notebook format ({printable(first, 120)})"
    grade_ids = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        if not isinstance(meta, dict) or meta.get("schema_version") != NBGRADER_SCHEMA:
            return f"{name}: a cell has nbgrader metadata of another version"
        grade_ids.append(str(meta.get("grade_id")))
    repeated = [gid for gid, count in Counter(grade_ids).items() if count > 1]
    if repeated:
        shown = printable(repeated[0], 60)
        return f"{name}: cell '{shown}' appears {grade_ids.count(repeated[0])} times"
    return None


def submission_timestamp(folder: Path) -> datetime | None:
    """The time in ``timestamp.txt`` (as nbgrader writes it), or None when there is none."""
    path = folder / TIMESTAMP
    if not os.path.lexists(path):
        return None
    text = read_regular_file(path, MAX_TIMESTAMP_BYTES).decode("utf-8", "replace").strip()
    if not text:
        return None
    from nbgrader.utils import parse_utc  # nbgrader: only once there is a date to read

    try:
        when = parse_utc(text)
        when.astimezone(UTC)  # a date that a time zone pushes out of range fails here
    except Exception:  # noqa: BLE001 - any failure of the parse is the file's
        raise Refused(f"{TIMESTAMP} does not hold a date nbgrader can read") from None
    if not 1970 <= when.year <= 9998:
        raise Refused(f"{TIMESTAMP} holds a date outside the years 1970 to 9998")
    return when


def screen(course: Course, assignment: str, student: str, folder: Path | None = None) -> Screened:
    """Check ``student``'s submission of ``assignment`` (in ``submitted/``, or in
    ``folder``); raise ``Refused`` with the reason."""
    if not course.valid_student_id(student):
        raise Refused(f"'{printable(student, 60)}' is not a valid student id")
    if folder is None:
        folder = course.submission_folder(student, assignment)
        for path in (folder.parent, folder):
            if path.is_symlink():
                raise Refused("the submission folder is a symbolic link")
    if not folder.is_dir():
        raise Refused("there is no submission folder")
    check_entries(folder)
    expected = [path.name for path in course.source_notebooks(assignment)]
    present = [name for name in expected if (folder / name).is_file()]
    if not present:
        raise Refused(f"the submission has no notebook named {', '.join(expected)}")
    for name in present:
        problem = notebook_problem(folder / name)
        if problem:
            raise Refused(problem)
    return Screened(submission_timestamp(folder))
