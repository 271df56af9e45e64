"""``gradelab preview ASSIGNMENT --student S`` for an assignment that draws each student's
numbers in its notebook: the reference notebook run as that student, their numbers on the
page; an assignment where nothing varies is refused with the reason."""

from __future__ import annotations

import html
import importlib.util
import re
import sys

import pytest

from gradelab.selftest import scratch_course

ASSIGNMENT = "update_step"
ROWS = ("β₀ (intercept)", "β₁ (TV spend)", "β₂ (radio spend)")


@pytest.fixture(scope="module")
def scratch(course):
    with scratch_course(course) as copy:
        yield copy


def table_of(scratch, student: str):
    """The student's update table, from the assignment's own ``checks.py``."""
    path = scratch.source_folder(ASSIGNMENT) / "checks.py"
    spec = importlib.util.spec_from_file_location(f"checks_{student}", path)
    checks = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = checks  # its dataclasses look their module up
    spec.loader.exec_module(checks)
    return checks.update_table(scratch.course_id, student)


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_the_page_shows_the_students_own_numbers_with_the_key(scratch, gradelab, student):
    run = gradelab("preview", ASSIGNMENT, "--student", student, cwd=scratch.root)
    assert run.returncode == 0, run.stderr
    page = scratch.root / "build" / "preview" / ASSIGNMENT / f"{ASSIGNMENT}-{student}.html"
    assert str(page) in run.stdout
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())
    table = table_of(scratch, student)
    assert f"Numbers of {student}" in text
    for row, old, gradient in zip(ROWS, table.old, table.gradient, strict=True):
        assert f"{row} {old:g} {gradient:g} {table.learning_rate:g}" in text
    assert "All public checks passed" in text  # the reference, on this student's numbers
    assert not list(scratch.release_folder(ASSIGNMENT).parent.glob(f"**/*{student}.html"))


def test_an_assignment_where_nothing_varies_is_refused_with_the_reason(scratch, gradelab):
    run = gradelab("preview", "sgd_logistic", "--student", "alice", cwd=scratch.root)
    assert run.returncode != 0
    assert "no answer cell sets STUDENT_ID" in run.stderr
