"""Moodle's grade import from a CSV file (Grades > Import > CSV file), as Moodle's "Grade
import" page lays it out and its importer (``grade/import/csv``) reads it.

One identifier column, headed as Moodle names the user field (``Username``, ``ID number`` or
``Email address``), then one column per assignment, headed with its name. On the import page
the instructor maps the identifier column to the same user field, and each assignment column
to its grade item (or to a new one). An empty cell is "no grade".
"""

from __future__ import annotations

from pathlib import Path

from gradelab.exports.lms.grades import Matched, score_text
from gradelab.exports.spreadsheet import write_csv

#: The roster's identifier columns, as Moodle's import page names the user fields.
FIELD_NAMES = {"username": "Username", "idnumber": "ID number", "email": "Email address"}
#: Moodle refuses an imported grade above this unless the site allows more
#: ("unlimitedgrades" and "gradepointmax" in its grade settings).
GRADE_POINT_MAX = 100.0


def how_to_import(identifier: str) -> str:
    field = FIELD_NAMES[identifier]
    return (
        f"in Moodle: Grades > Import > CSV file; under Identify user by, map from {field!r} "
        f"to {field!r}; map each assignment column to its grade item (or a new grade item)"
    )


def write_moodle(path: Path, matched: Matched, identifier: str) -> list[str]:
    """Write the import file, identifying students by the roster's ``identifier`` column;
    return notes for the instructor."""
    header = [FIELD_NAMES[identifier]] + [a.name for a in matched.assignments]
    rows = [
        [entry.get(identifier)]
        + [score_text(a.scores.get(entry.student_id)) for a in matched.assignments]
        for entry in matched.entries
    ]
    write_csv(path, header, rows)
    return [
        f"{a.name} is out of {score_text(a.max_score)}: Moodle refuses grades above "
        f"{score_text(GRADE_POINT_MAX)} unless the site's grade settings allow them"
        for a in matched.assignments
        if a.max_score > GRADE_POINT_MAX
    ]
