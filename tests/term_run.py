"""A simulated term played against ``gradelab serve``, as it happens in a course: the course
set up as ``docs/deploy.md`` asks (its folder the instructor's alone), a Unix account per
student, the plan's events done at their times by the students' own accounts, the service
killed with SIGKILL at the planned moments and, like systemd, started again whenever it ends.
What happened is kept for the oracle (``term_oracle``)."""

from __future__ import annotations

import math
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from exchange_student import ExchangeStudent
from nbgrader.api import Gradebook
from nbgrader.utils import notebook_hash
from serving import Serving, status
from term_accounts import AsStudentError, add_account, as_student, remove_account
from term_answers import Answers
from term_plan import ASSIGNMENTS, Assignment, Deep, Edit, Event, Kill, OddName, Plan, Submit, Swap

from gradelab.course import Course
from gradelab.serve.status import percentile

LEAD_SECONDS = 20.0  # from writing the due dates to the term's start: the service starts
SECRET = "submission_secret.txt"


@dataclass(frozen=True)
class Made:
    """One submission as it happened: its entry and secret, and the server's clock just
    before and just after ``nbgrader submit`` (its time is in between)."""

    student: str
    assignment: str
    answer: str
    entry: str
    secret: str
    before: float
    after: float
    notebook_sha256: str
    giant: int = 0


