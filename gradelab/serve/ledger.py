"""What ``gradelab serve`` did with each inbound entry, kept in the gradebook's own database.

One row per entry of the exchange, by its key (``inbox.entry_key``), moving through these
states, each step committed before any file is moved, and each one safe to do again:

- ``arrived``: seen in the exchange, to be copied (``not_before``: not yet complete);
- ``snapshotted``: copied into the service's own folder, its time taken; to be graded;
- ``graded``: its scores are in the gradebook (when it counts), in the same transaction;
- ``recorded``: ``submitted/``, ``autograded/`` and ``feedback/`` hold it; to be released;
- ``released``: its feedback is fetchable;
- ``refused`` (the submission cannot be graded; the student is told why, ``first_released_at``
  set once they can read it), ``unusable`` (not a submission this course can take: a bad
  name, someone else's), ``failed`` (the service could not handle it; the instructor must act).

``first_released_at`` is the first time a submission's feedback was fetchable;
``released_at`` the latest (feedback is released again after the due date). The table has a
schema version (``gradelab_ledger_version``) and each older version a migration.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from gradelab.course import Course

VERSION = 2
metadata = MetaData()
entries = Table(
    "gradelab_served",
    metadata,
    Column("name", String(1024), primary_key=True),
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
    Column("first_released_at", DateTime),
    Column("secret", String(300)),
    Index("gradelab_served_state", "state", "first_released_at"),
    Index("gradelab_served_student", "student", "assignment", "counted"),
    Index("gradelab_served_graded", "student", "assignment", "graded_at"),
    Index("gradelab_served_full", "assignment", "counted", "full_feedback_at"),
)
holds = Table(
    "gradelab_held",
    metadata,
    Column("assignment", String(128), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("test_file", String(400)),
    Column("test_line", Integer),
)
versions = Table("gradelab_ledger_version", metadata, Column("version", Integer, nullable=False))
ADDED_IN_2 = {"first_released_at": "TIMESTAMP", "secret": "VARCHAR(300)"}
WORKING = ("arrived", "snapshotted", "graded", "recorded")
FINAL = ("released", "refused", "unusable", "failed")


@dataclass(frozen=True)
class Held:
    """An assignment whose grading is held: why, and where its broken test is."""

    assignment: str
    reason: str
    test_file: str | None
    test_line: int | None


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
    first_released_at: datetime | None
    secret: str | None

    @classmethod
    def of(cls, record) -> Row:
        values = dict(record._mapping)
        for key, value in values.items():
            if isinstance(value, datetime):
                values[key] = aware(value)
        values["counted"] = bool(values["counted"])
        values["attempts"] = int(values["attempts"] or 0)
        return cls(**values)


def migrate(connection: Connection) -> None:
    """Bring the table to ``VERSION``: from version 1 (no version table), add the columns of
    version 2, keep the first release time, and send every row that was not finished back to
    ``arrived``, to be copied and graded again (each step being safe to redo)."""
    tables = inspect(connection).get_table_names()
    found = (
        connection.execute(select(versions.c.version)).scalar()
        if "gradelab_ledger_version" in tables
        else None
    )
    if found is None and "gradelab_served" in tables:
        columns = {c["name"] for c in inspect(connection).get_columns("gradelab_served")}
        for column, kind in ADDED_IN_2.items():
            if column not in columns:
                connection.execute(text(f"ALTER TABLE gradelab_served ADD COLUMN {column} {kind}"))
        connection.execute(
            update(entries)
            .where(entries.c.released_at.is_not(None))
            .values(first_released_at=entries.c.released_at)
        )
        unfinished = or_(
            entries.c.state.in_(("queued", "graded")),
            and_(entries.c.state == "refused", entries.c.released_at.is_(None)),
        )
        connection.execute(
            update(entries).where(unfinished).values(state="arrived", attempts=0, not_before=None)
        )
    metadata.create_all(connection)
    if found is None:
        connection.execute(versions.insert().values(version=VERSION))


class Ledger:
    """The ``gradelab_served`` table of the course's gradebook database."""

    def __init__(self, course: Course | None, engine: Engine | None = None) -> None:
        self.engine = engine or create_engine(course.db_url)
        with self._begin() as connection:
            migrate(connection)

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
        state: str = "arrived",
        message: str | None = None,
    ) -> None:
        with self._begin() as connection:
            connection.execute(
                entries.insert().values(
                    name=name,
                    student=student,
                    assignment=assignment,
                    seen_at=naive(datetime.now(UTC)),
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

    def working(self) -> list[Row]:
        """Every row not finished: in a working state, or refused and not yet told."""
        query = (
            select(entries)
            .where(
                or_(
                    entries.c.state.in_(WORKING),
                    and_(entries.c.state == "refused", entries.c.first_released_at.is_(None)),
                )
            )
            .order_by(entries.c.seen_at, entries.c.name)
        )
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

    def released(self, name: str, state: str = "released", full: bool = False) -> None:
        """The row's feedback is fetchable now (the first time, or again; ``full``: all of
        it, none to release after the due date)."""
        now = naive(datetime.now(UTC))
        more = {"full_feedback_at": now} if full else {}
        with self._begin() as connection:
            connection.execute(
                update(entries)
                .where(entries.c.name == name)
                .values(
                    state=state,
                    released_at=now,
                    first_released_at=func.coalesce(entries.c.first_released_at, now),
                    **more,
                )
            )

    def gradings_since(self, row: Row, since: datetime) -> list[datetime]:
        """When the other submissions of ``row``'s student and assignment were graded since
        ``since`` (``row``'s own grading, lost to a crash and made again, is not another)."""
        query = select(entries.c.graded_at).where(
            entries.c.student == row.student,
            entries.c.assignment == row.assignment,
            entries.c.graded_at >= naive(since),
            entries.c.name != row.name,
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
            .where(
                entries.c.student == student,
                entries.c.assignment == assignment,
                entries.c.counted.is_(True),
            )
            .values(counted=False)
        )

    def awaiting_full_feedback(self, assignment: str) -> list[Row]:
        """Counted, released rows of ``assignment`` whose full feedback is still to come."""
        query = select(entries).where(
            entries.c.assignment == assignment,
            entries.c.counted.is_(True),
            entries.c.full_feedback_at.is_(None),
            entries.c.state == "released",
        )
        with self._begin() as connection:
            return [Row.of(r) for r in connection.execute(query)]

    def hold(self, assignment: str, held: Held | None) -> None:
        """Hold ``assignment`` (``held``), or no longer (None)."""
        with self._begin() as connection:
            connection.execute(holds.delete().where(holds.c.assignment == assignment))
            if held is not None:
                connection.execute(holds.insert().values(**held.__dict__))

    def held(self) -> list[Held]:
        with self._begin() as connection:
            return [Held(**dict(r._mapping)) for r in connection.execute(select(holds))]

    def count_by_state(self) -> dict[tuple[str, str], int]:
        query = select(entries.c.assignment, entries.c.state, func.count()).group_by(
            entries.c.assignment, entries.c.state
        )
        with self._begin() as connection:
            return {(a or "", s): n for a, s, n in connection.execute(query)}
