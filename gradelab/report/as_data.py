"""``gradelab report ASSIGNMENT --json``: per question, the report's figures as data."""

from __future__ import annotations

from gradelab.course import Course
from gradelab.report.analysis import question_reports
from gradelab.report.responses import response_analysis
from gradelab.report.submissions import read_submissions


def report_data(course: Course, assignment: str) -> dict:
    """Each question's title, points, statistics, flags, common mistakes and, for a quiz,
    the answers typed; and how many submissions each status has."""
    record = read_submissions(course, assignment)
    typed = {found.question.grade_cell: found for found in response_analysis(course, record)}
    questions = []
    for report in question_reports(record):
        stats, question = report.statistics, report.question
        entry = {
            "question": question.name,
            "title": question.label,
            "points": question.points,
            "submissions": stats.submissions,
            "difficulty": stats.difficulty,
            "discrimination": stats.discrimination,
            "why_undefined": stats.why_undefined,
            "flags": list(stats.flags),
            "mistakes": [{"message": m.message, "students": m.students} for m in report.mistakes],
        }
        if question.name in typed:
            entry["responses"] = [
                {
                    "answer": r.typed,
                    "students": r.count,
                    "score": r.fraction * typed[question.name].question.points,
                    "told": r.told,
                    "numbers": r.numbers,
                }
                for r in typed[question.name].responses
            ]
        questions.append(entry)
    statuses: dict[str, int] = {}
    for submission in record.submissions:
        statuses[submission.status.value] = statuses.get(submission.status.value, 0) + 1
    return {"assignment": assignment, "submissions": statuses, "questions": questions}
