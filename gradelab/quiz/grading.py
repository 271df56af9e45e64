"""Grading quiz questions with no test file: a pytest plugin that makes one hidden test per
question of ``quiz.toml`` (in ``hidden_tests.py``), marked with the question's points and
grade cell, judging the student's answer with the graded student's own numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gradelab.questions.draw import draw
from gradelab.questions.judge import judge
from gradelab.questions.spec import Question, Quiz
from gradelab.sandbox.session import SubmissionError
from gradelab.student.variants import numbers_id
from gradelab.testing import PartialCredit

TESTS = Path(__file__).with_name("hidden_tests.py")


class QuizTests:
    """The plugin: ``question`` parametrized over the quiz, and ``answer_of`` to judge one."""

    def __init__(self, quiz: Quiz, assignment: str) -> None:
        self.quiz = quiz
        self.assignment = assignment

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "question" in metafunc.fixturenames:
            metafunc.parametrize(
                "question",
                [
                    pytest.param(
                        question,
                        id=question.id,
                        marks=[
                            pytest.mark.points(question.points, cell=question.grade_cell),
                            pytest.mark.title(question.title or question.id),
                            *([pytest.mark.public] if question.show_correctness else []),
                        ],
                    )
                    for question in self.quiz.questions
                ],
            )

    @pytest.fixture
    def answer_of(self, student, student_id: str, course_id: str) -> Callable[[Question], None]:
        def grade(question: Question) -> None:
            value = student.value(question.id)
            verdict = judge(question, draw(question, course_id, self.assignment, student_id), value)
            if verdict.fraction >= 1:
                return
            other = self.typed_id(student)
            if question.params and other not in (None, student_id):
                theirs = draw(question, course_id, self.assignment, other)
                if judge(question, theirs, value).fraction >= 1:
                    raise AssertionError(
                        f"{question.id}: computed with the numbers of '{other}'; you are graded "
                        f"with your own, those of '{student_id}'"
                    )
            if verdict.fraction > 0:
                raise PartialCredit(verdict.fraction, verdict.message)
            raise AssertionError(verdict.message or f"{question.id}: not right")

        return grade

    @staticmethod
    def typed_id(student) -> str | None:
        """Whose numbers the notebook showed, from its STUDENT_ID (None if unreadable)."""
        try:
            typed = student.value("STUDENT_ID")
        except SubmissionError:
            return None
        return numbers_id(typed) if isinstance(typed, str) else None
