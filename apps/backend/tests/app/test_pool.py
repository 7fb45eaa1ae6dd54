"""PostgreSQL pool: connections idle past PING_AFTER_IDLE_S are pinged before use, recently used ones are not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.pool import NullPool

from app import db
from app.main import create_app

from .conftest import make_settings


@pytest.fixture
def pg_client(postgres_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(postgres_url))) as test_client:
        yield test_client


def terminate_app_connections(url: str) -> None:
    """What a server restart does to the pool: every connection of the app is closed from the server side."""
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


def test_an_idle_connection_closed_by_the_server_is_replaced_unnoticed(pg_client, postgres_url, monkeypatch):
    assert pg_client.get("/api/u/tasks").status_code == 200
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every pooled connection counts as idle
    terminate_app_connections(postgres_url)
    assert pg_client.get("/api/u/tasks").status_code == 200
    assert pg_client.post("/api/u/tasks", json={"title": "after the restart"}).status_code == 201


def test_a_recently_used_connection_is_not_pinged(pg_client, postgres_url, monkeypatch):
    pings: list[object] = []
    dialect = pg_client.app.state.engine.dialect
    monkeypatch.setattr(dialect, "do_ping", lambda dbapi_connection: pings.append(dbapi_connection) or True)
    for _ in range(3):
        assert pg_client.get("/api/u/tasks").status_code == 200
    assert pings == []
    # The price: if the server closed it within that window, one request fails, then the pool is renewed.
    terminate_app_connections(postgres_url)
    assert pg_client.get("/api/u/tasks").status_code == 503
    assert pg_client.get("/api/u/tasks").status_code == 200


def test_the_ping_runs_once_idle(pg_client, monkeypatch):
    pings: list[object] = []
    dialect = pg_client.app.state.engine.dialect
    monkeypatch.setattr(dialect, "do_ping", lambda dbapi_connection: pings.append(dbapi_connection) or True)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    assert pg_client.get("/api/u/tasks").status_code == 200
    assert len(pings) == 1
