"""Canvas's gradebook import file (Grades > Import), as Canvas's guide "How do I import
grades in the Gradebook?" lays it out and its importer reads it.

The header is ``Student, ID, SIS User ID, SIS Login ID, Section`` and one column per
assignment, titled with its name (Canvas updates the assignment of that title, or makes one);
the row under it starts with ``Points Possible`` and gives each assignment's points. Canvas
finds each student by ``ID``, else ``SIS User ID``, else ``SIS Login ID``, and only then by
name; the roster gives every student one of the three.
"""

from __future__ import annotations

from pathlib import Path

from gradelab.exports.lms.grades import Matched, score_text
from gradelab.exports.lms.roster import RosterEntry
from gradelab.exports.spreadsheet import write_csv
from gradelab.text import printable

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
ROSTER_COLUMNS = ["name", "canvas_id", "sis_user_id", "sis_login_id", "section"]
POINTS_POSSIBLE = "Points Possible"
HOW_TO_IMPORT = (
    "in Canvas: Grades > Import, choose this file; students are matched by ID, then SIS User "
    "ID, then SIS Login ID; an assignment column updates the assignment of that title"
)


def student_cells(entry: RosterEntry, notes: list[str]) -> list[str]:
    """The five student columns of an entry. Canvas reads any row whose first cell holds
    "Points Possible" as the points row: such a name is left out (the ids find the student)."""
    cells = [entry.get(column) for column in ROSTER_COLUMNS]
    if POINTS_POSSIBLE in cells[0]:
        notes.append(
            f"roster line {entry.line}: the name holds {POINTS_POSSIBLE!r}, which Canvas reads as "
            f"its points row; the Student cell of {printable(entry.student_id, 60)} is left empty"
        )
        cells[0] = ""
    return cells


def write_canvas(path: Path, matched: Matched) -> list[str]:
    """Write the import file for the roster's students; return notes for the instructor."""
    notes: list[str] = []
    header = STUDENT_COLUMNS + [a.name for a in matched.assignments]
    points = [POINTS_POSSIBLE, "", "", "", ""] + [
        score_text(a.max_score) for a in matched.assignments
    ]
    rows = [points] + [
        student_cells(entry, notes)
        + [score_text(a.scores.get(entry.student_id)) for a in matched.assignments]
        for entry in matched.entries
    ]
    write_csv(path, header, rows)
    return notes
