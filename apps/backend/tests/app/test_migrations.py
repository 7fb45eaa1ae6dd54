"""Start-up schema migration: complete, idempotent, safe with replicas starting at once."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.db import create_db_engine
from app.migrations import MIGRATIONS, current_version, migrate

from .conftest import make_settings

LATEST = MIGRATIONS[-1].version


def _fresh_engine(database_url: str) -> sa.Engine:
    engine = create_db_engine(make_settings(database_url))
    with engine.begin() as connection:  # database_url only empties tables; start from nothing here
        for table in ("messages", "conversations", "tasks", "schema_migrations"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    return engine


def test_migrate_then_nothing_to_do(database_url):
    engine = _fresh_engine(database_url)
    assert current_version(engine) is None
    assert migrate(engine) == [m.version for m in MIGRATIONS]
    assert current_version(engine) == LATEST
    assert migrate(engine) == []
    engine.dispose()


def test_migrated_schema_matches_the_models(database_url):
    """The frozen migration DDL and the SQLModel classes describe the same tables."""
    engine = _fresh_engine(database_url)
    migrate(engine)
    inspector = sa.inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        actual = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(actual) == set(table.columns.keys()), table.name
        for column in table.columns:
            assert actual[column.name]["nullable"] == column.nullable, f"{table.name}.{column.name}"
        declared = {tuple(i.columns.keys()) for i in table.indexes}
        assert declared <= {tuple(i["column_names"]) for i in inspector.get_indexes(table.name)}, table.name
    engine.dispose()


def test_concurrent_startups_apply_each_migration_once(database_url):
    _fresh_engine(database_url).dispose()
    replicas = 4
    engines = [create_db_engine(make_settings(database_url)) for _ in range(replicas)]
    barrier = threading.Barrier(replicas)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def start(engine: sa.Engine) -> None:
        try:
            barrier.wait()
            results.append(migrate(engine))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == [[]] * (replicas - 1) + [[m.version for m in MIGRATIONS]]
    with engines[0].connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM schema_migrations")) == len(MIGRATIONS)
    for engine in engines:
        engine.dispose()
