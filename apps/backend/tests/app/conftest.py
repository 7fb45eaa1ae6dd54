"""Fixtures: the app against SQLite and a real PostgreSQL, and the fake OpenAI server.

PostgreSQL comes from BACKEND_TEST_DATABASE_URL (tests/gates.d/40-backend.sh
passes the DSN that tests/env/postgres.sh prints). Each test run makes its own
throwaway database there and drops it at the end.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from psycopg import sql

from app.config import Settings
from app.main import create_app

REPO_ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO_ROOT / "tests" / "fakes" / "openai"))
from fake_openai import FakeOpenAI  # noqa: E402

# Settings fields read from the environment; cleared so the caller's shell cannot leak into tests.
_SETTINGS_ENV = [name.upper() for name in Settings.model_fields]
FAKE_KEY = "sk-test-fake-key"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run (SQLAlchemy URL)."""
    admin_dsn = os.environ.get("BACKEND_TEST_DATABASE_URL")
    if not admin_dsn:
        pytest.fail(
            "BACKEND_TEST_DATABASE_URL is not set: run tests/env/postgres.sh (it prints the DSN) and export it, "
            "or run the gate: tests/gates.d/40-backend.sh",
            pytrace=False,
        )
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        pytest.fail(f"cannot reach PostgreSQL at BACKEND_TEST_DATABASE_URL ({error}); run tests/env/postgres.sh")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = sa.make_url(admin_dsn.replace("postgresql://", "postgresql+psycopg://", 1)).set(database=name)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def admin_execute(query: str | sql.Composable, params: Sequence[object] = ()) -> tuple[Any, ...] | None:
    """One statement on the server's admin database (BACKEND_TEST_DATABASE_URL), its first row if any.

    For what the app's database cannot do to itself, or refuses while a test runs.
    """
    with psycopg.connect(os.environ["BACKEND_TEST_DATABASE_URL"], autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchone() if cursor.description else None


@contextmanager
def database_altered(url: str, change: str, undo: str) -> Iterator[None]:
    """`ALTER DATABASE <the test database> <change>` while inside, then `... <undo>`."""
    alter = sql.SQL("ALTER DATABASE {} ").format(sql.Identifier(sa.make_url(url).database))
    admin_execute(alter + sql.SQL(change))  # type: ignore[arg-type]
    try:
        yield
    finally:
        admin_execute(alter + sql.SQL(undo))  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that uses the database runs once on SQLite and once on PostgreSQL, starting empty."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'todo.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if sa.inspect(connection).has_table("tasks"):
            connection.execute(sa.text("TRUNCATE tasks, messages, conversations RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


def make_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(database_url=database_url, database_startup_timeout=5, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The app with the local (offline) chat agent."""
    with TestClient(create_app(make_settings(database_url))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(api_key=FAKE_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture
def openai_client(database_url: str, fake_openai: FakeOpenAI) -> Iterator[TestClient]:
    """The app with the OpenAI agent, pointed at the fake server."""
    fake_openai.reset()
    settings = make_settings(
        database_url,
        openai_api_key=FAKE_KEY,
        openai_base_url=fake_openai.base_url,
        openai_model="gpt-test",
        openai_max_retries=0,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    assert fake_openai.unused_script == [], "the test scripted answers the app never asked for"


@pytest.fixture
def make_task() -> Callable[..., dict[str, Any]]:
    """make_task(client, user, title, **fields) -> the created task (asserts 201)."""

    def make(client: TestClient, user: str, title: str, **fields: object) -> dict[str, Any]:
        response = client.post(f"/api/{user}/tasks", json={"title": title, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    return make
