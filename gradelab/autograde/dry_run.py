"""``gradelab autograde A --force --dry-run``: regrade in a scratch course and show the changes.

The scratch course is the course itself, as its workers see it, with two things elsewhere:
the gradebook, a copy of every row (from SQLite or PostgreSQL) in a SQLite file of the
scratch, and the ``autograded/`` folder. Its ``nbgrader_config.py`` loads the course's own
settings, then points at those; the source, release and submitted folders are the course's,
only read. The hidden suite, the reference and a quiz alone's notebook are copied as they
are, and the course secret with them, so each student gets the same numbers as in the real
run. The run is the real one, to the end, in there; then the scratch is removed. Nothing of
the course changes: neither the gradebook's bytes, nor ``autograded/``, nor ``feedback/``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gradelab.autograde.gradebook_copy import copy_gradebook
from gradelab.autograde.run import AutogradeRun, Interrupted, autograde
from gradelab.autograde.score_changes import ScoreChange, score_changes, standings
from gradelab.course import CONFIG_FILE, SECRET_FILE, Course
from gradelab.errors import CourseError
from gradelab.feedback.results import read_results
from gradelab.scores import assignment_scores

INSTRUCTOR_PARTS = ("autograder", "solutions", "build/quiz_source")
SCRATCH_CONFIG = '''"""A dry run's scratch course: the course's own settings, with the gradebook and
autograded/ here."""

c = get_config()
load_subconfig({config!r})
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.release_directory = {release!r}
c.CourseDirectory.submitted_directory = {submitted!r}
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
'''


def make_scratch_course(course: Course, folder: Path) -> Course:
    """The scratch course of ``course`` in the empty ``folder``."""
    for part in INSTRUCTOR_PARTS:
        if (course.root / part).is_dir():
            shutil.copytree(
                course.root / part, folder / part, ignore=shutil.ignore_patterns("__pycache__")
            )
    (folder / "gradebook").mkdir()
    shutil.copyfile(course.root / SECRET_FILE, folder / SECRET_FILE)
    db_url = copy_gradebook(course.db_url, folder / "gradebook" / "gradebook.db")
    (folder / CONFIG_FILE).write_text(
        SCRATCH_CONFIG.format(
            config=str(course.root / CONFIG_FILE),
            root=str(folder),
            db_url=db_url,
            **{step: str(course.folder(step)) for step in ("source", "release", "submitted")},
        )
    )
    scratch = Course.load(folder)
    if (scratch.course_id, scratch.db_url) != (course.course_id, db_url):
        raise CourseError(
            f"{course.root / CONFIG_FILE} could not be loaded for a dry run: the scratch course "
            f"reads course {scratch.course_id!r} from {scratch.db_url}"
        )
    return scratch


@contextmanager
def scratch_course(course: Course, *, shared: bool) -> Iterator[Course]:
    """A scratch course, removed afterwards; ``shared``: made in the course folder, where a
    Dask cluster's workers see it, instead of this machine's temporary folder."""
    with tempfile.TemporaryDirectory(
        prefix=".gradelab-dry-run-", dir=course.root if shared else None
    ) as folder:
        yield make_scratch_course(course, Path(folder))


def preview_regrade(
    course: Course,
    assignment: str,
    student: str | None = None,
    *,
    weak: bool,
    workers: int | None = None,
    scheduler: str | None = None,
) -> tuple[AutogradeRun, list[ScoreChange]]:
    """Regrade ``assignment`` (or one student's submission) as ``gradelab autograde --force``
    would, in a scratch course; return the run and each student whose score or tests change."""
    course.secret()  # the real run's secret: made now if this is the course's first run
    with scratch_course(course, shared=scheduler is not None) as scratch:
        before = standings(assignment_scores(scratch, assignment), read_results(course, assignment))
        try:
            run = autograde(
                scratch,
                assignment,
                student,
                force=True,
                weak=weak,
                workers=workers,
                scheduler=scheduler,
            )
        except Interrupted:
            raise Interrupted("stopped; nothing of the course was changed.") from None
        after = standings(assignment_scores(scratch, assignment), read_results(scratch, assignment))
    regraded = sorted({*run.graded, *run.refused})
    return run, score_changes(before, after, regraded)
