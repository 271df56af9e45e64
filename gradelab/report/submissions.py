"""What happened to each submission of an assignment, read back for the report.

Scores come from nbgrader's gradebook, the one place they are kept, through
``gradelab.scores``: each grade cell's score (a question), and the refusals and withdrawn
scores gradelab records there. From the gradebook too: the automatic comment nbgrader gives
an answer cell left as released ("No response."), how late a submission is (its time against
the due date, with any extension) and its late penalty. Each test's outcome and the notes on
the whole submission come from the autograded notebooks (``gradelab.feedback.results``). Everything
read there is checked and bounded: one damaged record is reported, and the rest of the
report is still made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry, SubmittedAssignment

from gradelab.course import Course
from gradelab.feedback.question_titles import question_titles
from gradelab.feedback.results import SubmissionResults, read_results
from gradelab.grading.grade_notebook import cell_name, nbgrader_meta
from gradelab.report.problems import Problem, problems_of
from gradelab.scores import SubmissionScore, assignment_scores
from gradelab.text import one_line

#: nbgrader's automatic comment on an answer cell submitted as it was released.
NO_RESPONSE = "No response."
MAX_TESTS = 200
TITLE_CHARS = 300
MESSAGE_CHARS = 400


class Status(Enum):
    ATTEMPTED = "attempted"
    NOT_ATTEMPTED = "not attempted"
    REFUSED = "not graded"
    NO_SCORE = "no score yet"


@dataclass(frozen=True)
class RecordedTest:
    title: str
    points: float
    earned: float
    message: str

    @property
    def passed(self) -> bool:
        return self.earned >= self.points - 1e-9


@dataclass(frozen=True)
class Question:
    """A grade cell: its grade id, points and title (``gradelab.feedback.question_titles``)."""

    name: str
    points: float
    title: str = ""

    @property
    def label(self) -> str:
        """How the page names it: its title, else its grade id."""
        return self.title or self.name


@dataclass(frozen=True)
class Submission:
    student: str
    status: Status
    scores: dict[str, float]
    total: float
    reason: str | None = None
    seconds_late: float = 0.0
    penalty: float = 0.0
    tests: dict[str, list[RecordedTest]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    awaiting: frozenset[str] = frozenset()

    @property
    def attempted(self) -> bool:
        """Graded, with at least one answer cell changed from the release."""
        return self.status is Status.ATTEMPTED


@dataclass(frozen=True)
class AssignmentRecord:
    assignment: str
    questions: list[Question]
    submissions: list[Submission]
    duedate: datetime | None = None

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def recorded_test(data: object) -> RecordedTest | None:
    """One test's outcome as the grader kept it, checked; None when it is not one."""
    if not isinstance(data, dict):
        return None
    points, earned = _number(data.get("points")), _number(data.get("earned"))
    if points is None or earned is None:
        return None
    title = one_line(data.get("title", ""), TITLE_CHARS) or "(untitled test)"
    message = one_line(data.get("message", "") or "", MESSAGE_CHARS)
    return RecordedTest(title, points, earned, message)


def tests_by_question(results: SubmissionResults | None) -> dict[str, list[RecordedTest]]:
    """The tests of each grade cell of one submission, at most ``MAX_TESTS`` each."""
    found: dict[str, list[RecordedTest]] = {}
    for cell in results.cells if results else []:
        if not isinstance(cell, dict) or not isinstance(cell.get("tests"), list):
            continue
        tests = [t for t in map(recorded_test, cell["tests"][:MAX_TESTS]) if t is not None]
        found.setdefault(one_line(cell.get("grade_id", ""), TITLE_CHARS), []).extend(tests)
    return found


def notes_of(results: SubmissionResults | None) -> list[str]:
    """The notes on the whole submission, and its notebooks that could not be read."""
    if results is None:
        return []
    notes = [
        one_line(note, MESSAGE_CHARS)
        for cell in results.cells
        if isinstance(cell, dict) and isinstance(cell.get("notes"), list)
        for note in cell["notes"][:MAX_TESTS]
    ]
    unreadable = [f"its autograded notebook {what}" for what in results.unreadable]
    return list(dict.fromkeys(notes + unreadable))


