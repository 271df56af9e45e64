"""Prove an assignment's grading on a throwaway copy of the course.

The reference must score full marks, the blank release 0, and each wrong submission listed
in ``autograder/<assignment>/selftest.toml`` exactly the score the list gives it. A sample
whose grading failed (a broken hidden test, say) shows why on its row. Hand-graded cells
await a grader: the list's ``[manual]`` table says what a grader gives the reference's answer
there, and a sample that keeps that answer (all but the blank release, unless it replaces
the cell) is credited with it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.course import CONFIG_FILE, Course
from gradelab.manual_grades import hand_graded_cells
from gradelab.samples import Sample, manual_points, place_samples
from gradelab.scores import SubmissionScore, assignment_scores
from gradelab.text import printable

COURSE_PARTS = ("source", "autograder", "solutions", CONFIG_FILE)


@dataclass(frozen=True)
class Verdict:
    sample: Sample
    score: SubmissionScore | None
    error: str | None = None
    credit: float = 0.0

    @property
    def total(self) -> float:
        """The automatic score, and what a grader gives the reference's hand-graded answers."""
        return (self.score.score if self.score else 0.0) + self.credit

    @property
    def expected(self) -> float | None:
        if self.score is None:
            return self.sample.expected
        return self.score.max_score if self.sample.expected is None else self.sample.expected

    @property
    def ok(self) -> bool:
        return (
            self.error is None
            and self.score is not None
            and self.score.pending is None
            and abs(self.total - self.expected) < 1e-6
        )


def copy_course(course: Course, folder: Path) -> Course:
    """The course's instructor files copied into ``folder``, with an empty gradebook."""
    for part in COURSE_PARTS:
        source = course.root / part
        if source.is_dir():
            shutil.copytree(source, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, folder / part)
    (folder / "gradebook").mkdir(exist_ok=True)
    return Course.load(folder)


@contextmanager
def scratch_course(course: Course, keep: Path | None = None) -> Iterator[Course]:
    """A copy of the course's instructor files with an empty gradebook of its own (SQLite,
    whatever database the course uses), removed afterwards unless it is made in ``keep``."""
    saved = os.environ.pop("GRADELAB_DB_URL", None)
    try:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            yield copy_course(course, keep.resolve())
            return
        with tempfile.TemporaryDirectory(prefix="gradelab-scratch-") as folder:
            yield copy_course(course, Path(folder))
    finally:
        if saved is not None:
            os.environ["GRADELAB_DB_URL"] = saved


def grade_samples(course: Course, assignment: str) -> list[Verdict]:
    """Release, place the samples, autograde them all, and compare with what they must get."""
    listing = course.hidden_suite(assignment) / "selftest.toml"
    manual = manual_points(listing, hand_graded_cells(course, assignment))
    nbgrader_commands.release(course, assignment)
    listed = place_samples(course, assignment)
    run = autograde(course, assignment, force=True, weak=False)
    scores = assignment_scores(course, assignment)
    verdicts = []
    for sample in listed:
        score = scores.get(sample.student)
        kept = [c for c in score.awaiting if c not in sample.cells] if score else []
        credit = 0.0 if sample.blank else sum(manual.get(cell, 0.0) for cell in kept)
        verdicts.append(Verdict(sample, score, run.failed.get(sample.student), credit))
    return verdicts


def selftest(course: Course, assignment: str) -> list[Verdict]:
    with scratch_course(course) as scratch:
        return grade_samples(scratch, assignment)


def verdict_table(assignment: str, verdicts: list[Verdict]) -> str:
    rows = [f"{assignment}", f"  {'submission':<22}{'score':>8}{'expected':>10}  result"]
    for v in verdicts:
        got = "error" if v.score is None or v.error else f"{v.total:g}/{v.score.max_score:g}"
        expected = "?" if v.expected is None else f"{v.expected:g}"
        mark = "ok" if v.ok else "MISMATCH"
        why = f"grading failed: {printable(v.error, 300)}" if v.error else v.sample.why
        if v.credit:
            why += f" (with {v.credit:g} points a grader gives by hand)"
        rows.append(f"  {v.sample.student:<22}{got:>8}{expected:>10}  {mark}  {why}")
    return "\n".join(rows)
