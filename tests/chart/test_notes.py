"""NOTES.txt tells how to open the app (rendered by a client-side dry-run install)."""

from __future__ import annotations

import subprocess

import pytest
from chart_render import CHART, NAMESPACE, VALUES_DIR, helm_binary, password_args


def notes(name: str) -> str:
    cmd = [
        helm_binary(),
        "install",
        "todo",
        str(CHART),
        "--dry-run=client",
        "--namespace",
        NAMESPACE,
        "--values",
        str(VALUES_DIR / f"{name}.yaml"),
    ]
    for item in password_args(VALUES_DIR / f"{name}.yaml"):
        cmd += ["--set-string", item]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "NOTES:" in result.stdout
    return result.stdout.split("NOTES:", 1)[1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("default", ["http://todo.local/", "http://todo.local/api/health", "todo.local", "offline intent parser"]),
        ("other-host", ["https://todo.example.test/", "https://todo.example.test/api/health"]),
        ("ingress-off", ["port-forward svc/todo-frontend 3000:3000", "port-forward svc/todo-backend 8000:8000"]),
        ("external-db", ["external, DATABASE_URL from Secret todo-app-secrets"]),
    ],
)
def test_notes_tell_how_to_open_the_app(name, expected):
    text = notes(name)
    for line in expected:
        assert line in text, f"{line!r} not in NOTES:\n{text}"


def test_notes_without_ingress_do_not_point_at_a_host():
    assert "todo.local" not in notes("ingress-off")
