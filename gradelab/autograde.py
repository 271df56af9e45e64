"""Autograde an assignment: screen each submission, grade the rest with nbgrader, resume.

A submission counts as graded once its autograded notebook carries a gradelab score in every
test cell; a run stopped midway (Ctrl-C, a killed process) leaves the others to the next
run. Submissions that cannot be graded get 0 in the gradebook with the reason as nbgrader's
automatic comment, so formgrader and feedback show it.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass, field

import nbformat
from nbgrader.api import Gradebook
from tqdm import tqdm

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.grading.grade_notebook import is_test_cell
from gradelab.intake import screen
from gradelab.scores import NOT_GRADED

DEFAULT_WORKERS = os.cpu_count() or 1


@dataclass
class AutogradeRun:
    graded: list[str] = field(default_factory=list)
    already_graded: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    nbgrader_exit: int = 0


def submitted_students(course: Course, assignment: str) -> list[str]:
    submitted = course.root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).exists())


def is_graded(course: Course, assignment: str, student: str) -> bool:
    """True when every notebook of the submission was autograded to the end."""
    folder = course.root / "autograded" / student / assignment
    for source in course.source_notebooks(assignment):
        path = folder / source.name
        if not (course.submission_folder(student, assignment) / source.name).exists():
            continue
        try:
            notebook = nbformat.read(path, as_version=4)
        except (OSError, ValueError):  # missing, or cut short by a stopped run
            return False
        for cell in filter(is_test_cell, notebook.cells):
            if not any(o.get("output_type") == "execute_result" for o in cell.outputs):
                return False
    return True


def record_refusal(course: Course, assignment: str, student: str, reason: str) -> None:
    """Give a submission that cannot be graded 0 points, with the reason, in the gradebook."""
    shutil.rmtree(course.root / "autograded" / student / assignment, ignore_errors=True)
    with Gradebook(course.db_url, course.course_id) as gradebook:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
            for comment in notebook.comments:
                comment.auto_comment = NOT_GRADED + reason
        gradebook.db.commit()


def grade_in_parallel(
    course: Course, assignment: str, students: list[str], workers: int, *, weak: bool
) -> int:
    """Split ``students`` among ``workers`` nbgrader processes; show progress until all end.

    Each process runs nbgrader's own autograde on its share; the gradebook's database
    serializes their short write transactions. Returns the worst exit status.
    """
    for name in students:
        shutil.rmtree(course.root / "autograded" / name / assignment, ignore_errors=True)
    everyone = submitted_students(course, assignment)
    shares = [students[index::workers] for index in range(max(1, workers))]
    processes = [
        nbgrader_commands.start_autograde(
            course,
            assignment,
            share[0] if len(students) == 1 else None,
            weak=weak,
            exclude=[name for name in everyone if name not in share],
        )
        for share in shares
        if share
    ]
    pending = set(students)
    try:
        with tqdm(total=len(students), unit="submission", desc=assignment, leave=False) as bar:
            while any(process.poll() is None for process in processes):
                time.sleep(0.5)
                done = {name for name in pending if is_graded(course, assignment, name)}
                pending -= done
                bar.update(len(done))
    finally:  # a stopped run ends only once its workers have: nothing writes after it
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait()
    return max(process.returncode for process in processes)


def autograde(
    course: Course,
    assignment: str,
    student: str | None = None,
    *,
    force: bool,
    weak: bool,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
) -> AutogradeRun:
    """Screen and grade the submissions of ``assignment`` (or one student's); ``scheduler``
    is a Dask scheduler address to grade on a cluster instead of local processes."""
    nbgrader_commands.require_sandbox_step(course)
    run = AutogradeRun()
    students = [student] if student else submitted_students(course, assignment)
    for name in students:
        reason = screen(course, assignment, name)
        if reason is not None:
            run.refused[name] = reason
        elif not force and is_graded(course, assignment, name):
            run.already_graded.append(name)
        else:
            run.graded.append(name)
    if run.graded and scheduler:
        from gradelab.dask_dispatch import grade_on_dask  # only when a cluster is asked for

        run.nbgrader_exit = grade_on_dask(course, assignment, run.graded, scheduler, weak=weak)
    elif run.graded:
        run.nbgrader_exit = grade_in_parallel(course, assignment, run.graded, workers, weak=weak)
    for name, reason in run.refused.items():
        record_refusal(course, assignment, name, reason)
    return run
