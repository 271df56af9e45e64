"""Run nbgrader's own commands on a course: gradelab adds to nbgrader, it does not redo it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from gradelab.course import Course
from gradelab.errors import NbgraderFailed


def start_nbgrader(course: Course, *args: str) -> subprocess.Popen:
    """Start ``nbgrader ARGS`` in the course folder; its warnings and errors reach stderr."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        # nbgrader 0.9 predates SQLAlchemy 2's session warnings; they say nothing to a user.
        "PYTHONWARNINGS": "ignore:Object of type",
    }
    quiet = logging.getLogger().getEffectiveLevel() >= logging.ERROR  # gradelab -q
    command = [str(bin_dir / "nbgrader"), *args, f"--log-level={'ERROR' if quiet else 'WARN'}"]
    return subprocess.Popen(command, cwd=course.root, env=env)


def nbgrader(course: Course, *args: str, check: bool = True) -> int:
    """Run ``nbgrader ARGS`` in the course folder and wait for it."""
    code = start_nbgrader(course, *args).wait()
    if check and code != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` failed (exit {code}); see its log above")
    return code


def release(course: Course, assignment: str) -> None:
    """nbgrader's ``generate_assignment``; for an assignment with a ``quiz.toml``, after the
    quiz is checked (and, for a quiz alone, its notebook made), and then its public part."""
    from gradelab.quiz.release import prepare, source_option, write_public

    quiz = prepare(course, assignment)
    gradebook_folder(course)
    where = source_option(course, assignment) if quiz is not None else []
    nbgrader(course, "generate_assignment", assignment, "--force", *where)
    if quiz is not None:
        write_public(course, assignment, quiz)


def gradebook_folder(course: Course) -> None:
    """Make the folder of a SQLite gradebook (``gradebook/``) if the course has none yet:
    nbgrader cannot create the file in a missing folder."""
    if course.db_url.startswith("sqlite:///"):
        Path(course.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def feedback(course: Course, assignment: str) -> None:
    nbgrader(course, "generate_feedback", assignment, "--force")


def export(course: Course, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    nbgrader(course, "export", f"--to={target}")
