"""The questions on the feedback page, in the author's words and the student's numbers.

``QuestionsForFeedback`` is an nbgrader step of ``generate_feedback`` (in
``c.GenerateFeedback.preprocessors``, after ``PolicyForFeedback``): from the course's own
files, never the student's notebook, it puts into ``resources["gradelab"]`` each question's
title (``gradelab.feedback.question_titles``) and, for a quiz, each question's text with the graded
student's numbers. The page shows that text where the notebook has ``quiz.show("id")``,
above the student's answer and its verdict, with formulas as MathML.
"""

from __future__ import annotations

import re

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.course import Course
from gradelab.feedback.question_titles import question_titles
from gradelab.text.markup import markdown_html

_SHOW = re.compile(r'\s*quiz\.show\(\s*["\'](?P<id>[A-Za-z][A-Za-z0-9_]*)["\']\s*\)\s*\Z')


def quiz_prompts(course: Course, assignment: str, student: str) -> dict[str, str]:
    """Question id -> what ``student`` was asked (Markdown), for an assignment's quiz."""
    from gradelab.questions.draw import draw, question_text
    from gradelab.quiz.in_course import course_quiz

    quiz = course_quiz(course, assignment)
    if quiz is None:
        return {}
    return {
        q.id: question_text(q, draw(q, course.course_id, assignment, student))
        for q in quiz.questions
    }


def prompt_html(cell: NotebookNode, prompts: dict[str, str]) -> str | None:
    """The question a ``quiz.show("id")`` cell shows, as HTML; None for any other cell."""
    match = _SHOW.match(cell.source) if cell.cell_type == "code" else None
    if match is None or match.group("id") not in prompts:
        return None
    text = markdown_html(prompts[match.group("id")])
    return f'<div class="cell markdown prompt"><div class="label">question</div>{text}</div>'


class QuestionsForFeedback(NbGraderPreprocessor):
    """Puts the questions' titles and, for a quiz, its prompts into ``resources["gradelab"]``."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        course = Course.from_config(self.config)
        ours = resources.setdefault("gradelab", {})
        ours["titles"] = question_titles(course, info["assignment"])
        ours["prompts"] = quiz_prompts(course, info["assignment"], info["student"])
        return nb, resources
