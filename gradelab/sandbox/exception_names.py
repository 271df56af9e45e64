"""What feedback may show of an exception raised in the sandbox: its class name and where.

The sandbox reports the class name of what a student's code raised, and the cell and line.
All three come from the submission: a class it made itself can carry any name, even one
built from the hidden test's inputs (``type(f"W{x}", (Exception,), {})``), and a forged
report any cell or line. So a name is shown only when it is one of a fixed set (Python's
built-in exceptions and the few of numpy and the student kit a submission meets), and any
other name as the same fixed words; a place only when it is a cell the grader sent and a
line of that cell.
"""

from __future__ import annotations

import builtins
from typing import Any

OWN_CLASS = "an exception of a class it defined"
LIBRARY_NAMES = frozenset({"LinAlgError", "AxisError", "CheckFailed"})
KNOWN_NAMES = LIBRARY_NAMES | {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def shown_exception(name: object) -> str:
    """``name`` when it is a known exception's name, else ``OWN_CLASS``."""
    return name if isinstance(name, str) and name in KNOWN_NAMES else OWN_CLASS


def shown_error(error: dict[str, Any], code: list[tuple[str, str]]) -> dict[str, Any]:
    """The sandbox's report of an exception reduced to what may be shown: ``type`` (see
    ``shown_exception``), and ``cell`` and ``line`` only when ``code`` (the cells sent, as
    name and source) has that cell and that line, else None."""
    sources = dict(code)
    cell, line = error.get("cell"), error.get("line")
    placed = (
        isinstance(cell, str)
        and cell in sources
        and isinstance(line, int)
        and not isinstance(line, bool)
        and 1 <= line <= sources[cell].count("\n") + 1
    )
    return {
        "type": shown_exception(error.get("type")),
        "cell": cell if placed else None,
        "line": line if placed else None,
    }
