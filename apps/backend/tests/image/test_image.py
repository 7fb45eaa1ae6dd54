"""The production image: built by the gate, run against PostgreSQL over a docker network."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import docker, http


def test_metadata(image):
    config = json.loads(docker("image", "inspect", "-f", "{{json .Config}}", image).stdout)
    assert config["User"] == "10001:10001"
    assert set(config["ExposedPorts"]) == {"8000/tcp"}
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "app.healthcheck"]
    assert config["Cmd"] == ["python", "-m", "app"]
    names = {entry.split("=", 1)[0] for entry in config["Env"]}
    assert not {n for n in names if any(word in n for word in ("KEY", "SECRET", "PASSWORD", "TOKEN", "DATABASE"))}


def test_no_compiler_or_build_tools(image):
    result = docker(
        "run", "--rm", "--network", "none", image, "sh", "-c",
        "for t in gcc cc c++ make ld as strip; do command -v $t; done; ls /opt/venv/bin | grep -x 'pip.*' || true",
    )  # fmt: skip
    assert result.stdout.strip() == ""


def test_compiled_extensions_load(image):
    """Stripped of their symbol tables, they still load: psycopg and SQLAlchemy would fall back to Python unnoticed."""
    code = (
        "import httptools.parser.parser, jiter, pydantic_core, uvloop, psycopg;"
        "from sqlalchemy.util._has_cython import HAS_CYEXTENSION;"
        "print(psycopg.pq.__impl__, HAS_CYEXTENSION)"
    )
    result = docker("run", "--rm", "--network", "none", image, "python", "-c", code)
    assert result.stdout.split() == ["binary", "True"]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_server_compiles_nothing_to_start_and_serve(run_container, postgres, database):
    """The byte-code written at build time (scripts/precompile.py) covers what the server loads.

    PYTHONVERBOSE=1 makes Python name each module's code object on stderr:
    a .py file where it compiled the source instead of loading a .pyc.
    """
    env = {"PYTHONVERBOSE": "1"} | ({"DATABASE_URL": postgres.url} if database == "postgresql" else {})
    app = run_container(env=env)
    base = f"{app.base_url}/api/verbose"
    status, task = http("POST", f"{base}/tasks", {"title": "t"})
    assert status == 201
    assert http("GET", f"{base}/tasks")[0] == 200
    assert http("PATCH", f"{base}/tasks/{task['id']}", {"completed": True})[0] == 200
    assert http("POST", f"{base}/chat", {"message": "what's pending?"})[0] == 200
    loaded = [line.strip().rstrip("'") for line in app.logs().splitlines() if "code object from" in line]
    assert len(loaded) > 500
    assert [line for line in loaded if not line.endswith(".pyc") and ("/opt/venv/" in line or "/app/" in line)] == []


def test_code_is_read_only_to_the_app_user(image):
    result = docker("run", "--rm", "--network", "none", image, "sh", "-c", "touch /app/app/x 2>&1; id -u")
    assert "Permission denied" in result.stdout
    assert result.stdout.strip().endswith("10001")


def test_ready_and_task_round_trip_on_postgres(app_on_postgres):
    base = app_on_postgres.base_url
    assert http("GET", f"{base}/api/health") == (200, {"status": "ok"})
    assert http("GET", f"{base}/api/ready") == (200, {"status": "ok", "database": "ok"})

    status, task = http("POST", f"{base}/api/it-user/tasks", {"title": "buy milk", "description": "2 liters"})
    assert status == 201
    assert http("GET", f"{base}/api/it-user/tasks/{task['id']}") == (200, task)
    status, done = http("POST", f"{base}/api/it-user/tasks/{task['id']}/complete")
    assert (status, done["completed"]) == (200, True)
    assert http("GET", f"{base}/api/it-user/tasks?status=pending") == (200, [])
    assert [t["id"] for t in http("GET", f"{base}/api/it-user/tasks?status=completed")[1]] == [task["id"]]
    assert http("GET", f"{base}/api/someone-else/tasks/{task['id']}")[0] == 404
    assert http("POST", f"{base}/api/it-user/tasks", {"title": ""})[0] == 422

    status, reply = http("POST", f"{base}/api/it-user/chat", {"message": "add call mom"})
    assert status == 200
    assert reply["tool_calls"][0]["name"] == "add_task"
    status, reply = http(
        "POST", f"{base}/api/it-user/chat", {"conversation_id": reply["conversation_id"], "message": "what's pending?"}
    )
    assert status == 200
    assert "call mom" in reply["response"]

    assert http("DELETE", f"{base}/api/it-user/tasks/{task['id']}") == (204, None)
    assert http("GET", f"{base}/api/it-user/tasks/{task['id']}")[0] == 404


def test_process_runs_as_non_root(app_on_postgres):
    status = docker("exec", app_on_postgres.name, "cat", "/proc/1/status").stdout
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1:] == ["10001"] * 4
    assert docker("exec", app_on_postgres.name, "cat", "/proc/1/cmdline").stdout.split("\0")[:3] == [
        "python",
        "-m",
        "app",
    ]


def test_healthcheck_turns_healthy(app_on_postgres):
    deadline = time.monotonic() + 60
    while (
        state := docker("inspect", "-f", "{{.State.Health.Status}}", app_on_postgres.name).stdout.strip()
    ) != "healthy":
        assert state == "starting" and time.monotonic() < deadline, f"health: {state}"
        time.sleep(1)


def test_logs_are_json_without_secrets(app_on_postgres, postgres):
    lines = [line for line in app_on_postgres.logs().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]
    assert any(r["message"] == "started" and r["database"] == "postgresql" for r in records)
    assert postgres.password not in app_on_postgres.logs()


def test_default_config_sqlite_and_graceful_stop(run_container):
    """No configuration at all: SQLite under /app/data; SIGTERM (docker stop) ends it cleanly with 0."""
    app = run_container()
    assert http("POST", f"{app.base_url}/api/u/tasks", {"title": "offline"})[0] == 201
    started = time.monotonic()
    docker("stop", "-t", "20", app.name, timeout=60)
    assert time.monotonic() - started < 15
    assert docker("inspect", "-f", "{{.State.ExitCode}}", app.name).stdout.strip() == "0"
    messages = [json.loads(line)["message"] for line in app.logs().splitlines() if line.strip()]
    assert "Application shutdown complete." in messages
