"""The ledger of ``gradelab serve``: a table with a schema version, migrated from the first
one without losing a row; its turn's queries read only the rows that are not finished."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine

from gradelab.serve.ledger import VERSION, Ledger

FIRST_SCHEMA = """
CREATE TABLE gradelab_served (
    name VARCHAR(400) PRIMARY KEY, student VARCHAR(128), assignment VARCHAR(128),
    submitted_at DATETIME, seen_at DATETIME NOT NULL, state VARCHAR(16) NOT NULL,
    not_before DATETIME, started_at DATETIME, graded_at DATETIME, released_at DATETIME,
    full_feedback_at DATETIME, score FLOAT, max_score FLOAT, counted BOOLEAN,
    attempts INTEGER, message TEXT)
"""
SEEN = "2026-12-01 10:00:00.000000"
RELEASED = "2026-12-01 10:00:02.000000"


def first_ledger(path) -> None:
    with sqlite3.connect(path) as db:
        db.execute(FIRST_SCHEMA)
        for name, state, released in (
            ("a+ps1+t+1", "released", RELEASED),
            ("b+ps1+t+1", "queued", None),
            ("c+ps1+t+1", "graded", None),
            ("d+ps1+t+1", "refused", None),
            ("e+ps1+t+1", "refused", RELEASED),
            ("junk", "unusable", None),
        ):
            db.execute(
                "INSERT INTO gradelab_served (name, student, assignment, submitted_at, seen_at, "
                "state, released_at, counted, attempts) VALUES (?, ?, 'ps1', ?, ?, ?, ?, 1, 2)",
                (name, name[0], SEEN, SEEN, state, released),
            )


def test_the_first_ledger_is_migrated_and_every_unfinished_row_taken_on_again(tmp_path):
    first_ledger(tmp_path / "gradebook.db")
    engine = create_engine(f"sqlite:///{tmp_path / 'gradebook.db'}")
    ledger = Ledger(None, engine)
    states = {row.name: row.state for row in ledger.rows()}
    assert states == {
        "a+ps1+t+1": "released",
        "b+ps1+t+1": "arrived",
        "c+ps1+t+1": "arrived",
        "d+ps1+t+1": "arrived",
        "e+ps1+t+1": "refused",
        "junk": "unusable",
    }
    released = ledger.row("a+ps1+t+1")
    assert released.first_released_at == released.released_at is not None
    assert {row.name for row in ledger.working()} == {"b+ps1+t+1", "c+ps1+t+1", "d+ps1+t+1"}
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        assert db.execute("SELECT version FROM gradelab_ledger_version").fetchall() == [(VERSION,)]
    Ledger(None, engine)  # opened again: nothing to migrate, nothing changed
    assert {row.name: row.state for row in ledger.rows()} == states


def test_a_release_again_keeps_the_first_release_time(tmp_path):
    ledger = Ledger(None, create_engine(f"sqlite:///{tmp_path / 'gradebook.db'}"))
    ledger.add("a+ps1+t+1", "a", "ps1")
    ledger.released("a+ps1+t+1")
    first = ledger.row("a+ps1+t+1").first_released_at
    ledger.set("a+ps1+t+1", released_at=datetime.now(UTC) + timedelta(days=2))
    ledger.released("a+ps1+t+1")
    row = ledger.row("a+ps1+t+1")
    assert row.first_released_at == first < row.released_at


def test_a_turn_reads_only_the_unfinished_rows_through_an_index(tmp_path):
    path = tmp_path / "gradebook.db"
    ledger = Ledger(None, create_engine(f"sqlite:///{path}"))
    for k in range(50):
        ledger.add(f"s{k}+ps1+t+1", f"s{k}", "ps1")
        if k % 10:
            ledger.released(f"s{k}+ps1+t+1")
    assert len(ledger.working()) == 5
    with sqlite3.connect(path) as db:
        plan = " ".join(
            str(step)
            for step in db.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM gradelab_served WHERE state IN "
                "('arrived','snapshotted','graded','recorded') OR "
                "(state = 'refused' AND first_released_at IS NULL)"
            )
        )
    assert "gradelab_served_state" in plan and "SCAN gradelab_served" not in plan


def test_a_grading_made_again_after_a_crash_is_not_counted_against_the_hourly_limit(tmp_path):
    ledger = Ledger(None, create_engine(f"sqlite:///{tmp_path / 'gradebook.db'}"))
    now = datetime.now(UTC)
    for k, graded in ((1, now - timedelta(minutes=30)), (2, now - timedelta(minutes=1))):
        ledger.add(f"a+ps1+t{k}+1", "a", "ps1")
        ledger.set(f"a+ps1+t{k}+1", state="snapshotted", graded_at=graded)
    ledger.add("b+ps1+t1+1", "b", "ps1")
    ledger.set("b+ps1+t1+1", graded_at=now)
    hour_ago = now - timedelta(hours=1)
    assert ledger.gradings_since(ledger.row("a+ps1+t2+1"), hour_ago) == [
        ledger.row("a+ps1+t1+1").graded_at
    ]
    assert len(ledger.gradings_since(ledger.row("b+ps1+t1+1"), hour_ago)) == 0
