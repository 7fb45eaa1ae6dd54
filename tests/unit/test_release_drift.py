"""Unit tests for what counts as drift (module_utils/release_drift) and the helm_drift_info module's
paths that need no API server (absent and interrupted releases, a chart that does not render, a
missing helm, an API that refuses a read).

The live comparison itself is exercised against the real test cluster by the helm_release
scenario's drift checks.
"""

from __future__ import annotations

import copy
import json

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import release_drift as rd
from ansible_collections.localdev.kube.plugins.modules import helm_drift_info
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "todo-frontend",
        "namespace": "todo",
        "labels": {"app.kubernetes.io/instance": "todo"},
        "resourceVersion": "812",
        "generation": 2,
        "uid": "0c7a",
        "creationTimestamp": "2026-12-01T10:00:00Z",
        "managedFields": [{"manager": "helm", "operation": "Apply"}],
        "annotations": {"deployment.kubernetes.io/revision": "2"},
    },
    "spec": {
        "replicas": 1,
        "template": {
            "metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-01T11:00:00Z"}},
            "spec": {
                "containers": [
                    {
                        "name": "frontend",
                        "image": "todo-frontend:9a8b",
                        "env": [{"name": "BACKEND_URL", "value": "http://todo-backend:8000"}],
                        "ports": [{"containerPort": 3000, "protocol": "TCP"}],
                    },
                    {"name": "sidecar", "image": "busybox:1"},
                ]
            },
        },
    },
    "status": {"readyReplicas": 1},
}


def test_load_manifest_skips_empty_documents_and_expands_lists():
    text = """---
# Source: chart/templates/empty.yaml
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: List
metadata: {name: l}
items:
  - {apiVersion: v1, kind: Service, metadata: {name: b}}
"""
    assert [o["metadata"]["name"] for o in rd.load_manifest(text)] == ["a", "b"]
    assert rd.load_manifest("") == []


def test_an_object_the_server_only_rewrote_is_not_drift():
    would_be = copy.deepcopy(DEPLOYMENT)
    would_be["metadata"].update(resourceVersion="813", generation=3, managedFields=[{"manager": "x"}])
    would_be["status"] = {"readyReplicas": 0}
    assert rd.field_changes("Deployment", DEPLOYMENT, would_be) == []


def test_changed_fields_are_named_by_path_and_list_entries_by_name():
    would_be = copy.deepcopy(DEPLOYMENT)
    would_be["spec"]["replicas"] = 0
    frontend = would_be["spec"]["template"]["spec"]["containers"][0]
    frontend["env"][0]["value"] = "http://elsewhere:8000"
    frontend["image"] = "todo-frontend:1111"
    changes = rd.field_changes("Deployment", would_be, DEPLOYMENT)
    assert {c["path"]: (c["live"], c["desired"]) for c in changes} == {
        "spec.replicas": ("0", "1"),
        "spec.template.spec.containers[frontend].env[BACKEND_URL].value": (
            "http://elsewhere:8000",
            "http://todo-backend:8000",
        ),
        "spec.template.spec.containers[frontend].image": ("todo-frontend:1111", "todo-frontend:9a8b"),
    }


def test_an_added_or_removed_entry_is_one_change():
    would_be = copy.deepcopy(DEPLOYMENT)
    del would_be["spec"]["template"]["spec"]["containers"][1]
    changes = rd.field_changes("Deployment", DEPLOYMENT, would_be)
    assert [(c["path"], c["desired"]) for c in changes] == [("spec.template.spec.containers[sidecar]", "(unset)")]


def test_unnamed_lists_of_other_length_compare_whole():
    before = {"spec": {"rules": [{"host": "a"}]}}
    after = {"spec": {"rules": [{"host": "a"}, {"host": "b"}]}}
    assert rd.differences(before, after) == [("spec.rules", [{"host": "a"}], [{"host": "a"}, {"host": "b"}])]
    assert rd.differences({"x": [1, 2]}, {"x": [1, 3]}) == [("x[1]", 2, 3)]


