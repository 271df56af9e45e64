"""``gradelab demo``: the whole course on sample submissions, in a scratch copy of it.

Every assignment is released, its samples (the reference, the blank release, the wrong
submissions of its ``selftest.toml``) are placed in ``submitted/`` and autograded; then the
feedback, the reports and the exports are written. The course's own gradebook is never
touched: the copy has its own, and is removed afterwards unless it is kept for a look.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.exports.grades import export_grades
from gradelab.feedback.write import write_feedback
from gradelab.quiz.validate import quiz_variants
from gradelab.report import write_report
from gradelab.selftest import grade_samples, scratch_course, verdict_table

MARKER = ".gradelab-demo"


def prepare_keep(folder: Path) -> Path:
    """An empty folder to keep the demo course in (a previous demo's copy is replaced)."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise CourseError(f"{folder}: not empty and not a demo copy; choose another folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("a copy of the course made by gradelab demo\n")
    return folder


def run_demo(course: Course, keep: Path | None = None) -> bool:
    """Grade the course's samples in a scratch copy; True when every score is as expected."""
    ok = True
    with scratch_course(course, prepare_keep(keep) if keep else None) as scratch:
        for assignment in scratch.assignments():
            print(f"== {assignment}: release, sample submissions, autograde", flush=True)
            verdicts = grade_samples(scratch, assignment)
            variants_ok, variants = quiz_variants(scratch, assignment)
            print(verdict_table(assignment, verdicts) + variants, flush=True)
            ok &= all(v.ok for v in verdicts) and variants_ok
            write_feedback(scratch, assignment)
            write_report(scratch, assignment)
        export_grades(scratch, scratch.root / "gradebook" / "grades.csv")
        if keep:
            print(f"the demo course, with its feedback/, reports and exports in gradebook/: {keep}")
        else:
            print("the scratch copy is removed; `gradelab demo --keep DIR` keeps it for a look")
    print("demo finished: every score as expected" if ok else "demo finished with MISMATCHES")
    return ok
