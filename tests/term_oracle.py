"""What a simulated term must end with, worked out from what each student submitted and when,
and checked against the gradebook (nbgrader's API), ``gradelab status --json``, the
exchange, the course's folders and the students' own accounts. Each failure names the
student, the submission, what was expected and what was found."""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from serving import status
from term_accounts import AsStudentError, as_student
from term_plan import ASSIGNMENTS, Assignment
from term_run import SECRET, Made, Term

from gradelab.scores import assignment_scores
from gradelab.serve.ledger import Ledger

HOUR = 3600.0
CLOSE = 1e-6


@dataclass(frozen=True)
class Outcome:
    """A counted score before the late penalty, the penalty, and what the latest
    submission's page must say with it."""

    raw: float
    penalty: float
    page: tuple[str, ...] = ()

    def same(self, score: float, penalty: float) -> bool:
        return abs(self.raw - score) < CLOSE and abs(self.penalty - penalty) < CLOSE


@dataclass
class Expected:
    """A student's expected result in one assignment."""

    student: str
    assignment: Assignment
    graded: list[Made]
    waiting: list[Made]
    outcomes: list[Outcome]
    story: str


def page_text(text: str) -> str:
    """A feedback page's text as a student reads it (tags taken out)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class Oracle:
    """The expectations of a played term, and their checks."""

    def __init__(self, term: Term) -> None:
        self.term = term
        self.percent = float(term.course.config.PercentPerDay.get("percent", 10.0))
        self.failures: list[str] = []

    # -- expectations ----------------------------------------------------------------------
    def due(self, student: str, assignment: Assignment) -> float:
        plan = self.term.plan
        extended = student in plan.extensions.get(assignment.name, {}) or student in (
            plan.gradebook_extensions.get(assignment.name, [])
        )
        return self.term.due_at(assignment) + (HOUR if extended else 0.0)

    def lateness(self, made: Made, assignment: Assignment) -> list[bool]:
        """Late, on time, or either when the due date fell while it was being submitted."""
        due = self.due(made.student, assignment)
        if made.after <= due:
            return [False]
        if made.before > due:
            return [True]
        return [False, True]

    def penalty(self, raw: float, late: bool) -> float:
        return min(raw, raw * self.percent / 100) if late else 0.0

    def when(self, made: Made) -> str:
        return f"+{made.after - self.term.start:.1f} s"

    def mine(self, student: str, assignment: Assignment) -> list[Made]:
        return [
            m for m in self.term.made if (m.student, m.assignment) == (student, assignment.name)
        ]

    def expect(self, student: str, assignment: Assignment) -> Expected | None:
        """A bystander's counted score, penalty and latest page, as the policy says."""
        mine = self.mine(student, assignment)
        if not mine:
            return None
        limit = assignment.gradings_per_hour or len(mine)
        graded, waiting = mine[:limit], mine[limit:]
        answers, maximum = self.term.answers, self.term.answers.max_scores[assignment.name]
        raws = [answers.raw_score(m.assignment, m.answer, student) for m in graded]
        outcomes = []
        for lates in itertools.product(*(self.lateness(m, assignment) for m in graded)):
            finals = [(raw, self.penalty(raw, late)) for raw, late in zip(raws, lates, strict=True)]
            counted = len(finals) - 1
            if assignment.counts == "best":  # the first of the best, after any penalty
                counted = 0
                for k, (raw, penalty) in enumerate(finals):
                    if raw - penalty > finals[counted][0] - finals[counted][1]:
                        counted = k
            raw, penalty = finals[counted]
            last_raw, last_penalty = finals[-1]
            if waiting:
                page = ("waiting to be graded",)
            elif counted == len(finals) - 1:
                page = (f"Score: {raw - penalty:g} / {maximum:g}",)
                if penalty:
                    page += (f"late penalty of {penalty:g} points",)
            else:
                page = (f"This submission scored {last_raw - last_penalty:g}; your best",)
            outcomes.append(Outcome(raw, penalty, page))
        story = "; ".join(
            f"{m.entry.split('+')[2]} {m.answer!r} ({self.when(m)}"
            f"{', late' if self.lateness(m, assignment) == [True] else ''}"
            f"{', waits for the hourly limit' if m in waiting else ''})"
            for m in mine
        )
        return Expected(student, assignment, graded, waiting, outcomes, story)

    def hostile_outcomes(self, role: str, assignment: Assignment) -> list[Outcome]:
        """What a hostile student may be counted: only what their own notebooks earn."""
        if role == "late_editor":  # blank before the due date, the reference after it
            full = self.term.answers.max_scores[assignment.name]
            return [Outcome(0.0, 0.0), Outcome(full, self.penalty(full, True))]
        return [Outcome(0.0, 0.0)]

    # -- checks ------------------------------------------------------------------------------
    def fail(self, text: str) -> None:
        self.failures.append(text)

    def check(self) -> list[str]:
        """Every check; the failures."""
        for error in self.term.errors:
            self.fail(f"the term itself: {error}")
        if self.term.ends:
            self.fail(
                f"the service ended by itself {len(self.term.ends)} time(s); the log's end "
                f"the last time:\n{self.term.ends[-1]}"
            )
        expected = {
            (s, a.name): e
            for s in self.term.plan.students
            for a in ASSIGNMENTS
            if (e := self.expect(s, a)) is not None
        }
        self.check_pages(expected)
        self.check_gradebook(expected)
        self.check_ledger(expected)
        self.check_own_folders(expected)
        self.check_fetched_alone(expected)
        return self.failures

    def check_pages(self, expected: dict[tuple[str, str], Expected]) -> None:
        """Each graded submission's page is where ``fetch_feedback`` finds it; each was
        released once."""
        log = self.term.log.read_text(errors="replace")
        for e in expected.values():
            for made in e.graded:
                if not self.term.page(made.secret, made.assignment).exists():
                    self.fail(
                        f"{e.student} {made.assignment}: no feedback page for {made.entry} "
                        f"(submitted {self.when(made)})"
                    )
        for made in self.term.made:
            released = log.count(f"released {made.entry} (")
            if released > 1:
                self.fail(f"{made.student}: {made.entry} released {released} times")

    def check_gradebook(self, expected: dict[tuple[str, str], Expected]) -> None:
        """Counted score and late penalty of every student, as the policy says."""
        roles = {name: role for role, name in self.term.plan.hostiles.items()}
        for assignment in ASSIGNMENTS:
            scores = assignment_scores(self.term.course, assignment.name)
            for student in [*self.term.plan.students, *roles]:
                got = scores.get(student)
                e = expected.get((student, assignment.name))
                if student in roles:
                    if not self.mine(student, assignment):
                        if got is not None and got.score > 0:
                            self.fail(
                                f"{student} {assignment.name}: submitted nothing, counted "
                                f"{got.score:g} in the gradebook"
                            )
                        continue
                    allowed = self.hostile_outcomes(roles[student], assignment)
                    story = f"the {roles[student].replace('_', ' ')}'s own notebooks"
                else:
                    if e is None:
                        continue
                    allowed, story = e.outcomes, e.story
                if got is None and roles.get(student) == "link_swapper":
                    continue  # every entry a link when it was first seen: none was taken
                if got is None:
                    self.fail(f"{student} {assignment.name}: no score in the gradebook ({story})")
                elif not any(o.same(got.score, got.late_penalty) for o in allowed):
                    options = " or ".join(f"{o.raw:g} - {o.penalty:g}" for o in allowed)
                    self.fail(
                        f"{student} {assignment.name}: gradebook has {got.score:g} - "
                        f"{got.late_penalty:g} (score - late penalty), expected {options}; "
                        f"submissions: {story}"
                    )

    def rows_of(self, entry: str) -> str:
        """The ledger's rows of the student and assignment of ``entry``, in a line."""
        student, assignment = entry.split("+")[:2]
        rows = [
            r for r in Ledger(self.term.course).rows()
            if (r.student, r.assignment) == (student, assignment)
        ]  # fmt: skip
        return "; ".join(
            f"{r.name.rsplit('+', 2)[-2]} {r.state} submitted {r.submitted_at} "
            f"seen {r.seen_at} not before {r.not_before} graded {r.graded_at} "
            f"attempts {r.attempts} {r.message}"
            for r in rows
        )

    def check_ledger(self, expected: dict[tuple[str, str], Expected]) -> None:
        """``gradelab status --json`` agrees: one row per inbound entry, only the
        submissions over the hourly limit queued, no bystander's submission a problem, each
        odd entry refused."""
        found = status(self.term.course)
        rows = sum(sum(by.values()) for by in found["counts"].values())
        entries = len(self.term.made) + len(self.term.hostile_entries)
        if rows != entries:
            self.fail(f"the ledger has {rows} rows for {entries} inbound entries")
        waiting = {m.entry for e in expected.values() for m in e.waiting}
        queued = {q["entry"]: q for q in found["queue"]}
        for entry in sorted(set(queued) - waiting):
            self.fail(f"still queued at the end: {entry}; {self.rows_of(entry)}")
        for entry in sorted(waiting - set(queued)):
            self.fail(f"{entry}: over the hourly limit, but not queued")
        for entry in sorted(waiting & set(queued)):
            if not queued[entry]["waits_until"]:
                self.fail(f"{entry}: over the hourly limit, queued without a time to wait for")
        bystanders = set(self.term.plan.students)
        for problem in found["problems"]:
            if problem["entry"].split("+")[0] in bystanders:
                self.fail(f"{problem['entry']}: {problem['state']}: {problem['reason']}")
        for role in {"odd_names", "deep_entries"} & set(self.term.plan.hostiles):
            name = self.term.plan.hostiles[role]
            made = sum(e.startswith(f"{name}+".encode()) for e in self.term.hostile_entries)
            refused = sum(p["entry"].startswith(f"{name}+") for p in found["problems"])
            if refused != made:
                self.fail(f"{name}: {made} hostile entries made, {refused} in the problems")

    def check_own_folders(self, expected: dict[tuple[str, str], Expected]) -> None:
        """Each student's ``submitted/`` folder holds their own submission (the counted one,
        for a bystander), never another's."""
        course = self.term.course
        for assignment in ASSIGNMENTS:
            for student in self.term.plan.students + list(self.term.plan.hostiles.values()):
                folder = course.submission_folder(student, assignment.name)
                if not folder.exists():
                    continue
                mine = self.mine(student, assignment)
                secret = read(folder / SECRET)
                notebook = folder / f"{assignment.name}.ipynb"
                digest = (
                    hashlib.sha256(notebook.read_bytes()).hexdigest()
                    if notebook.is_file()
                    else None
                )
                others = [
                    m.student for m in self.term.made if m.secret == secret and m.student != student
                ]
                if others:
                    self.fail(f"{folder}: holds {others[0]}'s submission secret")
                own = {m.notebook_sha256 for m in mine} | self.edited(student, assignment)
                if digest is not None and digest not in own:
                    self.fail(f"{folder}: holds a notebook {student} never submitted")
                e = expected.get((student, assignment.name))
                if e is not None and not e.waiting and assignment.counts == "last":
                    last = e.graded[-1]
                    if secret != last.secret or digest != last.notebook_sha256:
                        self.fail(
                            f"{folder}: not the submission that counts, {last.entry} "
                            f"(submitted {self.when(last)})"
                        )

    def edited(self, student: str, assignment: Assignment) -> set[str]:
        if (student, assignment.name) not in self.term.edits:
            return set()
        text = self.term.answers.text(assignment.name, "reference", student)
        return {hashlib.sha256(text.encode()).hexdigest()}

    def check_fetched_alone(self, expected: dict[tuple[str, str], Expected]) -> None:
        """Each bystander fetches their latest page of each assignment, and it says what the
        policy says; the next bystander can read none of it."""
        students = self.term.plan.students
        for student, neighbour in zip(students, students[1:] + students[:1], strict=True):
            mine = [e for (s, _), e in expected.items() if s == student]
            person = self.term.person(student)

            def fetch_latest(mine: list[Expected] = mine, person=person) -> dict[str, str]:
                texts = {}
                for e in mine:
                    latest = (e.graded + e.waiting)[-1]
                    person.fetch_feedback(e.assignment.name)
                    stamp = latest.entry.split("+")[2]
                    page = person.home / e.assignment.name / "feedback" / stamp
                    found = page / f"{e.assignment.name}.html"
                    texts[e.assignment.name] = found.read_text() if found.is_file() else ""
                return texts

            try:
                texts = as_student(student, fetch_latest)
            except AsStudentError as error:
                self.fail(f"{student}: fetch_feedback failed: {error}")
                continue
            for e in mine:
                text = page_text(texts[e.assignment.name])
                if not text:
                    self.fail(f"{student} {e.assignment.name}: fetched no latest page ({e.story})")
                elif not any(all(p in text for p in o.page) for o in e.outcomes):
                    said = re.search(r"Score:[^\n]*", text)
                    self.fail(
                        f"{student} {e.assignment.name}: latest page says "
                        f"{said.group(0) if said else text[:200]!r}, expected "
                        f"{' or '.join(repr(o.page) for o in e.outcomes)} ({e.story})"
                    )
            self.check_unreadable(student, neighbour, mine)

    def check_unreadable(self, student: str, neighbour: str, mine: list[Expected]) -> None:
        """What ``neighbour`` could read of ``student``'s pages and secrets (nothing)."""
        home = self.term.person(student).home
        feedback = self.term.exchange / self.term.course.course_id / "feedback"
        paths = [home / e.assignment.name / "feedback" for e in mine]
        paths += [home / ".nbgrader_cache"]

        def readable() -> list[str]:
            found = []
            try:
                os.listdir(feedback)
                found.append(str(feedback))
            except PermissionError:
                pass
            for path in paths:
                try:
                    os.listdir(path)
                    found.append(str(path))
                except PermissionError:
                    pass
            return found

        for path in as_student(neighbour, readable):
            self.fail(f"{neighbour} can list {path}, {student}'s")


def read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None
