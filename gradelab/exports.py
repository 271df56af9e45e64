"""Grades out of the gradebook: nbgrader's CSV, and Gradescope's ``results.json``."""

from __future__ import annotations

from pathlib import Path

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.gradescope import export_gradescope


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
