"""``gradelab report``: one HTML page on how an assignment went, to find the questions to fix.

Per question: the score distribution, each test's pass rate, the most common named mistakes,
and item statistics (difficulty, discrimination) that flag a question nearly everyone fails
or one strong students fail more often than weak ones. Per student: the score of each
question, the total, lateness and the late penalty, and a link to the feedback page. Then
the submissions not attempted, the crashes and limits, and those not graded.

The parts, in the order the page is made: ``submissions`` (read the gradebook and the
results), ``problems`` (crashes and limits), ``analysis`` and ``items`` (per question),
``charts`` (SVG), ``page`` (HTML).
"""

from __future__ import annotations

from pathlib import Path

from gradelab.course import Course
from gradelab.grading.hidden_suite import uses_hidden_suite
from gradelab.grading.nbgrader_mode import NBGRADER_MODE_NOTE
from gradelab.report.analysis import question_reports
from gradelab.report.page import render
from gradelab.report.submissions import read_submissions


def report_path(course: Course, assignment: str) -> Path:
    return course.root / "gradebook" / f"report_{assignment}.html"


def build_report(course: Course, assignment: str) -> str:
    """The report's HTML, from the gradebook and the autograded notebooks as they are now."""
    record = read_submissions(course, assignment)
    notice = (
        ""
        if uses_hidden_suite(course, assignment)
        else f"This assignment was {NBGRADER_MODE_NOTE}."
    )
    return render(record, question_reports(record), report_path(course, assignment).parent, notice)


def write_report(course: Course, assignment: str) -> Path:
    """Write ``gradebook/report_<assignment>.html``; return its path."""
    target = report_path(course, assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(build_report(course, assignment))
    return target
