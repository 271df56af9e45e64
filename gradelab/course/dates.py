"""Dates of the course's settings, read strictly: one meaning or a refusal.

A date is a day and a time of day with its zone, either as an offset (ISO 8601)::

    2026-12-04T17:00+01:00     2026-12-04 17:00 +01:00     2026-12-04 17:00:30Z

or as a zone of the IANA database, read through ``zoneinfo`` (``UTC``, or an area and a
place)::

    2026-12-04 17:00 Europe/Paris     2026-12-04 17:00 UTC

Anything else is refused with its text: an abbreviation (``PST``: several zones share each
one), a day first or month first (``04/12/2026``), a time without a zone, a local time that a
change of clocks skips or repeats.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gradelab.errors import CourseError
from gradelab.text import printable

MAX_CHARS = 80
EXAMPLES = '"2026-12-04 17:00 Europe/Paris" or "2026-12-04T17:00+01:00"'
_MOMENT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?:(?P<utc>Z)| ?(?P<sign>[+-])(?P<off_h>\d{2}):?(?P<off_m>[0-5]\d)"
    r"| (?P<zone>UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+){1,2}))",
    re.ASCII,
)


def parse_moment(text: object, where: str) -> datetime:
    """The moment ``text`` names, in UTC; a ``CourseError`` naming ``where`` (the setting)
    and the text when it is not a date with its zone."""
    if not isinstance(text, str):
        raise CourseError(f"{where}: a date with its zone, such as {EXAMPLES}")
    found = _MOMENT.fullmatch(text) if len(text) <= MAX_CHARS else None
    refused = CourseError(
        f'{where}: "{printable(text, MAX_CHARS)}" is not a date with its zone; write it as '
        f"{EXAMPLES}"
    )
    if found is None:
        raise refused
    try:
        local = datetime.fromisoformat(
            f"{found['date']}T{found['hour']}:{found['minute']}:{found['second'] or '00'}"
            f".{(found['fraction'] or '0').ljust(6, '0')}"
        )
        if found["zone"]:
            return _in_zone(local, found["zone"], text, where)
        offset = timedelta(0)
        if found["sign"]:
            offset = timedelta(hours=int(found["off_h"]), minutes=int(found["off_m"]))
            offset = -offset if found["sign"] == "-" else offset
        return local.replace(tzinfo=timezone(offset)).astimezone(UTC)
    except (ValueError, OverflowError):  # a 31 November, an offset of 24 h, year 0 in UTC
        raise refused from None


def _in_zone(local: datetime, name: str, text: str, where: str) -> datetime:
    """``local`` as a time of zone ``name``: refused when the zone is unknown, or when the
    zone's clocks skip that time or show it twice."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones
        raise CourseError(
            f'{where}: "{printable(text, MAX_CHARS)}" names no time zone of the IANA '
            f"database (such as Europe/Paris, America/New_York, UTC)"
        ) from None
    first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    moment = first.astimezone(UTC)
    shown = moment.astimezone(zone).replace(tzinfo=None)
    if first.utcoffset() != second.utcoffset() or shown != local:
        raise CourseError(
            f'{where}: "{printable(text, MAX_CHARS)}": the clocks of {name} skip or repeat '
            "that time; give the offset (such as +01:00) instead"
        )
    return moment
