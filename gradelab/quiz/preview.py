"""``gradelab preview QUIZ --student S``: one student's variant of a quiz, as they will see
it, with the key and the declared mistakes beside each question: an HTML page for the
instructor (it holds the key: it is written under ``build/``, never released).

Every number on it is drawn and worked out as grading does (``gradelab.questions.draw``); the
page is the feedback pages' kind: formulas as MathML, sanitized, offline.
"""

from __future__ import annotations

import html
from pathlib import Path

import sympy

from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.feedback.page import STYLE, html_document
from gradelab.questions.draw import Values, draw, question_text, shown, typed
from gradelab.questions.spec import Question
from gradelab.quiz.in_course import course_quiz
from gradelab.symbolic import ParseError, parse
from gradelab.text.markup import escaped, markdown_html, math_to_mathml

PREVIEW_STYLE = (
    STYLE
    + """
.side { background: #f3f6fb; border-left: 4px solid #3b5bdb; padding: 0.4rem 0.8rem;
  margin-top: 0.6rem; }
.side td:first-child { color: #5b6474; }
"""
)


def preview_path(course: Course, quiz: str, student: str) -> Path:
    return course.root / "build" / "preview" / quiz / f"{student}.html"


def as_math(text: str, question: Question) -> str:
    """A typed answer as MathML (its text when it is a letter or cannot be read)."""
    if question.kind == "choice":
        return escaped(text, 200)
    try:
        expr = parse(text, question.variables).expr
    except ParseError:
        return f"<code>{escaped(text, 400)}</code>"
    return f"{math_to_mathml(sympy.latex(expr), False)} <code>{escaped(text, 400)}</code>"


def side_html(question: Question, values: Values) -> str:
    """The key, the declared mistakes (as this student would type them) and the numbers."""
    rows = [("key", as_math(typed(question.answer, question, values), question))]
    for number, mistake in enumerate(question.mistakes, 1):
        if mistake.answer is None:
            what = f"built-in mistake <code>{escaped(mistake.builtin, 80)}</code>"
        else:
            what = as_math(typed(mistake.answer, question, values), question)
        told = escaped(mistake.feedback, 400) or "(its built-in message)"
        rows.append((f"mistake {number}", f"{what}: {mistake.score:g} of the points; {told}"))
    rows += [(f"why not ({letter})", escaped(why, 400)) for letter, why in question.why_not.items()]
    numbers = ", ".join(f"{name} = {value}" for name, value in shown(question, values).items())
    rows.append(("numbers", escaped(numbers or "the same for every student", 400)))
    body = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="side"><table>{body}</table></div>'


def preview_page(course: Course, quiz_name: str, student: str) -> str:
    """The page of ``student``'s variant of ``quiz_name``."""
    quiz = course_quiz(course, quiz_name)
    if quiz is None:
        raise CourseError(f"{course.source_folder(quiz_name)}: no quiz.toml to preview")
    parts = [
        f"<header><h1>{html.escape(quiz.title)}: preview for {escaped(student, 80)}</h1>"
        "<p>What this student is asked, with their numbers; beside each question, its key "
        "and declared mistakes as this student would type them.</p></header>"
    ]
    for number, question in enumerate(quiz.questions, 1):
        values = draw(question, course.course_id, quiz_name, student)
        title = html.escape(question.title or question.id)
        parts.append(
            f'<section class="cell" id="{html.escape(question.id)}">'
            f"<h2>{number}. {title} ({question.points:g} points)</h2>"
            f"{markdown_html(question_text(question, values))}{side_html(question, values)}"
            "</section>"
        )
    return html_document(f"{quiz.title}: {student}", "".join(parts), PREVIEW_STYLE)


def write_preview(course: Course, quiz: str, student: str) -> Path:
    target = preview_path(course, quiz, student)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(preview_page(course, quiz, student), encoding="utf-8")
    return target
