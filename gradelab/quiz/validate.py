"""Checking a quiz against many students' numbers, as STACK tests its deployed variants.

``validate`` reads every formula of the file once (at release); ``variant_problems`` draws
the numbers of many students and checks, for each, that the key reads and scores full marks
and that each declared mistake reads, differs from the key and scores its declared fraction.
A problem names the question and the parameters that cause it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gradelab.course import Course
from gradelab.questions.draw import Values, draw, readable, shown, typed
from gradelab.questions.judge import judge
from gradelab.questions.printed import SympyText
from gradelab.questions.spec import Question, Quiz, QuizError
from gradelab.quiz.in_course import course_quiz
from gradelab.text import printable

STUDENTS = 50


def validate(quiz: Quiz, course_id: str, assignment: str, path: Path) -> None:
    """Every answer, mistake and cost of the file reads with its question's names (with the
    practice numbers); numbers questions use parameters only."""
    for question in quiz.questions:
        values = draw(question, course_id, assignment, "")
        formulas = [("answer", question.answer)] if question.kind != "choice" else []
        formulas += [
            (f"mistake {k}", m.answer) for k, m in enumerate(question.mistakes, 1) if m.answer
        ]
        if question.cost:
            formulas.append(("cost", question.cost))
        for what, text in formulas if question.kind != "choice" else []:
            problem = readable(text, question, values)
            if problem:
                raise QuizError(f"{path}: question '{question.id}', {what}: {problem}")
        if question.kind == "number" and question.variables:
            raise QuizError(f"{path}: question '{question.id}': a number question has no variables")


@dataclass(frozen=True)
class VariantProblem:
    question: str
    student: str
    values: dict[str, str]
    problem: str

    def __str__(self) -> str:
        numbers = ", ".join(f"{k} = {v}" for k, v in self.values.items()) or "no parameters"
        return f"question '{self.question}' for {self.student} ({numbers}): {self.problem}"


def said(feedback: str, message: str) -> bool:
    """Whether ``message`` tells the student ``feedback`` (its case and last period aside)."""
    return feedback.strip().rstrip(".").lower() in message.lower()


def as_submitted(question: Question, text: str) -> str:
    """An answer as the grader receives it: an expression built with sympy arrives as the
    text of sympy's printer."""
    return SympyText(text) if question.form == "sympy" else text


def question_problems(question: Question, values: Values) -> list[str]:
    """What is wrong with this question for these numbers (nothing: an empty list)."""
    try:
        key = typed(question.answer, question, values)
    except Exception as error:  # noqa: BLE001 - a division by zero, an unreadable key: reported
        return [f"the key cannot be worked out ({error})"]
    verdict = judge(question, values, as_submitted(question, key))
    problems = (
        []
        if verdict.fraction == 1
        else [f"the key {key!r} scores {verdict.fraction:g}: {verdict.message}"]
    )
    for number, mistake in enumerate(question.mistakes, 1):
        if mistake.answer is None:
            continue
        try:
            text = typed(mistake.answer, question, values)
        except Exception as error:  # noqa: BLE001 - reported with the numbers
            problems.append(f"mistake {number} cannot be worked out ({error})")
            continue
        found = judge(question, values, as_submitted(question, text))
        if found.correct:
            problems.append(f"mistake {number} ({text!r}) equals the key")
        elif abs(found.fraction - mistake.score) > 1e-9 or not said(
            mistake.feedback, found.message
        ):
            problems.append(
                f"mistake {number} ({text!r}) scores {found.fraction:g}, not {mistake.score:g}, "
                f"and is told: {found.message}"
            )
    return problems


def variant_problems(
    quiz: Quiz, course_id: str, assignment: str, students: int = STUDENTS
) -> tuple[list[str], list[VariantProblem]]:
    """The ids checked, and every problem found for them (a question without parameters is
    the same for every student: it is checked once)."""
    ids = ["reference", *(f"student{k:03d}" for k in range(students))]
    problems = []
    for question in quiz.questions:
        for student in ids if question.params else ids[:1]:
            values = draw(question, course_id, assignment, student)
            for problem in question_problems(question, values):
                problems.append(
                    VariantProblem(question.id, student, shown(question, values), problem)
                )
    return ids, problems


def quiz_problems(course: Course, assignment: str) -> list[VariantProblem]:
    """The problems of an assignment's quiz for many students' numbers (none without one)."""

    quiz = course_quiz(course, assignment)
    return [] if quiz is None else variant_problems(quiz, course.course_id, assignment)[1]


def quiz_variants(course: Course, assignment: str, students: int = STUDENTS) -> tuple[bool, str]:
    """For an assignment with a quiz: whether the numbers of many students all work, and the
    lines saying so ("" when it has no quiz)."""

    quiz = course_quiz(course, assignment)
    if quiz is None:
        return True, ""
    ids, problems = variant_problems(quiz, course.course_id, assignment, students)
    verdict = "ok" if not problems else f"{len(problems)} PROBLEMS"
    lines = [
        f"\n  quiz: the numbers of {len(ids)} students, {len(quiz.questions)} questions: {verdict}"
    ]
    return not problems, "\n".join(lines + problem_lines(problems))


def problem_lines(problems: list[VariantProblem], shown: int = 20) -> list[str]:
    lines = [f"    {printable(str(problem), 400)}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"    ... and {len(problems) - shown} more")
    return lines
