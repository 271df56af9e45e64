"""How gradelab's commands log: one level for all of them (``--quiet``, ``--verbose``,
``--log-level``), and each line naming the course, assignment and student it is about.

A caller names them with ``extra={"course": ..., "assignment": ..., "student": ...}``
(``context``); ``ContextFilter`` turns them into ``%(context)s``, escaped, so a student's
folder name cannot forge a log line. It is a filter, so any formatter can use it.
"""

from __future__ import annotations

import logging
import os
import sys

from gradelab.text import printable

CONTEXT_KEYS = ("course", "assignment", "student")
FORMAT = "%(asctime)s %(levelname)s%(context)s %(message)s"


def context(**names: str | None) -> dict[str, str]:
    """``extra=`` for a log call about this course, assignment or student."""
    return {key: str(value) for key, value in names.items() if key in CONTEXT_KEYS and value}


class ContextFilter(logging.Filter):
    """Adds ``record.context``: " [course=c assignment=a student=s]", escaped, or ""."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = [
            f"{key}={printable(getattr(record, key), 80)}"
            for key in CONTEXT_KEYS
            if getattr(record, key, None)
        ]
        record.context = f" [{' '.join(found)}]" if found else ""
        return True


def level_of(quiet: bool, verbose: int, log_level: str | None) -> int:
    """The level the options ask for: ``--log-level`` wins, then ``-q``, then ``-v``."""
    if log_level:
        return logging.getLevelName(log_level.upper())
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def set_up(level: int) -> None:
    """Log to stderr at ``level``; gradelab's own lines at INFO at least when serving.
    Below WARNING, progress bars are hidden too (tqdm reads ``TQDM_DISABLE``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level >= logging.ERROR:
        os.environ["TQDM_DISABLE"] = "1"
