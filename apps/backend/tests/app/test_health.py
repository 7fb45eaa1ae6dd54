"""Liveness, readiness, start-up waiting, CORS, OpenAPI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import wait_for_database
from app.main import create_app

from .conftest import make_settings


def test_health_and_ready(client):
    assert client.get("/api/health").json() == {"status": "ok"}
    ready = client.get("/api/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}


def test_ready_fails_and_health_does_not_when_the_database_is_gone(client):
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    client.app.state.engine = sa.create_engine("postgresql+psycopg://x:y@127.0.0.1:9/x")
    assert client.get("/api/health").status_code == 200
    ready = client.get("/api/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}
    response = client.get("/api/someone/tasks/1")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}


def test_startup_gives_up_after_the_timeout():
    engine = sa.create_engine("postgresql+psycopg://x:y@127.0.0.1:9/x")
    with pytest.raises(RuntimeError, match="database not reachable after 1s"):
        wait_for_database(engine, timeout=1)


def test_cors_only_for_configured_origins(tmp_path):
    settings = make_settings(f"sqlite:///{tmp_path / 'db'}", cors_origins="http://todo.local, http://localhost:3000/")
    assert settings.cors_origins == ["http://todo.local", "http://localhost:3000"]
    headers = {"Origin": "http://todo.local", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(settings)) as client:
        allowed = client.options("/api/u/tasks", headers=headers)
        assert allowed.headers["access-control-allow-origin"] == "http://todo.local"
        denied = client.options("/api/u/tasks", headers={**headers, "Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in denied.headers


def test_openapi_documents_every_route_and_its_errors(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths) == {
        "/api/health",
        "/api/ready",
        "/api/{user_id}/tasks",
        "/api/{user_id}/tasks/{task_id}",
        "/api/{user_id}/tasks/{task_id}/complete",
        "/api/{user_id}/chat",
        "/api/{user_id}/conversations/{conversation_id}/messages",
    }
    one = paths["/api/{user_id}/tasks/{task_id}"]
    assert set(one) == {"get", "patch", "delete"}
    for operation in (*one.values(), paths["/api/{user_id}/tasks/{task_id}/complete"]["post"]):
        assert operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
        assert "422" in operation["responses"]
    assert paths["/api/{user_id}/tasks"]["post"]["responses"]["201"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/TaskRead")
    chat = paths["/api/{user_id}/chat"]["post"]["responses"]
    assert chat["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ChatResponse")
    assert {"404", "422", "502"} <= set(chat)
    assert "503" in paths["/api/ready"]["get"]["responses"]
    task_read = schema["components"]["schemas"]["TaskRead"]
    assert set(task_read["required"]) == {
        "id",
        "user_id",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
    }