@dataclass
class Term:
    """A term being played: the course, the students, and what happened so far."""

    course: Course
    base: Path
    plan: Plan
    answers: Answers
    workers: int = 2
    start: float = 0.0
    made: list[Made] = field(default_factory=list)
    edits: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    hostile_entries: list[bytes] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kills: int = 0
    ends: list[str] = field(default_factory=list)  # the log's tail each time it ended itself
    pending: dict[Path, float] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    settled_after: float | None = None  # seconds from the last event to every page
    set_up_seconds: float = 0.0

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def inbound(self) -> Path:
        return self.exchange / self.course.course_id / "inbound"

    @property
    def log(self) -> Path:
        return self.base / "serve.log"

    def person(self, name: str) -> ExchangeStudent:
        home = Path(pwd.getpwnam(name).pw_dir)
        return ExchangeStudent(name, home, self.exchange, self.course.course_id)

    def page(self, secret: str, assignment: str) -> Path:
        """Where ``nbgrader fetch_feedback`` looks for the page of a submission."""
        name = notebook_hash(secret=secret, notebook_id=assignment)
        return self.exchange / self.course.course_id / "feedback" / f"{name}.html"

    # -- setting up --------------------------------------------------------------------------
    def set_up(self) -> None:
        """Lock the course up (its assignments released) and give each student an account
        with every assignment fetched."""
        began = time.monotonic()
        self.course.root.chmod(0o700)
        Path(self.course.db_url.removeprefix("sqlite:///")).chmod(0o600)
        for name in self.everyone():
            add_account(name)
            person = self.person(name)
            as_student(name, lambda person=person: [str(person.fetch(a.name)) for a in ASSIGNMENTS])
        self.set_up_seconds = time.monotonic() - began

    def everyone(self) -> list[str]:
        return [*self.plan.students, *self.plan.hostiles.values()]

    def remove_accounts(self) -> None:
        for name in self.everyone():
            remove_account(name)

    def write_policies(self) -> None:
        """The due dates, from the term's start, and the extensions: in the policies, and
        (for ``gradebook_extensions``) in nbgrader's gradebook as formgrader sets them."""
        self.start = float(math.ceil(time.time() + LEAD_SECONDS))
        policies: dict[str, dict] = {}
        for assignment in ASSIGNMENTS:
            due = datetime.fromtimestamp(self.due_at(assignment), UTC)
            policy: dict = {"due": due.isoformat(timespec="seconds"), "counts": assignment.counts}
            if assignment.gradings_per_hour:
                policy["gradings_per_hour"] = assignment.gradings_per_hour
            if assignment.name in self.plan.extensions:
                policy["extensions"] = self.plan.extensions[assignment.name]
            policies[assignment.name] = policy
        config = self.course.root / "nbgrader_config.py"
        config.write_text(config.read_text() + f"\nc.Gradelab.policies = {policies!r}\n")
        with Gradebook(self.course.db_url, self.course.course_id) as gradebook:
            for assignment, students in self.plan.gradebook_extensions.items():
                for student in students:
                    gradebook.update_or_create_student(student)
                    gradebook.update_or_create_submission(
                        assignment, student, extension=timedelta(hours=1)
                    )

    def due_at(self, assignment: Assignment) -> float:
        """The assignment's due date, a whole second (as the policies write it)."""
        return float(math.floor(self.start + self.plan.due(assignment)))

    # -- playing -----------------------------------------------------------------------------
    def play(self, settle_seconds: float) -> None:
        """Every event at its time, then until every submission is answered (at most
        ``settle_seconds`` more); the service stopped at the end."""
        self.write_policies()
        self.service = Serving(self.course, self.log, f"--workers={self.workers}")
        try:
            for event in self.plan.events:
                self.watch_until(self.start + event.at)
                self.do(event)
            self.settle(settle_seconds)
        finally:
            try:
                self.service.stop()
            except subprocess.TimeoutExpired:
                self.errors.append("the service did not stop within 60 s of SIGTERM")
                self.service.kill()

    def restart(self) -> None:
        """Start the service again without waiting (the log already says "serving")."""
        self.service = Serving(self.course, self.log, f"--workers={self.workers}")

    def watch(self) -> None:
        """Note each page that became fetchable; start the service again if it ended."""
        now = time.time()
        for page, since in list(self.pending.items()):
            if page.exists():
                self.waits.append(now - since)
                del self.pending[page]
        if self.service.process.poll() is not None:
            self.ends.append(self.service.text()[-1500:])
            self.restart()

    def watch_until(self, moment: float) -> None:
        while time.time() < moment:
            self.watch()
            time.sleep(0.02)

    def settle(self, seconds: float) -> None:
        """Until each bystander's page is fetchable and only submissions over the hourly
        limit are queued."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.watch_until(time.time() + 1.0)
            if not self.pending and all(q["waits_until"] for q in status(self.course)["queue"]):
                self.settled_after = seconds - (deadline - time.monotonic())
                return

    def do(self, event: Event) -> None:
        try:
            if isinstance(event, Kill):
                self.service.kill()
                self.kills += 1
                self.restart()
            elif isinstance(event, Submit):
                self.submit(event)
            elif isinstance(event, Swap):
                self.swap(event)
            elif isinstance(event, Edit):
                self.edit(event)
            elif isinstance(event, OddName | Deep):
                self.odd_entry(event)
        except AsStudentError as error:
            self.errors.append(f"at {event.at:.1f} s, {type(event).__name__}: {error}")

    def submit(self, event: Submit) -> None:
        person = self.person(event.student)
        text = self.answers.text(event.assignment, event.answer, event.student, event.giant)
        cache = person.home / ".nbgrader_cache" / self.course.course_id

        def hand_in() -> dict:
            person.answer(event.assignment, event.assignment, text)
            entry = person.submit(event.assignment)
            secret = (cache / entry.rsplit("+", 1)[0] / SECRET).read_text()
            return {"entry": entry, "secret": secret}

        before = time.time()
        done = as_student(event.student, hand_in)
        after = time.time()
        made = Made(
            event.student,
            event.assignment,
            event.answer,
            done["entry"],
            done["secret"],
            before,
            after,
            sha256(text.encode()).hexdigest(),
            event.giant,
        )
        self.made.append(made)
        if event.student in self.plan.students and not self.over_hourly_limit(made):
            self.pending[self.page(made.secret, made.assignment)] = after

    def over_hourly_limit(self, made: Made) -> bool:
        """Whether ``made`` is past its assignment's gradings per hour (the term lasts less
        than an hour: a student's first ones are graded, the rest wait)."""
        limit = next(a.gradings_per_hour for a in ASSIGNMENTS if a.name == made.assignment)
        earlier = [
            m for m in self.made if (m.student, m.assignment) == (made.student, made.assignment)
        ]
        return limit is not None and earlier.index(made) >= limit

    def latest(self, student: str, assignment: str) -> Made | None:
        mine = [m for m in self.made if (m.student, m.assignment) == (student, assignment)]
        return mine[-1] if mine else None

    def swap(self, event: Swap) -> None:
        made = self.latest(event.student, event.assignment)
        if made is None:
            return
        entry = self.inbound / made.entry
        folder = (
            self.course.submission_folder(event.victim, event.assignment)
            if event.target == "submitted"
            else self.course.feedback_folder(event.victim, event.assignment)
        )

        def swap_for_link() -> None:
            os.chmod(entry, 0o700)
            shutil.rmtree(entry)
            os.symlink(folder, entry)

        as_student(event.student, swap_for_link)

    def edit(self, event: Edit) -> None:
        made = self.latest(event.student, event.assignment)
        if made is None:
            return
        notebook = self.inbound / made.entry / f"{event.assignment}.ipynb"
        text = self.answers.text(event.assignment, event.answer, event.student)

        def rewrite() -> None:
            os.chmod(notebook, 0o644)
            notebook.write_text(text)

        as_student(event.student, rewrite)
        self.edits.setdefault((event.student, event.assignment), []).append(time.time())

    def odd_entry(self, event: OddName | Deep) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        number = len(self.hostile_entries)
        if isinstance(event, OddName):
            name = f"{event.student}+{event.assignment}+{stamp}+".encode() + b"\xff%d" % number
        else:
            name = f"{event.student}+{event.assignment}+{stamp}+deep{number}".encode()
        path = os.fsencode(self.inbound) + b"/" + name
        depth = event.depth if isinstance(event, Deep) else 0

        def make() -> None:
            os.mkdir(path)
            with open(path + b"/" + SECRET.encode(), "w") as secret:
                secret.write("0" * 64)
            os.chdir(path)
            for _ in range(depth):
                os.mkdir("d")
                os.chdir("d")

        as_student(event.student, make)
        self.hostile_entries.append(name)

    # -- figures -----------------------------------------------------------------------------
    def summary(self) -> str:
        """What was done, and the bystanders' waits from submitting to a fetchable page."""
        waits = sorted(self.waits)
        figures = (
            f"p50 {percentile(waits, 0.5):.2f} s, p95 {percentile(waits, 0.95):.2f} s, "
            f"max {waits[-1]:.2f} s"
            if waits
            else "none"
        )
        answered = (
            f"all answered {self.settled_after:.0f} s after it"
            if self.settled_after is not None
            else "not all answered"
        )
        return (
            f"{len(self.plan.students)} students and {len(self.plan.hostiles)} hostile ones "
            f"(accounts made in {self.set_up_seconds:.0f} s), {len(self.made)} submissions, "
            f"{len(self.hostile_entries)} odd entries, {self.kills} kills, {len(self.ends)} "
            f"ends of its own; the term lasted {self.plan.length:.0f} s, {answered}; "
            f"bystanders' waits from submitting to a fetchable page ({len(waits)}, "
            f"{len(self.pending)} never fetchable): {figures}"
        )