def question_order(course: Course, assignment: str, names: set[str]) -> list[str]:
    """The grade cells ``names`` in the order of the source notebooks; any other after them,
    by name."""
    ordered = []
    for path in course.source_notebooks(assignment):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            name = cell_name(cell, index)
            graded = nbgrader_meta(cell).get("grade") or nbgrader_meta(cell).get("task")
            if graded and name in names and name not in ordered:
                ordered.append(name)
    return ordered + sorted(names - set(ordered))


@dataclass(frozen=True)
class HandedIn:
    """What the gradebook knows of a submission besides its scores (``gradelab.scores``)."""

    answers: dict[str, dict[str, bool]]
    seconds_late: float
    penalty: float

    def answered(self, notebooks: set[str]) -> set[str]:
        """The answer cells of ``notebooks`` changed from the release."""
        return {
            cell
            for notebook, cells in self.answers.items()
            if notebook in notebooks
            for cell, changed in cells.items()
            if changed
        }


def handed_in(submission: SubmittedAssignment) -> HandedIn:
    """Per notebook, which answer cells changed (nbgrader comments "No response." on the
    others, and never on a task, which is no answer cell); how late the submission is, and
    its late penalty."""
    answers = {
        notebook.name: {
            c.name: c.auto_comment != NO_RESPONSE
            for c in notebook.comments
            if c.name not in {task.name for task in notebook.notebook.task_cells}
        }
        for notebook in submission.notebooks
    }
    penalty = float(submission.late_submission_penalty or 0.0)
    return HandedIn(answers, float(submission.total_seconds_late), penalty)


def read_submissions(course: Course, assignment: str) -> AssignmentRecord:
    """Every submission of ``assignment`` in the gradebook, and what happened to it."""
    scores = assignment_scores(course, assignment)
    results = read_results(course, assignment)
    with Gradebook(course.db_url, course.course_id) as gradebook:
        try:
            record = gradebook.find_assignment(assignment)
        except MissingEntry:
            return AssignmentRecord(assignment, [], [])
        points = {
            cell.name: float(cell.max_score)
            for notebook in record.notebooks
            for cell in [*notebook.grade_cells, *notebook.task_cells]
        }
        notebooks = [notebook.name for notebook in record.notebooks]
        handed = {s.student.id: handed_in(s) for s in record.submissions}
        duedate = record.duedate
    titles = question_titles(course, assignment)
    questions = [
        Question(q, points[q], titles.get(q, ""))
        for q in question_order(course, assignment, set(points))
    ]
    submissions = [
        _submission(course, assignment, score, handed[student], results.get(student), notebooks)
        for student, score in sorted(scores.items())
        if student in handed
    ]
    return AssignmentRecord(assignment, questions, submissions, duedate)


def _submission(
    course: Course,
    assignment: str,
    score: SubmissionScore,
    handed: HandedIn,
    results: SubmissionResults | None,
    notebooks: list[str],
) -> Submission:
    folder = course.feedback_folder(score.student, assignment)
    common = {
        "student": score.student,
        "scores": dict(score.cells),
        "total": score.score,
        "seconds_late": handed.seconds_late,
        "penalty": handed.penalty,
        "feedback": [folder / f"{n}.html" for n in notebooks if (folder / f"{n}.html").is_file()],
        "awaiting": frozenset(score.awaiting),
    }
    if score.not_graded is not None:
        return Submission(status=Status.REFUSED, reason=score.not_graded, **common)
    if score.pending is not None:
        return Submission(status=Status.NO_SCORE, reason=score.pending, **common)
    answered = handed.answered(set(results.notebooks) if results else set(notebooks))
    has_answer_cells = any(handed.answers.values())
    tests = tests_by_question(results)
    messages = [test.message for found in tests.values() for test in found if not test.passed]
    return Submission(
        status=Status.ATTEMPTED if answered or not has_answer_cells else Status.NOT_ATTEMPTED,
        tests=tests,
        problems=problems_of(notes_of(results), messages, answered),
        **common,
    )
