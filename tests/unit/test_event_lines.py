"""Unit tests of the event_lines filter (warning events in the helm_release diagnostics)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.event_lines import event_lines


def event(name, reason, message, last=None, created="2026-12-01T10:00:00Z"):
    e = {
        "metadata": {"creationTimestamp": created},
        "involvedObject": {"name": name},
        "reason": reason,
        "message": message,
    }
    if last:
        e["lastTimestamp"] = last
    return e


def test_lines_are_ordered_by_when_the_event_last_happened():
    events = [
        event("db-0", "FailedMount", "volume not ready ", last="2026-12-01T10:05:00Z"),
        event("web-1", "BackOff", "Back-off restarting failed container", last="2026-12-01T10:02:00Z"),
        event("web-2", "Unhealthy", "Readiness probe failed", created="2026-12-01T10:03:00Z"),
    ]
    assert event_lines(events) == [
        "web-1: BackOff: Back-off restarting failed container",
        "web-2: Unhealthy: Readiness probe failed",
        "db-0: FailedMount: volume not ready",
    ]


def test_only_the_newest_are_kept():
    events = [event(f"p{i}", "R", "m", last=f"2026-12-01T10:{i:02d}:00Z") for i in range(30)]
    assert [line.split(":")[0] for line in event_lines(events, last=3)] == ["p27", "p28", "p29"]
    assert event_lines(events, last=0) == []


def test_missing_fields_do_not_fail():
    assert event_lines([{"reason": "X"}]) == ["?: X: "]


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        event_lines({"resources": []})
