"""What ``gradelab serve`` did with each inbound entry, kept in the gradebook's own database.

One row per entry of the exchange, by its name: when it was submitted and seen, its state,
and its score. A grade is recorded in the same transaction as its row (see
``GradebookWriter.record``), so after a crash an entry is either recorded with its grade or
still queued, and is graded again: recorded exactly once. The gradebook and the exchange
stay the service's only state; ``gradelab status`` reads this table.

States: ``queued`` (to grade; ``not_before`` when it waits for the hourly limit),
``graded`` (recorded, its feedback not yet released), ``released`` (feedback fetchable),
``refused`` (cannot be graded; the student is told why), ``unusable`` (not a submission this
course can take: a bad name, someone else's; the instructor is told), ``failed`` (grading
failed on the grader's side again and again; the instructor must act).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from gradelab.course import Course

metadata = MetaData()
entries = Table(
    "gradelab_served",
    metadata,
    Column("name", String(400), primary_key=True),
    Column("student", String(128)),
    Column("assignment", String(128)),
    Column("submitted_at", DateTime),
    Column("seen_at", DateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("not_before", DateTime),
    Column("started_at", DateTime),
    Column("graded_at", DateTime),
    Column("released_at", DateTime),
    Column("full_feedback_at", DateTime),
    Column("score", Float),
    Column("max_score", Float),
    Column("counted", Boolean, default=False),
    Column("attempts", Integer, default=0),
    Column("message", Text),
)
OPEN_STATES = ("queued", "graded")


def naive(moment: datetime) -> datetime:
    """UTC without a zone, as nbgrader's gradebook keeps times."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


@dataclass(frozen=True)
class Row:
    name: str
    student: str | None
    assignment: str | None
    submitted_at: datetime | None
    seen_at: datetime
    state: str
    not_before: datetime | None
    started_at: datetime | None
    graded_at: datetime | None
    released_at: datetime | None
    full_feedback_at: datetime | None
    score: float | None
    max_score: float | None
    counted: bool
    attempts: int
    message: str | None

    @classmethod
    def of(cls, record) -> Row:
        values = dict(record._mapping)
        for key, value in values.items():
            if isinstance(value, datetime):
                values[key] = aware(value)
        values["counted"] = bool(values["counted"])
        values["attempts"] = int(values["attempts"] or 0)
        return cls(**values)


class Ledger:
    """The ``gradelab_served`` table of the course's gradebook database."""

    def __init__(self, course: Course, engine: Engine | None = None) -> None:
        self.engine = engine or create_engine(course.db_url)
        metadata.create_all(self.engine)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def names(self) -> set[str]:
        with self._begin() as connection:
            return set(connection.execute(select(entries.c.name)).scalars())

    def add(
        self,
        name: str,
        student: str | None,
        assignment: str | None,
        submitted: datetime | None,
        state: str = "queued",
        message: str | None = None,
    ) -> None:
        now = naive(datetime.now(UTC))
        with self._begin() as connection:
            connection.execute(
                entries.insert().values(
                    name=name,
                    student=student,
                    assignment=assignment,
                    submitted_at=naive(submitted) if submitted else None,
                    seen_at=now,
                    state=state,
                    message=message,
                    attempts=0,
                    counted=False,
                )
            )

    def rows(self, *states: str) -> list[Row]:
        query = select(entries).order_by(entries.c.submitted_at, entries.c.name)
        if states:
            query = query.where(entries.c.state.in_(states))
        with self._begin() as connection:
            return [Row.of(r) for r in connection.execute(query)]

    def row(self, name: str) -> Row:
        with self._begin() as connection:
            return Row.of(connection.execute(select(entries).where(entries.c.name == name)).one())

    def set(self, name: str, connection: Connection | None = None, **values: object) -> None:
        """Update the row ``name`` (in ``connection``'s transaction when given)."""
        values = {k: naive(v) if isinstance(v, datetime) else v for k, v in values.items()}
        statement = update(entries).where(entries.c.name == name).values(**values)
        if connection is not None:
            connection.execute(statement)
            return
        with self._begin() as own:
            own.execute(statement)

    def gradings_since(self, student: str, assignment: str, since: datetime) -> list[datetime]:
        """When ``student``'s submissions of ``assignment`` were graded since ``since``."""
        query = select(entries.c.graded_at).where(
            entries.c.student == student,
            entries.c.assignment == assignment,
            entries.c.graded_at >= naive(since),
        )
        with self._begin() as connection:
            return sorted(aware(t) for t in connection.execute(query).scalars())

    def counted(self, student: str, assignment: str) -> Row | None:
        """The submission that counts now, if any."""
        query = (
            select(entries)
            .where(
                entries.c.student == student,
                entries.c.assignment == assignment,
                entries.c.counted.is_(True),
            )
            .order_by(entries.c.graded_at.desc())
            .limit(1)
        )
        with self._begin() as connection:
            found = connection.execute(query).first()
        return Row.of(found) if found is not None else None

    def uncount(self, student: str, assignment: str, connection: Connection) -> None:
        connection.execute(
            update(entries)
            .where(entries.c.student == student, entries.c.assignment == assignment)
            .values(counted=False)
        )

    def count_by_state(self) -> dict[tuple[str, str], int]:
        query = select(entries.c.assignment, entries.c.state, func.count()).group_by(
            entries.c.assignment, entries.c.state
        )
        with self._begin() as connection:
            return {(a or "", s): n for a, s, n in connection.execute(query)}


def within_hour(times: list[datetime], now: datetime) -> list[datetime]:
    return [t for t in times if now - t < timedelta(hours=1)]


def as_json(row: Row) -> str:
    return json.dumps(
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.__dict__.items()}
    )
