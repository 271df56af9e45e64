"""The exchange's inbound folder of a course, read as ``nbgrader collect`` reads it.

``nbgrader submit`` copies a student's assignment folder to
``<exchange>/<course>/inbound/<student>+<assignment>+<timestamp>+<random>/`` and writes
``timestamp.txt`` and ``submission_secret.txt`` into it last. Everything in there is the
student's: the name, the files, even the timestamp. So an entry is taken only once it is
complete (its secret written and nothing changed for a moment); its time is the last change
the kernel recorded to it (``ctime``, which no user can set back), not the time it claims;
and, as nbgrader's ``CollectApp.check_owner`` asks, the Unix account that owns it must be
the student it names (or root, the instructor).
"""

from __future__ import annotations

import os
import pwd
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.exchange.default.exchange import Exchange

from gradelab.course import Course
from gradelab.text import printable

SECRET = "submission_secret.txt"
QUIET_SECONDS = 0.3  # an entry is complete once nothing in it changed for this long
MAX_ENTRY_FILES = 2_000


@dataclass(frozen=True)
class InboundEntry:
    """One submission in the exchange."""

    name: str
    path: Path
    student: str
    assignment: str
    submitted: datetime  # the last change to it, by the kernel's clock

    @property
    def secret_path(self) -> Path:
        return self.path / SECRET


@dataclass(frozen=True)
class Unusable:
    """An inbound entry that is not taken, and why (for the instructor)."""

    name: str
    reason: str


def exchange_inbound(course: Course) -> Path:
    """``<exchange root>/<course id>/inbound``, as nbgrader's exchange places it."""
    root = Exchange(config=course.config).root
    return Path(root) / course.course_id / "inbound"


def check_owner(course: Course) -> bool:
    """nbgrader's ``CollectApp.check_owner`` (default on)."""
    return bool(course.config.CollectApp.get("check_owner", True))


def last_change(path: Path) -> float | None:
    """The newest ctime in the entry (a bounded walk that follows no link), or None when it
    holds too many files to be a submission."""
    newest, count = os.lstat(path).st_ctime, 0
    for parent, folders, files in os.walk(path, followlinks=False):
        for name in folders + files:
            count += 1
            if count > MAX_ENTRY_FILES:
                return None
            try:
                newest = max(newest, os.lstat(os.path.join(parent, name)).st_ctime)
            except OSError:
                continue
    return newest


def read_entry(
    course: Course, path: Path, assignments: set[str], owners: bool
) -> InboundEntry | Unusable | None:
    """The entry at ``path``; ``Unusable`` with the reason; None when it is not complete yet."""
    name = path.name
    parts = name.rsplit("+", 3)
    shown = printable(name, 120)
    if len(parts) < 3:
        return Unusable(name, f"{shown}: not an nbgrader submission name")
    student, assignment = parts[0], parts[1]
    if not course.valid_student_id(student):
        return Unusable(name, f"{shown}: '{printable(student, 60)}' is not a valid student id")
    if assignment not in assignments:
        return Unusable(name, f"{shown}: no released assignment '{printable(assignment, 60)}'")
    try:
        info = os.lstat(path)
    except OSError as error:
        return Unusable(name, f"{shown}: cannot be read ({error.strerror})")
    if not stat.S_ISDIR(info.st_mode):
        return Unusable(name, f"{shown}: not a folder")
    if owners and info.st_uid != 0:
        try:
            owner = pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            owner = f"uid {info.st_uid}"
        if owner != student:
            return Unusable(name, f"{shown}: claims to be {student}'s but belongs to {owner}")
    try:
        if not stat.S_ISREG(os.lstat(path / SECRET).st_mode):
            return Unusable(name, f"{shown}: {SECRET} is not a file")
        changed = last_change(path)
    except FileNotFoundError:
        return None  # still being submitted
    except OSError as error:
        return Unusable(name, f"{shown}: cannot be read ({error.strerror})")
    if changed is None:
        return Unusable(name, f"{shown}: more than {MAX_ENTRY_FILES} files")
    if datetime.now().timestamp() - changed < QUIET_SECONDS:
        return None
    return InboundEntry(name, path, student, assignment, datetime.fromtimestamp(changed, UTC))


def scan(course: Course, assignments: set[str], known: set[str]) -> list[InboundEntry | Unusable]:
    """The complete entries of ``assignments`` not in ``known`` (names), oldest first."""
    inbound = exchange_inbound(course)
    owners = check_owner(course)
    found: list[InboundEntry | Unusable] = []
    try:
        names = [entry.name for entry in os.scandir(inbound)]
    except FileNotFoundError:
        return []
    for name in names:
        if name in known:
            continue
        entry = read_entry(course, inbound / name, assignments, owners)
        if entry is not None:
            found.append(entry)
    entries = sorted((e for e in found if isinstance(e, InboundEntry)), key=lambda e: e.submitted)
    return [*entries, *(e for e in found if isinstance(e, Unusable))]
