#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: helm_drift_info
short_description: Compare a Helm release with its chart and with its live objects
version_added: "0.1.0"
description:
  - Answers, without changing anything, whether a C(helm upgrade) of the release with the given chart
    and values would change the cluster, and what it would change.
  - B(Chart drift) - renders the chart with the values through the API server
    (C(helm upgrade --dry-run=server)) and compares the result with the deployed revision's manifest, so an
    edited template, the chart's own C(values.yaml), a subchart or a helper count without a version bump.
  - B(Live drift) - for every object of the rendered manifest, asks the API server what a server-side
    apply of it would make of the live object (a dry run with a field manager of its own that forces
    conflicts) and compares that with the live object. A deleted object, or a field the chart sets and
    someone changed (replicas, image, env, ports, ConfigMap data, labels, rules), is drift. Fields the chart
    does not set, status, and what the server or controllers write (defaults, C(managedFields),
    C(kubectl.kubernetes.io/restartedAt)) are not.
  - B(Interrupted releases) - a last revision left C(pending-install), C(pending-upgrade) or
    C(pending-rollback) is reported with what recovers it (RV(recovery)); a C(failed) one counts as drift.
  - Objects the API server refuses to change in place (an immutable field, such as a StatefulSet's
    C(volumeClaimTemplates)) and claims an upgrade would delete are reported in RV(blocked).
  - B(Up to date) - whether the release is deployed from this chart's name, version and appVersion with
    exactly these values and nothing drifted (RV(up_to_date)). That is the test M(kubernetes.core.helm)
    makes before it upgrades, so a caller can skip that module when it would do nothing.
  - Read-only; it runs in check mode and never reports a change. A Secret's values, and the release's
    values, never appear in its output.
author:
  - localdev.kube maintainers (!UNKNOWN)
options:
  release_name:
    description: The release's name.
    type: str
    required: true
  release_namespace:
    description: The release's namespace; also the namespace of objects the manifest leaves without one.
    type: str
    required: true
  chart_ref:
    description: The chart to compare with (a directory or packaged chart).
    type: path
    required: true
  release_values:
    description: The values the release should have (as for M(kubernetes.core.helm)).
    type: dict
    default: {}
  sensitive_values:
    description:
      - More values the release should have, merged over O(release_values) (mappings key by key), that are
        never shown. Like every C(no_log) option, each of their text values is hidden wherever it would
        appear in this module's result, diffs and messages.
    type: dict
    default: {}
  binary_path:
    description: The helm binary.
    type: path
    default: helm
  kubeconfig:
    description: Path to the kubeconfig; the client's default (C(KUBECONFIG), then C(~/.kube/config)) when unset.
    type: path
  context:
    description: The kubeconfig context; its current context when unset.
    type: str
  field_manager:
    description: The field manager of the dry-run applies (never written, the applies are dry runs).
    type: str
    default: localdev.kube-drift-check
requirements:
  - helm >= 3.14 (C(--dry-run=server))
  - the C(kubernetes) Python library
  - PyYAML
notes:
  - A release that does not exist is not an error; RV(status) is then V(absent) and nothing is compared.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Returns, per drifted object, the live object and what the run would make of it.
    support: full
seealso:
  - module: kubernetes.core.helm
"""

EXAMPLES = r"""
- name: Compare the release with its chart and the live objects
  localdev.kube.helm_drift_info:
    release_name: todo
    release_namespace: todo
    chart_ref: charts/todo-app
    release_values: "{{ values }}"
  register: drift

- name: Converge it with the same values when anything drifted
  ansible.builtin.command:
    argv: [helm, upgrade, todo, charts/todo-app, -n, todo, --reset-then-reuse-values, --wait]
  when: drift.drifted
  changed_when: true