def test_secret_values_never_appear_in_changes_or_diffs():
    live = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"KEY": "b2xk"}}
    want = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"KEY": "bmV3"}}
    changes = rd.field_changes("Secret", live, want)
    assert changes == [{"path": "data.KEY", "live": rd.HIDDEN, "desired": rd.HIDDEN}]
    shown = rd.to_yaml(rd.redacted(want))
    assert "bmV3" not in shown and "KEY" in shown
    assert live["data"]["KEY"] == "b2xk", "redacting works on a copy"


def test_manifest_changes_finds_added_removed_and_rerendered_objects():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"A": "1"}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {}}
    edited = copy.deepcopy(dep)
    edited["spec"]["minReadySeconds"] = 3
    added, removed, changed = rd.manifest_changes([cm, svc, dep], [cm, edited], "todo")
    assert removed == [("v1", "Service", "todo", "s")]
    assert changed == [("apps/v1", "Deployment", "todo", "d")]
    assert added == []
    assert rd.manifest_changes([cm], [cm], "todo") == ([], [], [])


def test_only_claims_without_keep_policy_lose_data():
    claim = {"kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}
    assert rd.keeps_data(claim)
    claim["metadata"]["annotations"] = {"helm.sh/resource-policy": "keep"}
    assert not rd.keeps_data(claim)
    assert not rd.keeps_data({"kind": "ConfigMap", "metadata": {"name": "c"}})


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["superseded", "deployed"], None),
        (["deployed", "failed"], None),
        (["superseded", "deployed", "pending-upgrade"], {"action": "rollback", "revision": 2}),
        (["deployed", "failed", "pending-rollback"], {"action": "rollback", "revision": 1}),
        (["pending-install"], {"action": "reinstall", "revision": None}),
        (["failed", "pending-upgrade"], {"action": "reinstall", "revision": None}),
    ],
)
def test_recovery_of_an_interrupted_release(statuses, expected):
    history = [{"revision": i + 1, "status": s} for i, s in enumerate(statuses)]
    found = rd.recovery(history)
    if expected is None:
        assert found is None
    else:
        assert {k: found[k] for k in expected} == expected
        assert found["status"] == statuses[-1]
        assert found["from_revision"] == len(statuses)


def test_summary_says_what_drifted_in_one_line_each():
    base = {"api_version": "v1", "namespace": "todo", "fields": [], "message": ""}
    report = [
        dict(base, kind="Service", name="todo-backend", state="missing"),
        dict(
            base,
            kind="Deployment",
            name="f",
            state="changed",
            fields=[{"path": "spec.replicas", "live": "0", "desired": "1"}],
        ),
        dict(base, kind="StatefulSet", name="p", state="unpatchable", message="spec: Forbidden"),
        dict(base, kind="ConfigMap", name="c", state="removed"),
    ]
    assert rd.summarize(report) == [
        "Service todo/todo-backend: deleted from the cluster",
        "Deployment todo/f: spec.replicas 0 -> 1",
        "StatefulSet todo/p: cannot be changed in place: spec: Forbidden",
        "ConfigMap todo/c: no longer in the chart, the upgrade deletes it",
    ]


def drift_result(**changes):
    base = dict(status="deployed", revision=4, blocked=[], summary=[], up_to_date=False, same_inputs=True)
    return dict(base, **changes)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (drift_result(status="absent", revision=0, same_inputs=False), "install"),
        (drift_result(up_to_date=True), "none"),
        (drift_result(same_inputs=False), "upgrade"),
        (drift_result(same_inputs=False, summary=["Service todo/x: deleted from the cluster"]), "upgrade"),
        (drift_result(summary=["Service todo/x: deleted from the cluster"]), "repair"),
        (drift_result(status="failed", summary=["release todo: revision 4 failed; upgrading again"]), "repair"),
        (drift_result(recovery={"action": "rollback"}, summary=["release todo was left pending-upgrade"]), "rollback"),
        (drift_result(recovery={"action": "reinstall"}, summary=["release todo was left pending"]), "reinstall"),
        (drift_result(same_inputs=False, blocked=["PersistentVolumeClaim todo/data would be deleted."]), "blocked"),
        (drift_result(status="absent", blocked=["x cannot be changed in place."]), "blocked"),
    ],
)
def test_the_plan_of_each_release_state(result, expected):
    plan, reason = rd.plan(result)
    assert plan == expected and plan in rd.PLANS
    assert reason


