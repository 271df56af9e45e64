"""How long one turn of ``gradelab serve``'s loop takes with a term's worth of ledger rows.

    .venv/bin/python benchmarks/serve_turn.py [--rows 100000] [--turns 50]

A scratch copy of the course serves ``mse_gradient`` with a due date in the past and
"score" feedback before it (so each turn also looks for feedback to release after the due
date); its ledger gets ``--rows`` released submissions (one counted per student), and the
exchange's inbound folder an entry for each. Then the loop's turn is timed with nothing to do
but look, as most turns of a term are: the first turn (which lists the inbound folder) and
the median and maximum of ``--turns`` turns. Figures are seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from serving import serve_course  # noqa: E402

from gradelab.course import Course  # noqa: E402
from gradelab.selftest import scratch_course  # noqa: E402
from gradelab.serve.ledger import Ledger  # noqa: E402
from gradelab.serve.service import Service  # noqa: E402

ASSIGNMENT = "mse_gradient"
STUDENTS = 500


def fill(course: Course, exchange: Path, rows: int) -> None:
    """``rows`` released submissions in the ledger, and their entries in the exchange."""
    Ledger(course)
    inbound = exchange / course.course_id / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 9, 1)
    values = []
    for k in range(rows):
        student = f"s{k % STUDENTS:04d}"
        name = f"{student}+{ASSIGNMENT}+{start + timedelta(minutes=k)}.000000 UTC+r{k}"
        os.mkdir(inbound / name)
        at = (start + timedelta(minutes=k)).isoformat(" ")
        counted = k >= rows - STUDENTS
        values.append((name, student, ASSIGNMENT, at, at, "released", at, at, at, at, counted))
    with sqlite3.connect(course.db_url.removeprefix("sqlite:///")) as db:
        db.executemany(
            "INSERT INTO gradelab_served (name, student, assignment, submitted_at, seen_at, "
            "state, graded_at, released_at, first_released_at, full_feedback_at, counted, "
            "attempts, score, max_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 22, 22)",
            values,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=50)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gradelab-turn-bench-"))
    due = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
    policy = {ASSIGNMENT: {"due": due, "feedback_before_due": "score"}}
    try:
        with scratch_course(Course.load(REPO)) as served:
            serve_course(served, base / "exchange", policy, [ASSIGNMENT])
            served = Course.load(served.root)
            fill(served, base / "exchange", args.rows)
            os.sync()  # the folders made are written out before the turns are timed
            service = Service(served, workers=1, assignments=[ASSIGNMENT])
            service.known = service.ledger.names()
            started = time.perf_counter()
            service.turn()
            first = time.perf_counter() - started
            turns = []
            for _ in range(args.turns):
                started = time.perf_counter()
                service.turn()
                turns.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{args.rows} ledger rows and inbound entries, {STUDENTS} students")
    print(f"first turn (lists the inbound folder): {first:.3f} s")
    print(f"{args.turns} turns: median {statistics.median(turns):.4f} s, max {max(turns):.4f} s")


if __name__ == "__main__":
    main()
