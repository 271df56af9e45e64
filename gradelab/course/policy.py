"""Grading policies, per assignment, from ``c.Gradelab.policies`` in ``nbgrader_config.py``.

::

    c.Gradelab.policies = {
        "*": {"feedback_before_due": "public"},          # every assignment
        "week_3": {
            "due": "2026-12-04 17:00 UTC",
            "gradings_per_hour": 3,
            "counts": "best",
            "extensions": {"alice": "48h", "bob": "2026-12-06 12:00 UTC"},
        },
    }

- ``due``: the due date, with its zone: an offset (``"2026-12-04T17:00+01:00"``) or an IANA
  zone (``"2026-12-04 17:00 Europe/Paris"``); anything else is refused (``gradelab.course.dates``).
  It is written into the gradebook, where nbgrader's late-submission plugin
  (``c.AssignLatePenalties.plugin_class``) and formgrader read it. Without it, the
  gradebook's own due date stands.
- ``feedback_before_due``: what a feedback page shows before the student's due date:
  ``"everything"`` (the default), ``"public"`` (only the tests marked public:
  ``@pytest.mark.public``, and quiz questions that show correctness; no score) or
  ``"score"`` (the score per question, without test titles or messages).
- ``gradings_per_hour``: at most this many official gradings per student in any hour; a
  submission past it waits its turn, and the student is told when it will be graded.
- ``counts``: ``"last"`` (the default, as nbgrader) or ``"best"`` submission.
- ``extensions``: per student, hours (``"48h"``, ``"2d"``, a number of hours) or a new due
  date; stored as nbgrader's per-submission extension, which its late plugin follows. An
  extension set in the gradebook the nbgrader way stays: the larger of the two counts.
- ``hand_grades_on_resubmission``: what becomes of a grader's scores and comments when the
  student submits again: ``"clear"`` (the default: the new submission's hand-graded cells
  await a grader again) or ``"keep"`` (they stand for the new submission too, without a
  grader looking again: for answers graded for taking part, say).

An assignment's policy is the ``"*"`` entry updated with its own. Every field is checked when
the course is read; a mistake names the assignment and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gradelab.course.dates import parse_moment
from gradelab.errors import CourseError

EVERY_ASSIGNMENT = "*"
SHOWS = ("everything", "public", "score")
COUNTS = ("last", "best")
ON_RESUBMISSION = ("clear", "keep")
FIELDS = {
    "due",
    "feedback_before_due",
    "gradings_per_hour",
    "counts",
    "extensions",
    "hand_grades_on_resubmission",
}
MAX_DURATION_CHARS = 20
MAX_EXTENSION_HOURS = 24 * 366
DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([hd])\s*\Z")


@dataclass(frozen=True)
class Policy:
    """How one assignment is graded and shown; see the module's docstring."""

    assignment: str
    due: datetime | None = None
    feedback_before_due: str = "everything"
    gradings_per_hour: int | None = None
    counts: str = "last"
    extensions: dict[str, timedelta] = field(default_factory=dict)
    hand_grades_on_resubmission: str = "clear"

    def extension(self, student: str, recorded: timedelta | None = None) -> timedelta | None:
        """The student's extension: the larger of the policy's and ``recorded``, the one
        nbgrader's gradebook holds for their submission."""
        given = [e for e in (self.extensions.get(student), recorded) if e is not None]
        return max(given, default=None)

    def due_for(
        self, student: str, due: datetime | None = None, recorded: timedelta | None = None
    ) -> datetime | None:
        """The student's due date: the policy's (or ``due``, the gradebook's) plus their
        extension (``recorded``: the gradebook's)."""
        base = self.due or due
        if base is None:
            return None
        return base + (self.extension(student, recorded) or timedelta(0))

    def shows(
        self,
        student: str,
        now: datetime,
        due: datetime | None = None,
        recorded: timedelta | None = None,
    ) -> str:
        """What the student's feedback page shows at ``now``."""
        deadline = self.due_for(student, due, recorded)
        if deadline is None or now >= deadline:
            return "everything"
        return self.feedback_before_due


def utc(value: datetime) -> datetime:
    """A naive datetime is UTC, as in nbgrader's gradebook."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _extension(value: Any, due: datetime | None, where: str) -> timedelta:
    """Hours, days or a new due date, as a time added to the due date."""
    hours = None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        hours = float(value)
    elif (
        isinstance(value, str)
        and len(value) <= MAX_DURATION_CHARS
        and (found := DURATION.match(value))
    ):
        hours = float(found.group(1)) * (24 if found.group(2) == "d" else 1)
    if hours is not None:
        if not hours <= MAX_EXTENSION_HOURS:
            raise CourseError(f"{where}: an extension of at most {MAX_EXTENSION_HOURS:,} hours")
        return timedelta(hours=hours)
    if isinstance(value, str):
        new_due = parse_moment(value, where)
        if due is None:
            raise CourseError(f"{where}: a new due date needs the assignment's due date")
        if new_due < due:
            raise CourseError(f"{where}: {value!r} is before the due date")
        return new_due - due
    raise CourseError(f'{where}: an extension is "48h", "2d", a number of hours or a date')


def read_policy(assignment: str, entries: dict[str, Any], where: str) -> Policy:
    """The policy of ``assignment`` from the ``policies`` setting (``where`` names it)."""
    merged: dict[str, Any] = {}
    for key in (EVERY_ASSIGNMENT, assignment):
        entry = entries.get(key, {})
        if not isinstance(entry, dict):
            raise CourseError(f"{where}[{key!r}]: a dict of settings")
        unknown = set(entry) - FIELDS
        if unknown:
            raise CourseError(
                f"{where}[{key!r}]: unknown setting(s) {sorted(unknown)}; settings are "
                f"{sorted(FIELDS)}"
            )
        merged |= entry
    here = f"{where}[{assignment!r}]"
    due = parse_moment(merged["due"], f"{here}['due']") if merged.get("due") is not None else None
    shows = merged.get("feedback_before_due", "everything")
    if shows not in SHOWS:
        raise CourseError(f"{here}['feedback_before_due']: one of {', '.join(SHOWS)}")
    counts = merged.get("counts", "last")
    if counts not in COUNTS:
        raise CourseError(f"{here}['counts']: one of {', '.join(COUNTS)}")
    rate = merged.get("gradings_per_hour")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or rate < 1):
        raise CourseError(f"{here}['gradings_per_hour']: a whole number, at least 1 (or None)")
    hand_grades = merged.get("hand_grades_on_resubmission", "clear")
    if hand_grades not in ON_RESUBMISSION:
        raise CourseError(
            f"{here}['hand_grades_on_resubmission']: one of {', '.join(ON_RESUBMISSION)}"
        )
    extensions = merged.get("extensions", {})
    if not isinstance(extensions, dict):
        raise CourseError(f"{here}['extensions']: a dict of student id: extension")
    return Policy(
        assignment,
        due,
        shows,
        rate,
        counts,
        {
            str(student): _extension(value, due, f"{here}['extensions'][{student!r}]")
            for student, value in extensions.items()
        },
        hand_grades,
    )


def when(moment: datetime) -> str:
    """A moment as students read it: ``2026-12-04 17:00 UTC``."""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")
