"""The roster: which LMS user each gradelab student is.

A CSV file in UTF-8 with a header row and one row per student. ``student_id`` is required;
the other columns say who the student is in Canvas or in Moodle (``COLUMNS``). Cells are
read with surrounding spaces removed. Its names come from the LMS, where students often
choose them: the file is read within bounds, and every problem is reported with the file,
the line and the column, all of them at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from gradelab.errors import RosterError
from gradelab.exports.spreadsheet import FORMULA_STARTS
from gradelab.text import is_printable_name, printable

COLUMNS = {
    "student_id": "the student's id in gradelab: their folder name in submitted/ (required)",
    "name": "the student's name as the LMS shows it (Canvas's Student column)",
    "canvas_id": "Canvas's user ID, digits (the ID column of a Canvas gradebook export)",
    "sis_user_id": "Canvas's SIS User ID",
    "sis_login_id": "Canvas's SIS Login ID",
    "section": "Canvas's Section",
    "username": "Moodle's username",
    "idnumber": "Moodle's ID number",
    "email": "Moodle's email address",
}
CANVAS_IDS = ("canvas_id", "sis_user_id", "sis_login_id")
#: Moodle identifies a row by one column: the first of these the roster has.
MOODLE_IDS = ("username", "idnumber", "email")
IDENTIFIERS = ("student_id", *CANVAS_IDS, *MOODLE_IDS)

MAX_BYTES = 8_000_000
MAX_STUDENTS = 50_000
MAX_CELL = 256
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster: the line it starts on and its cells by column."""

    line: int
    student_id: str
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Roster:
    path: Path
    columns: tuple[str, ...]
    entries: list[RosterEntry]


class Problems:
    """The problems found in a roster, each with its line and column; the first
    ``MAX_PROBLEMS`` are kept, and all are counted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[str] = []
        self.count = 0

    def add(self, line: int, column: str | None, problem: str) -> None:
        self.count += 1
        if len(self.found) < MAX_PROBLEMS:
            where = f"line {line}" + (f", column '{column}'" if column else "")
            self.found.append(f"{printable(self.path, 200)}, {where}: {problem}")

    def error(self) -> RosterError:
        more = self.count - len(self.found)
        shown = self.found + ([f"... and {more} more"] if more else [])
        return RosterError("the roster cannot be used:\n  " + "\n  ".join(shown))

    def raise_any(self) -> None:
        if self.count:
            raise self.error()


def moodle_identifier(columns: tuple[str, ...]) -> str | None:
    """The roster column that identifies students in Moodle's import."""
    return next((column for column in MOODLE_IDS if column in columns), None)


def read_roster(path: Path, lms: str) -> Roster:
    """The roster at ``path``, checked for an export to ``lms`` ("canvas" or "moodle")."""
    problems = Problems(path)
    text = roster_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        columns = header_columns(header, lms, problems)
        entries = []
        start = reader.line_num + 1
        for cells in reader:
            if len(entries) >= MAX_STUDENTS:
                problems.add(start, None, f"more than {MAX_STUDENTS} students")
                break
            if any(cell.strip() for cell in cells):  # blank rows are skipped
                entry = roster_entry(start, columns, cells, lms, problems)
                if entry is not None:
                    entries.append(entry)
            start = reader.line_num + 1
    except csv.Error as error:
        problems.add(reader.line_num, None, f"not a readable CSV row ({error})")
        problems.raise_any()
    if not problems.count:
        check_unique(entries, columns, problems)
    problems.raise_any()
    return Roster(path, columns, entries)


def roster_text(path: Path) -> str:
    """The file's text: at most ``MAX_BYTES``, UTF-8 (with or without a byte-order mark)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise RosterError(
            f"{printable(path, 200)}: cannot read the roster ({error.strerror})"
        ) from None
    if len(data) > MAX_BYTES:
        raise RosterError(f"{printable(path, 200)}: larger than {MAX_BYTES} bytes; is it a roster?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems = Problems(path)
        problems.add(
            data.count(b"\n", 0, error.start) + 1, None, "not UTF-8 text; save it as UTF-8"
        )
        raise problems.error() from None


def header_columns(header: list[str], lms: str, problems: Problems) -> tuple[str, ...]:
    for column in header:
        if column not in COLUMNS:
            known = ", ".join(COLUMNS)
            problems.add(1, printable(column, 60), f"not a roster column (the columns are {known})")
        elif header.count(column) > 1:
            problems.add(1, column, "appears twice")
    if "student_id" not in header:
        problems.add(1, None, "no student_id column: gradelab's id of each student")
    if lms == "canvas" and not set(CANVAS_IDS) & set(header):
        problems.add(1, None, f"Canvas needs one of the columns {', '.join(CANVAS_IDS)}")
    if lms == "moodle" and moodle_identifier(tuple(header)) is None:
        problems.add(1, None, f"Moodle needs one of the columns {', '.join(MOODLE_IDS)}")
    problems.raise_any()
    return tuple(header)


def roster_entry(
    line: int, columns: tuple[str, ...], cells: list[str], lms: str, problems: Problems
) -> RosterEntry | None:
    """One row as an entry, or None with its problems noted."""
    if len(cells) != len(columns):
        problems.add(line, None, f"{len(cells)} cells, but the header has {len(columns)}")
        return None
    values = dict(zip(columns, (cell.strip() for cell in cells), strict=True))
    before = problems.count
    for column, value in values.items():
        if len(value) > MAX_CELL:
            problems.add(line, column, f"longer than {MAX_CELL} characters")
        elif not is_printable_name(value):
            problems.add(line, column, "holds control characters")
        elif column in IDENTIFIERS and value.startswith(FORMULA_STARTS):
            problems.add(
                line,
                column,
                f"{printable(value, 60)!r} starts with {value[0]!r}: a spreadsheet would run it "
                "as a formula, and quoted as text the LMS would not find the student; "
                "identify this student by another column",
            )
    if not values.get("student_id"):
        problems.add(line, "student_id", "empty: every row needs the student's gradelab id")
    if values.get("canvas_id", "").strip("0123456789"):
        problems.add(line, "canvas_id", "Canvas's user IDs are digits")
    if lms == "canvas" and not any(values.get(column) for column in CANVAS_IDS):
        problems.add(line, None, f"no Canvas id: fill one of {', '.join(CANVAS_IDS)}")
    identifier = moodle_identifier(columns)
    if lms == "moodle" and values.get(identifier, "") in ("", "0"):
        # Moodle's importer skips an empty (or "0") identifier and keeps the row before's
        # user: the grades would land on another student.
        problems.add(line, identifier, "empty or 0: Moodle would give these grades to another row")
    if problems.count > before:
        return None
    return RosterEntry(line, values["student_id"], values)


def check_unique(entries: list[RosterEntry], columns: tuple[str, ...], problems: Problems) -> None:
    """No two rows may name the same gradelab student or the same LMS user."""
    for column in (c for c in IDENTIFIERS if c in columns):
        first: dict[str, int] = {}
        for entry in entries:
            value = entry.get(column)
            if value and value in first:
                problems.add(
                    entry.line, column, f"{printable(value, 60)!r} is on line {first[value]} too"
                )
            first.setdefault(value, entry.line)
