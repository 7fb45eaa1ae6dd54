"""Every pod: security context, probes, resources, writable paths, image pull policy."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from chart_render import container, render_matrix

UIDS = {"backend": 10001, "frontend": 10001, "postgresql": 10001}
# The one container allowed to run as root: it hands PostgreSQL's data directory
# over to PostgreSQL's UID, only when the chart renders it (test_postgresql_data.py).
HAND_OVER = "data-ownership"


def all_containers(workload):
    spec = workload["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_pod_security(matrix):
    manifests = matrix
    for workload in manifests.workloads():
        component = workload["metadata"]["labels"]["app.kubernetes.io/name"]
        spec = workload["spec"]["template"]["spec"]
        assert spec["automountServiceAccountToken"] is False
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] == UIDS[component]
        # No UID or GID below 10000: none of the node's or an image's own users.
        assert pod["runAsUser"] >= 10000, component
        assert pod["runAsGroup"] >= 10000, component
        assert pod["fsGroup"] == pod["runAsGroup"], component
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        sa = manifests.get("ServiceAccount", spec["serviceAccountName"])
        assert sa["automountServiceAccountToken"] is False
        for c in all_containers(workload):
            sc = c["securityContext"]
            # A container's own runAsUser/runAsGroup would replace the pod's.
            if c["name"] == HAND_OVER:
                assert component == "postgresql" and c in spec["initContainers"]
                assert sc["runAsUser"] == 0 and sc["runAsNonRoot"] is False
                continue
            assert "runAsUser" not in sc and "runAsGroup" not in sc, c["name"]
            assert sc["readOnlyRootFilesystem"] is True, c["name"]
            assert sc["allowPrivilegeEscalation"] is False, c["name"]
            assert sc["runAsNonRoot"] is True, c["name"]
            assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, c["name"]


def test_requests_and_limits(matrix):
    manifests = matrix
    for workload in manifests.workloads():
        for c in all_containers(workload):
            for kind in ("requests", "limits"):
                assert set(c["resources"][kind]) >= {"cpu", "memory"}, (c["name"], kind)


def test_laptop_sized_requests():
    manifests = render_matrix("default")
    requests = {
        name: container(manifests.workload(name), name)["resources"]["requests"]
        for name in ("backend", "frontend", "postgresql")
    }
    assert requests == {
        "backend": {"cpu": "100m", "memory": "128Mi"},
        "frontend": {"cpu": "100m", "memory": "128Mi"},
        "postgresql": {"cpu": "100m", "memory": "256Mi"},
    }


def test_images_and_pull_policy(matrix_name, matrix):
    name, manifests = matrix_name, matrix
    tags = {"other-host": {"backend": "3f9c2a1b7d0e", "frontend": "9a8b7c6d5e4f"}}.get(name, {})
    expected = {
        "backend": f"todo-backend:{tags.get('backend', '0.1.0')}",
        "frontend": f"todo-frontend:{tags.get('frontend', '0.1.0')}",
        "postgresql": "postgres:15-bookworm",
    }
    for workload in manifests.workloads():
        component = workload["metadata"]["labels"]["app.kubernetes.io/name"]
        for c in all_containers(workload):
            assert c["image"] == expected[component]
            assert c["imagePullPolicy"] == "IfNotPresent"


def mounts(c):
    return {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}


def volumes(workload):
    return {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}


@pytest.mark.parametrize(
    ("component", "paths"),
    [
        ("backend", ["/tmp"]),
        ("frontend", ["/tmp", "/app/.next/cache"]),
        ("postgresql", ["/var/run/postgresql", "/tmp", "/dev/shm"]),
    ],
)
def test_writable_paths_are_empty_dirs(component, paths):
    workload = render_matrix("default").workload(component)
    c = container(workload, component)
    for path in paths:
        assert "emptyDir" in volumes(workload)[mounts(c)[path]], path


def test_postgresql_data_on_a_claim():
    statefulset = render_matrix("default").workload("postgresql")
    (claim,) = statefulset["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    c = container(statefulset, "postgresql")
    assert mounts(c)["/var/lib/postgresql/data"] == "data"
    assert env_value(c, "PGDATA").startswith("/var/lib/postgresql/data/")


def env_value(c, name):
    return next(e["value"] for e in c["env"] if e["name"] == name)


def http_probe(c, kind):
    probe = c[kind]["httpGet"]
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    return probe["path"], ports[probe["port"]]


def test_backend_probes(matrix):
    manifests = matrix
    c = container(manifests.workload("backend"), "backend")
    assert http_probe(c, "startupProbe") == ("/api/health", 8000)
    # Liveness must not depend on the database, or a backend waiting for it is restarted.
    assert http_probe(c, "livenessProbe") == ("/api/health", 8000)
    assert http_probe(c, "readinessProbe") == ("/api/ready", 8000)


def test_frontend_probes(matrix):
    manifests = matrix
    c = container(manifests.workload("frontend"), "frontend")
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert http_probe(c, kind) == ("/healthz", 3000)


def test_postgresql_probes():
    c = container(render_matrix("default").workload("postgresql"), "postgresql")
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[kind]["exec"]["command"][0] == "pg_isready"


def run_wait_script(script, database_url, until_waiting=None):
    """Run the rendered wait-for-database script; call until_waiting() once it says it waits."""
    argv = [sys.executable, "-c", script]
    env = {"DATABASE_URL": database_url, "PATH": os.environ.get("PATH", "")}
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if until_waiting and line.startswith("waiting for database"):
                    until_waiting()
                    until_waiting = None
            proc.wait(timeout=30)
        finally:
            proc.kill()
        return proc.returncode, "".join(lines)


def test_backend_waits_for_the_database_without_crash_looping():
    """The init container's script, run as rendered: it waits while nothing listens, then exits 0.

    Run once (it sleeps between attempts); test_init_container_env_matches_the_app checks every variant.
    """
    init = container(render_matrix("default").workload("backend"), "wait-for-database", init=True)
    script = init["command"][-1]
    assert init["command"][:2] == ["python", "-c"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        # Nothing listens on the port until the script has said it waits.
        code, output = run_wait_script(script, f"postgresql://todo:pw@127.0.0.1:{port}/todo", listener.listen)
    assert code == 0, output
    assert f"waiting for database 127.0.0.1:{port}" in output
    assert output.rstrip().endswith(f"database 127.0.0.1:{port} accepts connections"), output
    code, output = run_wait_script(script, "postgresql:///todo")
    assert code != 0 and "DATABASE_URL has no host" in output


def test_init_container_env_matches_the_app(matrix):
    backend = matrix.workload("backend")
    init = container(backend, "wait-for-database", init=True)
    init_names = {e["name"] for e in init["env"]}
    assert init["env"] == [e for e in container(backend, "backend")["env"] if e["name"] in init_names]
    # The startup probe gives the app time after the database answers.
    startup = container(backend, "backend")["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120


def test_wait_script_is_valid_python():
    script = container(render_matrix("default").workload("backend"), "wait-for-database", init=True)["command"][-1]
    compile(script, "wait-for-database", "exec")


def test_replicas_and_disruption_budgets():
    manifests = render_matrix("replicas-3")
    for component in ("backend", "frontend"):
        workload = manifests.workload(component)
        assert workload["spec"]["replicas"] == 3
        pdb = manifests.get("PodDisruptionBudget", f"todo-{component}")
        assert pdb["spec"]["minAvailable"] == 2
        pod_labels = workload["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert render_matrix("default").of_kind("PodDisruptionBudget") == []
