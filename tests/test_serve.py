"""``gradelab serve``: students submit through nbgrader's exchange and fetch their graded
feedback seconds later, under each assignment's policy; nothing is lost or graded twice when
the service is killed; a broken submission or a broken hidden test never stalls the rest."""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exchange_student import ExchangeStudent, sample_text
from serving import serve_course, serving, status, wait_until

from gradelab.grading.sample_submission import Sample
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import samples

LATE_BY = timedelta(days=2, hours=1)
DUE_IN = 30  # seconds after the service starts, for the test of feedback before the due date


@pytest.fixture(scope="module")
def served(course, tmp_path_factory):
    """A served copy of the course, with a policy per assignment; the service runs for the
    whole module."""
    base = tmp_path_factory.mktemp("served")
    past = datetime.now(UTC) - LATE_BY
    policies = {
        "mse_gradient": {},
        "gradients": {"counts": "best"},
        "update_step": {"gradings_per_hour": 1},
        "sgd_logistic": {
            "due": past.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "extensions": {"carol": "3d"},
        },
    }
    with scratch_course(course) as copy:
        serve_course(copy, base / "exchange", policies, list(policies))
        with serving(copy, base / "serve.log") as service:
            yield copy, base, service


def student(served, name: str) -> ExchangeStudent:
    course, base, _ = served
    return ExchangeStudent(name, base / "home" / name, base / "exchange", course.course_id)


def submit(served, name: str, assignment: str, sample: Sample | None = None) -> str:
    course = served[0]
    someone = student(served, name)
    someone.answer(
        assignment, assignment, sample_text(course, assignment, sample or Sample(name, None, ""))
    )
    return someone.submit(assignment)


