"""The coordinator's writes to nbgrader's gradebook: graded batches and refusals.

Workers only read the gradebook; every write happens here, in one process, through
nbgrader's API, so formgrader, feedback and export read what ``nbgrader autograde`` would
have stored: each grade cell's auto score, each answer cell's automatic comment, the late
penalty of nbgrader's configured late-submission plugin, and 0 for a missing notebook. The
assignment's policy (``c.Gradelab.policies``) gives the due date and each student's
extension, which nbgrader's late plugin then follows; an extension already in the
gradebook stays when it is the larger.

Manual grading belongs to the submission it graded. A submission whose time differs from
the one the gradebook holds is a new submission: the manual scores, extra credit and
comments of the earlier one are cleared, and each cell without an automatic score waits for
a grader again, unless the assignment's policy says ``hand_grades_on_resubmission = "keep"``:
then they stand for the new submission, not flagged again. Regrading the same submission
(``--force``) keeps them, and marks those cells for review, as nbgrader's autograde does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from nbgrader.api import Gradebook, MissingEntry, SubmittedAssignment, SubmittedNotebook
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.engine import Connection

from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook
from gradelab.course.policy import utc
from gradelab.errors import CourseError
from gradelab.grading.submission import GradedNotebook, GradedSubmission
from gradelab.scores import NOT_GRADED, NOT_GRADED_YET
from gradelab.text import one_line


@contextmanager
def one_transaction(gradebook: Gradebook) -> Iterator[None]:
    """nbgrader's API commits each student and submission it adds; within this block those
    commits only flush, and the block commits once at its end (or rolls back): a batch is
    one transaction, which is also what makes recording fast (a commit is a disk sync)."""
    session = gradebook.db
    commit = session.commit
    session.commit = session.flush
    try:
        yield
    except BaseException:
        session.commit = commit
        session.rollback()
        raise
    session.commit = commit
    session.commit()


class GradebookWriter:
    """Records graded submissions of one assignment, a batch per transaction."""

    def __init__(self, course: Course, assignment: str) -> None:
        self.course = course
        self.assignment = assignment
        self.penalties = AssignLatePenalties(config=course.config)
        self.penalties.init_plugin()
        self.policy = course.policy(assignment)
        # nbgrader's steps in the workers open the gradebook under nbgrader's default course
        # id, and would add that course on first use: add it here, so workers only read.
        Gradebook(course.db_url).close()
        with open_gradebook(course) as gradebook:
            try:
                notebooks = gradebook.find_assignment(assignment).notebooks
            except MissingEntry:
                raise CourseError(
                    f"no assignment '{assignment}' in the gradebook ({course.db_url}); "
                    f"release it first: gradelab release {assignment}"
                ) from None
            found = gradebook.find_assignment(assignment)
            if self.policy.due is not None:  # the policy's due date, where nbgrader reads it
                found.duedate = self.policy.due.replace(tzinfo=None)
                gradebook.db.commit()
            self.due = utc(found.duedate) if found.duedate else None
            self.max_score = float(found.max_score)
            self.cell_names = {
                cell.id: cell.name
                for notebook in notebooks
                for cell in [*notebook.grade_cells, *notebook.solution_cells, *notebook.task_cells]
            }

    def record(
        self,
        batch: list[tuple[GradedSubmission, datetime | None]],
        also: Callable[[Connection], None] | None = None,
    ) -> None:
        """Store each submission's scores; ``datetime`` is its submission time, if known.
        ``also`` writes more in the same transaction (given its database connection)."""
        with open_gradebook(self.course) as gradebook, one_transaction(gradebook):
            if also is not None:
                also(gradebook.db.connection())
            for graded, timestamp in batch:
                gradebook.update_or_create_student(graded.student)
                earlier = recorded_time(gradebook, self.assignment, graded.student)
                extra = {"timestamp": timestamp} if timestamp else {}
                submission = gradebook.update_or_create_submission(
                    self.assignment, graded.student, **extra
                )
                # an extension set in the gradebook (the nbgrader way) is never taken back
                submission.extension = self.policy.extension(graded.student, submission.extension)
                resubmitted = earlier is not None and timestamp is not None
                resubmitted = resubmitted and utc(earlier) != utc(timestamp)
                keep = resubmitted and self.policy.hand_grades_on_resubmission == "keep"
                by_name = {notebook.name: notebook for notebook in graded.notebooks}
                for notebook in submission.notebooks:
                    if resubmitted and not keep:
                        clear_manual_grading(notebook)
                    if notebook.name in by_name:
                        self._store(notebook, by_name[notebook.name], review=not keep)
                    else:  # not submitted: 0, as nbgrader gives it
                        zero_grades(notebook)
                gradebook.db.flush()
                for notebook in submission.notebooks:
                    self._late_penalty(submission, notebook)

    def score_after_penalty(self, graded: GradedSubmission, submitted: datetime | None) -> float:
        """What ``graded`` would score in the gradebook, any late penalty taken off (with the
        student's larger extension, the gradebook's or the policy's)."""
        with open_gradebook(self.course) as gradebook:
            try:
                recorded = gradebook.find_submission(self.assignment, graded.student).extension
            except MissingEntry:
                recorded = None
        deadline = self.policy.due_for(graded.student, self.due, recorded)
        late = (utc(submitted) - deadline).total_seconds() if deadline and submitted else 0.0
        total = 0.0
        for notebook in graded.notebooks:
            score = sum(value or 0.0 for value in notebook.scores.values())
            penalty = (
                self.penalties.plugin_inst.late_submission_penalty(graded.student, score, late)
                if late > 0
                else None
            )
            total += score - min(penalty or 0.0, score)
        return total

    def _store(self, notebook: SubmittedNotebook, graded: GradedNotebook, review: bool) -> None:
        """Every grade cell gets this submission's score: 0 where it has none (a deleted
        cell, say), so nothing of an earlier submission remains. A cell a grader scored is
        flagged for review when ``review``; one no grader scored yet always waits for one."""
        for grade in notebook.grades:
            name = self.cell_names.get(grade.cell_id)
            score = graded.scores.get(name, 0.0) if name is not None else 0.0
            grade.auto_score = score
            scored_by_hand = grade.manual_score is not None
            grade.needs_manual_grade = (scored_by_hand and review) or (
                score is None and not scored_by_hand
            )
        for comment in notebook.comments:
            name = self.cell_names.get(comment.cell_id)
            comment.auto_comment = graded.comments.get(name, "No response.")

    def withdraw(self, student: str, timestamp: datetime | None, reason: str) -> None:
        """A submission whose grading failed on the grader's side: no score until it is
        graded, whatever an earlier submission scored."""
        with open_gradebook(self.course) as gradebook:
            try:
                submission = gradebook.find_submission(self.assignment, student)
            except MissingEntry:
                return
            resubmitted = timestamp is not None and submission.timestamp is not None
            resubmitted = resubmitted and utc(submission.timestamp) != utc(timestamp)
            if timestamp is not None:  # naive UTC, as nbgrader stores it
                submission.timestamp = utc(timestamp).replace(tzinfo=None)
            for notebook in submission.notebooks:
                if resubmitted:
                    clear_manual_grading(notebook)
                for grade in notebook.grades:
                    grade.auto_score = None
                    grade.needs_manual_grade = True
                for comment in notebook.comments:
                    comment.auto_comment = NOT_GRADED_YET + one_line(reason, 300)
                notebook.late_submission_penalty = None
            gradebook.db.commit()

    def refuse(
        self,
        student: str,
        reason: str,
        timestamp: datetime | None = None,
        also: Callable[[Connection], None] | None = None,
    ) -> None:
        """Give a submission that cannot be graded 0 points, with the reason (``also`` as
        for ``record``)."""
        with open_gradebook(self.course) as gradebook, one_transaction(gradebook):
            if also is not None:
                also(gradebook.db.connection())
            gradebook.update_or_create_student(student)
            extra = {"timestamp": timestamp} if timestamp else {}
            submission = gradebook.update_or_create_submission(self.assignment, student, **extra)
            for notebook in submission.notebooks:
                clear_manual_grading(notebook)  # a refusal is 0, whoever graded before
                zero_grades(notebook)
                for comment in notebook.comments:
                    comment.auto_comment = NOT_GRADED + one_line(reason, 300)
                notebook.late_submission_penalty = None

    def _late_penalty(self, submission: SubmittedAssignment, notebook: SubmittedNotebook) -> None:
        """What nbgrader's ``AssignLatePenalties`` step stores, with its configured plugin."""
        notebook.late_submission_penalty = None
        if submission.total_seconds_late > 0:
            penalty = self.penalties.plugin_inst.late_submission_penalty(
                submission.student.id, notebook.score, submission.total_seconds_late
            )
            if penalty is not None:
                notebook.late_submission_penalty = self.penalties._check_late_penalty(
                    notebook, penalty
                )


def recorded_time(gradebook: Gradebook, assignment: str, student: str) -> datetime | None:
    """The submission time the gradebook holds for ``student``, if any."""
    try:
        return gradebook.find_submission(assignment, student).timestamp
    except MissingEntry:
        return None


def clear_manual_grading(notebook: SubmittedNotebook) -> None:
    """A new submission is not the one a grader scored by hand: its manual scores, extra
    credit and comments go, and each cell that has no automatic score waits for a grader."""
    for grade in notebook.grades:
        grade.manual_score = None
        grade.extra_credit = None
    for comment in notebook.comments:
        comment.manual_comment = None


def zero_grades(notebook: SubmittedNotebook) -> None:
    for grade in notebook.grades:
        grade.auto_score = 0
        grade.needs_manual_grade = False
