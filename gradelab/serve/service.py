"""``gradelab serve``: grade each submission as it arrives in nbgrader's exchange, and
release its feedback there, so that the student's Fetch Feedback shows it seconds later.

This module is the scheduling: one loop that decides, per ledger row, the next step of its
state (see ``ledger``), and hands the work to others. Each turn it:

1. lists the exchange's inbound folder when it changed, and enters each new entry in the
   ledger as ``arrived`` (or ``unusable``, with the reason);
2. takes what the task processes and grading workers finished, and commits it
   (``recording``): snapshotted, graded, recorded, released, refused;
3. gives each row that is not finished its next step: a snapshot of the entry and its
   screening (``publishing.take``, in a task process); grading by the warm workers
   (``workers``), one at a time per student and assignment, within the hourly limit and
   only while the assignment's hidden suite gives the reference full marks (else the
   assignment is held, and ``gradelab status`` names the broken test); placing the files,
   making the feedback and releasing it, in one task (``recorded`` committed between);
4. once a student's due date passes, releases the full feedback where the policy showed
   less before it.

Every step of a row is committed before any file is moved and is safe to do again, so killed
at any moment and started again, the service takes each row on from its state. An error in
one row's step is that row's alone: logged with its traceback, recorded on the row, tried
again a few times, then left ``failed`` with the reason; the loop goes on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pwd
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gradelab.autograde.intake import Refused
from gradelab.autograde.pool import Graded
from gradelab.course import Course
from gradelab.course.policy import when
from gradelab.errors import AssignmentError, CourseError
from gradelab.feedback.page import html_document
from gradelab.feedback.policy import policy_lines
from gradelab.grading.hidden_suite import suite_version
from gradelab.grading.nbgrader_step import sandbox_limits
from gradelab.grading.submission import GradedSubmission
from gradelab.grading.suite_check import check_hidden_suite
from gradelab.serve import feedback_release, inbox, publishing
from gradelab.serve.ledger import Held, Ledger, Row
from gradelab.serve.lock import service_lock
from gradelab.serve.manual_grades import HandGrades
from gradelab.serve.recording import Recorder
from gradelab.serve.snapshot import NotTheirs, NotYet, taken_secret
from gradelab.serve.tasks import Tasks
from gradelab.serve.workers import ServeWorkers
from gradelab.text import printable
from gradelab.text.markup import escaped

log = logging.getLogger("gradelab.serve")
POLL_SECONDS = 0.1
RESCAN_SECONDS = 2.0  # the inbound folder is listed at least this often, changed or not
HEAVY_BYTES = 2 * 1024 * 1024  # a larger submission's work yields to everyone else's
NOT_YET_SECONDS = 0.15  # an entry still being submitted is looked at again after this
BUSY = "database is locked"
#: where a broken test is, as the grader names it: ``file.py:12`` or ``file.py::test (line 12)``
PLACE = re.compile(r"([\w./-]+\.py)(?::(\d+)|::[\w\[\]-]+ \(line (\d+)\))")


@dataclass
class Step:
    """A row's step in progress: what it does, its future, and when it began."""

    kind: str
    row: Row
    future: Future
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    hand_digest: str | None = None  # a "hand" step: the hand grades its page is made from


