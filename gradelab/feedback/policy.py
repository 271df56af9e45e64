"""What the policy says of one submission, at the top of its feedback page.

``PolicyForFeedback`` is an nbgrader step of ``generate_feedback`` (in
``c.GenerateFeedback.preprocessors``, after ``GetGrades``): from the gradebook and the
assignment's policy it puts into ``resources["gradelab"]`` the lines the page shows (when it
was submitted and due, which submission counts, how often it may be graded) and what the
page may show now (``shows``: everything, or before the due date only the public tests or
the score). The feedback exporter (``FeedbackPage``) reads them there; nothing of it comes
from the student's notebook.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.course import Course
from gradelab.course.gradebook import gradebook_at
from gradelab.course.policy import Policy, utc, when

SHOWN_BEFORE_DUE = {
    "public": "the results of the public tests only",
    "score": "your score per question only",
}


def _span(span: timedelta) -> str:
    """A time span as a person says it: "3 days", "2 days, 1 hour", "40 minutes"."""
    minutes = round(span.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] if days or hours else [(minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return ", ".join(words) or "0 minutes"


def policy_lines(
    policy: Policy,
    student: str,
    submitted: datetime | None,
    due: datetime | None,
    now: datetime,
    recorded: timedelta | None = None,
) -> list[str]:
    """The policy's lines for ``student``'s submission of ``submitted`` (``due``: the
    gradebook's due date, used when the policy sets none; ``recorded``: the extension the
    gradebook holds, which counts when it is the larger)."""
    lines = []
    deadline = policy.due_for(student, due, recorded)
    extension = policy.extension(student, recorded)
    extended = f" (with your extension of {_span(extension)})" if extension else ""
    if submitted is not None and deadline is not None:
        late = submitted - deadline
        if late > timedelta(0):
            lines.append(
                f"Submitted {when(submitted)}, {_span(late)} after your due date, "
                f"{when(deadline)}{extended}."
            )
        else:
            lines.append(f"Submitted {when(submitted)}; due {when(deadline)}{extended}.")
    elif submitted is not None:
        lines.append(f"Submitted {when(submitted)}.")
    lines.append(
        "Your best submission counts."
        if policy.counts == "best"
        else "Your last submission counts: each new one replaces it."
    )
    if policy.gradings_per_hour:
        lines.append(
            f"At most {policy.gradings_per_hour} gradings an hour: a submission past that "
            "waits its turn."
        )
    shows = policy.shows(student, now, due, recorded)
    if shows in SHOWN_BEFORE_DUE:
        lines.append(
            f"Until your due date ({when(deadline)}), this page shows "
            f"{SHOWN_BEFORE_DUE[shows]}; all of it after."
        )
    return lines


class PolicyForFeedback(NbGraderPreprocessor):
    """Puts the policy's lines and what the page may show into ``resources["gradelab"]``."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        course = Course.from_config(self.config)
        policy = course.policy(info["assignment"])
        student = info["student"]
        submitted = due = recorded = None
        with gradebook_at(info["db_url"], course.course_id) as gradebook:
            try:
                submission = gradebook.find_submission(info["assignment"], student)
                submitted = utc(submission.timestamp) if submission.timestamp else None
                recorded = submission.extension
                assigned = submission.assignment.duedate
                due = utc(assigned) if assigned else None
            except MissingEntry:
                pass
        now = datetime.now(UTC)
        resources["gradelab"] = {
            "policy": policy_lines(policy, student, submitted, due, now, recorded),
            "shows": policy.shows(student, now, due, recorded),
        }
        return nb, resources
