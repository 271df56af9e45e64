"""Collect one inbound entry into a folder, as ``nbgrader collect`` copies it into
``submitted/<student>/<assignment>/``, but reading it as the student's: no link is
followed (a link is copied as a link, for screening to refuse), nothing but regular files
and folders is read (a pipe would block a copy forever), and files, their count and their
size are bounded. The folder is assembled beside its place and renamed into it, so it is
whole or absent.

``timestamp.txt`` is the time the exchange recorded (see ``inbox``), not the one the student
wrote; ``submission_secret.txt`` is kept, since ``nbgrader fetch_feedback`` finds the
feedback by it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from gradelab.autograde.intake import MAX_ENTRIES, MAX_FOLDER_DEPTH, Refused
from gradelab.course import Course
from gradelab.serve.inbox import SECRET, InboundEntry
from gradelab.text import printable

TIMESTAMP = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
MAX_TOTAL_BYTES = 200 * 1024 * 1024
SECRET_TEXT = re.compile(r"[0-9A-Za-z_-]{16,256}\Z")
CHUNK = 1 << 20


def _copy_file(origin: Path, target: Path, limit: int) -> int:
    """Copy a regular file of at most ``limit`` bytes; its size."""
    fd = os.open(origin, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as source:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(f"{printable(origin.name, 60)} is not a regular file")
        copied = 0
        with open(target, "wb") as copy:
            while chunk := source.read(CHUNK):
                copied += len(chunk)
                if copied > limit:
                    raise Refused(f"{printable(origin.name, 60)} is larger than {limit:,} bytes")
                copy.write(chunk)
    return copied


def secret_of(entry: InboundEntry) -> str:
    """The entry's submission secret (nbgrader writes 128 hex digits)."""
    fd = os.open(entry.secret_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as file:
        text = file.read(300).decode("ascii", "replace").strip()
    if not SECRET_TEXT.match(text):
        raise Refused(f"{SECRET} does not hold a submission secret")
    return text


def _copy_tree(origin: Path, target: Path, file_limit: int) -> None:
    count, total = 0, 0
    base = str(origin).count(os.sep)
    for parent, folders, files in os.walk(origin, followlinks=False):
        if parent.count(os.sep) - base > MAX_FOLDER_DEPTH:
            raise Refused(f"the submission's folders are nested more than {MAX_FOLDER_DEPTH} deep")
        here = target / os.path.relpath(parent, origin)
        here.mkdir(exist_ok=True)
        for name in folders + files:
            count += 1
            if count > MAX_ENTRIES:
                raise Refused(f"the submission holds more than {MAX_ENTRIES} files")
            path = Path(parent) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(path), here / name)
            elif stat.S_ISREG(mode) and name not in (TIMESTAMP, SECRET):
                total += _copy_file(path, here / name, file_limit)
                if total > MAX_TOTAL_BYTES:
                    raise Refused(f"the submission is larger than {MAX_TOTAL_BYTES:,} bytes")
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise Refused(f"{printable(name, 60)} is not a regular file")


def collect(course: Course, entry: InboundEntry, final: Path) -> None:
    """Copy ``entry`` into the folder ``final``; raise ``Refused`` (with the folder then
    holding only the entry's time and secret) when it cannot be copied."""
    partial = final.with_name(f".{final.name}.collecting")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    limit = CourseDirectory(config=course.config).max_file_size * 1000
    secret, refused = "", None
    try:
        secret = secret_of(entry)
        _copy_tree(entry.path, partial, limit)
    except Refused as error:
        refused = error
    except OSError as error:
        refused = Refused(f"a file of the submission cannot be read ({error.strerror})")
    if refused is not None:
        shutil.rmtree(partial)
        partial.mkdir()
    (partial / TIMESTAMP).write_text(entry.submitted.strftime(TIMESTAMP_FORMAT))
    if secret:
        (partial / SECRET).write_text(secret)
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    if refused is not None:
        raise refused
