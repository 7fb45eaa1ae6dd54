"""PostgreSQL's data directory: its own UID's, made by PostgreSQL, handed over from another UID when due.

PostgreSQL starts only on a data directory owned by the UID it runs as, with mode 0700. The chart runs it
as a UID >= 10000 with PGDATA a directory on the volume that PostgreSQL creates itself (fsGroup makes a new
volume's root writable for it). Data another UID initialised (the chart ran PostgreSQL as 999 before) is
handed over by a root init container, rendered only when postgresql.dataOwnership.chown asks for it or, in
`auto`, when the live objects say a hand-over is due (postgresql.handOverDue, tested here on made-up
objects, since `helm template` reads no cluster).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path, PurePosixPath

import pytest
import yaml
from chart_render import CHART, PASSWORD_SET, container, env_of, helm_binary, render_matrix

HAND_OVER = "data-ownership"
UID = 10001  # the chart's postgresql.uid


def statefulset(*set_values):
    return render_matrix("default", *set_values).workload("postgresql")


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def data_mount(c):
    (path,) = [m["mountPath"] for m in c.get("volumeMounts", []) if m["name"] == "data"]
    return PurePosixPath(path)


def pgdata(c):
    return PurePosixPath(env_of(c)["PGDATA"]["value"])


def test_postgresql_runs_as_a_uid_of_its_own():
    pod = pod_spec(statefulset())["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] == UID >= 10000
    assert pod["runAsGroup"] == UID
    # A new volume's root becomes the group's, so PostgreSQL can create PGDATA in it; OnRootMismatch: the
    # kubelet does not add group rights to PGDATA (which PostgreSQL refuses) at every start.
    assert pod["fsGroup"] == pod["runAsGroup"]
    assert pod["fsGroupChangePolicy"] == "OnRootMismatch"


@pytest.mark.parametrize("values", ["default", "other-host", "replicas-3", "ingress-off"])
def test_pgdata_is_a_directory_on_the_volume(values):
    # Not the volume's root, which belongs to root (or holds lost+found) on many volume types:
    # PostgreSQL creates PGDATA itself, its own with mode 0700.
    c = container(render_matrix(values).workload("postgresql"), "postgresql")
    assert pgdata(c).parent == data_mount(c)


def test_pgdata_on_an_empty_dir_too():
    sts = statefulset("postgresql.persistence.enabled=false")
    c = container(sts, "postgresql")
    assert pgdata(c).parent == data_mount(c)
    (volume,) = [v for v in pod_spec(sts)["volumes"] if v["name"] == "data"]
    assert "emptyDir" in volume


@pytest.mark.parametrize(
    "set_values",
    [(), ("postgresql.dataOwnership.chown=auto",), ("postgresql.dataOwnership.chown=never",)],
    ids=["default", "auto", "never"],
)
def test_no_root_container_unless_a_hand_over_is_due(set_values):
    # Rendered without a cluster, auto finds nothing to hand over: every container runs as the pod's UID.
    assert pod_spec(statefulset(*set_values)).get("initContainers", []) == []


def test_hand_over_container():
    sts = statefulset("postgresql.dataOwnership.chown=always")
    pod = pod_spec(sts)
    uid = pod["securityContext"]["runAsUser"]
    main = container(sts, "postgresql")
    init = container(sts, HAND_OVER, init=True)
    assert [c["name"] for c in pod["initContainers"]] == [HAND_OVER]
    sc = init["securityContext"]
    # Root (only root may change a file's owner) with just the capabilities the hand-over needs.
    assert sc["runAsUser"] == 0 and sc["runAsGroup"] == 0 and sc["runAsNonRoot"] is False
    assert sc["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN", "DAC_OVERRIDE", "FOWNER"]}
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    # The data volume only, where PostgreSQL has it, and the PGDATA PostgreSQL uses.
    assert init["volumeMounts"] == [{"name": "data", "mountPath": str(data_mount(main))}]
    assert init["image"] == main["image"]
    assert init["command"][:2] == ["sh", "-c"]
    assert f"pgdata={pgdata(main)}\n" in init["command"][-1]
    assert f"chown -R {uid}:{uid} " in init["command"][-1]


def make_tree(root: Path, owner: tuple[int, int]):
    """A data directory as an older UID left it after a kubelet's fsGroup change: group rights, setgid."""
    (root / "base" / "1").mkdir(parents=True)
    (root / "PG_VERSION").write_text("15\n")
    (root / "base" / "1" / "1259").write_bytes(b"\0" * 16)
    for path in [root, *root.rglob("*")]:
        os.chown(path, *owner)
        os.chmod(path, 0o2770 if path.is_dir() else 0o660)


