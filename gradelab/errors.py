"""gradelab's errors: each says what went wrong and what to do, and carries an exit status.

The command line catches ``GradelabError`` once and prints its message; anything else that
escapes is a bug in gradelab and is shown with its traceback.
"""

from __future__ import annotations


class GradelabError(Exception):
    """A problem a user can act on; ``exit_status`` is what ``gradelab`` exits with."""

    exit_status = 1


class CourseError(GradelabError):
    """The command cannot run here: not a course folder, no such assignment, bad settings."""

    exit_status = 2


class IsolationUnavailable(GradelabError):
    """The machine cannot build the sandbox's namespaces; grading must not go on silently."""

    exit_status = 2


class RosterError(GradelabError):
    """A roster file for an LMS export cannot be used as it is; the message names the file,
    the line and the column to fix."""

    exit_status = 2


class AssignmentError(GradelabError):
    """An assignment's own files are wrong (a hidden test, a reference, a quiz file): the
    instructor must fix them; no student is graded with them."""


class NbgraderFailed(GradelabError):
    """One of nbgrader's own commands failed; its log says why."""


class SubmissionRefused(Exception):  # noqa: N818 - named for what happens to the submission
    """A submission that cannot be graded, for a reason of its own (the message, for the
    student): it gets 0 with the reason, like one refused by screening."""
