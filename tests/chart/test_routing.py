"""The Ingress routes /api to the backend and / to the frontend, with no rewrite."""

from __future__ import annotations

import pytest
from chart_render import container, render_matrix

EXPECTED_HOST = {"other-host": "todo.example.test"}


def service_port(manifests, name: str) -> int:
    return manifests.get("Service", name)["spec"]["ports"][0]["port"]


@pytest.mark.parametrize("name", ["default", "external-db", "replicas-3", "other-host"])
def test_routing_table(name):
    manifests = render_matrix(name)
    (ingress,) = manifests.of_kind("Ingress")
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    (rule,) = spec["rules"]
    assert rule["host"] == EXPECTED_HOST.get(name, "todo.local")
    routes = {
        p["path"]: (p["pathType"], p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
        for p in rule["http"]["paths"]
    }
    assert routes == {
        "/api": ("Prefix", "todo-backend", 8000),
        "/": ("Prefix", "todo-frontend", 3000),
    }
    # Each route points at a Service of the release, on the port it serves.
    assert service_port(manifests, "todo-backend") == 8000
    assert service_port(manifests, "todo-frontend") == 3000


def test_no_rewrite_annotations(matrix):
    manifests = matrix
    for ingress in manifests.of_kind("Ingress"):
        annotations = ingress["metadata"].get("annotations") or {}
        assert not [k for k in annotations if "rewrite" in k], annotations


def test_tls_only_when_asked():
    assert "tls" not in render_matrix("default").of_kind("Ingress")[0]["spec"]
    (tls,) = render_matrix("other-host").of_kind("Ingress")[0]["spec"]["tls"]
    assert tls == {"hosts": ["todo.example.test"], "secretName": "todo-example-test-tls"}


def test_ingress_off_renders_no_ingress():
    manifests = render_matrix("ingress-off")
    assert manifests.of_kind("Ingress") == []
    # The app itself is still there.
    services = sorted(manifests.names("Service"))
    assert services == ["todo-backend", "todo-frontend", "todo-postgresql", "todo-postgresql-hl"]


def test_frontend_reaches_backend_by_service_dns_name(matrix):
    manifests = matrix
    config = manifests.get("ConfigMap", "todo-frontend")
    backend = manifests.get("Service", "todo-backend")
    assert (
        config["data"]["BACKEND_URL"] == f"http://{backend['metadata']['name']}:{backend['spec']['ports'][0]['port']}"
    )
    frontend = container(manifests.workload("frontend"), "frontend")
    assert {"configMapRef": {"name": "todo-frontend"}} in frontend["envFrom"]


def test_service_targets_the_container_port(matrix):
    manifests = matrix
    for component, port in (("backend", 8000), ("frontend", 3000)):
        svc = manifests.get("Service", f"todo-{component}")
        (svc_port,) = svc["spec"]["ports"]
        ports = {p["name"]: p["containerPort"] for p in container(manifests.workload(component), component)["ports"]}
        assert ports[svc_port["targetPort"]] == port
