"""How gradelab's commands log: one level for all of them (``--quiet``, ``--verbose``,
``--log-level``), each line naming the course, assignment and student it is about, and no
line that a student's text can forge or turn into terminal commands.

A caller names the course, assignment and student with ``extra=context(...)``;
``ContextFilter`` turns them into ``%(context)s``. ``gradelab serve`` logs names and reasons
that students chose (an inbound entry called ``junk\\x1b[2J``, a message with a line break in
it): ``EscapingFormatter`` escapes every control character of a record and cuts it, so a
record is one line (a traceback: the lines Python wrote, each escaped), however its text was
made. ``set_up`` puts one such handler on the root logger, for gradelab's loggers and the
libraries' alike.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from gradelab.text import printable

CONTEXT_KEYS = ("course", "assignment", "student")
FORMAT = "%(asctime)s %(levelname)s%(context)s %(message)s"
MAX_LINE = 4000


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


def _escaped_lines(text: str) -> str:
    return "\n".join(printable(line, MAX_LINE) for line in text.split("\n"))


class EscapingFormatter(logging.Formatter):
    """A formatter whose message is one escaped line, and whose traceback lines are escaped."""

    def format(self, record: logging.LogRecord) -> str:
        cached, record.exc_text = record.exc_text, None  # another handler's, unescaped
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record), MAX_LINE)

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return _escaped_lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        return _escaped_lines(super().formatStack(stack_info))


def escaping_handler(stream: TextIO) -> logging.Handler:
    """A handler writing to ``stream`` with the course context, every line escaped."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(EscapingFormatter(FORMAT))
    return handler


def level_of(quiet: bool, verbose: int, log_level: str | None) -> int:
    """The level the options ask for: ``--log-level`` wins, then ``-q``, then ``-v``."""
    if log_level:
        return logging.getLevelName(log_level.upper())
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def set_up(level: int) -> None:
    """Log to stderr at ``level`` through ``escaping_handler``. Below WARNING, progress bars
    are hidden too (tqdm reads ``TQDM_DISABLE``)."""
    root = logging.getLogger()
    root.handlers[:] = [escaping_handler(sys.stderr)]
    root.setLevel(level)
    if level >= logging.ERROR:
        os.environ["TQDM_DISABLE"] = "1"
