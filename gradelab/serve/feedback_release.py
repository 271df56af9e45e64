"""Feedback for one student, made and released into the exchange without waiting for anyone.

What the gradebook holds (a graded or refused submission) goes the way ``nbgrader
generate_feedback --student S`` and ``nbgrader release_feedback --student S`` take it, run in
this process: nbgrader's own converter and exchange classes. A page that is not the
gradebook's (a submission waiting for the hourly limit, or under "best" one that does not
count) is placed where ``nbgrader fetch_feedback`` looks for that submission: the exchange's
``feedback/<notebook_hash(secret, notebook)>.html``, written whole and renamed into place, as
nbgrader's release does.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

from nbgrader.auth import Authenticator
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeReleaseFeedback
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.preprocessors import GetGrades
from nbgrader.utils import notebook_hash
from traitlets.utils.importstring import import_item

from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook
from gradelab.feedback.grades import GradesAtOnce
from gradelab.feedback.page import not_graded_page
from gradelab.serve.snapshot import SECRET, TIMESTAMP

PAGE_MODE = 0o644  # readable by its name only: the feedback folder cannot be listed


def _coursedir(course: Course, student: str, assignment: str) -> CourseDirectory:
    coursedir = CourseDirectory(config=course.config)
    coursedir.student_id = student
    coursedir.assignment_id = assignment
    return coursedir


def generate(course: Course, student: str, assignment: str) -> None:
    """``nbgrader generate_feedback ASSIGNMENT --student STUDENT --force``, in this process
    (its ``GetGrades`` step read at once: ``gradelab.feedback.grades``)."""
    config = copy.deepcopy(course.config)
    config.BaseConverter.force = True
    converter = GenerateFeedback(coursedir=_coursedir(course, student, assignment), config=config)
    converter.preprocessors = [at_once(step) for step in converter.preprocessors]
    converter.start()


def at_once(step: str | type) -> type:
    """``GradesAtOnce`` for nbgrader's ``GetGrades``; any other step as it is."""
    found = import_item(step) if isinstance(step, str) else step
    return GradesAtOnce if found is GetGrades else found


def write_not_graded(course: Course, student: str, assignment: str, reason: str) -> None:
    """The feedback folder of a refused submission: a page with the reason per notebook, and
    the submission's time and secret, which the release needs."""
    folder = course.feedback_folder(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    submitted = course.submission_folder(student, assignment)
    for name in (TIMESTAMP, SECRET):
        if (submitted / name).is_file():
            (folder / name).write_text((submitted / name).read_text())
    maximum = course_max_score(course, assignment)
    for source in course.source_notebooks(assignment):
        page = not_graded_page(assignment, source.stem, reason, maximum)
        (folder / f"{source.stem}.html").write_text(page)


def course_max_score(course: Course, assignment: str) -> float:
    with open_gradebook(course) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


def release(course: Course, student: str, assignment: str) -> None:
    """``nbgrader release_feedback ASSIGNMENT --student STUDENT``, in this process."""
    exchange = ExchangeReleaseFeedback(
        coursedir=_coursedir(course, student, assignment),
        authenticator=Authenticator(config=course.config),
        config=course.config,
    )
    exchange.start()


def outbound_feedback(course: Course) -> Path:
    """The exchange's feedback folder of the course, made as ``nbgrader release_feedback``
    makes it (students may enter it, not list it), so that Fetch Feedback finds it."""
    outbound = Path(Exchange(config=course.config).root) / course.course_id / "feedback"
    if not outbound.is_dir():
        outbound.mkdir(parents=True, exist_ok=True)
        outbound.chmod(0o711)
    return outbound


def place_page(course: Course, secret: str, notebook: str, page: str) -> Path:
    """Put ``page`` where ``nbgrader fetch_feedback`` finds the feedback of ``notebook`` of
    the submission whose secret is ``secret``."""
    outbound = outbound_feedback(course)
    target = outbound / f"{notebook_hash(secret=secret, notebook_id=notebook)}.html"
    fd, draft = tempfile.mkstemp(dir=outbound, prefix=".", suffix=".html")
    with os.fdopen(fd, "w") as file:
        file.write(page)
    os.chmod(draft, PAGE_MODE)
    os.replace(draft, target)
    return target
