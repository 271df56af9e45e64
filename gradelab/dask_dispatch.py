"""Grade submissions on a Dask distributed cluster instead of the local worker processes.

Each task grades one submission with nbgrader's autograde (the same pipeline and sandbox as
on one machine), on a worker that sees the course folder at the same path (a shared file
system) and the same gradebook (use PostgreSQL for several machines). Workers must run as
root for the sandbox's namespaces. Only ints travel back to the coordinator.
"""

from __future__ import annotations

from distributed import Client, as_completed
from tqdm import tqdm

from gradelab import nbgrader_commands
from gradelab.course import Course


def grade_one(course_root: str, assignment: str, student: str, weak: bool) -> int:
    """Autograde one student's submission here; return nbgrader's exit status."""
    course = Course.load(course_root)
    return nbgrader_commands.start_autograde(course, assignment, student, weak=weak).wait()


def grade_on_dask(
    course: Course, assignment: str, students: list[str], scheduler: str, *, weak: bool
) -> int:
    """Dispatch one task per submission to the scheduler; return the worst exit status."""
    worst = 0
    with Client(scheduler) as client:
        futures = [
            client.submit(grade_one, str(course.root), assignment, name, weak, pure=False)
            for name in students
        ]
        with tqdm(total=len(futures), unit="submission", desc=assignment, leave=False) as bar:
            for future in as_completed(futures):
                worst = max(worst, future.result())
                bar.update(1)
    return worst
