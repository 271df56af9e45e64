"""What one autograde run did, in words that match it, or as data for ``--json``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradelab.text import printable

if TYPE_CHECKING:  # the run imports tqdm and the grading pool: only when it runs
    from gradelab.autograde.run import AutogradeRun
    from gradelab.course import Course


def run_summary(run: AutogradeRun) -> list[str]:
    """The lines saying what happened: a run stopped by a broken suite says that alone."""
    if run.stopped:
        waiting = len(run.failed)
        return [
            f"grading stopped before any student: {printable(run.stopped, 600)}",
            "nothing was changed: autograded/ and every recorded score are as they were; "
            f"fix the test and run the same command again to grade the {waiting} "
            f"submission{'s' if waiting != 1 else ''} waiting",
            *[f"  already graded, kept: {len(run.already_graded)}"] * bool(run.already_graded),
            *refused_lines(run),
        ]
    lines = [
        f"graded {len(run.graded) - len(run.failed)}, already graded {len(run.already_graded)}, "
        f"not gradable {len(run.refused)}, failed {len(run.failed)}",
        *refused_lines(run),
    ]
    for student, error in run.failed.items():
        lines.append(
            f"  {printable(student, 60)}: grading failed ({printable(error, 600)}); it has "
            "no score until it is graded again on the next run"
        )
    return lines


def refused_lines(run: AutogradeRun) -> list[str]:
    return [
        f"  {printable(student, 60)}: {printable(reason, 300)}"
        for student, reason in run.refused.items()
    ]


def run_data(run: AutogradeRun) -> dict:
    """The run as JSON data: who was graded, skipped, refused (why), failed (why)."""
    graded = [name for name in run.graded if name not in run.failed]
    return {
        "graded": graded,
        "already_graded": run.already_graded,
        "not_gradable": run.refused,
        "failed": run.failed,
        "stopped": run.stopped,
    }


def scores_data(course: Course, assignment: str) -> dict[str, dict]:
    """Each student's score as recorded, per question; None where there is no score yet."""
    from gradelab.scores import assignment_scores

    return {
        student: {
            "score": None if s.pending else s.score,
            "max_score": s.max_score,
            "questions": s.cells,
            "not_graded": s.not_graded,
            "no_score_yet": s.pending,
        }
        for student, s in sorted(assignment_scores(course, assignment).items())
    }