def fake_helm(tmp_path, history, rc=0, err="", answers=None):
    """A helm executable that answers `history` as given, each of `answers` (subcommand -> stdout), and
    records every call."""
    log = tmp_path / "calls"
    path = tmp_path / "helm"
    cases = "".join(
        f"  *' {command} '*)\n  cat <<'EOF'\n{stdout}\nEOF\n  exit 0;;\n" for command, stdout in (answers or {}).items()
    )
    path.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'case " $* " in *history*)\n'
        f"  cat <<'EOF'\n{json.dumps(history)}\nEOF\n"
        f"  echo '{err}' >&2; exit {rc};;\n"
        f"{cases}"
        "esac\n"
        "echo 'unexpected call' >&2; exit 3\n"
    )
    path.chmod(0o755)
    return str(path), log


def run_module(capsys, **args):
    return run_main(helm_drift_info.main, capsys, args, check_mode=True)


def run_for_todo(capsys, tmp_path, helm, **args):
    """The module for release todo in namespace todo, the chart in tmp_path, with the given helm."""
    return run_module(
        capsys, release_name="todo", release_namespace="todo", chart_ref=str(tmp_path), binary_path=helm, **args
    )


def test_module_reports_an_absent_release_without_rendering(capsys, tmp_path):
    helm, log = fake_helm(tmp_path, [], rc=1, err="Error: release: not found")
    result = run_for_todo(capsys, tmp_path, helm)
    assert (result["status"], result["drifted"], result["changed"]) == ("absent", False, False)
    assert result["plan"] == "install"
    assert log.read_text().split("\n")[0].startswith("--namespace todo history todo")


def test_module_plans_the_recovery_of_a_pending_upgrade(capsys, tmp_path):
    history = [
        {"revision": 1, "status": "superseded"},
        {"revision": 2, "status": "deployed"},
        {"revision": 3, "status": "pending-upgrade"},
    ]
    helm, log = fake_helm(tmp_path, history)
    result = run_for_todo(capsys, tmp_path, helm, context="ctx")
    assert result["drifted"] is True and result["changed"] is False
    assert result["recovery"]["action"] == "rollback" and result["recovery"]["revision"] == 2
    assert result["plan"] == "rollback"
    assert result["summary"] == [
        "release todo was left pending-upgrade at revision 3 (an interrupted run): recovering with revision 2"
    ]
    assert "--kube-context ctx" in log.read_text()


def test_module_fails_clearly_when_helm_history_fails(capsys, tmp_path):
    helm, _calls = fake_helm(tmp_path, [], rc=1, err="Error: Kubernetes cluster unreachable")
    result = run_for_todo(capsys, tmp_path, helm)
    assert result["failed"] and "cluster unreachable" in result["msg"]


def test_module_refuses_a_missing_chart_before_running_helm(capsys, tmp_path):
    helm, log = fake_helm(tmp_path, [])
    result = run_module(
        capsys, release_name="todo", release_namespace="todo", chart_ref=str(tmp_path / "nope"), binary_path=helm
    )
    assert result["failed"] and "chart_ref" in result["msg"]
    assert not log.exists()


DEPLOYED = [
    {
        "revision": 4,
        "status": "deployed",
        "chart": "todo-app-0.3.0",
        "app_version": "1.0.0",
        "updated": "2026-12-01T10:00:00Z",
    }
]
CHART = "name: todo-app\nversion: 0.3.0\nappVersion: 1.0.0\n"
VALUES = {"ingress": {"host": "todo.local"}, "backend": {"replicaCount": 1}}