def page_text(path: Path) -> str:
    """A feedback page's text as a student reads it (tags taken out)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_a_submission_is_graded_and_its_feedback_fetched_seconds_later(served):
    course = served[0]
    submit(served, "alice", "mse_gradient")
    pages = student(served, "alice").wait_for_feedback("mse_gradient", seconds=30)
    assert "Score: 22 / 22" in page_text(pages[0])
    assert "Your last submission counts" in page_text(pages[0])
    assert assignment_scores(course, "mse_gradient")["alice"].score == 22
    latency = status(course)["latency_seconds"]
    assert latency["count"] >= 1 and latency["max"] < 30


def test_served_scores_match_gradelab_autograde_on_the_same_notebooks(served, course, gradelab):
    served_course = served[0]
    wrong = [s for s in samples(served_course, "mse_gradient") if s.cells][:5]
    for sample in wrong:
        submit(served, f"m_{sample.student}", "mse_gradient", sample)
    for sample in wrong:
        student(served, f"m_{sample.student}").wait_for_feedback("mse_gradient", seconds=60)
    served_scores = assignment_scores(served_course, "mse_gradient")
    with scratch_course(course) as batch:
        for sample in wrong:
            name = f"m_{sample.student}"
            shutil.copytree(
                served_course.submission_folder(name, "mse_gradient"),
                batch.submission_folder(name, "mse_gradient"),
            )
        assert gradelab("release", "mse_gradient", cwd=batch.root).returncode == 0
        assert gradelab("autograde", "mse_gradient", cwd=batch.root).returncode == 0
        batch_scores = assignment_scores(batch, "mse_gradient")
    for sample in wrong:
        name = f"m_{sample.student}"
        assert served_scores[name].score == batch_scores[name].score == sample.expected, name


def test_past_the_hourly_limit_a_submission_waits_and_the_student_is_told_until_when(served):
    course = served[0]
    dave = student(served, "dave")
    submit(served, "dave", "update_step")
    dave.wait_for_feedback("update_step", seconds=30)
    submit(served, "dave", "update_step")
    pages = dave.wait_for_feedback("update_step", count=2, seconds=30)
    waiting = page_text(pages[-1])
    assert "waiting to be graded" in waiting and "at most 1 are made in an hour" in waiting
    turn = datetime.strptime(
        re.search(r"graded at (\S+ \S+) UTC", waiting).group(1), "%Y-%m-%d %H:%M"
    ).replace(tzinfo=UTC)
    assert timedelta(minutes=55) < turn - datetime.now(UTC) <= timedelta(hours=1)
    queue = [q for q in status(course)["queue"] if q["student"] == "dave"]
    assert len(queue) == 1 and queue[0]["waits_until"] is not None


def test_past_the_hourly_limit_a_quick_series_grades_the_first_and_holds_the_rest(served):
    course = served[0]
    entries = [submit(served, "hank", "update_step") for _ in range(3)]
    pages = student(served, "hank").wait_for_feedback("update_step", count=3, seconds=60)
    assert "Score: " in page_text(pages[0])
    assert all("waiting to be graded" in page_text(page) for page in pages[1:])
    queue = {q["entry"]: q for q in status(course)["queue"] if q["student"] == "hank"}
    assert set(queue) == set(entries[1:])
    assert all(q["waits_until"] is not None for q in queue.values())


def test_under_best_a_worse_submission_is_graded_but_the_best_counts(served):
    course = served[0]
    erin = student(served, "erin")
    submit(served, "erin", "gradients")
    erin.wait_for_feedback("gradients", seconds=30)
    power_kept = next(s for s in samples(course, "gradients") if s.student == "power_kept")
    submit(served, "erin", "gradients", power_kept)
    pages = erin.wait_for_feedback("gradients", count=2, seconds=30)
    worse = page_text(pages[-1])
    assert "Score: 17 / 19" in worse
    assert "scored 17; your best" in worse and "scored 19 and still counts" in worse
    assert assignment_scores(course, "gradients")["erin"].score == 19


def test_before_the_due_date_the_page_shows_scores_only_and_all_of_it_after(course, tmp_path):
    policy = {"feedback_before_due": "score"}
    with scratch_course(course) as copy:
        serve_course(copy, tmp_path / "exchange", {"learning_rate": policy}, ["learning_rate"])
        due = datetime.now(UTC) + timedelta(seconds=DUE_IN)
        config = copy.root / "nbgrader_config.py"
        due_text = due.strftime("%Y-%m-%d %H:%M:%S UTC")
        config.write_text(
            config.read_text() + f"c.Gradelab.policies['learning_rate']['due'] = {due_text!r}\n"
        )
        with serving(copy, tmp_path / "serve.log"):
            frank = ExchangeStudent(
                "frank", tmp_path / "frank", tmp_path / "exchange", copy.course_id
            )
            wrong = next(s for s in samples(copy, "learning_rate") if s.cells)
            frank.answer(
                "learning_rate", "learning_rate", sample_text(copy, "learning_rate", wrong)
            )
            frank.submit("learning_rate")
            before = page_text(frank.wait_for_feedback("learning_rate", seconds=30)[0])
            assert datetime.now(UTC) < due, "the service took too long to start to test this"
            assert "this page shows your score per question only" in before
            assert "shown after the due date" in before
            assert "\u2714" not in before and "\u2718" not in before  # no test is listed
            frank.wait_for_feedback(
                "learning_rate",
                seconds=DUE_IN + 30,
                settled=lambda pages: "\u2718" in page_text(pages[0]),
            )
        database = copy.db_url.removeprefix("sqlite:///")
        with sqlite3.connect(database) as db:
            ((submitted, first, last),) = db.execute(
                "SELECT submitted_at, first_released_at, released_at FROM gradelab_served"
            ).fetchall()
        waited = datetime.fromisoformat(first) - datetime.fromisoformat(submitted)
        assert datetime.fromisoformat(first) < datetime.fromisoformat(last)  # released again
        assert status(copy)["latency_seconds"]["max"] == waited.total_seconds()


def test_late_penalties_follow_the_due_date_and_each_students_extension(served):
    course = served[0]
    for name in ("carol", "gus"):
        submit(served, name, "sgd_logistic")
    carol = page_text(student(served, "carol").wait_for_feedback("sgd_logistic", seconds=30)[0])
    gus = page_text(student(served, "gus").wait_for_feedback("sgd_logistic", seconds=30)[0])
    scores = assignment_scores(course, "sgd_logistic")
    assert scores["carol"].score == scores["carol"].max_score == 16
    assert "with your extension of 3 days" in carol
    late = scores["gus"]  # 2 days and 1 hour late: 3 started days, 10% each
    assert late.score == 16 and late.late_penalty == pytest.approx(16 * 3 * 0.10)
    assert "Score: 11.2 / 16" in gus and "late penalty of 4.8 points" in gus
    assert "2 days, 1 hour after your due date" in gus


def test_broken_and_hostile_entries_are_refused_and_never_stall_the_queue(served):
    course, base, _ = served
    inbound = base / "exchange" / course.course_id / "inbound"
    hostile = inbound / "mallory+mse_gradient+2026-01-01 00:00:00.000000 UTC+x1"
    hostile.mkdir()
    os.symlink("/etc/shadow", hostile / "mse_gradient.ipynb")
    os.mkfifo(hostile / "notes.txt")
    (hostile / "submission_secret.txt").write_text("a" * 128)
    (inbound / "$(touch pwned)+mse_gradient+2026-01-01 00:00:00 UTC+y").mkdir()
    (inbound / "nobody_here+no_such_assignment+2026-01-01 00:00:00 UTC+z").mkdir()
    broken = student(served, "oscar")
    broken.answer("mse_gradient", "mse_gradient", '{"cells": [')
    broken.submit("mse_gradient")
    submit(served, "paula", "mse_gradient")
    student(served, "paula").wait_for_feedback("mse_gradient", seconds=30)
    oscar = page_text(broken.wait_for_feedback("mse_gradient", seconds=30)[0])
    assert "could not be graded" in oscar and "not valid JSON" in oscar
    problems = {p["entry"]: p for p in status(course)["problems"]}
    assert problems[hostile.name]["state"] == "refused"
    assert (
        "symbolic link" in problems[hostile.name]["reason"]
        or "not a regular file" in (problems[hostile.name]["reason"])
    )
    reasons = " ".join(p["reason"] or "" for p in problems.values())
    assert "no released assignment" in reasons and "is not a valid student id" in reasons
    assert assignment_scores(course, "mse_gradient")["mallory"].score == 0


@pytest.fixture
def fresh(course, tmp_path):
    """A served copy of the course of the test's own, its service not started."""
    with scratch_course(course) as copy:
        serve_course(copy, tmp_path / "exchange", {}, ["mse_gradient"])
        yield copy, tmp_path


