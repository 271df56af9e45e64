"""``gradelab new ASSIGNMENT``: a small working assignment to start from.

It writes the parts of an assignment (see docs/authoring.md): the nbgrader notebook with one
code question, one typed-math question and one multiple-choice question, its public checks
and its quiz file (the typed and multiple-choice questions) beside it, the reference
solution and the hidden suite with its selftest.
``gradelab release`` and ``gradelab selftest`` pass on it as it is.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gradelab.cell_metadata import nbgrader_metadata
from gradelab.course import Course
from gradelab.errors import CourseError

NAME = re.compile(r"[a-z][a-z0-9_]{0,40}\Z")
PLACEHOLDER = "ASSIGNMENT"


def _meta(grade_id: str, *, solution: bool = False, points: int | None = None) -> dict:
    return {"nbgrader": nbgrader_metadata(grade_id, solution=solution, points=points)}


def _markdown(grade_id: str, text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text, metadata=_meta(grade_id), id=grade_id)


def _code(grade_id: str, text: str, **meta: object) -> nbformat.NotebookNode:
    return new_code_cell(text, metadata=_meta(grade_id, **meta), id=grade_id)


def notebook(assignment: str) -> nbformat.NotebookNode:
    """The example notebook: each question, its answer cell, and its test cell."""
    cells = [
        _markdown(
            "intro",
            f"# {assignment}\n\nA first assignment made by `gradelab new`: one code question, "
            "one typed formula and one multiple-choice question. Write your answers where it "
            "says so, and run the cell after each answer for immediate feedback.",
        ),
        _code(
            "setup",
            "import numpy as np\n\nfrom checks import check_gradient, f\n"
            "from gradelab.student import load_quiz\n\nquiz = load_quiz()",
        ),
        _markdown(
            "gradient_question",
            "## 1. A gradient\n\nWrite `gradient(w)`, the gradient of "
            "$f(w) = \\sum_j w_j^2 + 3 w_j$ at the numpy array `w`.",
        ),
        _code(
            "gradient",
            "def gradient(w):\n    ### BEGIN SOLUTION\n"
            "    return 2 * np.asarray(w, dtype=float) + 3\n    ### END SOLUTION",
            solution=True,
        ),
        _code("test_gradient", "check_gradient(gradient)", points=3),
        _markdown(
            "derivative_question",
            "## 2. A derivative, typed\n\nSet `derivative` to $\\frac{d}{dx} x^3$, as a string "
            'such as `"2x + 1"` (`^` is a power, `3x` a product). The check shows how it is read.',
        ),
        _code(
            "derivative_answer",
            '### BEGIN SOLUTION\nderivative = "3x^2"\n### END SOLUTION',
            solution=True,
        ),
        _code(
            "test_derivative",
            'quiz.check("derivative", derivative)',
            points=2,
        ),
        _markdown(
            "concepts",
            '## 3. Concepts\n\nAnswer with one letter, as a string such as `"a"`.\n\n'
            "**q_direction.** Each step of gradient descent moves the parameters\n\n"
            "- (a) along the gradient\n- (b) against the gradient\n- (c) in a fixed direction",
        ),
        _code(
            "concept_answers",
            '### BEGIN SOLUTION\nq_direction = "b"\n### END SOLUTION',
            solution=True,
        ),
        _code("test_concepts", 'quiz.check("q_direction", q_direction)', points=1),
    ]
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernel})


def _template(name: str, assignment: str) -> str:
    text = (resources.files("gradelab") / "templates" / "new_assignment" / name).read_text()
    return text.replace(PLACEHOLDER, assignment)


def new_assignment(course: Course, assignment: str) -> list[Path]:
    """Write a new assignment's files into the course; refuse to overwrite anything."""
    if not NAME.match(assignment):
        raise CourseError(
            f"'{assignment}' cannot name an assignment: use lower-case letters, digits and _, "
            "starting with a letter"
        )
    files = {
        course.source_folder(assignment) / f"{assignment}.ipynb": nbformat.writes(
            notebook(assignment)
        ),
        course.source_folder(assignment) / "checks.py": _template("checks.py", assignment),
        course.source_folder(assignment) / "quiz.toml": _template("quiz.toml", assignment),
        course.reference_solution(assignment): _template("solution.py", assignment),
        course.hidden_suite(assignment) / f"test_{assignment}.py": _template(
            "test_ASSIGNMENT.py", assignment
        ),
        course.hidden_suite(assignment) / "selftest.toml": _template("selftest.toml", assignment),
    }
    existing = [path for path in files if path.exists()] + [
        folder
        for folder in (course.source_folder(assignment), course.hidden_suite(assignment))
        if folder.exists()
    ]
    if existing:
        raise CourseError(f"{existing[0]} already exists; choose another name")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n")
    return list(files)