"""

RETURN = r"""
plan:
  description:
    - What a run does about the release, decided from everything below. V(none) (up to date), V(install)
      (no release), V(upgrade) (other values or chart version), V(repair) (the same values and chart version,
      but the chart renders otherwise, live objects drifted or the last revision failed - an upgrade with the
      release's own values), V(rollback) or V(reinstall) (a release left pending; then upgraded or installed),
      or V(blocked) (converging would lose data or cannot be done in place, see RV(blocked)).
  returned: success
  type: str
  sample: repair
reason:
  description: Why, in one sentence.
  returned: success
  type: str
  sample: "Deployment todo/todo-frontend: spec.replicas 0 -> 1"
same_inputs:
  description: Whether the last revision has this chart (name, version, appVersion) and these values.
  returned: always
  type: bool
status:
  description: The release's last revision status (V(absent) when there is no release).
  returned: always
  type: str
  sample: deployed
revision:
  description: The release's last revision (0 when there is none).
  returned: always
  type: int
  sample: 3
drifted:
  description: Whether a C(helm upgrade) with the chart and values would change anything (or a recovery is due).
  returned: always
  type: bool
up_to_date:
  description:
    - Whether an upgrade would change nothing, not even the release record - the last revision is
      C(deployed), from a chart with the same name, version and appVersion, with values equal to
      O(release_values), and nothing drifted.
    - V(false) when there is no release or a recovery is due.
  returned: always
  type: bool
release:
  description:
    - The release's last revision as M(kubernetes.core.helm) returns its C(status), without the values.
    - Empty when there is no release.
  returned: always
  type: dict
  sample: {"name": "todo", "namespace": "todo", "revision": 3, "updated": "2026-12-01T10:00:00Z",
           "status": "deployed", "chart": "todo-app-0.3.0", "app_version": "1.0.0"}
chart_changed:
  description: Whether the chart and values render a manifest other than the deployed revision's.
  returned: always
  type: bool
objects:
  description: Each drifted object, with what differs.
  returned: always
  type: list
  elements: dict
  sample: [{"api_version": "apps/v1", "kind": "Deployment", "namespace": "todo", "name": "todo-frontend",
            "state": "changed", "fields": [{"path": "spec.replicas", "live": "0", "desired": "1"}]}]
  contains:
    state:
      description: >-
        V(missing) (deleted from the cluster), V(changed) (fields differ), V(rendered) (the chart renders it
        differently, no live field differs), V(removed) (no longer in the chart; the upgrade deletes it),
        V(unpatchable) (the API server refuses the change).
      type: str
summary:
  description: One sentence per drifted object (and the recovery, when one is due).
  returned: always
  type: list
  elements: str
  sample: ["Deployment todo/todo-frontend: spec.replicas 0 -> 1", "Service todo/todo-backend: deleted from the cluster"]
recovery:
  description: >-
    For a release left pending, what recovers it: C(action) V(rollback) to C(revision) (the last deployed
    one), or V(reinstall) when no revision was ever deployed; C(status) and C(from_revision) say what was found.
  returned: when the last revision is pending
  type: dict
  sample: {"action": "rollback", "revision": 2, "status": "pending-upgrade", "from_revision": 3}
blocked:
  description: Sentences for what an upgrade cannot do without losing data or without deleting an object first.
  returned: always
  type: list
  elements: str
not_ready:
  description:
    - The release's live Deployments that are not C(Available) and StatefulSets without all replicas ready,
      one sentence each, as read during the comparison. Empty when all are ready or nothing was compared.
  returned: always
  type: list
  elements: str
  sample: ["Deployment todo-backend: not available (Deployment does not have minimum availability.)"]
"""

import json
import os
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.dict_transformations import dict_merge
from ansible_collections.localdev.kube.plugins.module_utils import release_drift as rd

try:
    from kubernetes import config as k8s_config
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError

    K8S_IMPORT_ERROR = None
except ImportError:
    K8S_IMPORT_ERROR = traceback.format_exc()


class DriftError(Exception):
    """A failure to report with fail_json: raised, so that threads never end the module themselves."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class Helm:
    """The helm CLI, pointed at one release."""

    def __init__(self, module):
        self.module = module
        p = module.params
        self.base = [p["binary_path"], "--namespace", p["release_namespace"]]
        if p["kubeconfig"]:
            self.base += ["--kubeconfig", p["kubeconfig"]]
        if p["context"]:
            self.base += ["--kube-context", p["context"]]

    def run(self, *args, allow_fail=False):
        try:
            # handle_exceptions=False: run_command would otherwise end the module from this thread.
            rc, out, err = self.module.run_command(self.base + list(args), handle_exceptions=False)
        except OSError as exc:  # the binary is missing or cannot run
            raise DriftError(f"helm could not run ({self.base[0]}): {exc}. Install Helm and set binary_path.") from exc
        if rc != 0 and not allow_fail:
            raise DriftError(f"helm {args[0]} failed: {err.strip()}", rc=rc, stderr=err)
        return rc, out, err

    def history(self, name):
        rc, out, err = self.run("history", name, "--max", "256", "-o", "json", allow_fail=True)
        if rc != 0:
            if "not found" in err:
                return []
            raise DriftError(f"helm history {name} failed: {err.strip()}", rc=rc, stderr=err)
        return sorted(json.loads(out or "[]"), key=lambda r: r["revision"])

    def render(self, name, chart, values):
        """The manifest an upgrade would apply, rendered against the cluster (lookups, capabilities)."""
        fd, path = tempfile.mkstemp(suffix=".json", prefix="helm-drift-")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(values, handle)
            rc, out, err = self.run(
                "upgrade", name, chart, "--dry-run=server", "-o", "json", "-f", path, allow_fail=True
            )
        finally:
            os.unlink(path)
        if rc != 0:
            raise DriftError(
                f"The chart {chart} does not render with these values (helm upgrade --dry-run=server): {err.strip()}",
                rc=rc,
                reason="render",
            )
        return json.loads(out)["manifest"]

    def manifest(self, name, revision):
        return self.run("get", "manifest", name, "--revision", str(revision))[1]

    def values(self, name, revision):
        """The values the revision was given (helm get values: the user-supplied ones)."""
        return json.loads(self.run("get", "values", name, "--revision", str(revision), "-o", "json")[1] or "null")

    def chart(self, chart):
        """The chart's Chart.yaml (helm show chart reads directories and packages alike)."""
        return rd.yaml.safe_load(self.run("show", "chart", chart)[1]) or {}


class Cluster:
    """Live objects and server-side dry-run applies through the Kubernetes API."""

    def __init__(self, module):
        p = module.params
        try:
            api = k8s_config.new_client_from_config(config_file=p["kubeconfig"], context=p["context"])
            self.client = DynamicClient(api)
        except Exception as exc:  # any kubeconfig or connection error ends here
            raise DriftError(f"Cannot reach the Kubernetes API (kubeconfig {p['kubeconfig']}): {exc}") from exc
        self.field_manager = p["field_manager"]

    def resource(self, obj):
        try:
            return self.client.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        except ResourceNotFoundError:
            return None

    def compare(self, obj, namespace, resource):
        """(state, live, would_be, message) for one object of the manifest and its API resource."""
        if resource is None:  # its API (a CRD) is gone: the upgrade must create it
            return "missing", None, obj, f"the cluster has no {obj['apiVersion']} {obj['kind']} API"
        ns = (obj["metadata"].get("namespace") or namespace) if resource.namespaced else None
        body = json.loads(json.dumps(obj))  # plain types for the client
        if ns:
            body["metadata"]["namespace"] = ns
        name = obj["metadata"]["name"]
        try:
            live = resource.get(name=name, namespace=ns).to_dict()
        except NotFoundError:
            return "missing", None, body, ""
        try:
            would_be = resource.server_side_apply(
                body=body,
                name=name,
                namespace=ns,
                field_manager=self.field_manager,
                force_conflicts=True,
                dry_run="All",
            ).to_dict()
        except ApiException as exc:
            if exc.status in (400, 409, 422):
                return "unpatchable", live, body, api_message(exc)
            raise
        changes = rd.field_changes(obj["kind"], live, would_be)
        return ("changed" if changes else "same"), live, would_be, changes


def per_object(call, obj, *args):
    """call(obj, *args), its failure named by the object and raised as a DriftError, to be reported once."""
    try:
        return call(obj, *args)
    except Exception as exc:  # the API's answers (403, 500), a lost connection, a discovery error
        detail = api_message(exc) if isinstance(exc, ApiException) else str(exc)
        raise DriftError(
            f"Reading {obj['kind']} {obj['metadata'].get('name', '')} from the Kubernetes API failed: {detail}"
        ) from exc


def api_message(exc):
    try:
        return json.loads(exc.body).get("message", str(exc))
    except (TypeError, ValueError):
        return str(exc)


def report_item(key, state, detail):
    item = dict(zip(("api_version", "kind", "namespace", "name"), key), state=state, fields=[], message="")
    if isinstance(detail, list):
        item["fields"] = detail
    else:
        item["message"] = detail
    return item


def object_diff(key, before, after, before_label):
    """One entry of Ansible's diff: the object before and after the run, a Secret's values hidden."""
    return dict(
        before_header=f"{rd.describe_key(key)} ({before_label})",
        after_header=f"{rd.describe_key(key)} (after the run)" if after is not None else "(deleted by the upgrade)",
        before=rd.to_yaml(rd.redacted(rd.comparable(before))) if before else "",
        after=rd.to_yaml(rd.redacted(rd.comparable(after))) if after is not None else "",
    )


def compare_release(module, helm):
    p = module.params
    name, namespace = p["release_name"], p["release_namespace"]
    result = dict(
        status="absent",
        revision=0,
        drifted=False,
        chart_changed=False,
        objects=[],
        summary=[],
        blocked=[],
        not_ready=[],
        up_to_date=False,
        same_inputs=False,
        release={},
    )
    history = helm.history(name)
    if not history:
        return result, []
    last = history[-1]
    result.update(status=last.get("status", "unknown"), revision=last["revision"])
    result["release"] = rd.release_record(name, namespace, last)

    recovery = rd.recovery(history)
    if recovery:
        result.update(drifted=True, recovery=recovery)
        target = f"revision {recovery['revision']}" if recovery["action"] == "rollback" else "a fresh install"
        result["summary"].append(
            f"release {name} was left {recovery['status']} at revision {recovery['from_revision']} "
            f"(an interrupted run): recovering with {target}"
        )
        return result, []

    # The reads are independent and each mostly waits on the API server: they run side by side. The chart and
    # the values only matter when nothing drifted, but asking for them meanwhile costs less than asking after.
    with ThreadPoolExecutor(max_workers=4) as pool:
        wanted = dict_merge(p["release_values"], p["sensitive_values"])
        rendered = pool.submit(helm.render, name, p["chart_ref"], wanted)
        deployed_manifest = pool.submit(helm.manifest, name, last["revision"])
        chart = pool.submit(helm.chart, p["chart_ref"])
        values = pool.submit(helm.values, name, last["revision"])
        desired = rd.load_manifest(rendered.result())
        deployed = rd.load_manifest(deployed_manifest.result())
        cluster = Cluster(module) if desired else None  # nothing to compare: no API connection
        # API discovery fills the client's cache: one object after the other; then the objects' reads in parallel.
        resources = [per_object(cluster.resource, obj) for obj in desired]
        compared = list(pool.map(lambda obj, res: per_object(cluster.compare, obj, namespace, res), desired, resources))
        result, diffs = judge(result, name, namespace, last, desired, deployed, compared)
        # JSON round trip: the values as helm stores them (plain types), as kubernetes.core.helm compares them.
        result["same_inputs"] = rd.same_chart(chart.result(), last) and (values.result() or {}) == json.loads(
            json.dumps(wanted)
        )
        result["up_to_date"] = result["same_inputs"] and not result["drifted"] and last.get("status") == "deployed"
    return result, diffs


def judge(result, name, namespace, last, desired, deployed, compared):
    """The result and diffs from the rendered, deployed and live objects."""
    added, removed, rerendered = rd.manifest_changes(deployed, desired, namespace)
    result["chart_changed"] = bool(added or removed or rerendered)
    diffs = []
    for obj, (state, live, would_be, detail) in zip(desired, compared):
        key = rd.object_key(obj, namespace)
        reason = rd.not_ready(live) if live else None
        if reason:
            result["not_ready"].append(reason)
        if state == "same" and key in rerendered:
            # No live field differs, but the upgrade changes the release (e.g. a field the chart dropped).
            state, live, detail = "rendered", next(o for o in deployed if rd.object_key(o, namespace) == key), []
            would_be = obj
        if state == "same":
            continue
        result["objects"].append(report_item(key, state, detail))
        if state == "unpatchable":
            result["blocked"].append(
                f"{rd.describe_key(key)} cannot be changed in place ({detail}). Delete it without its pods and "
                f"claims (kubectl delete {obj['kind'].lower()} {key[3]} -n {key[2]} --cascade=orphan), then "
                "re-run: the upgrade recreates it and keeps the data."
            )
        before_label = "deployed" if state == "rendered" else "live"
        diffs.append(object_diff(key, live, would_be, before_label))
    for key in removed:
        obj = next(o for o in deployed if rd.object_key(o, namespace) == key)
        result["objects"].append(report_item(key, "removed", ""))
        diffs.append(object_diff(key, obj, None, "deployed"))
        if rd.keeps_data(obj):
            result["blocked"].append(
                f"{rd.describe_key(key)} is no longer in the chart and an upgrade would delete it with its data. "
                "Annotate it helm.sh/resource-policy=keep (or back the data up and delete it yourself), then re-run."
            )

    result["summary"] = rd.summarize(result["objects"])
    if last.get("status") == "failed":
        result["summary"].append(f"release {name}: revision {last['revision']} failed; upgrading again")
    result["drifted"] = bool(result["objects"]) or last.get("status") == "failed"
    return result, diffs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            release_name=dict(type="str", required=True),
            release_namespace=dict(type="str", required=True),
            chart_ref=dict(type="path", required=True),
            release_values=dict(type="dict", default={}),
            sensitive_values=dict(type="dict", default={}, no_log=True),
            binary_path=dict(type="path", default="helm"),
            kubeconfig=dict(type="path"),
            context=dict(type="str"),
            field_manager=dict(type="str", default="localdev.kube-drift-check"),
        ),
        supports_check_mode=True,
    )
    if K8S_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("kubernetes"), exception=K8S_IMPORT_ERROR)
    if not rd.HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"))
    if not os.path.exists(module.params["chart_ref"]):
        module.fail_json(
            msg=f"chart_ref {module.params['chart_ref']} does not exist: give a chart directory or package."
        )
    try:
        result, diffs = compare_release(module, Helm(module))
        result["plan"], result["reason"] = rd.plan(result)
    except DriftError as err:
        module.fail_json(msg=err.msg, **err.details)
    except Exception as exc:  # an answer in an unexpected shape: reported, not a traceback
        module.fail_json(
            msg=f"The drift check of release {module.params['release_name']} failed: {exc}",
            exception=traceback.format_exc(),
        )
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
