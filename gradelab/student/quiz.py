"""Quiz questions in a notebook: each student's own numbers, and a check that shows how an
answer is read and, when the quiz allows it, whether it is right.

A release holds ``quiz.json``, made from the instructor's ``quiz.toml``: the prompts, how the
numbers are drawn and, for questions that show correctness, the key. A notebook does::

    quiz = load_quiz(STUDENT_ID)   # the JupyterHub user when there is one
    quiz.show("power_rule")        # the prompt, with this student's numbers
    quiz.check("power_rule", power_rule)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sympy

from gradelab.questions.draw import draw, question_text
from gradelab.questions.judge import exact_number, judge
from gradelab.questions.spec import LETTERS, Question, Quiz, read_public
from gradelab.student.preview import preview, show
from gradelab.student.report import report
from gradelab.student.variants import PRACTICE_ID, hub_user, numbers_id

PUBLIC_FILE = "quiz.json"


class NotebookQuiz:
    """A released quiz, with the numbers of one student."""

    def __init__(self, quiz: Quiz, course_id: str, assignment: str, owner: str) -> None:
        self.quiz = quiz
        self.course_id = course_id
        self.assignment = assignment
        self.owner = owner

    def values(self, question: Question) -> dict:
        return draw(question, self.course_id, self.assignment, self.owner)

    def show(self, question_id: str) -> None:
        """The prompt of ``question_id`` with this student's numbers (and its choices)."""
        question = self.quiz.question(question_id)
        text = question_text(question, self.values(question))
        if question.params and self.owner == PRACTICE_ID:
            text += "\n\n*Practice numbers: set STUDENT_ID to your id to get your own.*"
        show(text)

    def check(self, question_id: str, answer: Any) -> None:
        """How ``answer`` is read and, if the quiz shows correctness, whether it is right;
        the cell fails (``CheckFailed``) when it is not."""
        question = self.quiz.question(question_id)
        if question.kind == "expression":
            typed = sympy.sstr(answer) if isinstance(answer, sympy.Basic) else answer
            if isinstance(typed, str) and typed.strip():
                preview(typed, question.variables, allow_floats=question.allow_floats)
        results = [_form(question, answer)]
        if results[0][0] and question.show_correctness:
            verdict = judge(question, self.values(question), answer)
            results.append((verdict.fraction >= 1, verdict.message or f"{question_id} is right"))
            report(results, passed=f"{question_id}: right.")
        else:
            report(results, passed=f"{question_id} is read; it is graded after you submit.")


def _form(question: Question, answer: Any) -> tuple[bool, str]:
    """Whether ``answer`` has the form the question asks for."""
    name = question.id
    if question.kind == "choice":
        letters = LETTERS[: len(question.choices)]
        ok = (
            isinstance(answer, str)
            and answer.strip().lower() in letters
            and len(answer.strip()) == 1
        )
        return ok, f"{name} is one of the letters {', '.join(letters)}"
    if question.kind == "number":
        found = exact_number(answer)
        return found is not None, f"{name} is one number" + (
            f" (read as {float(found):g})" if found is not None else ""
        )
    if question.form == "sympy":
        return isinstance(answer, sympy.Basic), f"{name} is an expression built with sympy"
    return isinstance(answer, str) and bool(answer.strip()), f"{name} is a formula in quotes"


def load_quiz(student_id: str = "", folder: str | os.PathLike = ".") -> NotebookQuiz:
    """The quiz released in ``folder`` with the numbers of the JupyterHub user, else of
    ``student_id``, else the practice numbers (it says whose, when the quiz draws any)."""
    quiz, course_id, assignment = read_public(Path(folder) / PUBLIC_FILE)
    owner = hub_user() or numbers_id(student_id)
    if any(question.params for question in quiz.questions):
        note = " (practice numbers)" if owner == PRACTICE_ID else ""
        show(f"**{quiz.title}**: the numbers of **{owner}**{note}.")
    return NotebookQuiz(quiz, course_id, assignment, owner)
