"""Sample submissions of a quiz for its selftest: students who answer with their own key,
one who answers every question with its declared mistake, and one who typed someone else's
id and answered with that student's numbers. Each sample's expected score is worked out from
the quiz itself, question by question."""

from __future__ import annotations

import json

import nbformat

from gradelab.course import Course
from gradelab.grading.sample_submission import Sample
from gradelab.questions.draw import draw, typed
from gradelab.questions.judge import judge
from gradelab.questions.spec import Question, Quiz
from gradelab.quiz.in_course import course_quiz
from gradelab.quiz.notebook import is_generated

KEY_STUDENTS = ("student000", "student001", "student002")


def literal(question: Question, text: str) -> str:
    """How the answer is written in the cell: a number as a number (as a string when its
    significant figures count, to keep trailing zeros), the rest as a string."""
    if question.kind == "number" and question.sigfigs is None:
        try:
            float(text)
            return text
        except ValueError:
            pass
    return json.dumps(text)


def answers(quiz: Quiz, typed_id: str, texts: dict[str, str]) -> dict[str, str]:
    cells = {"student_id": f"STUDENT_ID = {json.dumps(typed_id)}"}
    for question in quiz.questions:
        cells[question.id] = f"{question.id} = {literal(question, texts[question.id])}"
    return cells


def keys(quiz: Quiz, course_id: str, assignment: str, student: str) -> dict[str, str]:
    """Each question's key for ``student``, as typed."""
    return {
        q.id: typed(q.answer, q, draw(q, course_id, assignment, student)) for q in quiz.questions
    }


def expected(
    quiz: Quiz, course_id: str, assignment: str, student: str, texts: dict[str, str]
) -> float:
    total = 0.0
    for question in quiz.questions:
        values = draw(question, course_id, assignment, student)
        total += question.points * judge(question, values, texts[question.id]).fraction
    return round(total, 6)


def quiz_samples(quiz: Quiz, course_id: str, assignment: str) -> list[Sample]:
    found = [
        Sample(
            student,
            None,
            "answers with the key of its own numbers",
            answers(quiz, student, keys(quiz, course_id, assignment, student)),
        )
        for student in KEY_STUDENTS
    ]
    student = "mistaken"
    texts = keys(quiz, course_id, assignment, student)
    for question in quiz.questions:
        first = next((m for m in question.mistakes if m.answer), None)
        if first is not None:
            texts[question.id] = typed(
                first.answer, question, draw(question, course_id, assignment, student)
            )
    score = expected(quiz, course_id, assignment, student, texts)
    found.append(
        Sample(
            student,
            score,
            "answers each question with its first declared mistake",
            answers(quiz, student, texts),
        )
    )
    student, other = "borrower", "lender"
    texts = keys(quiz, course_id, assignment, other)
    score = expected(quiz, course_id, assignment, student, texts)
    found.append(
        Sample(
            student,
            score,
            f"typed the id '{other}' and answered with its numbers",
            answers(quiz, other, texts),
        )
    )
    return found


def generated_samples(course: Course, assignment: str) -> list[Sample]:
    """The quiz samples of an assignment whose notebook is made from its ``quiz.toml``."""

    quiz = course_quiz(course, assignment)
    notebooks = course.source_notebooks(assignment)
    if quiz is None or len(notebooks) != 1 or not is_generated(nbformat.read(notebooks[0], 4)):
        return []
    return quiz_samples(quiz, course.course_id, assignment)
