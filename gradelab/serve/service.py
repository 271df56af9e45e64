"""``gradelab serve``: grade each submission as it arrives in nbgrader's exchange, and
release its feedback there, so that the student's Fetch Feedback shows it seconds later.

One service per course. Each turn of its loop it:

1. reads the exchange's inbound folder (``inbox``) and enters each new entry in the ledger
   (``ledger``, a table of the gradebook's database): queued, or unusable with the reason;
2. checks, for each assignment whose files changed, that the reference scores full marks
   with the hidden suite: an assignment whose suite is broken is held, its submissions stay
   queued, the instructor is told (log and ``gradelab status``), and the rest goes on;
3. starts the queued submissions it may: one at a time per student and assignment, within
   the hourly limit of the assignment's policy (a submission past it waits, and a page in
   the exchange tells the student when it will be graded); each is collected into a folder
   of its own (``collect``), screened as ``gradelab autograde`` screens, and graded by the
   warm workers (``workers``);
4. records what the workers return: the submission that counts (the last, or the best) in
   the gradebook in one transaction with its ledger row, its ``submitted/`` and
   ``autograded/`` folders as ``nbgrader collect`` and ``autograde`` leave them, then its
   feedback made and released (``feedback_release``). A submission that cannot be graded
   gets 0 with the reason, as in ``autograde``. A failure on the grader's side puts it back
   in the queue;
5. once a student's due date passes, releases the full feedback where the policy showed
   less before it.

Its state is the gradebook and the exchange: killed at any moment and started again, it
finds every entry not yet recorded still queued, and grades it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import signal
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat

from gradelab.autograde.autograded_folder import AutogradedWriter
from gradelab.autograde.gradebook_writer import GradebookWriter
from gradelab.autograde.intake import Refused, screen
from gradelab.autograde.pool import Graded
from gradelab.course import Course
from gradelab.errors import AssignmentError, CourseError
from gradelab.feedback_page import html_document, not_graded_page
from gradelab.feedback_page import page as feedback_page
from gradelab.feedback_policy import policy_lines
from gradelab.grading.hidden_suite import suite_version
from gradelab.grading.nbgrader_step import sandbox_limits
from gradelab.grading.submission import GradedSubmission
from gradelab.grading.suite_check import check_hidden_suite
from gradelab.markup import escaped
from gradelab.policy import when
from gradelab.serve import feedback_release
from gradelab.serve.collect import collect, secret_of
from gradelab.serve.inbox import InboundEntry, Unusable, exchange_inbound, scan
from gradelab.serve.ledger import Ledger, Row
from gradelab.serve.lock import service_lock
from gradelab.serve.manual_grades import HandGrades
from gradelab.serve.workers import ServeWorkers
from gradelab.text import one_line

log = logging.getLogger("gradelab.serve")
POLL_SECONDS = 0.1
GRADER_ATTEMPTS = 3


@dataclass
class Held:
    """An assignment whose grading is held: its suite's files, and why."""

    version: tuple
    reason: str | None


