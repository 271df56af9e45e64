"""What the term's students hand in, and the score each answer must get: an assignment's
samples (``gradelab.selftest.samples``: the reference, the blank release, the listed wrong
ones) and, for a quiz, the student's own key, its first declared mistakes, or the blank notebook."""

from __future__ import annotations

import json
from functools import cache

import nbformat
from nbgrader.api import Gradebook

from gradelab.course import Course
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.questions.draw import draw, typed
from gradelab.questions.spec import Question, Quiz
from gradelab.quiz.in_course import course_quiz
from gradelab.quiz.notebook import is_generated
from gradelab.quiz.samples import answers, expected, keys
from gradelab.selftest.samples import samples

QUIZ_ANSWERS = ("reference", "mistaken", "blank")


class Answers:
    """Notebook texts and expected scores, per assignment, answer name and student."""

    def __init__(self, course: Course, assignments: list[str]) -> None:
        self.course = course
        self.quizzes: dict[str, Quiz] = {}
        self.samples: dict[str, dict[str, Sample]] = {}
        for assignment in assignments:
            quiz = course_quiz(course, assignment)
            notebooks = course.source_notebooks(assignment)
            if quiz is not None and is_generated(nbformat.read(notebooks[0], as_version=4)):
                self.quizzes[assignment] = quiz  # a quiz alone: each student's own numbers
            else:
                self.samples[assignment] = {s.student: s for s in samples(course, assignment)}
        with Gradebook(course.db_url, course.course_id) as gradebook:
            self.max_scores = {
                a: float(gradebook.find_assignment(a).max_score) for a in assignments
            }

    def names(self, assignment: str) -> list[str]:
        if assignment in self.quizzes:
            return list(QUIZ_ANSWERS)
        return list(self.samples[assignment])

    def _quiz_texts(self, assignment: str, answer: str, student: str) -> dict[str, str]:
        quiz = self.quizzes[assignment]
        texts = keys(quiz, self.course.course_id, assignment, student)
        if answer == "mistaken":
            for question in quiz.questions:
                first = next((m for m in question.mistakes if m.answer), None)
                if first is not None:
                    texts[question.id] = self._typed(assignment, question, first.answer, student)
        return texts

    def _typed(self, assignment: str, question: Question, expression: str, student: str) -> str:
        values = draw(question, self.course.course_id, assignment, student)
        return typed(expression, question, values)

    def sample(self, assignment: str, answer: str, student: str) -> Sample:
        if assignment not in self.quizzes:
            return self.samples[assignment][answer]
        if answer == "blank":
            return Sample(student, 0.0, "blank", blank=True)
        texts = self._quiz_texts(assignment, answer, student)
        quiz = self.quizzes[assignment]
        return Sample(
            student,
            expected(quiz, self.course.course_id, assignment, student, texts),
            answer,
            answers(quiz, student, texts),
        )

    def text(self, assignment: str, answer: str, student: str, giant: int = 0) -> str:
        """The notebook handed in; ``giant`` markdown cells appended."""
        text = self._text(assignment, answer, student)
        if not giant:
            return text
        notebook = json.loads(text)
        notebook["cells"] += [
            {"cell_type": "markdown", "id": f"giant-{k}", "metadata": {}, "source": f"{k}"}
            for k in range(giant)
        ]
        return json.dumps(notebook)

    @cache  # noqa: B019 - one Answers per term
    def _text(self, assignment: str, answer: str, student: str) -> str:
        """The sample's notebook; where it types its own name as ``STUDENT_ID`` (as a
        submission of update_step does), the student's id instead."""
        sample = self.sample(assignment, answer, student)
        text = submission_notebook(self.course, assignment, assignment, sample)
        own = json.dumps(f'STUDENT_ID = "{sample.student}"')[1:-1]
        return text.replace(own, json.dumps(f'STUDENT_ID = "{student}"')[1:-1])

    def raw_score(self, assignment: str, answer: str, student: str) -> float:
        """The score the answer must get, before any late penalty."""
        found = self.sample(assignment, answer, student).expected
        return self.max_scores[assignment] if found is None else found