@dataclass
class Service:
    course: Course
    workers: int
    scheduler: str | None = None
    weak: bool = False
    assignments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.course.require_sandbox_step()
        self.course.secret()
        self.assignments = self.assignments or self.released()
        self.root = str(self.course.root)
        self.ledger = Ledger(self.course)
        self.recorder = Recorder(self.course, self.ledger, self.assignments)
        self.writers = self.recorder.writers
        self.policies = self.recorder.policies
        self.suites: dict[str, tuple[tuple, str | None]] = {}
        self.steps: dict[str, Step] = {}
        self.heavy: set[str] = set()  # rows whose snapshot is large: their work yields
        self.later: dict[str, float] = {}  # rows still being submitted: when to look again
        self.known: set[str] = set()  # the keys in the ledger
        self.listed_names: set[bytes] = set()  # the names seen in the inbound folder
        self.listed: tuple[int, float] = (0, 0.0)
        self.next_in_line: set[str] = set()  # the snapshotted rows that may be graded now
        self.stopping = False
        self.staging = self.course.root / "gradebook" / "serving"
        self.hand_grades = HandGrades(self.course, self.assignments)

    def released(self) -> list[str]:
        from nbgrader.api import Gradebook

        with Gradebook(self.course.db_url, self.course.course_id) as gradebook:
            known = {a.name for a in gradebook.assignments}
        found = [
            a
            for a in self.course.assignments()
            if a in known and self.course.release_folder(a).is_dir()
        ]
        if not found:
            raise CourseError("no released assignment to serve: gradelab release ASSIGNMENT first")
        return found

    # -- the loop --------------------------------------------------------------------------
    def run(self, until: float | None = None) -> None:
        """Serve until SIGTERM or SIGINT (or ``until``, a ``time.monotonic`` deadline)."""
        with service_lock(self.course):
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._stop)
            self.staging.mkdir(mode=0o700, parents=True, exist_ok=True)
            with (
                ServeWorkers(
                    self.course, self.assignments, self.workers, self.scheduler, weak=self.weak
                ) as self.pool,
                Tasks(max(2, self.workers)) as self.tasks,
            ):
                self.known = self.ledger.names()
                feedback_release.outbound_feedback(self.course)
                log.info("serving %s", ", ".join(self.assignments))
                while not self.stopping and (until is None or time.monotonic() < until):
                    try:
                        self.turn()
                    except Exception:  # noqa: BLE001 - the database, say: the next turn retries
                        log.exception("a turn of the loop failed; it is tried again")
                    self.wait()

    def wait(self) -> None:
        """Until a step finishes, or ``POLL_SECONDS`` pass (to look at the exchange again)."""
        futures = [s.future for s in self.steps.values() if isinstance(s.future, Future)]
        if futures:
            wait(futures, POLL_SECONDS, FIRST_COMPLETED)
        else:
            time.sleep(POLL_SECONDS)

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def turn(self) -> None:
        self.take_new_entries()
        self.finish_done()
        rows = self.ledger.working()
        self.check_suites({r.assignment for r in rows if r.state == "snapshotted"})
        self.next_in_line = next_in_line(rows)
        now = datetime.now(UTC)
        for row in rows:
            if row.name not in self.steps:
                self.guarded(row, self.advance, row, now)
        self.release_after_due(now)
        self.release_hand_grades()

    def guarded(self, row: Row, action: Callable[..., object], *args: object) -> None:
        """Do ``action`` for ``row``; an error is the row's alone: logged, recorded on it."""
        try:
            action(*args)
        except Exception as error:  # noqa: BLE001 - one row's failure stops nothing else
            log.exception("handling %s failed", printable(row.name, 300))
            reason = f"{type(error).__name__}: {error}"
            if BUSY in reason:  # the gradebook is busy, not the row's fault: the row waits
                return
            again = "snapshotted" if row.state == "graded" else row.state
            try:
                self.recorder.failed(self.ledger.row(row.name), reason, again)
            except Exception:  # noqa: BLE001 - the database itself: the next turn retries
                log.exception("recording the failure of %s failed", printable(row.name, 300))

    # -- 1. new entries ----------------------------------------------------------------------
    def take_new_entries(self) -> None:
        inbound = inbox.exchange_inbound(self.course)
        try:
            changed = os.stat(inbound).st_mtime_ns
        except FileNotFoundError:
            return
        if changed == self.listed[0] and time.monotonic() < self.listed[1]:
            return
        for name in inbox.entry_names(self.course):
            if name in self.listed_names:
                continue
            key = inbox.entry_key(name)
            if key not in self.known:
                entry = inbox.read_name(self.course, name, set(self.assignments))
                if isinstance(entry, inbox.Unusable):
                    log.warning("not taken: %s", entry.reason)
                    self.ledger.add(key, None, None, "unusable", entry.reason)
                else:
                    self.ledger.add(key, entry.student, entry.assignment)
                self.known.add(key)
            self.listed_names.add(name)  # only once it is in the ledger
        self.listed = (changed, time.monotonic() + RESCAN_SECONDS)

    # -- 2. hidden suites --------------------------------------------------------------------
    def check_suites(self, assignments: set[str]) -> None:
        """Check the suite of each of ``assignments`` that is new or whose files changed."""
        for assignment in sorted(assignments):
            version = suite_version(self.course, assignment)
            held = self.suites.get(assignment)
            if held is not None and held[0] == version:
                continue
            try:
                check_hidden_suite(self.course, assignment, sandbox_limits(self.course), self.weak)
                reason = None
            except AssignmentError as error:
                reason = str(error)
                log.error("grading of %s is held: %s", assignment, reason)
            self.suites[assignment] = (version, reason)
            self.ledger.hold(
                assignment, Held(assignment, reason, *broken_test(reason)) if reason else None
            )
            if reason is None and held is not None:
                for row in self.ledger.rows("failed"):
                    if row.assignment == assignment and row.submitted_at is not None:
                        self.ledger.set(row.name, state="snapshotted", attempts=0)

    # -- 3. the next step of each row ---------------------------------------------------------
    def advance(self, row: Row, now: datetime) -> None:
        if row.assignment not in self.assignments:
            return
        if row.not_before is not None and row.not_before > now and row.state != "snapshotted":
            return
        if row.state != "arrived" and self.busy(row):
            return  # one step at a time per student and assignment: they share its folders
        if row.state == "arrived":
            if self.later.get(row.name, 0.0) > time.monotonic():
                return
            self.begin("take", row, publishing.take, self.root, row.name, row.student,
                       row.assignment, str(self.staging_folder(row)))  # fmt: skip
        elif row.state == "snapshotted":
            self.grade(row, now)
        elif row.state == "graded":  # its result was lost with the process: grade it again
            again = "snapshotted" if self.staging_folder(row).is_dir() else "arrived"
            self.ledger.set(row.name, state=again)
        elif row.state == "recorded":
            self.begin("release", row, publishing.release, self.root, row.student,
                       row.assignment, False)  # fmt: skip
        elif row.state == "refused":
            self.tell_refused(row)

    def busy(self, row: Row) -> bool:
        """Whether a step of the student's submissions of the assignment is under way."""
        return any(
            step.kind != "take"
            and step.row.student == row.student
            and step.row.assignment == row.assignment
            for step in self.steps.values()
        )

    def begin(self, kind: str, row: Row, task, *args: object) -> None:
        future = self.tasks.submit(task, *args, heavy=row.name in self.heavy)
        self.steps[row.name] = Step(kind, row, future)

    def staging_folder(self, row: Row) -> Path:
        key = hashlib.sha256(row.name.encode()).hexdigest()[:24]
        return self.staging / key / row.assignment

    def grade(self, row: Row, now: datetime) -> None:
        if self.suites[row.assignment][1] is not None:
            return
        if row.not_before is not None and row.not_before > now:
            return
        if self.wait_for_limit(row, now) or row.name not in self.next_in_line:
            return
        heavy = row.name in self.heavy
        future = self.pool.submit(row.assignment, row.student, self.staging_folder(row), heavy)
        self.steps[row.name] = Step("grade", row, future)

    def wait_for_limit(self, row: Row, now: datetime) -> bool:
        """Whether ``row`` must wait for the hourly limit (the student is told until when)."""
        limit = self.policies[row.assignment].gradings_per_hour
        if limit is None:
            return False
        recent = self.ledger.gradings_since(row, now - timedelta(hours=1))
        if len(recent) < limit:
            return False
        turn = recent[-limit] + timedelta(hours=1)
        self.ledger.set(row.name, not_before=turn)
        lines = [
            f"Received {when(row.submitted_at)}. You have had {len(recent)} gradings of "
            f"{row.assignment} in the last hour; at most {limit} are made in an hour.",
            f"This submission will be graded at {when(turn)}, and this page replaced by its "
            "feedback then.",
        ]
        if row.secret:
            publishing.place_pages(self.root, row.secret, self.message_pages(row, lines))
        return True

    def message_pages(self, row: Row, lines: list[str]) -> dict[str, str]:
        """A page saying ``lines``, for each notebook of the assignment."""
        body = (
            f"<header><h1>{escaped(row.assignment, 100)}: waiting to be graded</h1>"
            + "".join(f"<p>{escaped(line, 400)}</p>" for line in lines)
            + "</header>"
        )
        page = html_document(f"{row.assignment}: waiting", body)
        return {source.stem: page for source in self.course.source_notebooks(row.assignment)}

    def tell_refused(self, row: Row) -> None:
        """Tell the student why ``row`` was refused (a page for this submission; when it
        counts, nbgrader's feedback of the assignment)."""
        staged = self.staging_folder(row)
        if row.counted:
            self.begin("refused", row, publishing.place_refused, self.root, str(staged),
                       row.student, row.assignment, row.message or "")  # fmt: skip
        elif row.secret:
            self.begin("told", row, publishing.release_not_graded, self.root, row.secret,
                       row.assignment, row.message or "",
                       self.writers[row.assignment].max_score)  # fmt: skip
        else:  # no secret: no page can be found by the student
            self.ledger.released(row.name, "refused")

    # -- 4. results ---------------------------------------------------------------------------
    def finish_done(self) -> None:
        """Take every finished step; the graded submissions among them are recorded
        together, in one transaction (each alone if that fails)."""
        graded = []
        for name, step in list(self.steps.items()):
            if not step.future.done():
                continue
            del self.steps[name]
            row = self.ledger.row(name)
            if step.kind == "grade" and step.future.exception() is None:
                graded.append((row, step.future.result(), step.started))
            else:
                self.guarded(row, self.finish, step, row)
        if len(graded) > 1:
            try:
                counted = self.recorder.record_many(graded)
            except Exception:  # noqa: BLE001 - each is then recorded alone, its error its own
                log.exception("recording %d graded submissions at once failed", len(graded))
            else:
                for (row, submission, _), counts in zip(graded, counted, strict=True):
                    self.guarded(row, self.publish, row, submission, counts)
                return
        for row, submission, started in graded:
            self.guarded(row, self.graded, row, Graded(row.student, submission), started)

    def finish(self, step: Step, row: Row) -> None:
        error = step.future.exception()
        if step.kind == "grade":
            self.graded(row, Graded.of(row.student, step.future), step.started)
        elif step.kind == "take":
            self.taken(row, step.future)
        elif isinstance(error, BrokenProcessPool):
            self.tasks.restart()
            raise error
        elif error is not None:
            raise error
        elif step.kind == "refused":
            self.begin("told", row, publishing.release, self.root, row.student,
                       row.assignment, False)  # fmt: skip
        else:  # "place", "release", "told", "uncounted", "full", "hand": fetchable now
            if step.kind == "hand":
                self.hand_grades.mark(row.student, row.assignment, step.hand_digest or "")
                log.info(
                    "released %s/%s again: a hand grade changed",
                    printable(row.student, 80),
                    printable(row.assignment, 80),
                )
            full = row.counted and self.shows(row) == "everything"
            self.ledger.released(
                row.name, "refused" if row.state == "refused" else "released", full
            )
            self.after_release(row)

    def taken(self, row: Row, future: Future) -> None:
        error = future.exception()
        if isinstance(error, NotYet):
            wait = error.args[0] if error.args else NOT_YET_SECONDS
            self.later[row.name] = time.monotonic() + wait
        elif isinstance(error, NotTheirs):
            owner = owner_name(error.args[0])
            reason = (
                f"{printable(row.name, 120)}: claims to be {row.student}'s but belongs to {owner}"
            )
            log.warning("not taken: %s", reason)
            self.ledger.set(row.name, state="unusable", message=reason)
        elif isinstance(error, Refused):
            secret = taken_secret(self.staging_folder(row))
            self.ledger.set(row.name, secret=secret)
            self.recorder.refuse(self.ledger.row(row.name), str(error))
        elif error is not None:
            if isinstance(error, BrokenProcessPool):
                self.tasks.restart()
            raise error
        elif row.submitted_at is not None and future.result().submitted > row.submitted_at:
            self.recorder.refuse(row, "the submission was changed after it was submitted")
        else:
            taken = future.result()
            self.later.pop(row.name, None)
            if taken.size > HEAVY_BYTES:
                self.heavy.add(row.name)
            self.ledger.set(row.name, state="snapshotted", submitted_at=taken.submitted,
                            secret=taken.secret, not_before=None)  # fmt: skip

    def graded(self, row: Row, result: Graded, started: datetime) -> None:
        if result.refused is not None:
            self.recorder.refuse(row, result.refused)
        elif result.submission is None:
            log.error("grading %s failed: %s", row.name, result.error)
            self.recorder.failed(row, str(result.error), "snapshotted")
            if result.error and "worker process died" in result.error:
                self.pool.restart()
            self.suites.pop(row.assignment, None)
        else:
            counts = self.recorder.record_many([(row, result.submission, started)])[0]
            self.publish(row, result.submission, counts)

    def publish(self, row: Row, graded: GradedSubmission, counts: bool) -> None:
        """The recorded ``row``'s next step: its files and feedback when it counts, else a
        page of its own."""
        if counts:
            self.begin("place", row, publishing.place_graded, self.root, row.name,
                       str(self.staging_folder(row)), graded, row.assignment)  # fmt: skip
        else:
            self.begin("uncounted", row, publishing.release_uncounted, self.root, row.secret,
                       graded, row.assignment, self.uncounted_lines(row), self.shows(row),
                       self.writers[row.assignment].max_score)  # fmt: skip

    def uncounted_lines(self, row: Row) -> list[str]:
        """What the page of a submission that does not count says about the one that does."""
        row = self.ledger.row(row.name)
        best = self.ledger.counted(row.student, row.assignment)
        now = datetime.now(UTC)
        lines = policy_lines(
            self.policies[row.assignment], row.student, row.submitted_at,
            self.writers[row.assignment].due, now,
        )  # fmt: skip
        counted = self.recorder.gradebook_score(row.student, row.assignment)
        if best is not None and best.submitted_at is not None and counted is not None:
            lines.append(
                f"This submission scored {row.score:g}; your best, submitted "
                f"{when(best.submitted_at)}, scored {counted:g} and still counts."
            )
        return lines

    def shows(self, row: Row) -> str:
        policy = self.policies[row.assignment]
        recorded = self.recorder.gradebook_extension(row.student, row.assignment)
        due = self.writers[row.assignment].due
        return policy.shows(row.student, datetime.now(UTC), due, recorded)

    def after_release(self, row: Row) -> None:
        """Log the release; the snapshot is no longer needed."""
        state = "refused" if row.state == "refused" else "released"
        log.info("released %s (%s)", row.name, state)
        publishing.remove(str(self.staging_folder(row)))
        self.heavy.discard(row.name)

    # -- 5. after the due date -------------------------------------------------------------------
    def release_after_due(self, now: datetime) -> None:
        for assignment in self.assignments:
            policy = self.policies[assignment]
            due = self.writers[assignment].due
            if policy.feedback_before_due == "everything" or due is None or now < due:
                continue
            for row in self.ledger.awaiting_full_feedback(assignment):
                deadline = policy.due_for(row.student, due)
                if row.name in self.steps or deadline is None or now < deadline:
                    continue
                recorded = self.recorder.gradebook_extension(row.student, assignment)
                if now < policy.due_for(row.student, due, recorded):
                    continue  # the gradebook's extension is longer than the policy's
                self.guarded(row, self.release_full, row)

    def release_full(self, row: Row) -> None:
        self.begin("full", row, publishing.release, self.root, row.student,
                   row.assignment, True)  # fmt: skip

    # -- 6. after a grader changes a hand grade ---------------------------------------------------
    def release_hand_grades(self) -> None:
        """The page made again, from the gradebook, of each counted submission whose hand
        grades a grader changed in formgrader (see ``manual_grades``)."""
        for (student, assignment), digest in self.hand_grades.changed().items():
            row = self.ledger.counted(student, assignment)
            if row is None or row.state != "released" or row.name in self.steps:
                continue  # its page is still to come (made from the gradebook), or looked at again
            self.guarded(row, self.begin, "hand", row, publishing.release, self.root,
                         student, assignment, True)  # fmt: skip
            if row.name in self.steps:  # marked once the page is released (see ``finish``)
                self.steps[row.name].hand_digest = digest


def next_in_line(rows: list[Row]) -> set[str]:
    """Per student and assignment, the snapshotted submission to grade next: the first one
    submitted, once every other unfinished one of theirs (``rows``: the unfinished rows) is
    snapshotted too, none still being copied, placed or told. A student's submissions are
    graded in the order they made them, so the hourly limit holds the latest ones, and each
    one's page is released before the next one replaces it in the course's folders."""
    taking = {(r.student, r.assignment) for r in rows if r.state != "snapshotted"}
    first: dict[tuple[str | None, str | None], Row] = {}
    for row in rows:
        pair = (row.student, row.assignment)
        if row.state != "snapshotted" or pair in taking:
            continue
        if pair not in first or submission_order(row) < submission_order(first[pair]):
            first[pair] = row
    return {row.name for row in first.values()}


def submission_order(row: Row) -> tuple[datetime, str]:
    return (row.submitted_at or row.seen_at, row.name)


def broken_test(reason: str) -> tuple[str | None, int | None]:
    """The file and line of the broken test that ``reason`` names, if it names one."""
    place = PLACE.search(reason)
    if place is None:
        return None, None
    return place[1], int(place[2] or place[3])


def owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
