"""An assignment's quiz, where a course keeps it: ``source/<assignment>/quiz.toml``."""

from __future__ import annotations

from gradelab.course import Course
from gradelab.questions.spec import Quiz, read_quiz

QUIZ_FILE = "quiz.toml"


def course_quiz(course: Course, assignment: str) -> Quiz | None:
    """The assignment's quiz, checked; None when it has no ``quiz.toml``."""
    path = course.source_folder(assignment) / QUIZ_FILE
    if not path.is_file():
        return None
    return read_quiz(path)
