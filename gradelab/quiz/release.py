"""Releasing an assignment that has a ``quiz.toml``: the quiz checked, its public part
(``quiz.json``) and, for a quiz alone, its notebook made, then nbgrader's own release.

``AnswerTemplates`` is the nbgrader step (in ``c.GenerateAssignment.preprocessors``, after
``ClearSolutions``) that gives each quiz answer cell its one-line template in the release.
"""

from __future__ import annotations

import fnmatch
import json

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.course import Course
from gradelab.errors import AssignmentError, CourseError
from gradelab.quiz.notebook import TEMPLATE_KEY, is_generated, quiz_notebook
from gradelab.quiz.spec import Quiz, QuizError, read_quiz
from gradelab.quiz.validate import validate
from gradelab.student.quiz import PUBLIC_FILE

QUIZ_FILE = "quiz.toml"


class AnswerTemplates(NbGraderPreprocessor):
    """In the release, an answer cell with a template (``metadata.gradelab.template``) is
    that template: ``power_rule = ""`` rather than nbgrader's code stub."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple:
        template = cell.get("metadata", {}).get("gradelab", {}).get(TEMPLATE_KEY)
        if isinstance(template, str):
            cell.source = template
        return cell, resources


def course_quiz(course: Course, assignment: str) -> Quiz | None:
    """The assignment's quiz, checked; None when it has no ``quiz.toml``."""
    path = course.source_folder(assignment) / QUIZ_FILE
    if not path.is_file():
        return None
    try:
        return read_quiz(path)
    except QuizError as error:
        raise AssignmentError(str(error)) from None


def prepare(course: Course, assignment: str) -> Quiz | None:
    """Before nbgrader's release: check the quiz (every question, many students' numbers),
    write ``quiz.json`` and, for a quiz alone, its notebook."""
    quiz = course_quiz(course, assignment)
    if quiz is None:
        return None
    if not any(fnmatch.fnmatch(QUIZ_FILE, pattern) for pattern in course.directories.ignore):
        raise CourseError(
            f'{course.root / "nbgrader_config.py"}: add "{QUIZ_FILE}" to c.CourseDirectory.ignore '
            "first, or nbgrader would release the quiz's answers with it"
        )
    validate(quiz, course.course_id, assignment, course.source_folder(assignment) / QUIZ_FILE)
    folder = course.source_folder(assignment)
    public = quiz.public(course.course_id, assignment)
    (folder / PUBLIC_FILE).write_text(json.dumps(public, indent=1, ensure_ascii=False) + "\n")
    notebook_path = folder / f"{assignment}.ipynb"
    others = [p for p in course.source_notebooks(assignment) if p != notebook_path]
    if not others and (not notebook_path.exists() or is_generated(nbformat.read(notebook_path, 4))):
        notebook = quiz_notebook(quiz, course.course_id, assignment)
        notebook_path.write_text(nbformat.writes(notebook))
    return quiz
