"""Prove an assignment's grading on a throwaway copy of the course.

The reference must score full marks, the blank release 0, and each wrong submission listed
in ``autograder/<assignment>/selftest.toml`` exactly the score the list gives it.
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
from gradelab.autograde import autograde
from gradelab.course import CONFIG_FILE, Course
from gradelab.samples import Sample, place_samples
from gradelab.scores import SubmissionScore, assignment_scores

COURSE_PARTS = ("source", "autograder", "solutions", CONFIG_FILE)


@dataclass(frozen=True)
class Verdict:
    sample: Sample
    score: SubmissionScore | None

    @property
    def expected(self) -> float | None:
        if self.score is None:
            return self.sample.expected
        return self.score.max_score if self.sample.expected is None else self.sample.expected

    @property
    def ok(self) -> bool:
        return self.score is not None and abs(self.score.score - self.expected) < 1e-6


@contextmanager
def scratch_course(course: Course) -> Iterator[Course]:
    """A copy of the course's instructor files with an empty gradebook of its own."""
    with tempfile.TemporaryDirectory(prefix="gradelab-selftest-") as folder:
        for part in COURSE_PARTS:
            source = course.root / part
            if source.is_dir():
                shutil.copytree(
                    source, Path(folder) / part, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(source, Path(folder) / part)
        (Path(folder) / "gradebook").mkdir()
        saved = os.environ.pop("GRADELAB_DB_URL", None)
        try:
            yield Course.load(folder)
        finally:
            if saved is not None:
                os.environ["GRADELAB_DB_URL"] = saved


def grade_samples(course: Course, assignment: str) -> list[Verdict]:
    """Release, place the samples, autograde them all, and compare with what they must get."""
    nbgrader_commands.release(course, assignment)
    listed = place_samples(course, assignment)
    autograde(course, assignment, force=True, weak=False)
    scores = assignment_scores(course, assignment)
    return [Verdict(sample, scores.get(sample.student)) for sample in listed]


def selftest(course: Course, assignment: str) -> list[Verdict]:
    with scratch_course(course) as scratch:
        return grade_samples(scratch, assignment)


def verdict_table(assignment: str, verdicts: list[Verdict]) -> str:
    rows = [f"{assignment}", f"  {'submission':<22}{'score':>8}{'expected':>10}  result"]
    for v in verdicts:
        got = "error" if v.score is None else f"{v.score.score:g}/{v.score.max_score:g}"
        expected = "?" if v.expected is None else f"{v.expected:g}"
        mark = "ok" if v.ok else "MISMATCH"
        rows.append(f"  {v.sample.student:<22}{got:>8}{expected:>10}  {mark}  {v.sample.why}")
    return "\n".join(rows)
