# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What counts as drift between a Helm release and its live objects.

The API server decides what an object would become (a server-side dry-run
apply of the chart's manifest); this module only compares that answer with
the live object, leaving out what the server and controllers own, and words
the differences. No I/O here, so every rule is unit-tested.
"""

from __future__ import annotations

import copy

try:
    import yaml

    HAS_YAML = True
except ImportError:  # the module says how to install it
    HAS_YAML = False

# Set by the API server on every write; never what a chart asks for.
SERVER_METADATA = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink")
HIDDEN = "(hidden)"
PENDING = ("pending-install", "pending-upgrade", "pending-rollback")


def load_manifest(text):
    """The objects of a multi-document YAML manifest, in order (empty documents dropped)."""
    objects = []
    for doc in yaml.safe_load_all(text or ""):
        if isinstance(doc, dict) and doc.get("kind") and (doc.get("metadata") or {}).get("name"):
            if doc["kind"].endswith("List") and "items" in doc:
                objects.extend(item for item in doc["items"] if isinstance(item, dict))
            else:
                objects.append(doc)
    return objects


def object_key(obj, namespace=None):
    """(apiVersion, kind, namespace, name): how Helm tells a release's objects apart."""
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion", ""), obj["kind"], meta.get("namespace") or namespace or "", meta["name"])


def describe_key(key):
    _api_version, kind, namespace, name = key
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def comparable(obj):
    """A copy without status and the metadata the server writes on every change."""
    obj = copy.deepcopy(obj or {})
    obj.pop("status", None)
    meta = obj.get("metadata") or {}
    for field in SERVER_METADATA:
        meta.pop(field, None)
    return obj


def redacted(obj):
    """A copy safe to print: a Secret's values are hidden, its keys kept."""
    obj = copy.deepcopy(obj)
    if obj.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if isinstance(obj.get(field), dict):
                obj[field] = {key: HIDDEN for key in obj[field]}
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        # kubectl apply keeps the whole object, values included, in this annotation.
        if "kubectl.kubernetes.io/last-applied-configuration" in annotations:
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = HIDDEN
    return obj


def _by_name(items):
    """Lists of named entries (containers, env, ports, volumes) compare entry by entry."""
    if items and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        names = [i["name"] for i in items]
        if len(set(names)) == len(names):
            return dict(zip(names, items))
    return None


def differences(before, after, path=""):
    """Every leaf that differs, as (path, before, after); a missing side is None."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            found.extend(differences(before.get(key), after.get(key), f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(before, list) and isinstance(after, list):
        named_before, named_after = _by_name(before), _by_name(after)
        if named_before is not None and named_after is not None:
            found = []
            for name in list(named_before) + [n for n in named_after if n not in named_before]:
                found.extend(differences(named_before.get(name), named_after.get(name), f"{path}[{name}]"))
            return found
        if len(before) == len(after):
            found = []
            for index, (left, right) in enumerate(zip(before, after)):
                found.extend(differences(left, right, f"{path}[{index}]"))
            return found
    return [] if before == after else [(path, before, after)]


def _short(value, hide):
    if hide:
        return HIDDEN
    if value is None:
        return "(unset)"
    text = yaml.safe_dump(value, default_flow_style=True, width=10000).strip()
    if text.endswith("..."):
        text = text[:-3].strip()
    return text if len(text) <= 80 else text[:77] + "..."


def field_changes(kind, live, would_be):
    """The fields the run would change on a live object, values hidden for a Secret's data."""
    changes = []
    for path, before, after in differences(comparable(live), comparable(would_be)):
        hide = kind == "Secret" and path.split(".")[0] in ("data", "stringData")
        changes.append({"path": path, "live": _short(before, hide), "desired": _short(after, hide)})
    return changes


def manifest_changes(deployed, desired, namespace):
    """Objects the chart (or values) now render differently from the deployed revision.

    Returns (added, removed, changed) lists of object keys.
    """
    old = {object_key(o, namespace): o for o in deployed}
    new = {object_key(o, namespace): o for o in desired}
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    changed = [k for k in new if k in old and old[k] != new[k]]
    return added, removed, changed


def keeps_data(obj):
    """Whether Helm deleting this object would lose data (a claim not marked to keep)."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return obj.get("kind") == "PersistentVolumeClaim" and annotations.get("helm.sh/resource-policy") != "keep"


def not_ready(live):
    """Why a live Deployment or StatefulSet is not ready (None when it is, or for other kinds).

    The same tests the role's rollout wait makes: a Deployment's ``Available``
    condition is ``True``; a StatefulSet has ``readyReplicas`` equal to ``spec.replicas``.
    """
    kind, name = live.get("kind"), (live.get("metadata") or {}).get("name")
    status = live.get("status") or {}
    if kind == "Deployment":
        available = [c for c in status.get("conditions") or [] if c.get("type") == "Available"]
        if available and available[0].get("status") == "True":
            return None
        reason = available[0].get("message") if available else "no Available condition yet"
        return f"Deployment {name}: not available ({reason})"
    if kind == "StatefulSet":
        wanted = (live.get("spec") or {}).get("replicas", 1)
        ready = status.get("readyReplicas") or 0
        return None if ready == wanted else f"StatefulSet {name}: {ready} of {wanted} replicas ready"
    return None


def recovery(history):
    """What to do about a release left pending by an interrupted run.

    history: Helm's revisions (``helm history -o json``), oldest first.
    Returns None when the last revision is not pending, else a dict with
    ``action`` (``rollback`` to ``revision``, or ``reinstall`` when no revision
    was ever deployed) and ``status``.
    """
    if not history:
        return None
    last = history[-1]
    status = last.get("status", "")
    if status not in PENDING:
        return None
    deployed = [r["revision"] for r in history[:-1] if r.get("status") in ("deployed", "superseded")]
    if deployed:
        return {"action": "rollback", "revision": max(deployed), "status": status, "from_revision": last["revision"]}
    return {"action": "reinstall", "revision": None, "status": status, "from_revision": last["revision"]}


PLANS = ("none", "install", "upgrade", "repair", "rollback", "reinstall", "blocked")


def plan(result):
    """What a run does about the release, and why: (plan, reason), from the drift check's result.

    blocked: converging would lose data or cannot be done in place; install: there is no release;
    rollback / reinstall: a release left pending (then installed or upgraded as usual); none: the
    release has this chart and these values and nothing drifted; upgrade: other values or another
    chart version; repair: the same values and chart version, but the chart renders otherwise, live
    objects drifted or the last revision failed (an upgrade with the release's own values).
    """
    if result["blocked"]:
        return "blocked", " ".join(result["blocked"])
    if result["status"] == "absent":
        return "install", "there is no release"
    recovery = result.get("recovery")
    if recovery:
        return recovery["action"], result["summary"][0]
    if result["up_to_date"]:
        return "none", "the release has this chart and these values, and nothing drifted"
    if not result["same_inputs"]:
        return "upgrade", "the values or the chart's version differ from the release's"
    return "repair", "; ".join(result["summary"]) or f"the last revision is {result['status']}"


def same_chart(chart, revision):
    """Whether the chart (its Chart.yaml) is the one the revision was made from: name-version and appVersion.

    The test kubernetes.core.helm makes before it upgrades; an appVersion the chart leaves out is
    recorded by Helm as an empty one.
    """
    if f"{chart.get('name')}-{chart.get('version')}" != revision.get("chart"):
        return False
    app_version = chart.get("appVersion")
    recorded = revision.get("app_version")
    return app_version == recorded or (app_version is None and recorded in ("", None))


def release_record(name, namespace, revision):
    """The release as kubernetes.core.helm returns its status (without the values), from a history entry."""
    record = dict(name=name, namespace=namespace)
    for field in ("revision", "updated", "status", "chart", "app_version"):
        record[field] = revision.get(field)
    return record


def summarize(report):
    """One sentence per drifted object, for the run's summary."""
    lines = []
    for item in report:
        what = describe_key((item["api_version"], item["kind"], item["namespace"], item["name"]))
        if item["state"] == "missing":
            lines.append(f"{what}: deleted from the cluster")
        elif item["state"] == "removed":
            lines.append(f"{what}: no longer in the chart, the upgrade deletes it")
        elif item["state"] == "unpatchable":
            lines.append(f"{what}: cannot be changed in place: {item['message']}")
        elif item["state"] == "rendered":
            lines.append(f"{what}: the chart renders it differently")
        else:
            fields = ", ".join(f"{c['path']} {c['live']} -> {c['desired']}" for c in item["fields"][:5])
            more = len(item["fields"]) - 5
            lines.append(f"{what}: {fields}" + (f" (and {more} more)" if more > 0 else ""))
    return lines


def to_yaml(obj):
    return yaml.safe_dump(obj, default_flow_style=False, sort_keys=True)
