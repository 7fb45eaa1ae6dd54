"""Secrets reach the pods as Secret references, never as values in manifests or values files."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from chart_render import CHART, VALUES_DIR, container, env_of, render, render_matrix, run_helm_template

SECRET_KEYS = ("DATABASE_URL", "OPENAI_API_KEY", "POSTGRES_PASSWORD")
API_KEY = "sk-test-SENTINEL-4b1d0c"
DB_PASSWORD = "hunter2SENTINEL"  # noqa: S105 - a marker searched for in the output
DB_URL = f"postgresql://todo:{DB_PASSWORD}@db.example.test:5432/todo?sslmode=require"


def secret_ref(env: dict) -> tuple[str, str]:
    assert "value" not in env, f"{env['name']} has a literal value"
    ref = env["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def test_backend_reads_secrets_from_the_chart_secret_by_default():
    manifests = render_matrix("default")
    secret = manifests.get("Secret", "todo-secrets")
    assert sorted(secret["data"]) == sorted(SECRET_KEYS)
    backend = manifests.workload("backend")
    env = env_of(container(backend, "backend"))
    assert secret_ref(env["OPENAI_API_KEY"]) == ("todo-secrets", "OPENAI_API_KEY")
    assert secret_ref(env["POSTGRES_PASSWORD"]) == ("todo-secrets", "POSTGRES_PASSWORD")
    # In-cluster database: the URL is built by Kubernetes from the password reference.
    url = env["DATABASE_URL"]["value"]
    assert url == "postgresql://todo:$(POSTGRES_PASSWORD)@todo-postgresql:5432/todo"
    names = [e["name"] for e in container(backend, "backend")["env"]]
    assert names.index("POSTGRES_PASSWORD") < names.index("DATABASE_URL"), "$(VAR) must refer to an earlier variable"
    postgres = env_of(container(manifests.workload("postgresql"), "postgresql"))
    assert secret_ref(postgres["POSTGRES_PASSWORD"]) == ("todo-secrets", "POSTGRES_PASSWORD")


def test_external_database_reads_everything_from_the_existing_secret():
    manifests = render_matrix("external-db")
    assert manifests.of_kind("Secret") == [], "with existingSecret the chart renders no Secret"
    assert manifests.of_kind("StatefulSet") == []
    assert not [o for o in manifests.objects if "postgresql" in o["metadata"]["name"]]
    backend = manifests.workload("backend")
    for c in (container(backend, "backend"), container(backend, "wait-for-database", init=True)):
        env = env_of(c)
        assert secret_ref(env["DATABASE_URL"]) == ("todo-app-secrets", "DATABASE_URL")
        assert "POSTGRES_PASSWORD" not in env
    assert secret_ref(env_of(container(backend, "backend"))["OPENAI_API_KEY"]) == ("todo-app-secrets", "OPENAI_API_KEY")


def test_secret_values_appear_only_base64_in_the_chart_secret():
    manifests = render(
        (VALUES_DIR / "ingress-off.yaml",),
        set_values=("global.postgresql.enabled=false",),
        set_string=(f"global.secrets.openaiApiKey={API_KEY}", f"global.secrets.databaseUrl={DB_URL}"),
    )
    assert API_KEY not in manifests.text
    assert DB_PASSWORD not in manifests.text
    (secret,) = manifests.of_kind("Secret")
    assert base64.b64decode(secret["data"]["OPENAI_API_KEY"]).decode() == API_KEY
    assert base64.b64decode(secret["data"]["DATABASE_URL"]).decode() == DB_URL
    encoded = (secret["data"]["OPENAI_API_KEY"], secret["data"]["DATABASE_URL"])
    for obj in manifests.objects:
        if obj is not secret:
            dumped = yaml.safe_dump(obj)
            assert not [e for e in encoded if e in dumped], f"{obj['kind']} {obj['metadata']['name']} has a secret"


def test_generated_password_is_strong_and_the_secret_survives_uninstall():
    secret = render_matrix("default").get("Secret", "todo-secrets")
    password = base64.b64decode(secret["data"]["POSTGRES_PASSWORD"]).decode()
    assert len(password) == 32
    assert password.isalnum(), "the password goes into a URL unescaped"
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_password_is_kept_from_the_secret_in_the_cluster():
    # helm template has no cluster, so lookup finds nothing: check the template
    # reads the current Secret back before generating (upgrade keeps it).
    template = (CHART / "templates" / "secret.yaml").read_text()
    assert 'lookup "v1" "Secret" .Release.Namespace $name' in template
    assert 'index $current.data "POSTGRES_PASSWORD"' in template


def test_external_database_without_url_is_refused():
    result = run_helm_template(set_values=("global.postgresql.enabled=false",))
    assert result.returncode != 0
    assert "global.secrets.existingSecret" in result.stderr
    assert "global.secrets.databaseUrl" in result.stderr


def test_secret_values_with_an_existing_secret_are_refused():
    result = run_helm_template(
        (VALUES_DIR / "external-db.yaml",), set_string=(f"global.secrets.openaiApiKey={API_KEY}",)
    )
    assert result.returncode != 0
    assert "global.secrets.openaiApiKey" in result.stderr
    assert API_KEY not in result.stderr


SECRET_WORDS = ("password", "apikey", "token", "databaseurl")


def secret_leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from secret_leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from secret_leaves(value, f"{path}[{i}]")
    elif any(word in path.rsplit(".", 1)[-1].lower() for word in SECRET_WORDS):
        yield path, node


VALUES_FILES = sorted([*CHART.rglob("values.yaml"), *VALUES_DIR.glob("*.yaml")])


@pytest.mark.parametrize("path", VALUES_FILES, ids=lambda p: str(Path(p).relative_to(CHART.parents[1])))
def test_no_secret_value_in_values_files(path):
    data = yaml.safe_load(path.read_text()) or {}
    leaves = list(secret_leaves(data))
    assert all(leaf[1] in ("", None) for leaf in leaves), leaves


def test_the_values_files_are_found():
    assert len(VALUES_FILES) >= 9
