"""Standard labels, selectors that find their pods, and NetworkPolicies between the components."""

from __future__ import annotations

import pytest
from chart_render import PASSWORD_SET, render, render_matrix

STANDARD = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
)


def pod_labels(manifests, component):
    return manifests.workload(component)["spec"]["template"]["metadata"]["labels"]


def matches(selector: dict, labels: dict) -> bool:
    return selector.items() <= labels.items()


def test_standard_labels(matrix):
    manifests = matrix
    for obj in manifests.objects:
        labels = obj["metadata"]["labels"]
        for key in STANDARD:
            assert labels.get(key), f"{obj['kind']} {obj['metadata']['name']} lacks {key}"
        assert labels["app.kubernetes.io/instance"] == "todo"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"


def test_workload_selectors_match_their_pods(matrix):
    manifests = matrix
    for workload in manifests.workloads():
        selector = workload["spec"]["selector"]["matchLabels"]
        assert set(selector) == {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
        assert matches(selector, workload["spec"]["template"]["metadata"]["labels"])


def test_services_select_exactly_their_component(matrix):
    manifests = matrix
    components = [w["metadata"]["labels"]["app.kubernetes.io/name"] for w in manifests.workloads()]
    for service in manifests.of_kind("Service"):
        selected = [c for c in components if matches(service["spec"]["selector"], pod_labels(manifests, c))]
        assert selected == [service["metadata"]["labels"]["app.kubernetes.io/name"]], service["metadata"]["name"]


def allowed_peers(policy):
    (rule,) = policy["spec"]["ingress"]
    return rule["from"]


def test_network_policies():
    manifests = render_matrix("default")
    policies = {p["metadata"]["labels"]["app.kubernetes.io/name"]: p for p in manifests.of_kind("NetworkPolicy")}
    assert sorted(policies) == ["backend", "frontend", "postgresql"]
    for component, policy in policies.items():
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        assert matches(policy["spec"]["podSelector"]["matchLabels"], pod_labels(manifests, component))

    def pods_allowed(component):
        return sorted(
            c
            for c in ("backend", "frontend", "postgresql")
            for peer in allowed_peers(policies[component])
            if "namespaceSelector" not in peer and matches(peer["podSelector"]["matchLabels"], pod_labels(manifests, c))
        )

    ingress_controller = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
    }
    assert pods_allowed("backend") == ["frontend"]
    assert ingress_controller in allowed_peers(policies["backend"])
    assert pods_allowed("frontend") == []
    assert allowed_peers(policies["frontend"]) == [ingress_controller]
    assert pods_allowed("postgresql") == ["backend"]
    assert len(allowed_peers(policies["postgresql"])) == 1


def test_names_follow_the_release():
    manifests = render(set_string=PASSWORD_SET, release="demo")
    assert sorted(manifests.names("Deployment")) == ["demo-backend", "demo-frontend"]
    assert manifests.names("StatefulSet") == ["demo-postgresql"]
    (ingress,) = manifests.of_kind("Ingress")
    assert ingress["metadata"]["name"] == "demo-todo-app"
    backends = {p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert backends == {"demo-backend", "demo-frontend"}
    assert manifests.get("ConfigMap", "demo-frontend")["data"]["BACKEND_URL"] == "http://demo-backend:8000"


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "Service", "Ingress", "Secret"])
def test_every_kind_is_namespaced_by_helm(kind):
    # Objects carry no hard-coded namespace: helm --namespace decides.
    for obj in render_matrix("default").of_kind(kind):
        assert "namespace" not in obj["metadata"]
