"""The heavy file work of ``gradelab serve``, run in its task processes, never in its loop:
taking a snapshot of an entry and screening it, placing a graded submission in the
course's folders, making and releasing feedback, and the pages that are not the gradebook's.

Each function takes plain data (the course's folder, names, a snapshot's folder) and is
safe to run again: the loop commits each state before it asks for the next step (placing a
graded submission commits ``recorded`` itself, before its release), and after a crash asks
again. Everything is written only under the course's own folders for that
student (``submitted/``, ``autograded/``, ``feedback/``) and the exchange's feedback folder.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory

from gradelab.autograde.autograded_folder import AutogradedWriter
from gradelab.autograde.intake import screen
from gradelab.course import Course
from gradelab.feedback.page import not_graded_page
from gradelab.feedback.page import page as feedback_page
from gradelab.grading.submission import GradedSubmission
from gradelab.serve import feedback_release, inbox, snapshot
from gradelab.serve.ledger import Ledger


@functools.cache
def course_at(root: str) -> Course:
    return Course.load(root)


@functools.cache
def autograded_writer(root: str, assignment: str) -> AutogradedWriter:
    return AutogradedWriter(course_at(root), assignment)


def take(root: str, key: str, student: str, assignment: str, target: str) -> snapshot.Snapshot:
    """Snapshot the inbound entry ``key`` into ``target``, then screen the copy as
    ``gradelab autograde`` screens (``Refused`` with the reason)."""
    course = course_at(root)
    limit = CourseDirectory(config=course.config).max_file_size * 1000
    taken = snapshot.take(
        inbox.exchange_inbound(course),
        inbox.entry_name(key),
        inbox.rules(course, student, limit),
        Path(target),
    )
    screen(course, assignment, student, Path(target))
    size = sum(p.stat().st_size for p in Path(target).rglob("*") if p.is_file())
    return replace(taken, size=size)


def place_submitted(course: Course, student: str, assignment: str, staged: Path) -> None:
    """``submitted/<student>/<assignment>`` becomes a copy of the snapshot ``staged``, whole
    or not at all, as ``nbgrader collect`` leaves the latest submission."""
    if not staged.is_dir():
        return  # placed already: a snapshot is removed only once its feedback is released
    final = course.submission_folder(student, assignment)
    partial = final.with_name(f".{final.name}.collecting")
    shutil.rmtree(partial, ignore_errors=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(staged, partial, symlinks=True)
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)


@functools.cache
def ledger_at(root: str, pid: int) -> Ledger:
    """The ledger, opened once per process (``pid``: never a connection of the parent's)."""
    return Ledger(course_at(root))


def place_graded(
    root: str, key: str, staged: str, graded: GradedSubmission, assignment: str
) -> None:
    """The counted submission in ``submitted/`` and ``autograded/``, its feedback made into
    ``feedback/`` (``nbgrader generate_feedback``), the row ``key`` committed ``recorded``,
    and its feedback released (``nbgrader release_feedback``): one task, so that it waits
    for a task process once."""
    course = course_at(root)
    place_submitted(course, graded.student, assignment, Path(staged))
    autograded_writer(root, assignment).write(graded)
    feedback_release.generate(course, graded.student, assignment)
    ledger_at(root, os.getpid()).set(key, state="recorded")
    feedback_release.release(course, graded.student, assignment)


def place_refused(root: str, staged: str, student: str, assignment: str, reason: str) -> None:
    """A refused submission that counts: in ``submitted/`` (its time and secret at least),
    nothing in ``autograded/``, and a page with the reason in ``feedback/``."""
    course = course_at(root)
    place_submitted(course, student, assignment, Path(staged))
    shutil.rmtree(course.autograded_folder(student, assignment), ignore_errors=True)
    feedback_release.write_not_graded(course, student, assignment, reason)


def release(root: str, student: str, assignment: str, generate: bool) -> None:
    """``nbgrader release_feedback`` for ``student`` (after ``generate_feedback`` again when
    ``generate``, as after the due date)."""
    course = course_at(root)
    if generate:
        feedback_release.generate(course, student, assignment)
    feedback_release.release(course, student, assignment)


def place_pages(root: str, secret: str, pages: dict[str, str]) -> None:
    """Put ``pages`` where ``nbgrader fetch_feedback`` looks for the submission whose
    secret is ``secret``."""
    course = course_at(root)
    for notebook, html in pages.items():
        feedback_release.place_page(course, secret, notebook, html)


def not_graded_pages(root: str, assignment: str, reason: str, maximum: float) -> dict[str, str]:
    course = course_at(root)
    return {
        source.stem: not_graded_page(assignment, source.stem, reason, maximum)
        for source in course.source_notebooks(assignment)
    }


def release_not_graded(
    root: str, secret: str, assignment: str, reason: str, maximum: float
) -> None:
    """The page of a refused submission that does not count."""
    place_pages(root, secret, not_graded_pages(root, assignment, reason, maximum))


def release_uncounted(
    root: str,
    secret: str,
    graded: GradedSubmission,
    assignment: str,
    lines: list[str],
    shows: str,
    maximum: float,
) -> None:
    """The page of a graded submission that does not count ("best" policy): its own
    results, and the ``lines`` saying which submission counts."""
    pages = {}
    for notebook in graded.notebooks:
        node = nbformat.reads(notebook.text, as_version=4)
        for cell in node.cells:  # what nbgrader's GetGrades puts there from the gradebook
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") in notebook.scores:
                meta["score"] = notebook.scores[meta["grade_id"]]
        info = {
            "assignment": assignment,
            "notebook": notebook.name,
            "score": sum(v or 0.0 for v in notebook.scores.values()),
            "max_score": maximum,
        }
        pages[notebook.name] = feedback_page(node, info, lines, shows)
    place_pages(root, secret, pages)


def remove(staged: str) -> None:
    shutil.rmtree(Path(staged).parent, ignore_errors=True)
