"""Releasing an assignment that has a ``quiz.toml``: the quiz checked and, for a quiz alone,
its notebook made (in ``build/quiz_source/``, never in ``source/``), then nbgrader's own
release, then the quiz's public part (``quiz.json``) written into the release.

``AnswerTemplates`` is the nbgrader step (in ``c.GenerateAssignment.preprocessors``, after
``ClearSolutions``) that gives each quiz answer cell its one-line template in the release.
"""

from __future__ import annotations

import fnmatch
import json
import shutil

import nbformat
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.course import Course
from gradelab.errors import AssignmentError, CourseError
from gradelab.questions.spec import Quiz
from gradelab.quiz.in_course import QUIZ_FILE, course_quiz
from gradelab.quiz.notebook import TEMPLATE_KEY, is_generated, quiz_notebook
from gradelab.quiz.validate import problem_lines, validate, variant_problems
from gradelab.student.quiz import PUBLIC_FILE


class AnswerTemplates(NbGraderPreprocessor):
    """In the release, an answer cell with a template (``metadata.gradelab.template``) is
    that template: ``power_rule = ""`` rather than nbgrader's code stub."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple:
        template = cell.get("metadata", {}).get("gradelab", {}).get(TEMPLATE_KEY)
        if isinstance(template, str):
            cell.source = template
        return cell, resources


def prepare(course: Course, assignment: str) -> Quiz | None:
    """Before nbgrader's release: check the quiz (every formula, then the key and mistakes
    with many students' numbers) and, for a quiz alone, write its notebook."""
    quiz = course_quiz(course, assignment)
    if quiz is None:
        return None
    if not any(fnmatch.fnmatch(QUIZ_FILE, pattern) for pattern in course.directories.ignore):
        raise CourseError(
            f'{course.root / "nbgrader_config.py"}: add "{QUIZ_FILE}" to c.CourseDirectory.ignore '
            "first, or nbgrader would release the quiz's answers with it"
        )
    folder = course.source_folder(assignment)
    validate(quiz, course.course_id, assignment, folder / QUIZ_FILE)
    ids, problems = variant_problems(quiz, course.course_id, assignment)
    if problems:
        raise AssignmentError(
            "\n".join(
                [f"{folder / QUIZ_FILE}: the numbers of {len(ids)} students give these problems:"]
                + problem_lines(problems)
            )
        )
    (folder / PUBLIC_FILE).unlink(missing_ok=True)  # where earlier releases wrote it
    made = course.quiz_source_folder(assignment)
    shutil.rmtree(made, ignore_errors=True)
    notebook_path = folder / f"{assignment}.ipynb"
    if notebook_path.exists() and is_generated(nbformat.read(notebook_path, 4)):
        notebook_path.unlink()  # where earlier releases made it
    if course.authored_notebooks(assignment):
        return quiz
    built = [q.id for q in quiz.questions if q.form == "sympy"]
    if built:
        raise AssignmentError(
            f"{folder / QUIZ_FILE}: question '{built[0]}' is built with sympy "
            '(form = "sympy"): that needs a notebook of your own, where the student builds '
            f"it, beside the quiz ({notebook_path.name})"
        )
    shutil.copytree(folder, made, symlinks=True)
    notebook = quiz_notebook(quiz, course.course_id, assignment)
    (made / notebook_path.name).write_text(nbformat.writes(notebook))
    return quiz


def source_option(course: Course, assignment: str) -> list[str]:
    """The option of nbgrader's ``generate_assignment`` that makes it read a quiz alone from
    where its notebook was made (none for an assignment with notebooks of its own)."""
    if course.authored_notebooks(assignment):
        return []
    made = course.quiz_source_folder(assignment).parent.relative_to(course.root)
    return [f"--CourseDirectory.source_directory={made}"]


def write_public(course: Course, assignment: str, quiz: Quiz) -> None:
    """After nbgrader's release: the quiz's public part, ``quiz.json``, into the release
    folder (never into ``source/``, where it would be committed with the course)."""
    public = quiz.public(course.course_id, assignment)
    target = course.release_folder(assignment) / PUBLIC_FILE
    target.write_text(json.dumps(public, indent=1, ensure_ascii=False) + "\n")
