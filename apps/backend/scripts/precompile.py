"""Image build step: load what the server loads, so that Python writes byte-code for just that.

The builder installs the venv without byte-code (`pip install --no-compile`);
run with the builder's Python (`PYTHONPATH=/app`), this loads the app the way
uvicorn does and drives a start-up and a request per kind of route through it.
Python writes a .pyc for each module loaded on the way; the rest of the venv
(most of the OpenAI SDK, loaded only with OPENAI_API_KEY) stays source only.
The app's own modules are byte-compiled whole afterwards (compileall).
Nothing connects anywhere: SQLite in memory, and a PostgreSQL engine and read
pool that are made (loading the driver and the pool) but never used.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from uvicorn.lifespan.on import LifespanOn

from app.config import Settings
from app.db import create_db_engine, create_read_pool

REQUESTS = [
    ("GET", "/api/health", b""),
    ("POST", "/api/build/tasks", b'{"title": "t"}'),
    ("GET", "/api/build/tasks", b""),
    ("PATCH", "/api/build/tasks/1", b'{"completed": true}'),
    ("GET", "/api/build/tasks/1", b""),
    ("POST", "/api/build/chat", b'{"message": "what\'s pending?"}'),
]


async def request(web: Any, method: str, path: str, body: bytes) -> None:
    """One ASGI HTTP request; raises unless the app answers 2xx."""
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 8000),
    }
    await web(scope, receive, send)
    status = messages[0]["status"]
    if not 200 <= status < 300:
        raise RuntimeError(f"{method} {path}: HTTP {status}")


async def start_and_serve(config: uvicorn.Config) -> None:
    lifespan = LifespanOn(config)
    await lifespan.startup()
    if lifespan.should_exit:
        raise RuntimeError("the app did not start")
    for method, path, body in REQUESTS:
        await request(config.loaded_app, method, path, body)
    await lifespan.shutdown()


def main() -> None:
    postgresql = Settings(database_url="postgresql://build/x")
    create_read_pool(create_db_engine(postgresql), postgresql)  # psycopg, SQLAlchemy's dialect, psycopg_pool
    os.environ["DATABASE_URL"] = "sqlite://"
    config = uvicorn.Config("app.main:create_app", factory=True, lifespan="on")
    config.load()  # uvicorn's HTTP protocol, its middleware and the app
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:  # uvloop, as uvicorn runs
        runner.run(start_and_serve(config))


if __name__ == "__main__":
    main()
