"""``gradelab serve`` left alone with a class: an entry no one can name, one too deep, a
feedback that cannot be made or a busy gradebook stop nothing but that entry; an entry
swapped for a link or edited after submitting changes nothing; "best" is the gradebook's;
after a crash between recording and releasing, every page is released."""

from __future__ import annotations

import html
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from exchange_student import ExchangeStudent, sample_text
from nbgrader.api import Gradebook
from nbgrader.utils import notebook_hash
from nested_folders import make_nested, remove_nested
from serving import Serving, serve_course, status, wait_until

from gradelab.course import Course
from gradelab.grading.sample_submission import Sample
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import samples

pytestmark = pytest.mark.slow
BROKEN = "\n\ndef test_broken(student):\n    assert undefined_name\n"


@dataclass
class Served:
    course: Course
    base: Path
    service: Serving

    @property
    def inbound(self) -> Path:
        return self.base / "exchange" / self.course.course_id / "inbound"

    def restart(self) -> None:
        self.service.stop()
        self.service = Serving(self.course, self.base / "serve.log")

    def student(self, name: str) -> ExchangeStudent:
        return ExchangeStudent(
            name, self.base / "home" / name, self.base / "exchange", self.course.course_id
        )

    def submit(self, name: str, assignment: str, sample: Sample | None = None) -> str:
        someone = self.student(name)
        text = sample_text(self.course, assignment, sample or Sample(name, None, ""))
        someone.answer(assignment, assignment, text)
        return someone.submit(assignment)

    def rows(self) -> dict[str, tuple]:
        with sqlite3.connect(self.course.db_url.removeprefix("sqlite:///")) as db:
            found = db.execute("SELECT name, state, message, score FROM gradelab_served")
            return {name: (state, message, score) for name, state, message, score in found}


@pytest.fixture(scope="module")
def served(course, tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    policies = {"mse_gradient": {}, "gradients": {"counts": "best"}}
    with scratch_course(course) as copy:
        serve_course(copy, base / "exchange", policies, list(policies))
        service = Served(copy, base, Serving(copy, base / "serve.log"))
        try:
            yield service
        finally:
            service.service.stop()


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def bystander_is_graded(served: Served, name: str) -> None:
    served.submit(name, "mse_gradient")
    pages = served.student(name).wait_for_feedback("mse_gradient", seconds=60)
    assert "Score: 22 / 22" in page_text(pages[0])
    assert served.service.process.poll() is None, served.service.text()[-2000:]


def entry_name(student: str) -> str:
    return f"{student}+mse_gradient+2026-12-01 10:00:00.000000 UTC+r1"


def test_an_entry_named_in_no_encoding_is_kept_escaped_and_the_rest_goes_on(served):
    os.mkdir(os.fsencode(served.inbound) + b"/junk\xff")
    os.mkdir(os.fsencode(served.inbound) + b"/ann+mse_gradient+\xfe+r1")
    bystander_is_graded(served, "b_name")
    problems = {p["entry"]: p for p in status(served.course)["problems"]}
    assert problems["junk%FF"]["state"] == "unusable"
    assert problems["ann+mse_gradient+%FE+r1"]["state"] == "unusable"


def test_an_entry_1500_folders_deep_is_refused_and_the_rest_goes_on(served):
    entry = served.inbound / entry_name("deep")
    entry.mkdir()
    (entry / "submission_secret.txt").write_text("f" * 128)
    make_nested(entry, 1500)
    try:
        bystander_is_graded(served, "b_deep")
        wait_until(lambda: served.rows()[entry.name][0] == "refused", 30, "refused")
        assert "nested more than" in served.rows()[entry.name][1]
    finally:
        remove_nested(entry)


def test_a_feedback_that_cannot_be_made_fails_that_submission_alone(served):
    blocker = served.course.feedback_folder("nofeed", "mse_gradient")
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder")  # nbgrader's GenerateFeedback raises on it
    entry = served.submit("nofeed", "mse_gradient")
    bystander_is_graded(served, "b_feed")
    wait_until(lambda: served.rows()[entry][0] == "failed", 120, "the submission failed")
    assert served.rows()[entry][1]  # with its reason
    problems = {p["entry"]: p for p in status(served.course)["problems"]}
    assert problems[entry]["state"] == "failed" and problems[entry]["reason"]
    blocker.unlink()


def test_a_gradebook_locked_for_longer_than_its_timeout_only_delays(served):
    database = served.course.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database, isolation_level=None) as db:
        db.execute("BEGIN EXCLUSIVE")
        served.submit("locked", "mse_gradient")
        wait_until(lambda: "database is locked" in served.service.text(), 60, "a locked turn")
        db.execute("COMMIT")
    pages = served.student("locked").wait_for_feedback("mse_gradient", seconds=60)
    assert "Score: 22 / 22" in page_text(pages[0])
    bystander_is_graded(served, "b_locked")


