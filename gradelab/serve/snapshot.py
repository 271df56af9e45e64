"""Freeze an inbound entry the moment it is taken: copy it, as the student left it, into a
folder only the service reads, and take its time from that copy.

A student owns their inbound entry and can change it between any two system calls, so it is
read through directory file descriptors: every name is opened relative to its folder's
descriptor with ``O_NOFOLLOW`` (a link is never followed, anywhere: a link is refused), each
folder and file is checked with ``fstat`` (its owner, that it is the one listed), and the
walk is a loop over a stack, bounded in depth, count and size. Its time is the latest
``ctime`` seen during the copy (which no user can set back); the entry is walked again after
the copy, and when anything changed meanwhile it is copied again, or refused after a few
tries. What the student does to the entry afterwards changes nothing: only the copy is judged.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gradelab.autograde.intake import MAX_ENTRIES, MAX_FOLDER_DEPTH, Refused
from gradelab.text import printable

SECRET = "submission_secret.txt"
TIMESTAMP = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
QUIET_SECONDS = 0.3  # an entry is complete once nothing in it changed for this long
MAX_TOTAL_BYTES = 200 * 1024 * 1024
COPIES = 3
CHUNK = 1 << 20
SECRET_TEXT = re.compile(r"[0-9A-Za-z_-]{16,256}\Z")
OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class NotYet(Exception):
    """The entry is still being submitted: look again later (in ``args[0]`` seconds, when
    given)."""


class NotTheirs(Exception):
    """The entry belongs to another account than the student it names (its ``uid``)."""


class Changed(Exception):
    """A name changed between listing it and opening it."""


@dataclass(frozen=True)
class Snapshot:
    """What was copied: the entry's time (the kernel's) and its submission secret."""

    submitted: datetime
    secret: str
    size: int = 0  # bytes copied


@dataclass(frozen=True)
class Rules:
    """Who may own the entry's files (None: anyone) and how large a file may be."""

    owners: frozenset[int] | None
    file_bytes: int


def _check(info: os.stat_result, listed: os.stat_result, rules: Rules, name: str) -> None:
    if (info.st_dev, info.st_ino) != (listed.st_dev, listed.st_ino):
        raise Changed(name)
    if rules.owners is not None and info.st_uid not in rules.owners:
        raise Refused(f"{printable(name, 60)} belongs to another user")


def _copy_file(fd: int, target: Path | None, limit: int, name: str) -> int:
    """Read the open file ``fd`` (into ``target`` when given), at most ``limit`` bytes."""
    copied = 0
    with open(target, "wb") if target is not None else open(os.devnull, "wb") as copy:
        while chunk := os.read(fd, CHUNK):
            copied += len(chunk)
            if copied > limit:
                raise Refused(f"{printable(name, 60)} is larger than {limit:,} bytes")
            copy.write(chunk)
    return copied


def _file(parent: int, name: str, listed: os.stat_result, rules: Rules, target: Path | None):
    fd = os.open(name, OPEN_FILE, dir_fd=parent)
    try:
        info = os.fstat(fd)
        _check(info, listed, rules, name)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{printable(name, 60)} is not a regular file")
        size = _copy_file(fd, target, rules.file_bytes, name)
        return size, os.fstat(fd).st_ctime
    finally:
        os.close(fd)


