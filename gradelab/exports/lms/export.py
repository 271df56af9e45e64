"""``gradelab export --format canvas|moodle``: the gradebook's final scores as the LMS's grade
import file, for the students of a roster, and what did not match, for the instructor."""

from __future__ import annotations

from pathlib import Path

from gradelab.course import Course
from gradelab.exports.lms import canvas, moodle
from gradelab.exports.lms.grades import Matched, gradebook_grades, match_roster
from gradelab.exports.lms.roster import moodle_identifier, read_roster
from gradelab.text import printable

LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}
DEFAULT_TARGETS = {"canvas": "gradebook/canvas_grades.csv", "moodle": "gradebook/moodle_grades.csv"}


def export_for_lms(course: Course, lms: str, roster_path: Path, target: Path) -> list[str]:
    """Write ``target`` for ``lms`` ("canvas" or "moodle"); return the lines to print: where
    it went, how to import it, and every student who is on one side only."""
    roster = read_roster(roster_path, lms)
    matched = match_roster(gradebook_grades(course), roster)
    if lms == "canvas":
        notes = canvas.write_canvas(target, matched)
        how = canvas.HOW_TO_IMPORT
    else:
        identifier = moodle_identifier(roster.columns)
        notes = moodle.write_moodle(target, matched, identifier)
        how = moodle.how_to_import(identifier)
    return [
        f"{LMS_NAMES[lms]} grades of {counted(len(matched.entries), 'roster student')} in "
        f"{counted(len(matched.assignments), 'assignment')} written to {printable(target, 300)}",
        f"  import it {how}",
        *(f"  note: {note}" for note in notes),
        *unmatched_lines(matched),
    ]


def unmatched_lines(matched: Matched) -> list[str]:
    """Everyone on one side only, by name: nobody is left out without a word."""
    lines = []
    if matched.not_on_roster:
        lines.append(
            "  in the gradebook, not on the roster, so not in the file: "
            + names(matched.not_on_roster)
        )
    for assignment in matched.assignments:
        missing = matched.no_submission[assignment.name]
        if missing:
            lines.append(f"  {assignment.name}, no submission (empty cells): {names(missing)}")
        pending = matched.no_score_yet[assignment.name]
        if pending:
            lines.append(
                f"  {assignment.name}, no score yet: grading failed (empty cells; grade them "
                f"again with gradelab autograde {assignment.name}): {names(pending)}"
            )
    return lines


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def names(students: list[str]) -> str:
    """The students by id, with how many there are."""
    return ", ".join(printable(student, 64) for student in students) + f" ({len(students)})"