def run_script(script):
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60, check=False)


def test_hand_over_script_gives_pgdata_to_postgresql(tmp_path):
    """The init container's script, run as rendered on a copy of PGDATA's path."""
    if os.geteuid() != 0:
        pytest.fail("this test changes files' owners, as the init container does as root: run make test as root")
    sts = statefulset("postgresql.dataOwnership.chown=always")
    uid = pod_spec(sts)["securityContext"]["runAsUser"]
    path = str(pgdata(container(sts, "postgresql")))
    target = tmp_path / "pgdata"
    script = container(sts, HAND_OVER, init=True)["command"][-1].replace(path, str(target))

    result = run_script(script)
    assert result.returncode == 0, result.stderr
    assert "does not exist yet" in result.stdout

    make_tree(target, (999, uid))
    result = run_script(script)
    assert result.returncode == 0, result.stderr
    assert f"over to {uid}:{uid}" in result.stdout
    for item in [target, *target.rglob("*")]:
        info = item.lstat()
        assert (info.st_uid, info.st_gid) == (uid, uid), item
        # initdb's modes: PostgreSQL refuses a data directory with group write or any other rights.
        assert stat.S_IMODE(info.st_mode) == (0o700 if item.is_dir() else 0o600), item

    result = run_script(script)
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout


def live_statefulset(run_as, hand_over=False, ready=1, current="rev-a", update="rev-a"):
    spec = {"containers": [{"name": "postgresql"}]}
    if run_as is not None:
        spec["securityContext"] = {"runAsUser": run_as}
    if hand_over:
        spec["initContainers"] = [{"name": HAND_OVER}]
    status = {"replicas": 1, "currentRevision": current, "updateRevision": update}
    if ready:
        status["readyReplicas"] = ready
    return {"kind": "StatefulSet", "spec": {"template": {"spec": spec}}, "status": status}


CLAIM = {"kind": "PersistentVolumeClaim", "metadata": {"name": "data-todo-postgresql-0"}}
# name: (live StatefulSet, live claim, whether a hand-over is due)
DECISIONS = {
    "new-install": ({}, {}, False),
    "reinstall-on-a-kept-claim": ({}, CLAIM, True),
    "upgrade-from-uid-999": (live_statefulset(999), {}, True),
    "upgrade-without-run-as-user": (live_statefulset(None), {}, True),
    "upgrade-at-this-uid": (live_statefulset(UID), {}, False),
    "hand-over-pod-not-ready": (live_statefulset(UID, hand_over=True, ready=0), {}, True),
    "hand-over-pod-not-updated": (live_statefulset(UID, hand_over=True, current="rev-a", update="rev-b"), {}, True),
    "hand-over-done": (live_statefulset(UID, hand_over=True), {}, False),
}


def test_auto_hands_over_only_when_the_live_objects_ask_for_it(tmp_path):
    """postgresql.handOverDue on made-up live objects, in a copy of the chart with one more template."""
    chart = tmp_path / "todo-app"
    shutil.copytree(CHART, chart)
    cases = {name: {"statefulset": case[0], "claim": case[1]} for name, case in DECISIONS.items()}
    harness = "charts/postgresql/templates/zz-hand-over-cases.yaml"
    (chart / harness).write_text(
        "{{- range $name, $case := fromJson `" + json.dumps(cases) + "` }}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $name }}\ndata:\n"
        '  due: {{ include "postgresql.handOverDue" (dict "context" $ "statefulset" $case.statefulset'
        ' "claim" $case.claim) | quote }}\n'
        "{{- end }}\n"
    )
    cmd = [helm_binary(), "template", "todo", str(chart), "--namespace", "todo", "--show-only", harness]
    cmd += [arg for item in PASSWORD_SET for arg in ("--set-string", item)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    rendered = {doc["metadata"]["name"]: doc["data"]["due"] for doc in yaml.safe_load_all(result.stdout) if doc}
    assert rendered == {name: "true" if case[2] else "" for name, case in DECISIONS.items()}
