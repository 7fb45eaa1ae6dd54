"""Smoke test of the test cluster (tests/env/cluster.sh): a real Kubernetes API with kwok nodes.

Run through tests/gates.d/50-cluster.sh, which starts the cluster and exports KUBECONFIG.
By hand: ``export KUBECONFIG=$(tests/env/cluster.sh up); pytest tests/cluster``.

The release tests install the tests' own chart (smoke-chart: a Deployment, a StatefulSet
with a claim, a Secret, Services and an Ingress) and the app's chart (charts/todo-app) with
``helm upgrade --install --wait``, check what the cluster made of them, and uninstall them.
No ingress controller runs in this cluster: Ingress objects are checked as API objects only,
never over HTTP.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHART = Path(__file__).resolve().parent / "smoke-chart"
TODO_APP_CHART = Path(__file__).resolve().parents[2] / "charts" / "todo-app"
K8S_MINOR = "v1.34."
KWOK_ANNOTATION = "kwok.x-k8s.io/node"
TIMEOUT = 300  # seconds for any one command; helm --wait has its own, shorter, timeout


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        hint = {
            "kubectl": "tests/env/cluster.sh up (links it into $LOCALDEV_BIN)",
            "helm": "tests/env/tools.sh (builds it into $LOCALDEV_BIN)",
        }[name]
        pytest.fail(f"{name} is not on PATH: run {hint} and put $LOCALDEV_BIN on PATH")
    return path


def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def kubectl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(tool("kubectl"), *args, check=check)


def kubectl_json(*args: str) -> dict:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(tool("helm"), *args, check=check)


@pytest.fixture(scope="session", autouse=True)
def kubeconfig() -> str:
    path = os.environ.get("KUBECONFIG", "")
    if not path or not Path(path).is_file():
        pytest.fail(
            f"KUBECONFIG={path!r} is no kubeconfig file: start the cluster with "
            "`export KUBECONFIG=$(tests/env/cluster.sh up)` (tests/gates.d/50-cluster.sh does this)"
        )
    return path


@pytest.fixture(scope="session")
def kwok_nodes() -> set[str]:
    nodes = kubectl_json("get", "nodes")["items"]
    return {n["metadata"]["name"] for n in nodes if n["metadata"].get("annotations", {}).get(KWOK_ANNOTATION)}


def condition(obj: dict, kind: str) -> str | None:
    return next((c["status"] for c in obj["status"].get("conditions", []) if c["type"] == kind), None)


def running_pods(namespace: str, kwok_nodes: set[str]) -> list[str]:
    """Asserts every pod of the namespace is Running and Ready on a kwok node; returns their names."""
    pods = kubectl_json("get", "pods", "-n", namespace)["items"]
    for pod in pods:
        name = pod["metadata"]["name"]
        assert pod["status"]["phase"] == "Running", (name, pod["status"])
        assert condition(pod, "Ready") == "True", (name, pod["status"])
        assert pod["spec"]["nodeName"] in kwok_nodes, (name, pod["spec"].get("nodeName"))
    return sorted(p["metadata"]["name"] for p in pods)


def test_readyz_ok() -> None:
    assert kubectl("get", "--raw", "/readyz").stdout.strip() == "ok"


def test_server_runs_the_pinned_minor() -> None:
    version = json.loads(kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"].startswith(K8S_MINOR), version


def test_kwok_nodes_are_ready(kwok_nodes: set[str]) -> None:
    assert kwok_nodes, "no node carries the kwok annotation"
    for name in kwok_nodes:
        node = kubectl_json("get", "node", name)
        assert condition(node, "Ready") == "True", node["status"].get("conditions")


def test_ingress_class_nginx_is_the_default() -> None:
    ingress_class = kubectl_json("get", "ingressclass", "nginx")
    assert ingress_class["spec"]["controller"] == "k8s.io/ingress-nginx"
    assert ingress_class["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"


def test_default_storage_class_is_standard() -> None:
    classes = kubectl_json("get", "storageclass")["items"]
    defaults = [
        c["metadata"]["name"]
        for c in classes
        if c["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    assert defaults == ["standard"]


def test_api_validates_objects() -> None:
    bad = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "invalid", "namespace": "default"},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Sometimes",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    }
                }
            ],
        },
    }
    proc = run(tool("kubectl"), "create", "--dry-run=server", "-f", "-", check=False, stdin=json.dumps(bad))
    assert proc.returncode != 0
    assert "Unsupported value" in proc.stderr and "Sometimes" in proc.stderr, proc.stderr


def test_rbac_is_enforced() -> None:
    proc = kubectl("auth", "can-i", "list", "secrets", "--as=system:serviceaccount:default:default", check=False)
    assert proc.stdout.strip() == "no", proc.stdout + proc.stderr
    assert kubectl("auth", "can-i", "list", "secrets").stdout.strip() == "yes"


@pytest.fixture(scope="module")
def release() -> Iterator[dict]:
    """Installs the smoke chart in a fresh namespace; uninstalls it and deletes the namespace after."""
    name = "smoke"
    namespace = f"smoke-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    helm(
        "upgrade",
        "--install",
        name,
        str(CHART),
        "--namespace",
        namespace,
        "--create-namespace",
        "--set",
        f"password={password}",
        "--wait",
        "--timeout",
        "180s",
    )
    yield {"name": name, "namespace": namespace, "password": password}
    helm("uninstall", name, "--namespace", namespace, "--wait", "--timeout", "120s", check=False)
    kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)


def test_release_is_deployed(release: dict) -> None:
    status = json.loads(helm("status", release["name"], "-n", release["namespace"], "-o", "json").stdout)
    assert status["info"]["status"] == "deployed"


def test_every_pod_runs_on_a_kwok_node(release: dict, kwok_nodes: set[str]) -> None:
    names = running_pods(release["namespace"], kwok_nodes)
    assert len(names) == 3, names  # 2 web replicas + 1 db


def test_workloads_report_ready(release: dict) -> None:
    ns, rel = release["namespace"], release["name"]
    web = kubectl_json("get", "deployment", f"{rel}-web", "-n", ns)
    assert web["status"].get("readyReplicas") == 2, web["status"]
    db = kubectl_json("get", "statefulset", f"{rel}-db", "-n", ns)
    assert db["status"].get("readyReplicas") == 1, db["status"]


def test_statefulset_claim_is_bound_by_the_default_class(release: dict) -> None:
    claim = kubectl_json("get", "pvc", f"data-{release['name']}-db-0", "-n", release["namespace"])
    assert claim["status"]["phase"] == "Bound", claim["status"]
    assert claim["spec"]["storageClassName"] == "standard"


def test_secret_holds_the_value(release: dict) -> None:
    secret = kubectl_json("get", "secret", f"{release['name']}-credentials", "-n", release["namespace"])
    assert base64.b64decode(secret["data"]["password"]).decode() == release["password"]


def test_ingress_is_accepted_but_not_served(release: dict) -> None:
    ingress = kubectl_json("get", "ingress", f"{release['name']}-web", "-n", release["namespace"])
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["rules"][0]["host"] == "smoke.local"
    # No ingress controller runs here, so nobody publishes an address: HTTP is out of reach.
    assert not ingress["status"].get("loadBalancer", {}).get("ingress")
    print("note: no ingress controller in the kwok cluster; HTTP through the Ingress is not tested here")


def test_uninstall_removes_the_release(release: dict) -> None:
    ns, rel = release["namespace"], release["name"]
    helm("uninstall", rel, "--namespace", ns, "--wait", "--timeout", "120s")
    assert helm("status", rel, "-n", ns, check=False).returncode != 0
    # kwok takes the pods through deletion as a kubelet would.
    kubectl("wait", "--for=delete", "pod", "-l", f"app.kubernetes.io/instance={rel}", "-n", ns, "--timeout=60s")
    left = kubectl("get", "deployments,statefulsets,services,ingresses,secrets", "-n", ns, "-o", "name").stdout.split()
    assert [obj for obj in left if rel in obj] == [], left


def test_todo_app_chart_runs_on_kwok_nodes(kwok_nodes: set[str]) -> None:
    """The app's chart as the helm_release role installs it: every workload ready, claims bound."""
    name, namespace = "todo", f"todo-{secrets.token_hex(3)}"
    try:
        helm(
            "upgrade", "--install", name, str(TODO_APP_CHART), "--namespace", namespace, "--create-namespace",
            # Tags the images role would set; kwok pulls no image.
            "--set", "backend.image.tag=kwok-smoke", "--set", "frontend.image.tag=kwok-smoke",
            "--wait", "--timeout", "180s",
        )  # fmt: skip
        pods = running_pods(namespace, kwok_nodes)
        workloads = kubectl_json("get", "deployments,statefulsets", "-n", namespace)["items"]
        assert workloads, "the chart made no Deployment or StatefulSet"
        assert len(pods) >= len(workloads), pods
        for workload in workloads:
            status = workload["status"]
            assert status.get("readyReplicas") == workload["spec"]["replicas"], (workload["metadata"]["name"], status)
        claims = kubectl_json("get", "pvc", "-n", namespace)["items"]
        assert claims, "no PersistentVolumeClaim: the PostgreSQL StatefulSet keeps its data in one by default"
        assert {c["status"]["phase"] for c in claims} == {"Bound"}, [c["status"] for c in claims]
        helm("uninstall", name, "--namespace", namespace, "--wait", "--timeout", "120s")
        kubectl("wait", "--for=delete", "pod", "--all", "-n", namespace, "--timeout=60s")
    finally:
        helm("uninstall", name, "--namespace", namespace, check=False)
        kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)
