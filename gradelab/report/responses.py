"""Response analysis: per quiz question, the distinct answers students typed, how many typed
each and what it scored, most frequent first (STACK's response analysis).

An answer is read from the student's autograded notebook, without running anything: the
last top-level ``<question id> = <literal>`` of its code cells (an answer computed in code is
counted as such). It is normalized with ``gradelab.symbolic`` (``15w^2+9`` and
``9 + 15*w^2`` are one answer); answers of students with the same numbers are then merged
when the checker finds them equivalent, within ``MAX_COMPARISONS`` checks a question. A
question with per-student numbers lists each answer with the numbers it was given for.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import nbformat

from gradelab.course import Course
from gradelab.questions.draw import draw, shown
from gradelab.questions.judge import exact_number
from gradelab.questions.spec import Question, Quiz
from gradelab.report.submissions import AssignmentRecord, Submission
from gradelab.symbolic import ParseError, check, parse
from gradelab.symbolic.as_typed import as_typed
from gradelab.text import one_line

MAX_CELL_CHARS = 5_000
MAX_ANSWER_CHARS = 200
MAX_COMPARISONS = 200
COMPUTED = "(computed in code, not typed)"
NO_ANSWER = "(no answer)"


@dataclass
class Response:
    """One distinct answer: as first typed, how many typed it, the fraction of the points it
    earned (each student's), what they were told and, per-student numbers, which."""

    typed: str
    normal: str
    numbers: str = ""
    students: list[str] = field(default_factory=list)
    fractions: list[float] = field(default_factory=list)
    told: str = ""

    @property
    def count(self) -> int:
        return len(self.students)

    @property
    def fraction(self) -> float:
        return sum(self.fractions) / len(self.fractions) if self.fractions else 0.0


@dataclass(frozen=True)
class QuestionResponses:
    question: Question
    responses: list[Response]


def literal_of(node: ast.expr) -> object:
    """A literal string or number node's value (no evaluation); ``COMPUTED`` otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
    ):
        return -node.operand.value
    return COMPUTED


def typed_answers(notebook: nbformat.NotebookNode, names: set[str]) -> dict[str, object]:
    """The value each of ``names`` is last set to at the top level of a code cell."""
    found: dict[str, object] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code" or len(cell.source) > MAX_CELL_CHARS:
            continue
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError):
            continue
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if isinstance(target, ast.Name) and target.id in names:
                    found[target.id] = literal_of(statement.value)
    return found


def normal_form(question: Question, value: object) -> str:
    """The answer normalized: a letter, an exact number, or an expression as typed back."""
    if value is COMPUTED or value is None:
        return str(value or NO_ANSWER)
    text = one_line(value, MAX_ANSWER_CHARS)
    if not text:
        return NO_ANSWER
    if question.kind == "choice":
        return text.lower()
    if question.kind == "number":
        number = exact_number(value)
        return str(number) if number is not None else text
    try:
        return as_typed(parse(text, question.variables, allow_floats=True).expr)
    except ParseError:
        return text


def equivalent(question: Question, one: Response, other: Response) -> bool:
    """Whether two readable expressions given for the same numbers are the same answer."""
    if question.kind != "expression" or one.numbers != other.numbers:
        return False
    if NO_ANSWER in (one.normal, other.normal) or COMPUTED in (one.normal, other.normal):
        return False
    try:
        expected = parse(other.normal, question.variables).expr
        return bool(check(one.normal, expected, variables=question.variables, latex=False).correct)
    except (ParseError, ValueError, TypeError):
        return False


def merged(question: Question, responses: list[Response]) -> list[Response]:
    """``responses`` with equivalent ones merged, most frequent first, within the bound."""
    ordered = sorted(responses, key=lambda r: -r.count)
    kept: list[Response] = []
    budget = MAX_COMPARISONS
    for response in ordered:
        same = None
        for earlier in kept:
            if budget <= 0:
                break
            budget -= 1
            if equivalent(question, response, earlier):
                same = earlier
                break
        if same is None:
            kept.append(response)
        else:
            same.students += response.students
            same.fractions += response.fractions
    return sorted(kept, key=lambda r: (-r.count, r.normal))


def question_responses(
    course: Course, assignment: str, quiz: Quiz, submissions: list[Submission]
) -> list[QuestionResponses]:
    """Per question of ``quiz``, the answers the attempted ``submissions`` typed."""
    names = {q.id for q in quiz.questions}
    typed: dict[str, dict[str, object]] = {}
    for submission in submissions:
        folder = course.autograded_folder(submission.student, assignment)
        answers: dict[str, object] = {}
        for path in sorted(folder.glob("*.ipynb")):
            try:
                answers |= typed_answers(nbformat.read(path, as_version=4), names)
            except Exception:  # noqa: BLE001 - a damaged notebook: the report names it elsewhere
                continue
        typed[submission.student] = answers
    found = []
    for question in quiz.questions:
        groups: dict[tuple[str, str], Response] = {}
        for submission in submissions:
            value = typed[submission.student].get(question.id)
            normal = normal_form(question, value)
            values = draw(question, course.course_id, assignment, submission.student)
            numbers = ", ".join(f"{k} = {v}" for k, v in shown(question, values).items())
            shown_text = normal if value is None or value is COMPUTED else one_line(value, 200)
            response = groups.setdefault((numbers, normal), Response(shown_text, normal, numbers))
            response.students.append(submission.student)
            earned = submission.scores.get(question.grade_cell, 0.0)
            response.fractions.append(earned / question.points if question.points else 0.0)
            failed = [t.message for t in submission.tests.get(question.grade_cell, [])]
            response.told = response.told or next((m for m in failed if m), "")
        found.append(QuestionResponses(question, merged(question, list(groups.values()))))
    return found


def response_analysis(course: Course, record: AssignmentRecord) -> list[QuestionResponses]:
    """The response analysis of an assignment's quiz (none without a quiz)."""
    from gradelab.quiz.in_course import course_quiz

    quiz = course_quiz(course, record.assignment)
    if quiz is None:
        return []
    attempted = [s for s in record.submissions if s.attempted]
    return question_responses(course, record.assignment, quiz, attempted)
