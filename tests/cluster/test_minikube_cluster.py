"""Smoke test of the test cluster (tests/env/cluster.sh): a real minikube profile, docker driver.

Run through tests/gates.d/50-cluster.sh, which brings the profile up through the minikube role.
By hand: ``tests/env/cluster.sh up; . tests/env/lib.sh; pytest tests/cluster``.

It checks what a laptop's minikube gives: a Ready node running the control plane, CoreDNS,
kube-proxy and the storage provisioner; the ingress addon's controller serving Ingresses at
``minikube ip`` and its admission webhook refusing a conflicting one; then a release of the
tests' own chart (smoke-chart: a Deployment, a StatefulSet with a claim, a Secret, Services and
an Ingress) whose pods really run, reach each other by Service DNS names and keep their data
on the claim across a pod's deletion. Last, the todo-app chart's one check that needs a cluster:
its refusal of a PostgreSQL password other than the one the database was initialised with.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHART = Path(__file__).resolve().parent / "smoke-chart"
TODO_CHART = Path(__file__).resolve().parents[2] / "charts" / "todo-app"
K8S_MINOR = "v1.34."
TIMEOUT = 300  # seconds for any one command; helm --wait has its own, shorter, timeout
PROFILE = os.environ.get("LOCALDEV_TEST_PROFILE", "ldk-test")
# A base image the node's daemon holds (tests/env/cluster.sh loads it through the role).
IMAGE = "python:3.11-slim-bookworm"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: run tests/env/setup.sh and put $LOCALDEV_BIN on PATH")
    return path


def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def kubectl(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run(tool("kubectl"), "--context", PROFILE, *args, check=check, stdin=stdin)


def kubectl_json(*args: str) -> dict:
    return json.loads(kubectl(*args, "-o", "json").stdout)


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(tool("helm"), "--kube-context", PROFILE, *args, check=check)


def condition(obj: dict, kind: str) -> str | None:
    return next((c["status"] for c in obj["status"].get("conditions", []) if c["type"] == kind), None)


def http_get(ip: str, host: str, path: str = "/") -> tuple[int, str, dict]:
    request = urllib.request.Request(f"http://{ip}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace"), dict(err.headers)


@pytest.fixture(scope="session", autouse=True)
def kubeconfig() -> str:
    path = os.environ.get("KUBECONFIG", "")
    if not path or not Path(path).is_file():
        pytest.fail(f"KUBECONFIG={path!r} is no kubeconfig file: run tests/env/cluster.sh up (the cluster gate does)")
    return path


@pytest.fixture(scope="session")
def minikube_ip() -> str:
    return run(tool("minikube"), "-p", PROFILE, "ip").stdout.strip()


def ready_pods(namespace: str, selector: str | None = None, restarts: bool = False) -> list[dict]:
    """Asserts every pod (matching selector) is Running, Ready and (unless restarts) never restarted."""
    args = ["get", "pods", "-n", namespace] + (["-l", selector] if selector else [])
    pods = kubectl_json(*args)["items"]
    for pod in pods:
        name = pod["metadata"]["name"]
        assert pod["status"]["phase"] == "Running", (name, pod["status"])
        assert condition(pod, "Ready") == "True", (name, pod["status"])
        for status in pod["status"]["containerStatuses"]:
            assert restarts or status["restartCount"] == 0, (name, status)
    return pods


def test_readyz_ok() -> None:
    assert kubectl("get", "--raw", "/readyz").stdout.strip() == "ok"


def test_server_runs_the_pinned_minor() -> None:
    version = json.loads(kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"].startswith(K8S_MINOR), version


def test_the_node_is_a_ready_docker_container() -> None:
    node = kubectl_json("get", "node", PROFILE)
    assert condition(node, "Ready") == "True", node["status"]["conditions"]
    info = node["status"]["nodeInfo"]
    assert info["kubeletVersion"].startswith(K8S_MINOR), info
    assert info["containerRuntimeVersion"].startswith("docker://"), info
    container = json.loads(run("docker", "inspect", PROFILE).stdout)[0]
    assert container["State"]["Running"], container["State"]
    print(
        f"node image: {container['Config']['Image']} "
        f"(stand-in for: {container['Config']['Labels'].get('org.localdev-kube.stand-in-for', 'official')})"
    )


def test_system_pods_run() -> None:
    pods = kubectl_json("get", "pods", "-n", "kube-system")["items"]
    names = {
        p["metadata"]["labels"].get("component") or p["metadata"]["labels"].get("k8s-app") or p["metadata"]["name"]
        for p in pods
    }
    for expected in (
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kube-proxy",
        "kube-dns",
        "storage-provisioner",
    ):
        assert expected in names, (expected, sorted(names))
    # Just after `minikube start` of a stopped profile a static pod (etcd) can report Ready a few
    # seconds after Running, as on a laptop: wait for that (bounded), then look.
    kubectl("wait", "pod", "--all", "-n", "kube-system", "--for=condition=Ready", "--timeout=120s", check=False)
    # minikube's storage-provisioner may exit once while the API server's Service is still
    # coming up at boot (as on laptops); it must run now.
    for pod in ready_pods("kube-system", restarts=True):
        restarts = sum(s["restartCount"] for s in pod["status"]["containerStatuses"])
        if restarts:
            print(f"note: {pod['metadata']['name']} restarted {restarts} time(s) while the cluster booted")


def test_ingress_controller_is_available_and_says_what_it_is() -> None:
    deployment = kubectl_json("get", "deployment", "ingress-nginx-controller", "-n", "ingress-nginx")
    assert condition(deployment, "Available") == "True", deployment["status"]
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    print(f"ingress controller: {image}")


def test_ingress_class_nginx_is_the_default() -> None:
    ingress_class = kubectl_json("get", "ingressclass", "nginx")
    assert ingress_class["spec"]["controller"] == "k8s.io/ingress-nginx"
    assert ingress_class["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"


def test_default_storage_class_is_minikubes_hostpath() -> None:
    classes = kubectl_json("get", "storageclass")["items"]
    defaults = [
        c
        for c in classes
        if c["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    assert [c["metadata"]["name"] for c in defaults] == ["standard"]
    assert defaults[0]["provisioner"] == "k8s.io/minikube-hostpath"


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
                            },
                        ]
                    }
                }
            ],
        },
    }
    proc = kubectl("create", "--dry-run=server", "-f", "-", check=False, stdin=json.dumps(bad))
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
        "--set",
        f"image={IMAGE}",
        "--set",
        f"host={namespace}.local",
        "--wait",
        "--timeout",
        "180s",
    )
    yield {"name": name, "namespace": namespace, "password": password, "host": f"{namespace}.local"}
    helm("uninstall", name, "--namespace", namespace, "--wait", "--timeout", "120s", check=False)
    kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)


def test_release_pods_run_on_the_node_from_local_images(release: dict) -> None:
    pods = ready_pods(release["namespace"])
    assert len(pods) == 3, [p["metadata"]["name"] for p in pods]  # 2 web replicas + 1 db
    for pod in pods:
        assert pod["spec"]["nodeName"] == PROFILE
    events = kubectl_json("get", "events", "-n", release["namespace"])["items"]
    pulls = [e["message"] for e in events if e["reason"] == "Pulled"]
    assert pulls and all("already present on machine" in m for m in pulls), pulls


def test_secret_reaches_the_container(release: dict) -> None:
    secret = kubectl_json("get", "secret", f"{release['name']}-credentials", "-n", release["namespace"])
    assert base64.b64decode(secret["data"]["password"]).decode() == release["password"]
    env = kubectl("exec", "-n", release["namespace"], f"{release['name']}-db-0", "--", "printenv", "PASSWORD")
    assert env.stdout.strip() == release["password"]


def pod_fetch(release: dict, pod: str, url: str) -> str:
    # Retries for a few seconds: kube-proxy programs a new Service's rules shortly after its pods are ready.
    code = (
        "import time, urllib.request\n"
        "for attempt in range(20):\n"
        "    try:\n"
        f"        print(urllib.request.urlopen({url!r}, timeout=10).read().decode()); break\n"
        "    except OSError:\n"
        "        if attempt == 19: raise\n"
        "        time.sleep(1)\n"
    )
    return kubectl("exec", "-n", release["namespace"], pod, "--", "python3", "-c", code).stdout


def test_pods_reach_services_by_dns_name(release: dict) -> None:
    ns, rel = release["namespace"], release["name"]
    # ClusterIP Service (kube-proxy) by its short and full names (CoreDNS).
    assert pod_fetch(release, f"{rel}-db-0", f"http://{rel}-web/").startswith("web ")
    assert pod_fetch(release, f"{rel}-db-0", f"http://{rel}-web.{ns}.svc.cluster.local/").startswith("web ")
    # Headless Service: the StatefulSet pod's own DNS name.
    web = ready_pods(ns, "app.kubernetes.io/name=web")[0]["metadata"]["name"]
    assert pod_fetch(release, web, f"http://{rel}-db-0.{rel}-db:5432/starts").strip()


def test_ingress_serves_the_release(release: dict, minikube_ip: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        status, body, _headers = http_get(minikube_ip, release["host"])
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert status == 200, (status, body)
    assert body.startswith("web smoke-web-"), body
    unknown = http_get(minikube_ip, "nobody.invalid")[0]
    assert unknown == 404
    print(f"GET http://{minikube_ip}/ Host: {release['host']} -> {status} {body.strip()!r}")


def test_admission_webhook_refuses_a_conflicting_ingress(release: dict) -> None:
    ingress = kubectl_json("get", "ingress", f"{release['name']}-web", "-n", release["namespace"])
    for key in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"):
        ingress["metadata"].pop(key, None)
    ingress["metadata"]["name"] = "conflict"
    ingress.pop("status", None)
    proc = kubectl("create", "--dry-run=server", "-f", "-", check=False, stdin=json.dumps(ingress))
    assert proc.returncode != 0, proc.stdout
    assert "admission webhook" in proc.stderr and release["host"] in proc.stderr, proc.stderr


def test_claim_keeps_data_across_pod_deletion(release: dict) -> None:
    ns, rel = release["namespace"], release["name"]
    claim = kubectl_json("get", "pvc", f"data-{rel}-db-0", "-n", ns)
    assert claim["status"]["phase"] == "Bound", claim["status"]
    assert claim["spec"]["storageClassName"] == "standard"
    before = pod_fetch(release, f"{rel}-db-0", "http://localhost:5432/starts").split()
    kubectl("delete", "pod", f"{rel}-db-0", "-n", ns, "--wait=true")
    kubectl("wait", "--for=condition=Ready", f"pod/{rel}-db-0", "-n", ns, "--timeout=120s")
    after = pod_fetch(release, f"{rel}-db-0", "http://localhost:5432/starts").split()
    assert after[: len(before)] == before and len(after) == len(before) + 1, (before, after)


def test_uninstall_removes_the_release(release: dict) -> None:
    ns, rel = release["namespace"], release["name"]
    helm("uninstall", rel, "--namespace", ns, "--wait", "--timeout", "120s")
    assert helm("status", rel, "-n", ns, check=False).returncode != 0
    kubectl("wait", "--for=delete", "pod", "-l", f"app.kubernetes.io/instance={rel}", "-n", ns, "--timeout=120s")
    left = kubectl("get", "deployments,statefulsets,services,ingresses,secrets", "-n", ns, "-o", "name").stdout.split()
    assert [obj for obj in left if rel in obj] == [], left


def test_todo_chart_refuses_a_password_other_than_the_databases() -> None:
    """The todo-app chart's own Secret: its lookup guard against a password the database does not know."""
    namespace = f"password-{secrets.token_hex(3)}"
    kubectl("create", "namespace", namespace)
    try:
        current, other = secrets.token_hex(8), secrets.token_hex(8)
        # The Secret an earlier install of release "todo" left (Helm's ownership marks, so it can be adopted).
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "todo-secrets",
                "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": "Helm"},
                "annotations": {"meta.helm.sh/release-name": "todo", "meta.helm.sh/release-namespace": namespace},
            },
            "stringData": {"POSTGRES_PASSWORD": current},
        }
        kubectl("apply", "-f", "-", stdin=json.dumps(secret))

        def server_dry_run(password: str) -> subprocess.CompletedProcess[str]:
            return helm(
                "template",
                "todo",
                str(TODO_CHART),
                "--namespace",
                namespace,
                "--dry-run=server",
                "--set-string",
                f"global.secrets.postgresPassword={password}",
                check=False,
            )

        refused = server_dry_run(other)
        assert refused.returncode != 0, "a new password was accepted over the database's"
        assert "differs from the password in Secret todo-secrets" in refused.stderr, refused.stderr
        assert current not in refused.stderr and other not in refused.stderr, "the message repeats a password"
        accepted = server_dry_run(current)
        assert accepted.returncode == 0, accepted.stderr
    finally:
        kubectl("delete", "namespace", namespace, "--wait=false", check=False)
