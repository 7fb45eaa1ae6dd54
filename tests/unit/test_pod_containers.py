"""Unit tests of the pod_containers filter (what the containers of unready pods are doing)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.pod_containers import pod_containers


def pod(name, ready, init=(), containers=(), phase="Pending", conditions=None):
    return {
        "metadata": {"name": name},
        "status": {
            "phase": phase,
            "conditions": conditions or [{"type": "Ready", "status": "True" if ready else "False"}],
            "initContainerStatuses": list(init),
            "containerStatuses": list(containers),
        },
    }


def status(name, state, restarts=0, last=None):
    return {"name": name, "state": state, "restartCount": restarts, "lastState": last or {}}


def test_ready_pods_are_left_out():
    assert pod_containers([pod("web-1", True, containers=[status("web", {"running": {}})])]) == []


def test_stuck_init_container_is_the_one_with_logs():
    stuck = pod(
        "backend-7f", False,
        init=[status("wait-for-db", {"running": {"startedAt": "2026-12-01T00:00:00Z"}})],
        containers=[status("backend", {"waiting": {"reason": "PodInitializing"}})],
    )  # fmt: skip
    entries = pod_containers([stuck])
    assert [(e["container"], e["init"], e["state"], e["has_logs"]) for e in entries] == [
        ("wait-for-db", True, "running", True),
        ("backend", False, "waiting", False),
    ]
    assert entries[1]["summary"] == "backend-7f: container backend waiting: PodInitializing"


def test_crash_loop_keeps_the_previous_runs_logs_and_says_the_exit_code():
    crashing = pod(
        "api-1", False,
        containers=[status("api", {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 20s"}}, restarts=3,
                           last={"terminated": {"exitCode": 1, "reason": "Error"}})],
    )  # fmt: skip
    (entry,) = pod_containers([crashing])
    assert entry["has_logs"] and entry["restarts"] == 3
    assert entry["summary"] == "api-1: container api waiting: CrashLoopBackOff (back-off 20s)"


def test_terminated_container_reports_its_exit_code():
    done = pod("job-1", False, containers=[status("job", {"terminated": {"exitCode": 2, "reason": "Error"}})])
    assert pod_containers([done])[0]["reason"] == "Error, exit code 2"


def test_image_pull_failure_has_no_logs():
    pulling = pod(
        "fe-1",
        False,
        containers=[
            status("fe", {"waiting": {"reason": "ErrImageNeverPull", "message": 'image "fe:1" is not present'}})
        ],
    )
    (entry,) = pod_containers([pulling])
    assert not entry["has_logs"] and entry["reason"] == "ErrImageNeverPull"


def test_unscheduled_pod_says_why():
    pending = pod(
        "db-0",
        False,
        conditions=[
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes are available"}
        ],
    )
    (entry,) = pod_containers([pending])
    assert entry["container"] is None and entry["summary"] == "db-0: Pending: 0/1 nodes are available"


def test_rejects_what_is_not_a_list():
    with pytest.raises(AnsibleFilterError):
        pod_containers({"items": []})
