"""Settings come from the environment only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings, normalize_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u:p@h/db?sslmode=require", "postgresql+psycopg://u:p@h/db?sslmode=require"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///./data/todo.db", "sqlite:///./data/todo.db"),
    ],
)
def test_database_url_normalization(given, expected):
    assert normalize_database_url(given) == expected


def test_empty_variables_mean_not_set(monkeypatch):
    # What a chart renders for optional settings left at their defaults.
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.setenv(name, "")
    settings = Settings()
    defaults = Settings.model_fields
    assert settings.openai_base_url == defaults["openai_base_url"].default
    assert settings.openai_api_key is None or not settings.openai_api_key.get_secret_value()
    assert settings.database_url == defaults["database_url"].default
    assert settings.log_level == defaults["log_level"].default


def test_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", " postgres://u:p@db:5432/todo ")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-abc")
    monkeypatch.setenv("OPENAI_MODEL", "gpt-x")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://proxy.internal:8080/v1")
    monkeypatch.setenv("CORS_ORIGINS", "http://a.test,http://b.test")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/todo"
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-abc"
    assert "sk-abc" not in repr(settings)
    assert settings.openai_model == "gpt-x"
    assert str(settings.openai_base_url) == "http://proxy.internal:8080/v1"
    assert settings.cors_origins == ["http://a.test", "http://b.test"]
    assert settings.log_level == "DEBUG"


def test_defaults_work_offline():
    settings = Settings()
    assert settings.openai_api_key is None
    assert settings.is_sqlite
    assert settings.cors_origins == []


def test_empty_key_means_no_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    assert Settings().openai_api_key is None


@pytest.mark.parametrize(("name", "value"), [("LOG_LEVEL", "chatty"), ("PORT", "0"), ("OPENAI_BASE_URL", "not a url")])
def test_bad_values_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert error.value.errors()[0]["loc"] == (name.lower(),)
