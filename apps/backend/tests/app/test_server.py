"""`python -m app` as the image runs it: JSON logs, serving, graceful exit on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 2) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def test_serves_logs_json_and_stops_gracefully_on_sigterm(tmp_path, database_url):
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "info",
        "OPENAI_API_KEY": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app"], cwd=BACKEND, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/api/health")
                break
            except OSError:
                assert server.poll() is None, "server exited:\n" + "".join(lines)
                assert time.monotonic() < deadline, "server did not answer within 30s:\n" + "".join(lines)
                time.sleep(0.2)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert _get(f"http://127.0.0.1:{port}/api/ready")[0] == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    reader.join(5)
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    messages = [r["message"] for r in records]
    assert "started" in messages
    assert "Application shutdown complete." in messages
    assert messages[-1].startswith("Finished server process")
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} == {
        ("GET", "/api/health", 200),
        ("GET", "/api/ready", 200),
    }
    assert not any("postgres" in line and "@" in line for line in lines), "the database URL leaked into the logs"
