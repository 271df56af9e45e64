"""gradelab similarity on hostile submissions: a file that is no notebook is listed as not
compared, with its reason, and the rest are compared; what a student wrote shows in the
report as text and runs nothing; every part is cut to its bounds and tokenized in bounded
time, whatever it holds."""

import json
import os
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from chromium import chromium, first_page, require_chromium
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell
from playwright.sync_api import sync_playwright
from test_feedback_page import ATTACKS, inspect
from test_similarity import ASSIGNMENT, PageText, place, released_notebook

from gradelab.autograde.intake import Refused
from gradelab.course import Course
from gradelab.feedback.page import CSP
from gradelab.selftest import scratch_course
from gradelab.similarity.answers import (
    MAX_CELL_CHARS,
    MAX_SUBMISSION_CHARS,
    Answers,
    Release,
    is_answer,
    read_release,
    submission_answers,
)
from gradelab.similarity.command import report_path
from gradelab.similarity.comparison import Comparison
from gradelab.similarity.fingerprints import fingerprint
from gradelab.similarity.page import page
from gradelab.similarity.pairs import Prints, ranked_pairs

GRADELAB = Path(sys.executable).parent / "gradelab"
INJECTED = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
ESCAPE = "eve\x1b[2J"
GENERATED = settings(max_examples=60, deadline=None, derandomize=True)
LONG_GENERATED = settings(GENERATED, max_examples=25)
#: Seconds within which any text at a submission's bound is tokenized and fingerprinted: its
#: worst cases (long runs of one token) take under a second here.
FINGERPRINT_SECONDS = 5