def deployed_release(tmp_path, chart=CHART, values=None, history=None):
    """helm answering for a deployed release whose chart renders no objects (so no API is asked)."""
    return fake_helm(
        tmp_path,
        DEPLOYED if history is None else history,
        answers={
            "upgrade": json.dumps({"manifest": ""}),
            "manifest": "",
            "values": json.dumps(VALUES if values is None else values),
            "show": chart,
        },
    )


def test_a_release_with_this_chart_and_these_values_is_up_to_date(capsys, tmp_path):
    helm, log = deployed_release(tmp_path)
    result = run_for_todo(capsys, tmp_path, helm, release_values=VALUES)
    assert (result["up_to_date"], result["drifted"], result["changed"]) == (True, False, False)
    assert result["plan"] == "none"
    assert result["release"] == {
        "name": "todo",
        "namespace": "todo",
        "revision": 4,
        "status": "deployed",
        "chart": "todo-app-0.3.0",
        "app_version": "1.0.0",
        "updated": "2026-12-01T10:00:00Z",
    }
    assert "get values todo --revision 4 -o json" in log.read_text()


@pytest.mark.parametrize(
    ("chart", "values", "history"),
    [
        (CHART, dict(VALUES, backend={"replicaCount": 2}), DEPLOYED),  # other values
        (CHART, {}, DEPLOYED),
        ("name: todo-app\nversion: 0.4.0\nappVersion: 1.0.0\n", VALUES, DEPLOYED),  # a version bump
        ("name: todo-app\nversion: 0.3.0\nappVersion: 1.1.0\n", VALUES, DEPLOYED),  # a new appVersion
        (CHART, VALUES, [dict(DEPLOYED[0], status="failed")]),  # a failed revision
    ],
)
def test_anything_an_upgrade_would_record_is_not_up_to_date(capsys, tmp_path, chart, values, history):
    helm, _log = deployed_release(tmp_path, chart=chart, values=values, history=history)
    result = run_for_todo(capsys, tmp_path, helm, release_values=VALUES)
    assert result["up_to_date"] is False and result["changed"] is False
    # A failed revision with this chart and values is repaired; anything else upgraded.
    assert result["plan"] == ("repair" if history[0]["status"] == "failed" else "upgrade")


def test_a_chart_that_does_not_render_is_reported_once(capsys, tmp_path):
    # No answer for `upgrade --dry-run=server`: the render fails while the other reads run beside it.
    helm, _log = fake_helm(tmp_path, DEPLOYED, answers={"manifest": "", "values": "{}", "show": CHART})
    result = run_for_todo(capsys, tmp_path, helm, release_values=VALUES)
    assert result["failed"] and result["reason"] == "render"
    assert "does not render" in result["msg"] and "unexpected call" in result["msg"]


MARKER = "ldk-sensitive-7f3a9c"


def test_sensitive_values_count_as_values_and_are_never_shown(capsys, tmp_path):
    sensitive = {"backend": {"secrets": {"apiKey": MARKER}}}
    deployed_values = {"ingress": {"host": "todo.local"}, "backend": {"replicaCount": 1, "secrets": {"apiKey": MARKER}}}
    helm, _log = deployed_release(tmp_path, values=deployed_values)
    result = run_for_todo(capsys, tmp_path, helm, release_values=VALUES, sensitive_values=sensitive)
    assert result["up_to_date"] is True
    assert MARKER not in json.dumps(result)
    # Without them the release's values differ: they were compared.
    helm, _log = deployed_release(tmp_path, values=deployed_values)
    assert run_for_todo(capsys, tmp_path, helm, release_values=VALUES)["up_to_date"] is False


