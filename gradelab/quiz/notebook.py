"""The nbgrader notebook of a quiz, built from its ``quiz.toml``.

For each question: a heading, a cell that shows the prompt with the student's numbers, an
answer cell (nbgrader ``grade_id`` = the question id) whose released form is the single line
``<id> = ""`` (``None`` for a number), and a test cell ``test_<id>`` worth the question's
points, which shows how the answer is read. The source notebook holds the key of the student
"reference" in each answer cell, so that the selftest's reference scores full marks.
"""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from gradelab.cell_metadata import nbgrader_metadata
from gradelab.questions.draw import draw, key_text
from gradelab.questions.spec import Question, Quiz

GENERATED_KEY = "generated_from"
TEMPLATE_KEY = "template"
REFERENCE_ID = "reference"
HOW_TO_ANSWER = (
    'Type each answer where it says so: a formula as a string, such as `"3x^2 + 1"` (`^` is '
    "a power and `3x` a product; sums over data such as `sum(x_i, i)`), a number as a number "
    '(`-0.35`) or a string (`"7/20"`), a choice as one letter (`"b"`). Run the cell under '
    "each answer to see how it is read{correctness}."
)


def _locked_markdown(grade_id: str, text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text, id=grade_id, metadata={"nbgrader": nbgrader_metadata(grade_id)})


def _locked_code(grade_id: str, text: str) -> nbformat.NotebookNode:
    return new_code_cell(text, id=grade_id, metadata={"nbgrader": nbgrader_metadata(grade_id)})


def answer_cell(grade_id: str, template: str, solution: str) -> nbformat.NotebookNode:
    """An answer cell: the solution in the source; ``template`` in the release."""
    source = f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION"
    metadata = {
        "nbgrader": nbgrader_metadata(grade_id, solution=True),
        "gradelab": {TEMPLATE_KEY: template},
    }
    return new_code_cell(source, id=grade_id, metadata=metadata)


def blank(question: Question) -> str:
    return f"{question.id} = None" if question.kind == "number" else f'{question.id} = ""'


def question_cells(number: int, question: Question, course_id: str, assignment: str) -> list:
    title = question.title or question.id
    points = f"{question.points:g} point{'s' if question.points != 1 else ''}"
    key = key_text(question, draw(question, course_id, assignment, REFERENCE_ID))
    return [
        _locked_markdown(f"{question.id}_heading", f"## {number}. {title} ({points})"),
        _locked_code(f"{question.id}_prompt", f'quiz.show("{question.id}")'),
        answer_cell(question.id, blank(question), f"{question.id} = {json.dumps(key)}"),
        new_code_cell(
            f'quiz.check("{question.id}", {question.id})',
            id=question.grade_cell,
            metadata={"nbgrader": nbgrader_metadata(question.grade_cell, points=question.points)},
        ),
    ]


def quiz_notebook(quiz: Quiz, course_id: str, assignment: str) -> nbformat.NotebookNode:
    """The source notebook of ``quiz`` for ``assignment`` of ``course_id``."""
    correctness = (
        " and whether it is right"
        if quiz.show_correctness
        else "; whether it is right comes with your feedback, after you submit"
    )
    intro = "\n\n".join(
        part
        for part in (f"# {quiz.title}", quiz.intro, HOW_TO_ANSWER.format(correctness=correctness))
        if part
    )
    cells = [
        _locked_markdown("intro", intro),
        answer_cell(
            "student_id",
            'STUDENT_ID = ""  # your student id, in quotes (on JupyterHub it is known already)',
            f'STUDENT_ID = "{REFERENCE_ID}"',
        ),
        _locked_code(
            "setup", "from gradelab.student import load_quiz\n\nquiz = load_quiz(STUDENT_ID)"
        ),
    ]
    for number, question in enumerate(quiz.questions, 1):
        cells += question_cells(number, question, course_id, assignment)
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernel, "gradelab": {GENERATED_KEY: "quiz.toml"}}
    return new_notebook(cells=cells, metadata=metadata)


def is_generated(notebook: nbformat.NotebookNode) -> bool:
    return bool(notebook.metadata.get("gradelab", {}).get(GENERATED_KEY))
