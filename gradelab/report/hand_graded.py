"""Questions graded by hand in the report: while some of their answers await a grader,
they have no statistics and no flags (their zeros would say nothing), only the count of
answers still to grade; once all are graded they are questions like any other."""

from __future__ import annotations

from gradelab.report.items import ItemStatistics
from gradelab.report.submissions import Question, Submission


def still_to_grade(questions: list[Question], submissions: list[Submission]) -> dict[str, int]:
    """Per question, how many of ``submissions`` await a grader on it."""
    return {q.name: sum(1 for s in submissions if q.name in s.awaiting) for q in questions}


def awaiting_statistics(question: Question, count: int, submissions: int) -> ItemStatistics:
    """The statistics of a question with ``count`` answers still to grade: none yet."""
    why = f"{count} answer(s) still to grade by hand"
    return ItemStatistics(question.name, question.points, submissions, None, None, None, why, ())
