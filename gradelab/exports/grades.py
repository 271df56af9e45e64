"""Grades out of the gradebook: nbgrader's CSV, and Gradescope's ``results.json``."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.exports.gradescope import export_gradescope
from gradelab.exports.spreadsheet import write_csv

COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]


class SafeCsvExport(ExportPlugin):
    """nbgrader's CSV export (the same columns and rows), written safely: quoted where a
    value holds a comma or a newline, and no cell a spreadsheet would run as a formula.
    ``nbgrader export`` uses it through ``c.ExportApp.plugin_class``."""

    def export(self, gradebook: Gradebook) -> None:
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        rows = []
        for assignment in gradebook.assignments:
            if assignments and assignment.name not in assignments:
                continue
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                    timestamp, raw = submission.timestamp, submission.score
                    penalty = submission.late_submission_penalty
                    score = max(0.0, raw - penalty)
                except MissingEntry:
                    timestamp, raw, penalty, score = "", 0.0, 0.0, 0.0
                rows.append(
                    [
                        assignment.name,
                        assignment.duedate,
                        timestamp,
                        student.id,
                        student.last_name,
                        student.first_name,
                        student.email,
                        raw,
                        penalty,
                        score,
                        assignment.max_score,
                    ]  # fmt: skip
                )
        write_csv(Path(self.to or "grades.csv"), COLUMNS, rows)


def export_grades(course: Course, target: Path) -> None:
    """nbgrader's CSV of the gradebook at ``target``, and Gradescope's results.json per
    submission under ``gradebook/gradescope/<assignment>/``."""
    nbgrader_commands.export(course, target)
    print(f"grades exported to {target}")
    for assignment in course.assignments():
        folder = course.root / "gradebook" / "gradescope" / assignment
        written = export_gradescope(course, assignment, folder)
        if written:
            print(f"Gradescope results.json for {len(written)} submissions in {folder}")
