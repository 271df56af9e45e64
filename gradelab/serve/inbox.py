"""The exchange's inbound folder of a course, read as ``nbgrader collect`` reads it.

``nbgrader submit`` copies a student's assignment folder to
``<exchange>/<course>/inbound/<student>+<assignment>+<timestamp>+<random>/`` and writes
``timestamp.txt`` and ``submission_secret.txt`` into it last. Everything in there is the
student's, the name too: names are read as bytes and kept as a safe key (every byte but
letters, digits and `` +:.-_`` escaped as ``%XX``), which is also how they are printed. Only
the name is read here; the entry itself is read once, by ``snapshot``.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

from nbgrader.exchange.default.exchange import Exchange

from gradelab.course import Course
from gradelab.serve.snapshot import Rules
from gradelab.text import printable

SAFE = " +:.-_"


@dataclass(frozen=True)
class Arrived:
    """An entry named as a submission of a served assignment by a valid student id."""

    key: str
    student: str
    assignment: str


@dataclass(frozen=True)
class Unusable:
    """An inbound entry that is not taken, and why (for the instructor)."""

    key: str
    reason: str


def entry_key(name: bytes) -> str:
    """The entry's name as a safe, printable key, one key per name."""
    return quote(name, safe=SAFE)


def entry_name(key: str) -> bytes:
    """The name of the entry whose key is ``key``."""
    return unquote_to_bytes(key)


def exchange_inbound(course: Course) -> Path:
    """``<exchange root>/<course id>/inbound``, as nbgrader's exchange places it."""
    root = Exchange(config=course.config).root
    return Path(root) / course.course_id / "inbound"


def entry_names(course: Course) -> list[bytes]:
    """The names in the inbound folder, as bytes."""
    try:
        return os.listdir(os.fsencode(exchange_inbound(course)))
    except FileNotFoundError:
        return []


def read_name(course: Course, name: bytes, assignments: set[str]) -> Arrived | Unusable:
    """What the entry's name says: a submission to take, or ``Unusable`` with the reason."""
    key = entry_key(name)
    shown = printable(key, 120)
    try:
        parts = name.decode("utf-8").rsplit("+", 3)
    except UnicodeDecodeError:
        return Unusable(key, f"{shown}: not an nbgrader submission name")
    if len(parts) < 3:
        return Unusable(key, f"{shown}: not an nbgrader submission name")
    student, assignment = parts[0], parts[1]
    if not course.valid_student_id(student):
        return Unusable(key, f"{shown}: '{printable(student, 60)}' is not a valid student id")
    if assignment not in assignments:
        return Unusable(key, f"{shown}: no released assignment '{printable(assignment, 60)}'")
    return Arrived(key, student, assignment)


def rules(course: Course, student: str, file_bytes: int) -> Rules:
    """Who may own ``student``'s entry: as nbgrader's ``CollectApp.check_owner`` (default
    on) asks, the Unix account named by the entry, or root (the instructor)."""
    if not course.config.CollectApp.get("check_owner", True):
        return Rules(None, file_bytes)
    try:
        owners = frozenset({0, pwd.getpwnam(student).pw_uid})
    except KeyError:
        owners = frozenset({0})
    return Rules(owners, file_bytes)