def answer_cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(
        cell
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def with_answer(course: Course, code: str) -> nbformat.NotebookNode:
    notebook = released_notebook(course)
    answer_cell(notebook, "compute_gradient").source = code
    return notebook


def write_bytes(course: Course, student: str, data: bytes) -> Path:
    folder = course.submission_folder(student, ASSIGNMENT)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def hostile_class(course: Course, released_copy):
    """Two students who inject markup into the same code, one whose answer is a megabyte
    long, one with nbgrader metadata of the wrong shape, and files that are no notebook."""
    with scratch_course(course) as scratch:
        released = released_copy(ASSIGNMENT).release_folder(ASSIGNMENT)
        shutil.copytree(released, scratch.release_folder(ASSIGNMENT))
        injected = (
            "def compute_gradient(X, y, w):\n"
            f"    note = '{INJECTED}'  # {INJECTED}\n"
            "    residual = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) - y\n"
            "    return 2 * np.asarray(X, dtype=float).T @ residual / len(y)\n"
        )
        place(scratch, "mallory", with_answer(scratch, injected))
        place(scratch, "trudy", with_answer(scratch, injected))
        place(scratch, "long", with_answer(scratch, "x = [1, 2, 3]\n" * 80_000))
        odd = released_notebook(scratch)
        odd.cells.append(new_code_cell("odd = 1", metadata={"nbgrader": []}))
        meta = {"grade_id": {"a": [1]}, "solution": "yes", "schema_version": 3}
        odd.cells.append(new_code_cell("odd = 2", metadata={"nbgrader": meta}))
        place(scratch, "odd_metadata", odd)
        good = nbformat.writes(released_notebook(scratch)).encode()
        write_bytes(scratch, "invalid_json", b'{"cells": [')
        write_bytes(scratch, "not_utf8", good.replace(b"import", b"imp\xffort", 1))
        write_bytes(scratch, "deep", b'{"a": ' * 5000 + b"1" + b"}" * 5000)
        with open(write_bytes(scratch, "huge", b""), "wb") as huge:
            huge.truncate(300 * 1024 * 1024)
        links = scratch.submission_folder("linked", ASSIGNMENT)
        links.mkdir(parents=True)
        os.symlink(scratch.submission_folder("mallory", ASSIGNMENT) / "mse_gradient.ipynb",
                   links / "mse_gradient.ipynb")  # fmt: skip
        place(scratch, ESCAPE, released_notebook(scratch))
        yield scratch


@pytest.fixture(scope="module")
def hostile_run(hostile_class: Course) -> subprocess.CompletedProcess:
    started = time.monotonic()
    run = subprocess.run(
        [GRADELAB, "similarity", ASSIGNMENT],
        cwd=hostile_class.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    run.seconds = time.monotonic() - started
    return run


def test_files_that_are_no_notebook_are_listed_with_their_reason_and_the_rest_compared(
    hostile_run,
):
    assert hostile_run.returncode == 0, hostile_run.stderr
    reasons = {
        line.split(": ", 2)[1]: line.split(": ", 2)[2]
        for line in hostile_run.stdout.splitlines()
        if line.strip().startswith("not compared:")
    }
    assert "not valid JSON" in reasons["invalid_json"]
    assert "not UTF-8" in reasons["not_utf8"]
    assert "nested" in reasons["deep"]
    assert "larger than" in reasons["huge"]
    assert "symbolic link" in reasons["linked"]
    assert "not a valid student id" in reasons["eve\\x1b[2J"]
    assert "\x1b" not in hostile_run.stdout
    assert "4 submissions compared, 6 not compared" in hostile_run.stdout
    assert hostile_run.seconds < 120


def test_what_students_write_shows_as_text_and_runs_nothing(hostile_class, hostile_run):
    text = report_path(hostile_class, ASSIGNMENT).read_text(encoding="utf-8")
    assert inspect(text).problems == [] and CSP in text
    shown = PageText()
    shown.feed(text)
    assert INJECTED in "".join(shown.pairs["pair-mallory-trudy"])
    assert f"compared up to {MAX_CELL_CHARS:,} of its" in "".join(shown.text)


def test_in_a_browser_the_injected_markup_is_plain_text_beside_its_copy(
    hostile_class, hostile_run, tmp_path
):
    require_chromium()
    dialogs = []
    with (
        sync_playwright() as playwright,
        chromium(playwright, tmp_path, viewport={"width": 1400, "height": 900}) as browser,
    ):
        view = first_page(browser)
        view.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
        view.goto(report_path(hostile_class, ASSIGNMENT).as_uri())
        pair = view.locator("#pair-mallory-trudy")
        cells = pair.locator("table.side pre")
        left, right = cells.nth(0), cells.nth(1)
        assert INJECTED in left.inner_text() and INJECTED in right.inner_text()
        assert left.bounding_box()["x"] < right.bounding_box()["x"]
        assert left.bounding_box()["y"] == right.bounding_box()["y"]
        marked = pair.locator("span.match").first
        background = marked.evaluate("span => getComputedStyle(span).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        assert view.locator("img").count() == 0
        assert view.evaluate("document.scripts.length") == 0
    assert dialogs == []


pieces = st.one_of(st.sampled_from([*ATTACKS, INJECTED]), st.text(max_size=40))
code_text = st.lists(pieces, max_size=8).map("".join)


@GENERATED
@given(code_text, code_text)
def test_any_code_two_students_share_shows_as_itself_and_runs_nothing(first, second):
    release = Release(("a",), {("a", "answer"): "answer"}, ())
    comparison = Comparison("a", release)
    for student, code in (("s1", first), ("s2", first + second), ("s3", second)):
        comparison.answers[student] = Answers(student, {"answer": code})
        comparison.prints[student] = Prints.of({"answer": fingerprint(code)})
    comparison.ranked = ranked_pairs(comparison.prints)
    text = page(comparison, comparison.closest(3), 0.5)
    assert inspect(text).problems == [] and CSP in text
    shown = PageText()
    shown.feed(text)
    readable = set(string.printable) - set("\r\x0b\x0c")
    if set(first) <= readable:  # what a browser shows as the text itself
        assert first in "".join(shown.pairs["pair-s1-s2"])


@LONG_GENERATED
@given(st.text(min_size=1, max_size=12))
def test_any_code_at_a_submissions_bound_is_fingerprinted_in_bounded_time(unit):
    code = (unit * (MAX_SUBMISSION_CHARS // len(unit) + 1))[:MAX_SUBMISSION_CHARS]
    started = time.monotonic()
    fingerprint(code)
    assert time.monotonic() - started < FINGERPRINT_SECONDS


@pytest.fixture(scope="module")
def bounds_class(course: Course, released_copy):
    with scratch_course(course) as scratch:
        released = released_copy(ASSIGNMENT).release_folder(ASSIGNMENT)
        shutil.copytree(released, scratch.release_folder(ASSIGNMENT))
        yield scratch, read_release(scratch, ASSIGNMENT)


@GENERATED
@given(st.lists(st.integers(0, 3 * MAX_CELL_CHARS), min_size=1, max_size=12))
def test_every_part_and_every_submission_is_cut_to_its_bounds(bounds_class, sizes):
    course, release = bounds_class
    notebook = released_notebook(course)
    answers = [cell for cell in notebook.cells if is_answer(cell)]
    codes = ["y = x + 1\n" * (size // 10) for size in sizes]
    for index, code in enumerate(codes):
        if index < len(answers):
            answers[index].source = code
        else:
            notebook.cells.append(new_code_cell(code))
    place(course, "student", notebook)
    read = submission_answers(course, ASSIGNMENT, "student", release)
    assert all(len(text) <= MAX_CELL_CHARS for text in read.parts.values())
    assert sum(len(text) for text in read.parts.values()) <= MAX_SUBMISSION_CHARS
    if max(map(len, codes)) > MAX_CELL_CHARS:
        assert read.notes, "a part was cut without a note"
    if sum(len(code) + 2 for code in codes) <= MAX_CELL_CHARS:
        assert read.notes == []
        compared = "\n".join(read.parts.values())
        assert all(code.strip() in compared for code in codes)


def test_a_notebook_is_compared_only_once_screening_accepts_it(bounds_class):
    course, release = bounds_class
    data = json.loads(nbformat.writes(released_notebook(course)))
    data["nbformat"] = 3
    write_bytes(course, "old_format", json.dumps(data).encode())
    with pytest.raises(Refused, match="not a version 4 notebook"):
        submission_answers(course, ASSIGNMENT, "old_format", release)
