"""The final scores an LMS gets, out of nbgrader's gradebook, matched to a roster.

A final score is what nbgrader's own export calls ``score``: the submission's points less
its late penalty, never below 0. A submission whose grading failed on the grader's side has
no score yet; it is reported, never exported as a 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbgrader.api import Gradebook

from gradelab.course import Course
from gradelab.exports.lms.roster import Roster, RosterEntry
from gradelab.scores import NOT_GRADED_YET


@dataclass(frozen=True)
class AssignmentGrades:
    """An assignment's points possible and each student's final score (None: no score yet)."""

    name: str
    max_score: float
    scores: dict[str, float | None]


@dataclass
class Matched:
    """The gradebook's grades laid over a roster, with what did not match either way."""

    assignments: list[AssignmentGrades]
    entries: list[RosterEntry]
    not_on_roster: list[str] = field(default_factory=list)
    no_submission: dict[str, list[str]] = field(default_factory=dict)
    no_score_yet: dict[str, list[str]] = field(default_factory=dict)


def gradebook_grades(course: Course) -> list[AssignmentGrades]:
    """Every assignment of the gradebook, in the gradebook's order, with its final scores."""
    found = []
    with Gradebook(course.db_url, course.course_id) as gradebook:
        for assignment in gradebook.assignments:
            scores: dict[str, float | None] = {}
            for submission in assignment.submissions:
                comments = (
                    comment.auto_comment or ""
                    for notebook in submission.notebooks
                    for comment in notebook.comments
                )
                if any(comment.startswith(NOT_GRADED_YET) for comment in comments):
                    scores[submission.student.id] = None
                else:
                    penalty = submission.late_submission_penalty or 0.0
                    scores[submission.student.id] = max(0.0, submission.score - penalty)
            found.append(AssignmentGrades(assignment.name, float(assignment.max_score), scores))
    return found


def score_text(score: float | None) -> str:
    """A score as an import cell: a plain decimal (Moodle keeps 5 places), empty for none."""
    return "" if score is None else f"{score:.5f}".rstrip("0").rstrip(".")


def match_roster(assignments: list[AssignmentGrades], roster: Roster) -> Matched:
    """The grades of the roster's students, and the students on one side only."""
    on_roster = {entry.student_id for entry in roster.entries}
    graded = {student for a in assignments for student in a.scores}
    matched = Matched(assignments, roster.entries, sorted(graded - on_roster))
    for assignment in assignments:
        matched.no_submission[assignment.name] = [
            e.student_id for e in roster.entries if e.student_id not in assignment.scores
        ]
        matched.no_score_yet[assignment.name] = [
            e.student_id
            for e in roster.entries
            if e.student_id in assignment.scores and assignment.scores[e.student_id] is None
        ]
    return matched
