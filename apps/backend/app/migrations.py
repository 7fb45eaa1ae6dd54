"""Schema migrations, applied at start-up.

Each migration is an ordered, frozen step (its DDL never changes once
released; a schema change is a new step). They run in one transaction under a
lock, so several replicas starting at once are safe: PostgreSQL takes a
transaction-scoped advisory lock, SQLite's transaction takes the write lock
(BEGIN IMMEDIATE, see db.py). The first replica applies the missing steps, the
others wait, then find nothing to do. Applied versions are recorded in
`schema_migrations`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .models import DESCRIPTION_MAX, TITLE_MAX, USER_ID_MAX, UTCDateTime

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: any constant that no other code of the database uses.
ADVISORY_LOCK_KEY = 0x746F646F  # "todo"

_versions = sa.Table(
    "schema_migrations",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_initial_schema(connection: Connection) -> None:
    meta = sa.MetaData()
    sa.Table(
        "tasks",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(USER_ID_MAX), nullable=False),
        sa.Column("title", sa.String(TITLE_MAX), nullable=False),
        sa.Column("description", sa.String(DESCRIPTION_MAX), nullable=True),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Index("ix_tasks_user_id_completed", "user_id", "completed"),
    )
    sa.Table(
        "conversations",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(USER_ID_MAX), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "messages",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(USER_ID_MAX), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("tool_calls", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )
    meta.create_all(connection)


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "tasks, conversations, messages", _v1_initial_schema),)


def migrate(engine: Engine) -> list[int]:
    """Apply the missing migrations; return the versions this call applied."""
    applied_now: list[int] = []
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        _versions.create(connection, checkfirst=True)
        done = set(connection.scalars(sa.select(_versions.c.version)))
        for migration in MIGRATIONS:
            if migration.version in done:
                continue
            log.info("applying migration", extra={"version": migration.version, "description": migration.description})
            migration.apply(connection)
            connection.execute(
                _versions.insert().values(
                    version=migration.version, description=migration.description, applied_at=datetime.now(UTC)
                )
            )
            applied_now.append(migration.version)
        unknown = sorted(done - {m.version for m in MIGRATIONS})
        if unknown:
            log.warning(
                "database has migrations this version does not know (newer release?)", extra={"unknown": unknown}
            )
    return applied_now


def current_version(engine: Engine) -> int | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(_versions.name):
            return None
        return connection.scalar(sa.select(sa.func.max(_versions.c.version)))