@dataclass
class Running:
    row: Row
    folder: Path
    future: Future


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
        self.ledger = Ledger(self.course)
        self.writers = {a: GradebookWriter(self.course, a) for a in self.assignments}
        self.folders = {a: AutogradedWriter(self.course, a) for a in self.assignments}
        self.policies = {a: self.course.policy(a) for a in self.assignments}
        self.suites: dict[str, Held] = {}
        self.running: dict[tuple[str, str], Running] = {}
        self.known: set[str] = set()
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
            with ServeWorkers(
                self.course, self.assignments, self.workers, self.scheduler, weak=self.weak
            ) as self.pool:
                self.known = self.ledger.names()
                feedback_release.outbound_feedback(self.course)
                log.info("serving %s", ", ".join(self.assignments))
                while not self.stopping and (until is None or time.monotonic() < until):
                    self.turn()
                    time.sleep(POLL_SECONDS)

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def turn(self) -> None:
        self.take_new_entries()
        self.finish_done()
        self.release_recorded()
        self.start_queued()
        self.release_after_due()
        self.hand_grades.release_changed(
            (r.student, r.assignment) for r in self.ledger.rows("released") if r.counted
        )

    # -- 1. new entries ----------------------------------------------------------------------
    def take_new_entries(self) -> None:
        for entry in scan(self.course, set(self.assignments), self.known):
            if isinstance(entry, Unusable):
                self.ledger.add(entry.name, None, None, None, "unusable", entry.reason)
                log.warning("not taken: %s", entry.reason)
            else:
                self.ledger.add(entry.name, entry.student, entry.assignment, entry.submitted)
            self.known.add(entry.name)

    # -- 2. hidden suites --------------------------------------------------------------------
    def check_suites(self, assignments: set[str]) -> None:
        """Check the suite of each of ``assignments`` that is new or whose files changed."""
        for assignment in sorted(assignments):
            version = suite_version(self.course, assignment)
            held = self.suites.get(assignment)
            if held is not None and held.version == version:
                continue
            try:
                check_hidden_suite(self.course, assignment, sandbox_limits(self.course), self.weak)
                reason = None
            except AssignmentError as error:
                reason = str(error)
                log.error("grading of %s is held: %s", assignment, reason)
            self.suites[assignment] = Held(version, reason)
            if reason is None and held is not None:
                for row in self.ledger.rows("failed"):
                    if row.assignment == assignment:  # fixed: try them again
                        self.ledger.set(row.name, state="queued", attempts=0)

    # -- 3. starting ----------------------------------------------------------------------
    def start_queued(self) -> None:
        now = datetime.now(UTC)
        queued = [r for r in self.ledger.rows("queued") if r.assignment in self.assignments]
        self.check_suites({row.assignment for row in queued})
        for row in queued:
            key = (row.student, row.assignment)
            if key in self.running or self.suites[row.assignment].reason is not None:
                continue
            if row.not_before is not None and row.not_before > now:
                continue
            if self.wait_for_limit(row, now):
                continue
            self.start(row)

    def wait_for_limit(self, row: Row, now: datetime) -> bool:
        """Whether ``row`` must wait for the hourly limit (the student is told until when)."""
        limit = self.policies[row.assignment].gradings_per_hour
        if limit is None:
            return False
        recent = self.ledger.gradings_since(row.student, row.assignment, now - timedelta(hours=1))
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
        self.place_pages(row, self.message_pages(row, lines))
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

    def entry_folder(self, row: Row) -> Path:
        return exchange_inbound(self.course) / row.name

    def staging_folder(self, row: Row) -> Path:
        key = hashlib.sha256(row.name.encode()).hexdigest()[:24]
        return self.staging / key / row.assignment

    def start(self, row: Row) -> None:
        entry = InboundEntry(
            row.name, self.entry_folder(row), row.student, row.assignment, row.submitted_at
        )
        folder = self.staging_folder(row)
        self.ledger.set(row.name, started_at=datetime.now(UTC))
        try:
            collect(self.course, entry, folder)
            screen(self.course, row.assignment, row.student, folder)
        except Refused as refused:
            self.refuse(row, folder, str(refused))
            return
        except OSError as error:  # the entry went away (deleted from the exchange)
            self.refuse(row, folder, f"the submission could not be read ({error.strerror})")
            return
        future = self.pool.submit(row.assignment, row.student, folder)
        self.running[(row.student, row.assignment)] = Running(row, folder, future)

    # -- 4. results --------------------------------------------------------------------------
    def finish_done(self) -> None:
        for key, running in list(self.running.items()):
            if not running.future.done():
                continue
            del self.running[key]
            result = Graded.of(running.row.student, running.future)
            try:
                if result.refused is not None:
                    self.refuse(running.row, running.folder, result.refused)
                elif result.submission is None:
                    self.grader_failed(running.row, str(result.error), running.future)
                else:
                    self.record(running.row, running.folder, result.submission)
            finally:
                shutil.rmtree(running.folder.parent, ignore_errors=True)

    def counts(self, row: Row, score: float) -> bool:
        """Whether the graded ``row`` (scoring ``score`` after any penalty) is the one that
        counts now."""
        current = self.ledger.counted(row.student, row.assignment)
        if current is None:
            return True
        if self.policies[row.assignment].counts == "best":
            return current.score is None or score > current.score
        return current.submitted_at is None or row.submitted_at >= current.submitted_at

    def place_in_submitted(self, row: Row, folder: Path) -> None:
        """The counted submission is the one in ``submitted/``, as ``nbgrader collect``
        leaves the latest."""
        final = self.course.submission_folder(row.student, row.assignment)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(final, ignore_errors=True)
        folder.rename(final)

    def record(self, row: Row, folder: Path, graded: GradedSubmission) -> None:
        writer = self.writers[row.assignment]
        score = writer.score_after_penalty(graded, row.submitted_at)
        now = datetime.now(UTC)
        values = {"score": score, "max_score": writer.max_score, "graded_at": now}
        if not self.counts(row, score):
            self.ledger.set(row.name, state="graded", counted=False, **values)
            self.release_uncounted(row, folder, graded, score)
            return
        self.place_in_submitted(row, folder)
        self.folders[row.assignment].write(graded)

        def mark(connection) -> None:
            self.ledger.uncount(row.student, row.assignment, connection)
            self.ledger.set(
                row.name, connection, state="graded", counted=True, message=None, **values
            )

        writer.record([(graded, row.submitted_at)], also=mark)
        self.release(self.ledger.row(row.name))

    def refuse(self, row: Row, folder: Path, reason: str) -> None:
        """0 points with the reason, when it is the submission that counts; the student is
        told why either way."""
        log.info("refused %s: %s", row.name, reason)
        now = datetime.now(UTC)
        if self.counts(row, 0.0):
            self.place_in_submitted(row, folder)
            shutil.rmtree(
                self.course.autograded_folder(row.student, row.assignment), ignore_errors=True
            )

            def mark(connection) -> None:
                self.ledger.uncount(row.student, row.assignment, connection)
                self.ledger.set(
                    row.name, connection, state="refused", counted=True, score=0.0,
                    graded_at=now, message=one_line(reason, 300),
                )  # fmt: skip

            self.writers[row.assignment].refuse(row.student, reason, row.submitted_at, also=mark)
            feedback_release.write_not_graded(self.course, row.student, row.assignment, reason)
            self.publish(row, "refused")
        else:
            self.ledger.set(row.name, state="refused", graded_at=now, message=reason)
            pages = {
                source.stem: not_graded_page(
                    row.assignment, source.stem, reason, self.writers[row.assignment].max_score
                )
                for source in self.course.source_notebooks(row.assignment)
            }
            self.place_pages(row, pages)
            self.ledger.set(row.name, released_at=datetime.now(UTC))

    def grader_failed(self, row: Row, error: str, future: Future) -> None:
        """The grader's own failure: the submission goes back to the queue; after a few
        tries it is left for the instructor. The assignment's suite is checked again."""
        attempts = row.attempts + 1
        state = "queued" if attempts < GRADER_ATTEMPTS else "failed"
        log.error("grading %s failed (%d): %s", row.name, attempts, error)
        self.ledger.set(row.name, state=state, attempts=attempts, message=one_line(error, 600))
        if isinstance(future.exception(), BrokenProcessPool):
            self.pool.restart()
        self.suites.pop(row.assignment, None)

    # -- feedback ------------------------------------------------------------------------------
    def release(self, row: Row) -> None:
        """Make and release the feedback of the recorded ``row``."""
        feedback_release.generate(self.course, row.student, row.assignment)
        self.publish(row)

    def publish(self, row: Row, state: str = "released") -> None:
        """Release the feedback in ``feedback/`` (a refused submission stays "refused")."""
        feedback_release.release(self.course, row.student, row.assignment)
        self.ledger.set(row.name, state=state, released_at=datetime.now(UTC))
        log.info("released %s (%s)", row.name, state)

    def release_recorded(self) -> None:
        """Rows recorded but not released (the service stopped in between)."""
        for row in self.ledger.rows("graded"):
            if row.counted and row.assignment in self.assignments:
                self.release(row)

    def release_uncounted(
        self, row: Row, folder: Path, graded: GradedSubmission, score: float
    ) -> None:
        """The page of a submission that does not count ("best" policy): its own results,
        and which submission counts."""
        best = self.ledger.counted(row.student, row.assignment)
        policy = self.policies[row.assignment]
        lines = policy_lines(
            policy,
            row.student,
            row.submitted_at,
            self.writers[row.assignment].due,
            datetime.now(UTC),
        )
        if best is not None and best.submitted_at is not None:
            lines.append(
                f"This submission scored {score:g}; your best, submitted "
                f"{when(best.submitted_at)}, scored {best.score:g} and still counts."
            )
        shows = policy.shows(row.student, datetime.now(UTC), self.writers[row.assignment].due)
        pages = {}
        for notebook in graded.notebooks:
            node = nbformat.reads(notebook.text, as_version=4)
            for cell in node.cells:  # what nbgrader's GetGrades puts there from the gradebook
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if meta.get("grade_id") in notebook.scores:
                    meta["score"] = notebook.scores[meta["grade_id"]]
            info = {
                "assignment": row.assignment,
                "notebook": notebook.name,
                "score": sum(v or 0.0 for v in notebook.scores.values()),
                "max_score": self.writers[row.assignment].max_score,
            }
            pages[notebook.name] = feedback_page(node, info, lines, shows)
        self.place_pages(row, pages)
        self.ledger.set(row.name, state="released", released_at=datetime.now(UTC))

    def place_pages(self, row: Row, pages: dict[str, str]) -> None:
        """Put ``pages`` where the student's ``fetch_feedback`` looks for this submission."""
        entry = self.entry_folder(row)
        try:
            secret = secret_of(
                InboundEntry(row.name, entry, row.student, row.assignment, row.submitted_at)
            )
        except (Refused, OSError):
            return  # no secret: no page can be found by the student
        for notebook, html in pages.items():
            feedback_release.place_page(self.course, secret, notebook, html)

    # -- 5. after the due date -------------------------------------------------------------------
    def release_after_due(self) -> None:
        now = datetime.now(UTC)
        for assignment in self.assignments:
            policy = self.policies[assignment]
            if policy.feedback_before_due == "everything":
                continue
            due = self.writers[assignment].due
            for row in self.ledger.rows("released"):
                if row.assignment != assignment or not row.counted or row.full_feedback_at:
                    continue
                deadline = policy.due_for(row.student, due)
                if deadline is not None and now >= deadline and row.released_at < deadline:
                    self.release(row)
                    self.ledger.set(row.name, full_feedback_at=now)
