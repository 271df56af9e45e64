"""Before ``gradelab serve`` starts: the course is the instructor's alone, and the exchange
is laid out as nbgrader lays it out, with the sticky bits it lacks.

The course folder holds what no student may read: the hidden tests, the reference
solutions, the gradebook (every student's scores and each submission's secret, which names
their feedback page in the exchange) and every student's work. A student reaches the course
only through the exchange. So the service refuses to start while any of these can be read by
another user, naming each path and the command that fixes it. A path can be read by another
user when every folder above it lets others through (the search bit for group or others, or
an owner other than root, the service and the instructor, who owns the course folder and
grades in formgrader) and it lets them in itself (read, or for a folder search, for group
or others; or another owner). ACLs are not read: keep them off the course.

The exchange's folders are mended where they differ from what nbgrader makes (``nbgrader
release_assignment`` and ``release_feedback``), and each change is logged:

- the exchange's root: writable by all (nbgrader submits into it) and sticky, so that no
  student can rename or replace the course's folder in it;
- ``<course>`` and ``outbound``: writable by their owner only (0755);
- ``inbound``: students may enter and add an entry, not list it (0733, setgid), and sticky,
  so that no student can rename or delete another's entry;
- ``feedback``: students may enter it, not list it (0711): a page is fetched by its name.

Each must belong to the service's user; one that does not (a student made it first) stops
the service, named.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from nbgrader.exchange.default.exchange import Exchange
from sqlalchemy.engine import make_url

from gradelab.course import Course
from gradelab.errors import CourseError

log = logging.getLogger("gradelab.serve")
PRIVATE_FOLDERS = ("gradebook", "solutions", "autograder")
PRIVATE_STEPS = ("source", "submitted", "autograded", "feedback")  # nbgrader's, as configured
GROUP_OR_OTHERS_SEARCH = 0o011
GROUP_OR_OTHERS_READ = 0o044


def _trusted_owner(uid: int, also: int | None = None) -> bool:
    return uid in (0, os.geteuid(), also)


def _lets_others_through(path: Path, instructor: int | None) -> bool:
    info = os.stat(path)
    trusted = _trusted_owner(info.st_uid, instructor)
    return not trusted or bool(info.st_mode & GROUP_OR_OTHERS_SEARCH)


def readable_by_others(path: Path, instructor: int | None = None) -> bool:
    """Whether a user other than root, the service and ``instructor`` (a uid: the course
    folder's owner, who grades in formgrader) could read ``path`` (its real path)."""
    real = path.resolve()
    if not all(_lets_others_through(folder, instructor) for folder in reversed(real.parents)):
        return False
    info = os.stat(real)
    opening = GROUP_OR_OTHERS_READ | (GROUP_OR_OTHERS_SEARCH if stat.S_ISDIR(info.st_mode) else 0)
    return not _trusted_owner(info.st_uid, instructor) or bool(info.st_mode & opening)


def private_paths(course: Course) -> list[Path]:
    """The course folder and what in it only the instructor may read, where they exist."""
    paths = [course.root, *(course.root / name for name in PRIVATE_FOLDERS)]
    paths += [course.folder(step) for step in PRIVATE_STEPS]
    url = make_url(course.db_url)
    if url.get_backend_name() == "sqlite" and url.database:
        paths.append(Path(url.database))
    return [path for path in dict.fromkeys(paths) if path.exists()]


def check_course(course: Course) -> None:
    """Refuse (``CourseError``) when another user could read the course or a private part of
    it, naming each such path and the ``chmod`` that closes it."""
    root = course.root.resolve()
    instructor = os.stat(root).st_uid
    problems = []
    for path in private_paths(course):
        if readable_by_others(path, instructor):
            real = path.resolve()
            closes = root if real == root or root in real.parents else real
            mode = stat.S_IMODE(os.stat(real).st_mode)
            problems.append(f"  {real} (mode {mode:o}): chmod 700 {closes}")
    if problems:
        raise CourseError(
            "gradelab serve does not start while other users can read the course: "
            "its hidden tests, solutions, gradebook and every student's work and secret "
            "(docs/deploy.md, 'The course is yours alone'). Readable now:\n"
            + "\n".join(dict.fromkeys(problems))
        )


def _mend(path: Path, wanted: int, why: str) -> str | None:
    """Set ``path``'s mode to ``wanted`` unless it has it; say what changed, or None."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise CourseError(f"{path}: not a folder of the exchange (a link or a file); remove it")
    if not _trusted_owner(info.st_uid):
        raise CourseError(
            f"{path} belongs to uid {info.st_uid}, not to the service: another user made it "
            "first. Remove it and release again (nbgrader release_assignment)"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode == wanted:
        return None
    os.chmod(path, wanted)
    return f"{path}: mode {mode:o} is now {wanted:o} ({why})"


def mend_exchange(course: Course) -> list[str]:
    """Give the course's folders in the exchange nbgrader's modes and the sticky bits; return
    each change made. The course's folder in the exchange must exist (nbgrader made it when
    the first assignment was released)."""
    top = Path(Exchange(config=course.config).root)
    here = top / course.course_id
    if not (here / "inbound").is_dir():
        raise CourseError(
            f"no {here / 'inbound'}: release an assignment to the exchange first "
            "(nbgrader release_assignment ASSIGNMENT)"
        )
    shared = bool(course.directories.groupshared)
    group_rw = 0o2020 if shared else 0
    wanted = [
        (here, 0o755 | group_rw, "only its owner may change it"),
        (here / "outbound", 0o755 | group_rw, "only its owner may change it"),
        (
            here / "inbound",
            0o3733 | (0o040 if shared else 0),
            "students add entries and cannot list, rename or delete anyone's",
        ),
    ]
    if (here / "feedback").exists():
        wanted.append((here / "feedback", 0o711 | (0o2060 if shared else 0), "not listable"))
    info = os.stat(top)
    changes = []
    if not info.st_mode & stat.S_ISVTX and _trusted_owner(info.st_uid):
        os.chmod(top, stat.S_IMODE(info.st_mode) | stat.S_ISVTX)
        changes.append(f"{top}: now sticky (no student can rename the course's folder)")
    changes += [change for change in (_mend(*item) for item in wanted) if change]
    return changes


def check_deployment(course: Course) -> None:
    """Refuse to serve a course that other users can read; mend the exchange, logging it."""
    check_course(course)
    for change in mend_exchange(course):
        log.warning("exchange mended: %s", change)
