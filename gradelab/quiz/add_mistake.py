"""``gradelab mistake add QUIZ QUESTION 'ANSWER' --feedback ... --score ...``: a wrong answer
students give, named in ``quiz.toml``.

The mistake is checked as release checks the file: it reads with the question's variables
and parameters, and for the numbers of many students it differs from the key and scores its
score with its feedback. Only then is it written, as one more ``[[question.mistake]]`` of
the question, the rest of the file (comments, order, layout) left as it was.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tomlkit

from gradelab.course import Course
from gradelab.errors import AssignmentError, CourseError
from gradelab.questions.spec import Quiz, mistake_spec
from gradelab.quiz.in_course import QUIZ_FILE, course_quiz
from gradelab.quiz.validate import problem_lines, validate, variant_problems


def with_mistake(quiz: Quiz, question_id: str, fields: dict, path: Path) -> Quiz:
    """``quiz`` with the mistake of ``fields`` added to its question ``question_id``."""
    try:
        question = quiz.question(question_id)
    except KeyError:
        ids = ", ".join(q.id for q in quiz.questions)
        raise CourseError(f"{path}: no question '{question_id}' (questions: {ids})") from None
    number = len(question.mistakes) + 1
    mistake = mistake_spec(fields, f"{path}: question '{question_id}', mistake {number}")
    changed = dataclasses.replace(question, mistakes=(*question.mistakes, mistake))
    return dataclasses.replace(quiz, questions=(changed,))


def add_mistake(course: Course, quiz_name: str, question_id: str, fields: dict) -> Path:
    """Check the mistake of ``fields`` (answer, feedback, score) with many students' numbers,
    then write it into the quiz's file; return the file."""
    path = course.source_folder(quiz_name) / QUIZ_FILE
    quiz = course_quiz(course, quiz_name)
    if quiz is None:
        raise CourseError(f"{path}: no such file")
    one = with_mistake(quiz, question_id, fields, path)
    validate(one, course.course_id, quiz_name, path)
    ids, problems = variant_problems(one, course.course_id, quiz_name)
    if problems:
        lines = [f"{path}: not added; with the numbers of {len(ids)} students:"]
        raise AssignmentError("\n".join(lines + problem_lines(problems)))
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = next(q for q in document["question"] if q.get("id") == question_id)
    if "mistake" not in table:
        table["mistake"] = tomlkit.aot()
    table["mistake"].append(tomlkit.item(fields))
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path
