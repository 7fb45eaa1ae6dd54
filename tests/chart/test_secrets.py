"""Secrets reach the pods as Secret references, never as values in manifests or values files."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
import yaml
from chart_render import (
    CHART,
    PASSWORD_SET,
    TEST_DB_PASSWORD,
    VALUES_DIR,
    container,
    env_of,
    render,
    render_matrix,
    run_helm_template,
)

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


def test_the_given_password_is_stored_and_the_secret_survives_uninstall():
    manifests = render_matrix("default")
    secret = manifests.get("Secret", "todo-secrets")
    assert base64.b64decode(secret["data"]["POSTGRES_PASSWORD"]).decode() == TEST_DB_PASSWORD
    assert TEST_DB_PASSWORD not in manifests.text
    assert secret["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_the_chart_makes_up_no_secret():
    # One place generates and keeps the password (the helm_release role): a
    # chart that generated one would need it found again on every upgrade.
    # Sprig's functions that make up values: each render would differ.
    random = re.compile(r"\b(rand(AlphaNum|Alpha|Numeric|Ascii|Bytes|Int)|gen(PrivateKey|CA|SelfSignedCert)|uuidv4)\b")
    templates = [*CHART.rglob("templates/*.yaml"), *CHART.rglob("templates/*.tpl")]
    assert len(templates) > 10
    for path in templates:
        assert not random.search(path.read_text()), path


def test_install_without_a_password_is_refused_with_how_to_get_one():
    result = run_helm_template()
    assert result.returncode != 0
    assert result.stdout == ""
    assert "global.secrets.postgresPassword is required" in result.stderr
    assert "openssl rand" in result.stderr, "the message says how to make one"
    assert "kubectl get secret todo-secrets --namespace todo" in result.stderr, "and how to read the current one"


@pytest.mark.parametrize("password", ["p@ss:word/SENTINEL", "with space SENTINEL", "quote'SENTINEL"])
def test_a_password_that_breaks_the_url_is_refused_without_repeating_it(password):
    result = run_helm_template(set_string=(f"global.secrets.postgresPassword={password}",))
    assert result.returncode != 0
    assert "global.secrets.postgresPassword may hold only" in result.stderr
    assert "SENTINEL" not in result.stderr


def test_a_password_for_an_external_database_is_refused():
    result = run_helm_template(
        set_values=("global.postgresql.enabled=false",),
        set_string=(f"global.secrets.databaseUrl={DB_URL}", *PASSWORD_SET),
    )
    assert result.returncode != 0
    assert "global.secrets.postgresPassword is only used with the in-cluster PostgreSQL" in result.stderr
    assert TEST_DB_PASSWORD not in result.stderr


def test_external_database_without_url_is_refused():
    result = run_helm_template(set_values=("global.postgresql.enabled=false",))
    assert result.returncode != 0
    assert "global.secrets.existingSecret" in result.stderr
    assert "global.secrets.databaseUrl" in result.stderr


@pytest.mark.parametrize("key", ["openaiApiKey", "databaseUrl", "postgresPassword"])
def test_secret_values_with_an_existing_secret_are_refused(key):
    result = run_helm_template((VALUES_DIR / "external-db.yaml",), set_string=(f"global.secrets.{key}={API_KEY}",))
    assert result.returncode != 0
    assert f"global.secrets.{key}" in result.stderr
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