def test_killed_during_a_burst_it_grades_every_submission_exactly_once(fresh):
    course, base = fresh
    people = [
        ExchangeStudent(f"s{k}", base / "home" / f"s{k}", base / "exchange", course.course_id)
        for k in range(8)
    ]
    kinds = [s for s in samples(course, "mse_gradient") if s.cells][:3]
    entries = {}
    for round_ in range(2):
        for k, person in enumerate(people):
            sample = kinds[(k + round_) % len(kinds)]
            person.answer(
                "mse_gradient", "mse_gradient", sample_text(course, "mse_gradient", sample)
            )
            entries[person.submit("mse_gradient")] = (person.student, sample.expected)
    with serving(course, base / "serve.log") as service:
        wait_until(lambda: "INFO released" in service.text(), 60, "a first release")
        service.kill()
    first = status(course)
    assert 0 < sum(by.get("released", 0) for by in first["counts"].values()) < len(entries)
    with serving(course, base / "serve.log"):
        wait_until(
            lambda: status(course)["counts"]["mse_gradient"].get("released") == len(entries),
            120,
            "every submission released",
        )
    database = course.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT name, state, score FROM gradelab_served").fetchall()
    assert sorted(name for name, _, _ in rows) == sorted(entries)
    assert {state for _, state, _ in rows} == {"released"}
    for name, _, score in rows:
        assert score == entries[name][1], name
    scores = assignment_scores(course, "mse_gradient")
    for person in people:
        last = [n for n in entries if n.startswith(f"{person.student}+")][-1]
        assert scores[person.student].score == entries[last][1]
    for person in people:
        assert len(person.fetch_feedback("mse_gradient")) == 2
    log = (base / "serve.log").read_text()
    for name in entries:  # across both runs, each released once
        assert log.count(f"released {name} (") == 1, name


def test_a_broken_hidden_test_holds_its_assignment_until_it_is_fixed(fresh):
    course, base = fresh
    suite = course.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    good = suite.read_text()
    suite.write_text(good + "\n\ndef test_broken(student):\n    assert undefined_name\n")
    with serving(course, base / "serve.log") as service:
        alice = ExchangeStudent(
            "alice", base / "home" / "alice", base / "exchange", course.course_id
        )
        alice.answer(
            "mse_gradient",
            "mse_gradient",
            sample_text(course, "mse_gradient", Sample("alice", None, "")),
        )
        alice.submit("mse_gradient")
        service.wait_for_log("grading of mse_gradient is held")
        queue = status(course)["queue"]
        assert [q["student"] for q in queue] == ["alice"]
        assert alice.fetch_feedback("mse_gradient") == []
        suite.write_text(good)
        pages = alice.wait_for_feedback("mse_gradient", seconds=60)
        assert "Score: 22 / 22" in page_text(pages[0])