def walk(entry: int, rules: Rules, target: Path | None) -> float:
    """Read every folder and file under the open folder ``entry`` (copied into ``target``
    when given); the latest ``ctime`` seen. No recursion: a stack of open folders, at most
    ``MAX_FOLDER_DEPTH`` deep."""
    newest = os.fstat(entry).st_ctime
    count = total = 0
    stack = [(os.dup(entry), target, sorted(os.listdir(entry), reverse=True))]
    try:
        while stack:
            parent, here, names = stack[-1]
            if not names:
                os.close(parent)
                stack.pop()
                continue
            name = names.pop()
            count += 1
            if count > MAX_ENTRIES:
                raise Refused(f"the submission holds more than {MAX_ENTRIES} files")
            listed = os.stat(name, dir_fd=parent, follow_symlinks=False)
            newest = max(newest, listed.st_ctime)
            if len(stack) == 1 and name in (TIMESTAMP, SECRET):
                continue  # the service writes its own
            where = here / name if here is not None else None
            if stat.S_ISLNK(listed.st_mode):
                raise Refused(f"{printable(name, 60)} is a symbolic link")
            if stat.S_ISREG(listed.st_mode):
                size, changed = _file(parent, name, listed, rules, where)
                newest, total = max(newest, changed), total + size
                if total > MAX_TOTAL_BYTES:
                    raise Refused(f"the submission is larger than {MAX_TOTAL_BYTES:,} bytes")
            elif stat.S_ISDIR(listed.st_mode):
                if len(stack) >= MAX_FOLDER_DEPTH:
                    raise Refused(
                        f"the submission's folders are nested more than {MAX_FOLDER_DEPTH} deep"
                    )
                child = os.open(name, OPEN_FOLDER, dir_fd=parent)
                stack.append((child, where, []))
                _check(os.fstat(child), listed, rules, name)
                stack[-1][2].extend(sorted(os.listdir(child), reverse=True))
                if where is not None:
                    where.mkdir(mode=0o700)
            else:
                raise Refused(f"{printable(name, 60)} is not a regular file")
    finally:
        for fd, _, _ in stack:
            os.close(fd)
    return newest


def read_secret(entry: int, rules: Rules) -> str:
    """The entry's submission secret (nbgrader writes 128 hex digits)."""
    try:
        fd = os.open(SECRET, OPEN_FILE, dir_fd=entry)
    except FileNotFoundError:
        raise NotYet from None
    except OSError:
        raise Refused(f"{SECRET} is not a file") from None
    try:
        info = os.fstat(fd)
        _check(info, info, rules, SECRET)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{SECRET} is not a file")
        text = os.read(fd, 300).decode("ascii", "replace").strip()
    finally:
        os.close(fd)
    if not SECRET_TEXT.match(text):
        raise Refused(f"{SECRET} does not hold a submission secret")
    return text


def _fresh(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(mode=0o700, parents=True)


def take(inbound: Path, name: bytes, rules: Rules, target: Path) -> Snapshot:
    """Copy the entry ``name`` of ``inbound`` into the new folder ``target`` (with the
    entry's time and secret in nbgrader's files). Raise ``NotYet`` while it is being
    submitted, ``NotTheirs`` when the entry belongs to an account that may not submit it,
    ``Refused`` (``target`` then holding only its time and secret) when it cannot be
    taken."""
    folder = os.open(inbound, OPEN_FOLDER)
    try:
        try:
            entry = os.open(name, OPEN_FOLDER, dir_fd=folder)
        except FileNotFoundError:
            raise Refused("the submission was deleted from the exchange") from None
        except OSError:
            raise Refused("the submission is not a folder") from None
    finally:
        os.close(folder)
    secret, ctime = "", time.time()
    try:
        info = os.fstat(entry)
        ctime = info.st_ctime
        if rules.owners is not None and info.st_uid not in rules.owners:
            raise NotTheirs(info.st_uid)
        secret = read_secret(entry, rules)
        for _ in range(COPIES):
            _fresh(target)
            try:
                newest = walk(entry, rules, target)
            except (Changed, FileNotFoundError):
                continue
            if time.time() - newest < QUIET_SECONDS:
                shutil.rmtree(target)
                raise NotYet(QUIET_SECONDS - (time.time() - newest))
            if walk(entry, rules, None) <= newest and read_secret(entry, rules) == secret:
                break
        else:
            raise Refused("the submission kept changing while it was copied")
    except Refused:
        _refused(target, ctime, secret)
        raise
    except OSError as error:
        _refused(target, ctime, secret)
        raise Refused(f"a file of the submission cannot be read ({error.strerror})") from None
    finally:
        os.close(entry)
    return _stamp(target, newest, secret)


def _stamp(target: Path, newest: float, secret: str) -> Snapshot:
    submitted = datetime.fromtimestamp(newest, UTC)
    (target / TIMESTAMP).write_text(submitted.strftime(TIMESTAMP_FORMAT))
    if secret:
        (target / SECRET).write_text(secret)
    return Snapshot(submitted, secret)


def _refused(target: Path, ctime: float, secret: str) -> None:
    """A refused entry's folder: only its time and secret, so the student can be told why."""
    _fresh(target)
    _stamp(target, ctime, secret)


def taken_secret(target: Path) -> str | None:
    """The secret written by ``take`` into ``target``, if it read one."""
    path = target / SECRET
    return path.read_text() if path.is_file() else None
