"""Text a student controls, made safe to show: bounded in length, free of control characters.

Every student-controlled string that reaches a notebook, feedback, a report, an export or the
terminal goes through these: exception names and messages, printed output, folder names.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that move a terminal's cursor, change its colours or its title, break a line,
#: or cannot be written as UTF-8 at all (lone surrogates, which JSON escapes can make).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
ELLIPSIS = "\u2026"


def _escaped(match: re.Match) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        char, f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"
    )


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def printable(text: object, limit: int = 200) -> str:
    """``text`` for a terminal or a log line: control characters escaped, then cut."""
    return cut(_CONTROL.sub(_escaped, cut(str(text), 4 * limit)), limit)


def one_line(text: object, limit: int = 400) -> str:
    """The first non-empty line of ``text``, without control characters, cut to ``limit``."""
    text = cut(str(text), 8 * limit)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return cut(_CONTROL.sub(_escaped, first), limit)


def is_printable_name(text: str) -> bool:
    """Whether ``text`` has no control or format characters (a name safe to print as is)."""
    return not _CONTROL.search(text) and all(unicodedata.category(c) != "Cf" for c in text)
