"""The FastAPI application: `create_app()` (uvicorn: `app.main:create_app --factory`)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import psycopg
import sqlalchemy as sa
from fastapi import FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from . import __version__
from .api import chat, health, tasks
from .chat.agent import Agent, ChatUnavailableError
from .chat.local_agent import LocalAgent
from .chat.service import ConversationNotFoundError
from .config import Settings, get_settings
from .crud import TaskNotFoundError
from .db import CONNECT_ARGS, create_db_engine, create_read_pool, wait_for_database
from .migrations import migrate

log = logging.getLogger("app")


def build_agent(settings: Settings) -> Agent:
    if not settings.openai_api_key:
        return LocalAgent()
    from .chat.openai_agent import OpenAIAgent  # the SDK takes seconds to import; only load it when used

    return OpenAIAgent(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The stack closes what was opened, last first, at shutdown and when start-up fails half-way.
        async with AsyncExitStack() as opened:
            deadline = time.monotonic() + settings.database_startup_timeout
            engine = create_db_engine(settings)
            opened.callback(engine.dispose)
            await run_in_threadpool(wait_for_database, engine, settings.database_startup_timeout)
            applied = await run_in_threadpool(migrate, engine)
            read_pool = create_read_pool(engine, settings)
            if read_pool is not None:
                opened.push_async_callback(read_pool.close)
                # What is left of the start-up budget; the database answered a moment ago, so one connect
                # timeout at least.
                remaining = deadline - time.monotonic()
                await read_pool.open(timeout=max(remaining, CONNECT_ARGS["connect_timeout"]))
            agent = build_agent(settings)
            opened.callback(agent.close)
            app.state.engine, app.state.read_pool, app.state.agent = engine, read_pool, agent
            log.info(
                "started",
                extra={
                    "version": __version__,
                    "database": engine.dialect.name,
                    "migrations_applied": applied,
                    "chat_agent": agent.name,
                },
            )
            yield
        log.info("stopped")

    app = FastAPI(
        title="Todo Chatbot API",
        version=__version__,
        description="Tasks per user and a chatbot that manages them. Every route is under /api.",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "Authorization"],
        )
    for router in (health.router, tasks.router, chat.router):
        app.include_router(router, prefix="/api")

    @app.exception_handler(TaskNotFoundError)
    @app.exception_handler(ConversationNotFoundError)
    async def _not_found(_request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_404_NOT_FOUND)

    @app.exception_handler(ChatUnavailableError)
    async def _chat_unavailable(_request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_502_BAD_GATEWAY)

    @app.exception_handler(sa.exc.OperationalError)
    @app.exception_handler(psycopg.OperationalError)  # the read pool's (a pool timeout included)
    async def _database_down(_request: Request, error: Exception) -> JSONResponse:
        log.error("database error", extra={"error": type(error).__name__})
        return JSONResponse({"detail": "database unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)

    return app
