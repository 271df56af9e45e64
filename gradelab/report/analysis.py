"""Each question of an assignment, over the submissions that attempted it: the scores, the
item statistics, each test's pass rate and the most common named mistakes.

Submissions not attempted (no answer cell changed), not graded (refused) or with no score yet
are left out: their zeros say nothing about the questions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gradelab.report.hand_graded import awaiting_statistics, still_to_grade
from gradelab.report.items import ItemStatistics, item_statistics
from gradelab.report.submissions import AssignmentRecord, Question, Submission

#: Most common mistakes shown per question.
TOP_MISTAKES = 5


@dataclass(frozen=True)
class PassRate:
    test: str
    passed: int
    graded: int


@dataclass(frozen=True)
class Mistake:
    message: str
    students: int


@dataclass(frozen=True)
class QuestionReport:
    question: Question
    scores: list[float]
    statistics: ItemStatistics
    pass_rates: list[PassRate]
    mistakes: list[Mistake]
    to_grade: int = 0


def pass_rates(question: str, submissions: list[Submission]) -> list[PassRate]:
    """Each test of ``question``, in the order the grader ran them: how many passed it."""
    passed: dict[str, int] = {}
    graded: Counter[str] = Counter()
    for submission in submissions:
        for test in submission.tests.get(question, []):
            passed[test.title] = passed.get(test.title, 0) + test.passed
            graded[test.title] += 1
    return [PassRate(title, passed[title], graded[title]) for title in passed]


def common_mistakes(question: str, submissions: list[Submission]) -> list[Mistake]:
    """The failure messages of ``question``'s tests, by how many students got each."""
    counts: Counter[str] = Counter()
    for submission in submissions:
        tests = submission.tests.get(question, [])
        counts.update({test.message for test in tests if test.message and not test.passed})
    return [Mistake(message, n) for message, n in counts.most_common(TOP_MISTAKES)]


def question_reports(record: AssignmentRecord) -> list[QuestionReport]:
    """One report per question, in the notebook's order; a question with answers still to
    grade by hand is left out of the others' statistics (``gradelab.report.hand_graded``)."""
    attempted = [s for s in record.submissions if s.attempted]
    to_grade = still_to_grade(record.questions, attempted)
    points = {q.name: q.points for q in record.questions if not to_grade[q.name]}
    statistics = {s.question: s for s in item_statistics(points, [s.scores for s in attempted])}
    return [
        QuestionReport(
            question,
            [
                s.scores.get(question.name, 0.0)
                for s in attempted
                if question.name not in s.awaiting
            ],
            statistics.get(question.name)
            or awaiting_statistics(question, to_grade[question.name], len(attempted)),
            pass_rates(question.name, attempted),
            common_mistakes(question.name, attempted),
            to_grade[question.name],
        )
        for question in record.questions
    ]
