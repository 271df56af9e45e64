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
from dataclasses import dataclass, field, replace
from pathlib import Path

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.course import CONFIG_FILE, Course
from gradelab.errors import GradelabError
from gradelab.grading.sample_submission import Sample
from gradelab.manual_grades import hand_graded_cells
from gradelab.scores import SubmissionScore, assignment_scores
from gradelab.selftest.explain import (
    CellCheck,
    checks_data,
    explain_lines,
    reference_checks,
    sample_checks,
)
from gradelab.selftest.samples import manual_points, place_samples
from gradelab.text import printable

COURSE_PARTS = ("source", "autograder", "solutions", CONFIG_FILE)


@dataclass(frozen=True)
class Verdict:
    sample: Sample
    score: SubmissionScore | None
    error: str | None = None
    cells: list[CellCheck] = field(default_factory=list)
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
    cells = sample_checks(course, assignment, listed)
    if run.stopped:
        cells["reference"] = reference_checks(course, assignment)
    verdicts = []
    for sample in listed:
        score = scores.get(sample.student)
        kept = [c for c in score.awaiting if c not in sample.cells] if score else []
        credit = 0.0 if sample.blank else sum(manual.get(cell, 0.0) for cell in kept)
        error = run.failed.get(sample.student)
        verdicts.append(Verdict(sample, score, error, cells.get(sample.student, []), credit))
    return verdicts


def selftest(course: Course, assignment: str) -> list[Verdict]:
    """The verdicts of the samples, graded in a scratch copy; their errors name the course's
    own files, not the copy's."""
    with scratch_course(course) as scratch:
        here, there = str(scratch.root), str(course.root)
        try:
            verdicts = grade_samples(scratch, assignment)
        except GradelabError as error:  # a quiz that cannot be released, say: its own file
            error.args = (str(error).replace(here, there),)
            raise
        return [replace(v, error=v.error.replace(here, there)) if v.error else v for v in verdicts]


def verdict_table(assignment: str, verdicts: list[Verdict], every: bool = False) -> str:
    """One row per sample; under a mismatch (``every``: under each), its cells and the
    messages of the tests that did not pass. A run stopped before any sample says why once."""
    rows = [f"{assignment}"]
    stopped = verdicts[0].error if verdicts and verdicts[0].sample.expected is None else None
    if stopped and all(v.error == stopped for v in verdicts):
        rows.append(f"  grading stopped before any sample: {printable(stopped, 600)}")
    else:
        stopped = None
    width = max([22, *(len(printable(v.sample.student, 60)) + 2 for v in verdicts)])
    rows.append(f"  {'submission':<{width}}{'score':>8}{'expected':>10}  result")
    for v in verdicts:
        got = "error" if v.score is None or v.error else f"{v.total:g}/{v.score.max_score:g}"
        full = sum(cell.points for cell in v.cells) if v.cells else None  # a stopped run's
        target = v.expected if v.expected is not None else full
        expected = "?" if target is None else f"{target:g}"
        mark = "ok" if v.ok else "MISMATCH"
        why = f"grading failed: {printable(v.error, 300)}" if v.error else v.sample.why
        if v.credit:
            why += f" (with {v.credit:g} points a grader gives by hand)"
        if stopped:
            got, why = "-", f"{v.sample.why}: not graded, the run stopped (above)"
        name = printable(v.sample.student, 60)
        rows.append(f"  {name:<{width}}{got:>8}{expected:>10}  {mark}  {why}")
        if every or not v.ok:
            rows += explain_lines(v.cells, every)
    return "\n".join(rows)


def verdicts_data(verdicts: list[Verdict]) -> list[dict]:
    """The verdicts as JSON data, each with its cells."""
    return [
        {
            "submission": v.sample.student,
            "why": v.sample.why,
            "score": None if v.score is None or v.error else v.score.score,
            "max_score": None if v.score is None else v.score.max_score,
            "expected": v.expected,
            "ok": v.ok,
            "error": v.error,
            "cells": checks_data(v.cells),
        }
        for v in verdicts
    ]
