"""PostgreSQL pools: connections idle past PING_AFTER_IDLE_S are pinged before use, recently used ones are not,
and a server restart costs at most one failed request per pool.

Both pools are covered: the engine's (GET /tasks/{id} of an id never made, a
sync route) and the async read pool's (GET /tasks, the list). A 404 or a 200
means the database answered.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool

from app import db
from app.main import create_app

from .conftest import admin_execute, database_altered, make_settings

ROUTES = {"engine": ("/api/u/tasks/2147483647", 404), "read pool": ("/api/u/tasks", 200)}


@pytest.fixture
def pg_client(postgres_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(postgres_url))) as test_client:
        yield test_client


@pytest.fixture(params=list(ROUTES))
def pool(request: pytest.FixtureRequest) -> str:
    return request.param


def answers(client: TestClient, pool: str) -> bool:
    path, answered = ROUTES[pool]
    status = client.get(path).status_code
    assert status in (answered, 503), status
    return status == answered


def record_pings(client: TestClient, pool: str, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each ping the pool sends, as whether it succeeded; the real ping still runs."""
    outcomes: list[bool] = []
    if pool == "engine":
        dialect = client.app.state.engine.dialect
        real_ping = dialect.do_ping

        def ping(dbapi_connection: object) -> bool:
            try:
                alive = real_ping(dbapi_connection)
            except Exception:
                outcomes.append(False)
                raise
            outcomes.append(True)
            return alive

        monkeypatch.setattr(dialect, "do_ping", ping)
    else:
        real_check = AsyncConnectionPool.check_connection

        async def check(connection: psycopg.AsyncConnection) -> None:
            try:
                await real_check(connection)
            except psycopg.Error:
                outcomes.append(False)
                raise
            outcomes.append(True)

        monkeypatch.setattr(AsyncConnectionPool, "check_connection", check)
    return outcomes


def hold_read_connections(client: TestClient, count: int) -> None:
    """Fills the read pool with `count` connections: that many reads at once."""

    async def hold() -> None:
        async with AsyncExitStack() as held:
            for _ in range(count):
                await held.enter_async_context(client.app.state.read_pool.connection())

    client.portal.call(hold)


def terminate_app_connections(url: str) -> None:
    """What a server restart does to the pools: every connection of the app is closed from the server side."""
    killed = admin_execute(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
        " WHERE datname = %s AND application_name = 'todo-backend'",
        (sa.make_url(url).database,),
    )
    assert killed is not None and killed[0] >= 1


def test_an_idle_connection_closed_by_the_server_is_replaced_unnoticed(pg_client, postgres_url, pool, monkeypatch):
    assert answers(pg_client, pool)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection counts as idle
    terminate_app_connections(postgres_url)
    assert answers(pg_client, pool)
    assert pg_client.post("/api/u/tasks", json={"title": "after the restart"}).status_code == 201


def test_a_recently_used_connection_is_not_pinged(pg_client, postgres_url, pool, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)  # "recently", however slow the machine
    pings = record_pings(pg_client, pool, monkeypatch)
    for _ in range(3):
        assert answers(pg_client, pool)
    assert pings == []
    # The price: if the server closed it within that window, one request fails (503), then the pool is renewed.
    terminate_app_connections(postgres_url)
    assert not answers(pg_client, pool)
    assert answers(pg_client, pool)


def test_the_ping_runs_once_idle(pg_client, pool, monkeypatch):
    assert answers(pg_client, pool)
    pings = record_pings(pg_client, pool, monkeypatch)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    assert answers(pg_client, pool)
    assert pings == [True]


def test_a_restart_fails_one_read_however_many_connections_the_read_pool_held(pg_client, postgres_url, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)  # no ping: the reads find the dead connections
    hold_read_connections(pg_client, 3)
    terminate_app_connections(postgres_url)
    # The first read finds its connection dead and drains the pool: the other two go with it.
    assert [answers(pg_client, "read pool") for _ in range(3)] == [False, True, True]


def test_one_failed_ping_drains_the_read_pool(pg_client, postgres_url, monkeypatch):
    hold_read_connections(pg_client, 3)
    terminate_app_connections(postgres_url)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    outcomes = record_pings(pg_client, "read pool", monkeypatch)
    assert answers(pg_client, "read pool")
    # Without the drain each dead connection would fail its own ping, with a growing back-off between them.
    assert outcomes == [False, True]


@contextmanager
def refused_connections(url: str) -> Iterator[None]:
    """While inside: the app's database refuses new connections and its open ones are closed."""
    with database_altered(url, "ALLOW_CONNECTIONS false", "ALLOW_CONNECTIONS true"):
        terminate_app_connections(url)
        yield


def timed_get(client: TestClient, path: str) -> tuple[int, float]:
    start = time.monotonic()
    status = client.get(path).status_code
    return status, time.monotonic() - start


def test_the_list_answers_503_soon_while_the_database_refuses_connections(postgres_url, monkeypatch):
    monkeypatch.setattr(db, "READ_POOL_TIMEOUT_S", 0.5)
    with TestClient(create_app(make_settings(postgres_url))) as client:
        assert answers(client, "read pool")
        with refused_connections(postgres_url):
            response = client.get("/api/u/tasks")  # its pooled connection is found dead: the pool drains
            assert response.status_code == 503
            assert response.json() == {"detail": "database unavailable"}
            # No connection to be had: the read gives up after READ_POOL_TIMEOUT_S (the default waits 30 s).
            status, seconds = timed_get(client, "/api/u/tasks")
            assert status == 503
            assert seconds < 3, seconds
            assert not answers(client, "engine")
        assert any(answers(client, "read pool") for _ in range(20))


def test_after_a_long_outage_the_list_answers_as_soon_as_the_database_does(postgres_url, monkeypatch):
    # Scaled down: attempts give up after 1 s, the outage lasts 4 s. Without giving up, a read
    # would wait for the back-off (1, 2, 4 s between attempts) grown during the outage.
    monkeypatch.setattr(db, "READ_POOL_TIMEOUT_S", 0.5)
    monkeypatch.setattr(db, "READ_POOL_RECONNECT_S", 1.0)
    with TestClient(create_app(make_settings(postgres_url))) as client:
        assert answers(client, "read pool")
        with refused_connections(postgres_url):
            outage_ends = time.monotonic() + 4
            while time.monotonic() < outage_ends:
                assert not answers(client, "read pool")
        back = time.monotonic()
        while not answers(client, "read pool"):
            assert time.monotonic() - back < 2.5, "the read pool did not reconnect in time"


def test_the_read_pool_connects_with_the_engines_arguments(postgres_url):
    """Both pools get the URL's parts as SQLAlchemy decodes them: here libpq's `options`, encoded in the query."""
    url = sa.make_url(postgres_url).update_query_dict({"options": "-c statement_timeout=4321"})
    with TestClient(create_app(make_settings(url.render_as_string(hide_password=False)))) as client:

        async def read_pool_statement_timeout() -> str:
            async with client.app.state.read_pool.connection() as connection:
                row = await (await connection.execute("SHOW statement_timeout")).fetchone()
                return row[0]

        with client.app.state.engine.connect() as connection:
            engine_statement_timeout = connection.exec_driver_sql("SHOW statement_timeout").scalar_one()
        assert client.portal.call(read_pool_statement_timeout) == engine_statement_timeout == "4321ms"
