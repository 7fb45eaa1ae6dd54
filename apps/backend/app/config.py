"""Settings, read from the environment only (nothing secret has a default)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]


def normalize_database_url(url: str) -> str:
    """Map the URL forms people paste (Neon, Heroku, docs) onto SQLAlchemy's psycopg 3 driver.

    ``postgres://`` and ``postgresql://`` both become ``postgresql+psycopg://``;
    query parameters such as ``sslmode=require`` are kept. Other schemes
    (``sqlite://``, an explicit ``postgresql+psycopg://``) pass unchanged.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every setting of the app; each field is an environment variable of the same name."""

    # An empty variable means "not set": charts and compose files often render
    # optional settings as "" (OPENAI_BASE_URL="" must mean the default URL).
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", env_ignore_empty=True)

    database_url: str = Field(
        default="sqlite:///./data/todo.db",
        description="SQLAlchemy URL; postgres:// and postgresql:// URLs use psycopg 3. Default: a local SQLite file.",
    )
    database_startup_timeout: float = Field(
        default=60.0, ge=0, description="Seconds to keep retrying the database at start-up before giving up."
    )
    database_pool_size: int = Field(default=10, ge=1, le=100)

    openai_api_key: SecretStr | None = Field(
        default=None, description="Enables the OpenAI tool-calling agent; without it the local intent parser answers."
    )
    openai_model: str = Field(default="gpt-4o-mini", min_length=1)
    openai_base_url: HttpUrl | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. a proxy.")
    openai_timeout: float = Field(default=30.0, gt=0)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    chat_history_limit: int = Field(
        default=20, ge=0, le=200, description="How many earlier messages of a conversation the model sees."
    )

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated allowed origins; empty: no CORS headers (same origin)."
    )
    log_level: LogLevel = "INFO"

    host: str = Field(default="0.0.0.0", description="Address uvicorn binds (python -m app).")  # noqa: S104
    port: int = Field(default=8000, ge=1, le=65535)
    graceful_shutdown_timeout: float = Field(
        default=20.0, ge=0, description="Seconds in-flight requests get after SIGTERM."
    )

    @field_validator("database_url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_database_url(value.strip())

    @field_validator("openai_api_key")
    @classmethod
    def _empty_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
