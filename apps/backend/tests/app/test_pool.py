"""PostgreSQL pools: connections idle past PING_AFTER_IDLE_S are pinged before use, recently used ones are not.

Both pools are covered: the engine's (GET /tasks/{id} of an id never made, a sync route) and the
async read pool's (GET /tasks, the list). A 404 or a 200 means the database answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.pool import NullPool

from app import db
from app.main import create_app

from .conftest import make_settings

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


def count_pings(client: TestClient, pool: str, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The pool's pings are recorded, not sent."""
    pings: list[object] = []
    if pool == "engine":
        fake: Callable[..., object] = lambda dbapi_connection: pings.append(dbapi_connection) or True  # noqa: E731
        monkeypatch.setattr(client.app.state.engine.dialect, "do_ping", fake)
    else:

        async def fake_check(connection: object) -> None:
            pings.append(connection)

        monkeypatch.setattr(AsyncConnectionPool, "check_connection", fake_check)
    return pings


def terminate_app_connections(url: str) -> None:
    """What a server restart does to the pools: every connection of the app is closed from the server side."""
    admin = sa.create_engine(url, poolclass=NullPool)
    with admin.connect() as connection:
        killed = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'todo-backend'"
            )
        ).scalar_one()
    admin.dispose()
    assert killed >= 1


def test_an_idle_connection_closed_by_the_server_is_replaced_unnoticed(pg_client, postgres_url, pool, monkeypatch):
    assert answers(pg_client, pool)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection counts as idle
    terminate_app_connections(postgres_url)
    assert answers(pg_client, pool)
    assert pg_client.post("/api/u/tasks", json={"title": "after the restart"}).status_code == 201


def test_a_recently_used_connection_is_not_pinged(pg_client, postgres_url, pool, monkeypatch):
    pings = count_pings(pg_client, pool, monkeypatch)
    for _ in range(3):
        assert answers(pg_client, pool)
    assert pings == []
    # The price: if the server closed it within that window, one request fails (503), then the pool is renewed.
    terminate_app_connections(postgres_url)
    assert not answers(pg_client, pool)
    assert answers(pg_client, pool)


def test_the_ping_runs_once_idle(pg_client, pool, monkeypatch):
    assert answers(pg_client, pool)  # the read pool's first connection is new: not pinged
    pings = count_pings(pg_client, pool, monkeypatch)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    assert answers(pg_client, pool)
    assert len(pings) == 1
