"""A course's term in minutes, played against ``gradelab serve`` and judged by an oracle:
what ``tests/test_term.py`` and ``benchmarks/term.py`` run, at two sizes."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from serving import serve_course
from term_accounts import remove_leftover_accounts
from term_answers import Answers
from term_oracle import Oracle
from term_plan import ASSIGNMENTS, HOSTILE_ROLES, make_plan
from term_run import Term

from gradelab.course import Course
from gradelab.selftest import scratch_course


@dataclass(frozen=True)
class Size:
    """How big a term: bystanders, kills, the seed of its draws, seconds per pace (due
    dates are 2 to 5 paces after the start), the giant notebooks' extra cells, and how long
    it may take to answer every submission after the last event; the hostile students' attacks
    (``term_plan.HOSTILE_ROLES``)."""

    students: int
    kills: int
    seed: int
    pace: float
    giant_cells: int
    settle_seconds: float = 300.0
    attacks: tuple[str, ...] = HOSTILE_ROLES


@dataclass(frozen=True)
class Result:
    summary: str
    failures: list[str]


def run_term(course: Course, size: Size, log: Path | None = None) -> Result:
    """Play a term of ``size`` in a scratch copy of ``course`` and judge it; the accounts,
    the exchange and the copy are removed afterwards (the service's log copied to ``log``
    first, if given)."""
    remove_leftover_accounts()
    base = Path(tempfile.mkdtemp(prefix="gradelab-term-", dir="/var/tmp"))
    base.chmod(0o755)  # the students reach the exchange in it
    try:
        with scratch_course(course) as copy:
            try:
                serve_course(copy, base / "exchange", {}, [a.name for a in ASSIGNMENTS])
                answers = Answers(copy, [a.name for a in ASSIGNMENTS])
                names = {a.name: answers.names(a.name) for a in ASSIGNMENTS}
                plan = make_plan(
                    size.students,
                    size.kills,
                    size.seed,
                    size.pace,
                    names,
                    size.giant_cells,
                    size.attacks,
                )
                term = Term(copy, base, plan, answers)
                try:
                    term.set_up()
                    term.play(size.settle_seconds)
                    failures = Oracle(term).check()
                finally:
                    term.remove_accounts()
                    if log is not None and term.log.exists():
                        shutil.copyfile(term.log, log)
                return Result(term.summary(), failures)
            finally:  # entries 1,500 folders deep are beyond shutil.rmtree
                subprocess.run(["rm", "-rf", str(copy.root)], check=False)
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)
