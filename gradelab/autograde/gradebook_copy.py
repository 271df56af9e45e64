"""A copy of the gradebook in a scratch SQLite file, row for row, whatever database holds it.

The copy has nbgrader's own tables (and its schema version), filled with every row of the
original; nbgrader and gradelab use it as they would the original. The original is only
read: a SQLite gradebook is opened read-only, so not a byte of it changes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from nbgrader.api import Base
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from gradelab.errors import CourseError

ROWS_AT_ONCE = 1000


def read_only_engine(db_url: str) -> Engine:
    """An engine on the gradebook that cannot write to it when it is a SQLite file."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(db_url)
    path = Path(url.database or "").resolve()
    if not path.is_file():
        raise CourseError(f"no gradebook at {path}: release the assignment first")
    uri = f"file:{quote(str(path))}?mode=ro"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))


def copy_gradebook(db_url: str, target: Path) -> str:
    """Copy the gradebook at ``db_url`` into a new SQLite file ``target``; return its URL."""
    copy_url = f"sqlite:///{target}"
    source, copy = read_only_engine(db_url), create_engine(copy_url)
    try:
        Base.metadata.create_all(copy)
        with source.connect() as read, copy.begin() as write:
            existing = set(inspect(read).get_table_names())
            for table in (t for t in Base.metadata.sorted_tables if t.name in existing):
                for rows in read.execute(table.select()).mappings().partitions(ROWS_AT_ONCE):
                    write.execute(table.insert(), [dict(row) for row in rows])
            if "alembic_version" in existing:
                version = read.execute(text("SELECT version_num FROM alembic_version")).scalar()
                write.execute(
                    text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
                )
                write.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})
    finally:
        source.dispose()
        copy.dispose()
    return copy_url