def test_a_sensitive_value_in_helm_s_error_is_hidden(capsys, tmp_path):
    helm = tmp_path / "helm"
    helm.write_text(
        "#!/bin/sh\n"
        f"case \" $* \" in *history*) echo '{json.dumps(DEPLOYED)}'; exit 0;; esac\n"
        f"echo 'Error: values do not validate: apiKey {MARKER} is too short' >&2; exit 1\n"
    )
    helm.chmod(0o755)
    result = run_for_todo(
        capsys, tmp_path, str(helm), release_values=VALUES, sensitive_values={"backend": {"apiKey": MARKER}}
    )
    assert result["failed"] and "apiKey ******** is too short" in result["msg"]
    assert MARKER not in json.dumps(result)


def test_a_missing_helm_is_reported_not_raised(capsys, tmp_path):
    result = run_for_todo(capsys, tmp_path, str(tmp_path / "no-helm"))
    assert result["failed"] and result["msg"].startswith("helm could not run")


CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "todo-config"}, "data": {"a": "1"}}


class RefusingCluster:
    """An API server that answers discovery but refuses to read the object (no RBAC for it)."""

    def __init__(self, module):
        self.module = module

    def resource(self, obj):
        return object()

    def compare(self, obj, namespace, resource):
        raise helm_drift_info.ApiException(status=403, reason="Forbidden")


def test_an_api_refusal_names_the_object(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(helm_drift_info, "Cluster", RefusingCluster)
    helm, _log = fake_helm(
        tmp_path,
        DEPLOYED,
        answers={
            "upgrade": json.dumps({"manifest": json.dumps(CONFIGMAP)}),
            "manifest": "",
            "values": "{}",
            "show": CHART,
        },
    )
    result = run_for_todo(capsys, tmp_path, helm, release_values=VALUES)
    assert result["failed"]
    assert result["msg"].startswith("Reading ConfigMap todo-config from the Kubernetes API failed: ")
    assert "Forbidden" in result["msg"]


def test_an_absent_release_is_not_up_to_date(capsys, tmp_path):
    helm, _log = fake_helm(tmp_path, [], rc=1, err="Error: release: not found")
    result = run_for_todo(capsys, tmp_path, helm)
    assert (result["up_to_date"], result["release"]) == (False, {})


@pytest.mark.parametrize(
    ("chart", "revision", "expected"),
    [
        ({"name": "a", "version": "1.0.0", "appVersion": "2"}, {"chart": "a-1.0.0", "app_version": "2"}, True),
        ({"name": "a", "version": "1.0.0"}, {"chart": "a-1.0.0", "app_version": ""}, True),
        ({"name": "a", "version": "1.0.1"}, {"chart": "a-1.0.0", "app_version": ""}, False),
        ({"name": "b", "version": "1.0.0"}, {"chart": "a-1.0.0", "app_version": ""}, False),
        ({"name": "a", "version": "1.0.0", "appVersion": "3"}, {"chart": "a-1.0.0", "app_version": "2"}, False),
    ],
)
def test_same_chart_compares_name_version_and_app_version(chart, revision, expected):
    assert rd.same_chart(chart, revision) is expected


def deployment(conditions):
    return {"kind": "Deployment", "metadata": {"name": "web"}, "status": {"conditions": conditions}}


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        (deployment([{"type": "Progressing", "status": "True"}, {"type": "Available", "status": "True"}]), None),
        (
            deployment(
                [{"type": "Available", "status": "False", "message": "Deployment does not have minimum availability."}]
            ),
            "Deployment web: not available (Deployment does not have minimum availability.)",
        ),
        (deployment([]), "Deployment web: not available (no Available condition yet)"),
        (
            {"kind": "Deployment", "metadata": {"name": "web"}},
            "Deployment web: not available (no Available condition yet)",
        ),
        (
            {
                "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {"replicas": 1},
                "status": {"readyReplicas": 1},
            },
            None,
        ),
        (
            {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 1}, "status": {"replicas": 1}},
            "StatefulSet db: 0 of 1 replicas ready",
        ),
        ({"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 0}, "status": {}}, None),
        ({"kind": "Service", "metadata": {"name": "web"}, "status": {}}, None),
    ],
)
def test_not_ready_uses_the_rollout_waits_tests(live, expected):
    assert rd.not_ready(live) == expected
