"""Engine, sessions, the async read pool and start-up readiness of the database."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa
from fastapi import Request
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from .config import Settings

log = logging.getLogger(__name__)

# A pooled connection idle for longer than this is pinged before use: the
# server may have closed it meanwhile (restart, idle timeout). One used a
# moment ago is trusted, which saves a round trip per request under load.
PING_AFTER_IDLE_S = 5.0
# Both pools' PostgreSQL connections; the server sees them as one application.
CONNECT_ARGS = {"connect_timeout": 10, "application_name": "todo-backend"}
READ_POOL_TIMEOUT_S = 5.0
READ_POOL_RECONNECT_S = 10.0


def create_db_engine(settings: Settings) -> Engine:
    """An engine for the configured URL: pooled psycopg 3 for PostgreSQL, SQLite with real transactions."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    engine = sa.create_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_recycle=1800,
        connect_args=CONNECT_ARGS,
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Like `pool_pre_ping`, for connections idle longer than PING_AFTER_IDLE_S only."""

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        idle_since = record.info.pop("idle_since", None)  # None: a new connection
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # As pre-ping does: the pool drops this and every older connection
            # (the server probably restarted) and checks out a new one.
            raise sa.exc.InvalidatePoolError() from error


def _sqlite_engine(url: sa.URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        **({"poolclass": StaticPool} if memory else {}),
    )

    # pysqlite's own transaction handling starts transactions late and lets DDL
    # run outside them; take it over (SQLAlchemy's documented recipe) so every
    # transaction, migrations included, is a real one holding the write lock.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        if not memory:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        log.warning("database check failed", extra={"error": type(error).__name__})
        return False
    return True


def wait_for_database(engine: Engine, timeout: float) -> None:
    """Retry until the database answers (it may start after the app), at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return
        except sa.exc.OperationalError as error:
            if time.monotonic() + delay > deadline:
                raise RuntimeError(f"database not reachable after {timeout:.0f}s: {error.orig!r}") from error
            log.warning("database not reachable yet, retrying", extra={"retry_in_s": delay})
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


class ReadPool:
    """PostgreSQL: psycopg async connections for the reads that async routes run (the task list).

    An async route reads on the event loop, without the thread-pool hop every
    sync route (and so the engine) costs per request. The connections are made
    with the engine's own arguments (SQLAlchemy's psycopg dialect turns the URL
    into them, CONNECT_ARGS added), run in autocommit (a lone SELECT is its own
    transaction: no BEGIN and ROLLBACK round trips) and with the session time
    zone UTC, so timestamps come back aware and UTC, as UTCDateTime returns them.

    The engine's reconnect policy, in psycopg_pool's terms: a connection idle
    for more than PING_AFTER_IDLE_S is pinged when handed out; a failed ping,
    or a connection lost during a read, drains the pool, since the server has
    probably restarted and every older connection is dead too (SQLAlchemy
    invalidates the engine's pool likewise). Once per restart: a connection
    made since the last drain has to fail to drain the pool again. Opened and
    closed by the app's lifespan.
    """

    def __init__(self, engine: Engine, size: int) -> None:
        _args, url_params = engine.dialect.create_connect_args(engine.url)
        self._made_at: weakref.WeakKeyDictionary[psycopg.AsyncConnection, float] = weakref.WeakKeyDictionary()
        self._idle_since: weakref.WeakKeyDictionary[psycopg.AsyncConnection, float] = weakref.WeakKeyDictionary()
        self._drained_at = 0.0
        self._pool = AsyncConnectionPool(
            kwargs={**url_params, **CONNECT_ARGS, "autocommit": True},
            min_size=1,
            max_size=size,
            # How long a read waits for a connection (pool busy, database down) before it answers 503.
            timeout=READ_POOL_TIMEOUT_S,
            # A connection attempt gives up this soon, so that after an outage the next read starts a new
            # one at once instead of waiting out a back-off that has grown to a minute.
            reconnect_timeout=READ_POOL_RECONNECT_S,
            max_lifetime=1800,
            configure=self._configure,
            check=self._check,
            name="todo-backend-read",
            open=False,
        )

    async def open(self, timeout: float) -> None:
        await self._pool.open(wait=True, timeout=timeout)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        async with self._pool.connection() as connection:
            try:
                yield connection
            except psycopg.OperationalError:
                if connection.broken:
                    await self._drain_once(connection)
                raise
            finally:
                self._idle_since[connection] = time.monotonic()

    async def _configure(self, connection: psycopg.AsyncConnection) -> None:
        await connection.execute("SET TIME ZONE 'UTC'")
        self._made_at[connection] = self._idle_since[connection] = time.monotonic()

    async def _check(self, connection: psycopg.AsyncConnection) -> None:
        if time.monotonic() - self._idle_since.get(connection, 0.0) <= PING_AFTER_IDLE_S:
            return
        try:
            await AsyncConnectionPool.check_connection(connection)
        except psycopg.Error:
            await self._drain_once(connection)
            raise  # the pool discards this one and hands out a new connection

    async def _drain_once(self, dead: psycopg.AsyncConnection) -> None:
        # Older than the last drain: that drain dealt with it (and with the others) already.
        if self._made_at.get(dead, 0.0) > self._drained_at:
            self._drained_at = time.monotonic()
            await self._pool.drain()


def create_read_pool(engine: Engine, settings: Settings) -> ReadPool | None:
    """The read pool for a PostgreSQL engine; None on SQLite (no async driver: its routes stay sync)."""
    return ReadPool(engine, settings.database_pool_size) if engine.dialect.name == "postgresql" else None


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, rolled back unless the handler committed."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session
