"""`python -m app`: serve the API with uvicorn, JSON logs, graceful shutdown on SIGTERM.

uvicorn stops accepting connections on SIGTERM/SIGINT, lets in-flight requests
finish for up to GRACEFUL_SHUTDOWN_TIMEOUT seconds, runs the app's shutdown
(closing the database pool) and exits 0.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

import uvicorn

from .config import get_settings
from .logs import configure_logging, logging_config


def _stopped(signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def main() -> None:
    settings = get_settings()
    # uvicorn handles SIGTERM/SIGINT itself while serving, then re-raises the
    # signal once shut down; these handlers turn that into a clean exit 0
    # (a pod that stopped as asked is "Completed", not "Error" with 143).
    signal.signal(signal.SIGTERM, _stopped)
    signal.signal(signal.SIGINT, _stopped)
    configure_logging(settings.log_level)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=logging_config(settings.log_level),
        # X-Forwarded-* trusted from FORWARDED_ALLOW_IPS (uvicorn reads it; default 127.0.0.1).
        proxy_headers=True,
        timeout_graceful_shutdown=settings.graceful_shutdown_timeout,
        server_header=False,
    )


if __name__ == "__main__":
    main()
