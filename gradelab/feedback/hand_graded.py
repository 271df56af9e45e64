"""Hand-graded cells on the feedback page: the question's answer with "awaiting grading"
until a grader scores it in formgrader, then the score and the grader's comment.

``AwaitingGrades`` is an nbgrader step of ``generate_feedback`` (in
``c.GenerateFeedback.preprocessors``, after ``GetGrades``): it puts into
``resources["gradelab"]["awaiting"]`` the cells of the notebook the gradebook flags as
needing a manual grade. The page reads that list, never the student's notebook metadata.
"""

from __future__ import annotations

import html

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.course import Course
from gradelab.course.gradebook import gradebook_at
from gradelab.grading.grade_notebook import is_hand_graded, nbgrader_meta
from gradelab.text.markup import escaped, markdown_html

MAX_ANSWER = 20_000


def _number(value: object) -> str:
    return f"{float(value):g}" if isinstance(value, int | float) else "?"


def hand_graded_html(cell: NotebookNode, awaiting: set[str]) -> str:
    """The answer (or the task) of a hand-graded cell, with its score and the grader's
    comment once graded, or "awaiting grading"."""
    meta = nbgrader_meta(cell)
    grade_id = str(meta.get("grade_id", ""))
    points = _number(meta.get("points"))
    if grade_id in awaiting:
        heading = f"{html.escape(grade_id)}: awaiting grading ({points} points, graded by hand)"
    else:
        heading = f"{html.escape(grade_id)}: {_number(meta.get('score'))} of {points} points"
    label = "the task" if meta.get("task") else "your answer"
    if cell.cell_type == "markdown":
        body = markdown_html(cell.source)
    else:
        body = f"<pre>{escaped(cell.source, MAX_ANSWER)}</pre>"
    parts = [
        f'<section class="cell grade manual" id="{html.escape(grade_id)}">',
        f"<h3>{heading}</h3>",
        f'<div class="label">{label}</div>{body}',
    ]
    comment = meta.get("comment")
    if comment and grade_id not in awaiting:
        parts.append(f'<div class="label">grader\'s comment</div>{markdown_html(comment)}')
    parts.append("</section>")
    return "".join(parts)


def awaiting_line(nb: NotebookNode, awaiting: set[str]) -> str | None:
    """The header's line on the points still to be graded by hand, if any."""
    points = sum(
        float(nbgrader_meta(cell).get("points") or 0)
        for cell in nb.cells
        if is_hand_graded(cell) and nbgrader_meta(cell).get("grade_id") in awaiting
    )
    if not points:
        return None
    return (
        f"{points:g} points are awaiting grading by hand: their score and comments appear "
        "here once they are graded."
    )


class AwaitingGrades(NbGraderPreprocessor):
    """Puts the notebook's cells awaiting a manual grade into ``resources["gradelab"]``."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        awaiting: list[str] = []
        course_id = Course.from_config(self.config).course_id
        with gradebook_at(info["db_url"], course_id) as gradebook:
            try:
                notebook = gradebook.find_submission_notebook(
                    info["notebook"], info["assignment"], info["student"]
                )
                awaiting = [grade.name for grade in notebook.grades if grade.needs_manual_grade]
            except MissingEntry:
                pass
        resources.setdefault("gradelab", {})["awaiting"] = awaiting
        return nb, resources