def test_best_is_decided_by_the_gradebook_score_not_the_services_own(served):
    erin = served.student("erin")
    served.submit("erin", "gradients")
    erin.wait_for_feedback("gradients", seconds=60)
    with Gradebook(served.course.db_url, served.course.course_id) as gradebook:
        for notebook in gradebook.find_submission("gradients", "erin").notebooks:
            for grade in notebook.grades:
                grade.manual_score = 0.0  # the instructor's regrade: 0 now counts
        gradebook.db.commit()
    assert assignment_scores(served.course, "gradients")["erin"].score == 0
    power_kept = next(s for s in samples(served.course, "gradients") if s.student == "power_kept")
    second = served.submit("erin", "gradients", power_kept)
    pages = erin.wait_for_feedback("gradients", count=2, seconds=60)
    assert "still counts" not in page_text(pages[-1])  # 17 is more than the gradebook's 0
    with sqlite3.connect(served.course.db_url.removeprefix("sqlite:///")) as db:
        counted = db.execute(
            "SELECT name FROM gradelab_served WHERE student = 'erin' AND counted"
        ).fetchall()
    assert counted == [(second,)]


def test_while_grading_is_held_a_swapped_or_edited_entry_changes_nothing(served):
    course = served.course
    bystander_is_graded(served, "bob")
    blank = next(s for s in samples(course, "mse_gradient") if s.blank)
    suite = course.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    good = suite.read_text()
    suite.write_text(good + BROKEN)
    try:
        swapper = served.submit("mallory", "mse_gradient", blank)
        editor = served.submit("eve", "mse_gradient", blank)
        served.service.wait_for_log("grading of mse_gradient is held")
        wait_until(
            lambda: {q["student"] for q in status(course)["queue"]} >= {"mallory", "eve"},
            60,
            "both queued",
        )
        held = status(course)["held"]
        assert [h["assignment"] for h in held] == ["mse_gradient"]
        assert held[0]["test_file"].endswith("test_mse_gradient.py")
        assert held[0]["test_line"] == len((good + BROKEN).splitlines()) - 1  # its def
        # mallory's entry becomes a link to bob's graded work; eve edits hers after the fact
        (served.inbound / swapper).rename(served.inbound / f".{swapper}")
        (served.inbound / swapper).symlink_to(course.submission_folder("bob", "mse_gradient"))
        reference = sample_text(course, "mse_gradient", Sample("eve", None, ""))
        (served.inbound / editor / "mse_gradient.ipynb").write_text(reference)
    finally:
        suite.write_text(good)
    for name in ("mallory", "eve"):
        served.student(name).wait_for_feedback("mse_gradient", seconds=90)
    scores = assignment_scores(course, "mse_gradient")
    assert scores["mallory"].score == scores["eve"].score == blank.expected
    assert scores["bob"].score == 22
    bob = served.student("bob").fetch_feedback("mse_gradient")
    assert "Score: 22 / 22" in page_text(bob[0])
    assert status(course)["held"] == []


def test_pages_committed_but_not_yet_placed_are_placed_after_a_restart(served):
    course = served.course
    oscar = served.student("oscar")
    oscar.answer("gradients", "gradients", '{"cells": [')
    refused = oscar.submit("gradients")
    served.submit("walt", "gradients")
    served.student("walt").wait_for_feedback("gradients", seconds=60)
    power_kept = next(s for s in samples(course, "gradients") if s.student == "power_kept")
    worse = served.submit("walt", "gradients", power_kept)
    served.student("walt").wait_for_feedback("gradients", count=2, seconds=60)
    oscar.wait_for_feedback("gradients", seconds=60)
    served.service.stop()
    # as if the service had died after committing these two rows, before placing their pages
    database = course.db_url.removeprefix("sqlite:///")
    outbound = served.base / "exchange" / course.course_id / "feedback"
    with sqlite3.connect(database) as db:
        for entry, state in ((refused, "refused"), (worse, "graded")):
            (secret,) = db.execute(
                "SELECT secret FROM gradelab_served WHERE name = ?", (entry,)
            ).fetchone()
            (outbound / f"{notebook_hash(secret=secret, notebook_id='gradients')}.html").unlink()
            db.execute(
                "UPDATE gradelab_served SET state = ?, released_at = NULL, "
                "first_released_at = NULL WHERE name = ?",
                (state, entry),
            )
    assert len(served.student("walt").fetch_feedback("gradients")) == 2  # kept from before
    served.restart()
    wait_until(
        lambda: served.rows()[refused][0] == "refused" and served.rows()[worse][0] == "released",
        90,
        "both released again",
    )
    wait_until(
        lambda: all(
            (outbound / f"{notebook_hash(secret=s, notebook_id='gradients')}.html").exists()
            for s in secrets(database, (refused, worse))
        ),
        30,
        "both pages placed",
    )
    assert assignment_scores(course, "gradients")["walt"].score == 19


def secrets(database: str, entries: tuple[str, ...]) -> list[str]:
    with sqlite3.connect(database) as db:
        return [
            db.execute("SELECT secret FROM gradelab_served WHERE name = ?", (e,)).fetchone()[0]
            for e in entries
        ]
