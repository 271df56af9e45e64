"""Log lines that a student's text cannot forge or turn into terminal commands.

``gradelab serve`` logs names and reasons that students chose (an inbound entry called
``junk\\x1b[2J``, a message with a line break in it). ``install`` puts one handler on the
root logger, for gradelab's loggers and the libraries' alike, whose formatter escapes every
control character of a record and cuts it: a record is one line (a traceback, the lines
Python wrote, each escaped), however its text was made.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from gradelab.text import printable

FORMAT = "%(asctime)s %(levelname)s %(message)s"
MAX_LINE = 4000


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


def install(stream: TextIO | None = None) -> logging.Handler:
    """Log to ``stream`` (standard output) through ``EscapingFormatter``: warnings and up,
    and what ``gradelab serve`` does (``gradelab.serve`` at INFO). Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(EscapingFormatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("gradelab.serve").setLevel(logging.INFO)  # nbgrader's steps stay quiet
    return handler
