"""What a regrade changes: each student's score and the points of each test, before and after.

A standing comes from where gradelab keeps it: the score from the gradebook, each test's
points from the autograded notebooks. A student has no score while their grading has failed
(``None``), and a submission that could not be graded has 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradelab.feedback.results import SubmissionResults
from gradelab.scores import SubmissionScore
from gradelab.text import printable

TestKey = tuple[str, str]  # the grade cell's id and the test's title


@dataclass(frozen=True)
class Standing:
    """A student's score in an assignment (None: no score) and the points of each test."""

    score: float | None
    tests: dict[TestKey, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreChange:
    """A student whose score or whose points in some test differ after the regrade."""

    student: str
    before: float | None
    after: float | None
    tests: list[tuple[str, float | None, float | None]]  # title, points before, points after


def standings(
    scores: dict[str, SubmissionScore], results: dict[str, SubmissionResults]
) -> dict[str, Standing]:
    """Each student's standing, from the gradebook's scores and the autograded results."""
    found = {}
    for student, score in scores.items():
        tests: dict[TestKey, float] = {}
        graded = results.get(student)
        for cell in graded.cells if graded else []:
            for test in cell["tests"]:
                key = (cell["grade_id"], test["title"])
                tests[key] = tests.get(key, 0.0) + test["earned"]
        found[student] = Standing(None if score.pending else score.score, tests)
    return found


def score_changes(
    before: dict[str, Standing], after: dict[str, Standing], students: list[str]
) -> list[ScoreChange]:
    """The changes of ``students`` (those the regrade graded), by name."""
    nothing = Standing(None)
    changes = []
    for student in sorted(students):
        old, new = before.get(student, nothing), after.get(student, nothing)
        tests = [
            (title, old.tests.get((cell, title)), new.tests.get((cell, title)))
            for cell, title in sorted(old.tests.keys() | new.tests.keys())
            if old.tests.get((cell, title)) != new.tests.get((cell, title))
        ]
        if old.score != new.score or tests:
            changes.append(ScoreChange(student, old.score, new.score, tests))
    return changes


def points(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def change_table(changes: list[ScoreChange], graded: int) -> str:
    """The changes as the instructor reads them: one student a line, then its tests."""
    rows = [f"{len(changes)} of {graded} regraded students would change"]
    if changes:
        rows.append(f"  {'student':<22}{'before':>7} -> {'after':<6} tests that changed")
    for change in changes:
        tests = "; ".join(
            f"{printable(title, 80)}: {points(old)} -> {points(new)}"
            for title, old, new in change.tests
        )
        rows.append(
            f"  {printable(change.student, 22):<22}{points(change.before):>7} -> "
            f"{points(change.after):<6} {tests}"
        )
    return "\n".join(rows)
