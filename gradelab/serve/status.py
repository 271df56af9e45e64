"""``gradelab status``: what the course's grading service is doing and has done.

Read from the ledger in the gradebook's database, so it works whether the service runs or
not: whether it runs, the queue (and who waits for the hourly limit), counts per assignment
and state, the failures and refusals with their reasons, and how long students waited from
submitting to fetchable feedback (p50, p95, max).
"""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime

from gradelab.course import Course
from gradelab.course.policy import when
from gradelab.serve.ledger import Ledger, Row
from gradelab.serve.lock import running_service
from gradelab.text import printable

STATES = (
    "arrived", "snapshotted", "graded", "recorded", "released", "refused", "unusable", "failed",
)  # fmt: skip
QUEUED = ("arrived", "snapshotted")
SHOWN = 20


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0 to 1) of ``values``, by nearest rank."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latencies(rows: list[Row]) -> list[float]:
    """Seconds from submitting to fetchable feedback, per released submission (the first
    release: a release again after the due date is not a wait)."""
    return [
        (row.first_released_at - row.submitted_at).total_seconds()
        for row in rows
        if row.first_released_at is not None and row.submitted_at is not None
    ]


def status(course: Course) -> dict:
    """The service's status as data (what ``--json`` prints)."""
    ledger = Ledger(course)
    rows = ledger.rows()
    waits = latencies(rows)
    now = datetime.now(UTC)
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        by_state = counts.setdefault(row.assignment or "(not a submission)", {})
        by_state[row.state] = by_state.get(row.state, 0) + 1
    return {
        "service": running_service(course),
        "counts": counts,
        "queue": [
            {
                "entry": row.name,
                "student": row.student,
                "assignment": row.assignment,
                "submitted": row.submitted_at.isoformat() if row.submitted_at else None,
                "waits_until": row.not_before.isoformat()
                if row.not_before and row.not_before > now
                else None,
                "attempts": row.attempts,
                "last_error": row.message,
            }
            for row in rows
            if row.state in QUEUED
        ],
        "held": [
            {
                "assignment": held.assignment,
                "test_file": held.test_file,
                "test_line": held.test_line,
                "reason": held.reason,
            }
            for held in ledger.held()
        ],
        "problems": [
            {"entry": row.name, "state": row.state, "reason": row.message}
            for row in rows
            if row.state in ("failed", "refused", "unusable")
        ],
        "latency_seconds": {
            "count": len(waits),
            "p50": percentile(waits, 0.5) if waits else None,
            "p95": percentile(waits, 0.95) if waits else None,
            "max": max(waits) if waits else None,
            "mean": statistics.fmean(waits) if waits else None,
        },
        "recent": [
            {
                "entry": row.name,
                "student": row.student,
                "assignment": row.assignment,
                "score": row.score,
                "max_score": row.max_score,
                "counted": row.counted,
                "released": row.released_at.isoformat() if row.released_at else None,
            }
            for row in sorted(
                (r for r in rows if r.released_at), key=lambda r: r.released_at, reverse=True
            )[:SHOWN]
        ],
    }


def status_text(course: Course) -> str:
    data = status(course)
    pid = data["service"]
    lines = [f"gradelab serve: running (process {pid})" if pid else "gradelab serve: not running"]
    for assignment, by_state in sorted(data["counts"].items()):
        parts = ", ".join(f"{by_state[s]} {s}" for s in STATES if s in by_state)
        lines.append(f"  {printable(assignment, 40)}: {parts}")
    latency = data["latency_seconds"]
    if latency["count"]:
        lines.append(
            f"submit to feedback, {latency['count']} submissions: p50 {latency['p50']:.2f} s, "
            f"p95 {latency['p95']:.2f} s, max {latency['max']:.2f} s"
        )
    for held in data["held"]:
        place = f"{held['test_file']}:{held['test_line']}" if held["test_file"] else "its tests"
        lines.append(
            f"held: {printable(held['assignment'], 40)}, broken test at {printable(place, 200)}: "
            f"{printable(held['reason'], 300)}"
        )
    if data["queue"]:
        lines.append(f"queue ({len(data['queue'])}):")
        for item in data["queue"][:SHOWN]:
            wait = (
                f", waits until {when(datetime.fromisoformat(item['waits_until']))}"
                if item["waits_until"]
                else ""
            )
            error = (
                f", last error: {printable(item['last_error'], 200)}" if item["last_error"] else ""
            )
            lines.append(
                f"  {printable(item['student'], 40)} {item['assignment']} "
                f"(submitted {item['submitted']}{wait}{error})"
            )
    if data["problems"]:
        lines.append(f"problems ({len(data['problems'])}):")
        for item in data["problems"][:SHOWN]:
            lines.append(
                f"  {item['state']}: {printable(item['entry'], 100)}: "
                f"{printable(item['reason'] or '', 300)}"
            )
    return "\n".join(lines)


def status_json(course: Course) -> str:
    return json.dumps(status(course), indent=1)
