"""``gradelab autograde`` takes a submission's time from the file system, never from the
``timestamp.txt`` a student wrote: a late submission that claims to be early is still late."""

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from exchange_student import ExchangeStudent, sample_text
from nbgrader.exchange.default import ExchangeCollect
from serving import exchange_step, serve_course

from gradelab.autograde.run import AutogradeRun, sort_submissions
from gradelab.course import Course
from gradelab.grading.sample_submission import Sample
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples

pytestmark = pytest.mark.slow
ASSIGNMENT = "mse_gradient"
CLAIM = "2020-01-01 00:00:00.000000 UTC"


@pytest.fixture(scope="module")
def exchange_course(course: Course, tmp_path_factory) -> Iterator[tuple[Course, Path]]:
    base = tmp_path_factory.mktemp("times")
    with scratch_course(course) as scratch:
        policies = {ASSIGNMENT: {"due": "2025-01-01 00:00 UTC"}}
        serve_course(scratch, base / "exchange", policies, [ASSIGNMENT])
        yield Course.load(scratch.root), base


def collect(course: Course) -> None:
    """``nbgrader collect --update ASSIGNMENT``."""
    exchange_step(course, ExchangeCollect, ASSIGNMENT, update=True)


def time_taken(course: Course, student: str) -> datetime | None:
    """The time autograde records for ``student``'s submission."""
    times = sort_submissions(course, ASSIGNMENT, [student], False, run := AutogradeRun())
    assert run.refused == {}, run.refused
    return times[student]


def last_change(folder: Path) -> datetime:
    """The newest ctime of the folder and its files, as the kernel keeps it."""
    paths = [folder, *folder.rglob("*")]
    return datetime.fromtimestamp(max(os.lstat(p).st_ctime for p in paths), UTC)


def test_an_entry_that_claims_an_early_time_counts_from_when_the_exchange_received_it(
    exchange_course,
):
    course, base = exchange_course
    mallory = ExchangeStudent("mallory", base / "home" / "mallory", base / "exchange", "")
    mallory.course_id = course.course_id
    mallory.answer(ASSIGNMENT, ASSIGNMENT, sample_text(course, ASSIGNMENT, Sample("m", None, "")))
    before = time.time() - 1  # the kernel's file clock may lag this one a little
    entry = base / "exchange" / course.course_id / "inbound" / mallory.submit(ASSIGNMENT)
    (entry / "timestamp.txt").write_text(CLAIM)  # her own entry: she can write anything there
    collect(course)
    submitted = course.submission_folder("mallory", ASSIGNMENT)
    assert (submitted / "timestamp.txt").read_text() == CLAIM
    taken = time_taken(course, "mallory")
    assert taken == last_change(entry) and taken.timestamp() >= before

    notebook = entry / f"{ASSIGNMENT}.ipynb"  # changed since collect: the entry says nothing
    notebook.write_text(notebook.read_text() + "\n")
    assert time_taken(course, "mallory") == last_change(submitted)


def test_a_submission_placed_by_hand_counts_from_when_it_was_placed(exchange_course):
    course, _ = exchange_course
    before = time.time() - 1
    place_samples(course, ASSIGNMENT, [Sample("trudy", None, "the reference")])
    submitted = course.submission_folder("trudy", ASSIGNMENT)
    (submitted / "timestamp.txt").write_text(CLAIM)
    taken = time_taken(course, "trudy")
    assert taken == last_change(submitted) and taken.timestamp() >= before


def test_a_course_whose_submissions_are_all_placed_by_hand_can_take_their_claims(
    exchange_course,
):
    course, _ = exchange_course
    place_samples(course, ASSIGNMENT, [Sample("victor", None, "the reference")])
    (course.submission_folder("victor", ASSIGNMENT) / "timestamp.txt").write_text(CLAIM)
    config = course.config.copy()
    config.Gradelab.submission_times = "timestamp.txt"
    claimed = Course(course.root, course.course_id, course.db_url, config)
    assert time_taken(claimed, "victor") == datetime(2020, 1, 1)  # naive UTC, as nbgrader
