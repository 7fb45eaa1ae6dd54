# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter listing the containers of pods that are not ready, with what each waits on."""

from __future__ import annotations

DOCUMENTATION = r"""
name: pod_containers
short_description: The containers of pods that are not ready, and what each one is doing
version_added: 0.1.0
description:
  - "Takes Pod objects (the C(resources) of C(kubernetes.core.k8s_info)) and returns one entry per
    container, init containers first, of each pod whose C(Ready) condition is not C(True)."
  - "Each entry says the container's state (C(waiting), C(running), C(terminated)), its reason and
    message (for example C(waiting: PodInitializing) or C(terminated: Error, exit code 1)), and whether
    it has logs to read: a container that never started has none, and asking the API for them fails."
options:
  _input:
    description: Pod objects as the Kubernetes API returns them.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the logs of the containers that started, in pods that are not ready
  kubernetes.core.k8s_log:
    name: "{{ item.pod }}"
    container: "{{ item.container }}"
    namespace: app
    tail_lines: 30
  loop: "{{ pods.resources | localdev.kube.pod_containers | selectattr('has_logs') }}"
"""

RETURN = r"""
_value:
  description: "One mapping per container: C(pod), C(container), C(init) (bool), C(state), C(reason),
    C(message), C(restarts), C(has_logs) (bool) and C(summary), a one-line description."
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def _ready(pod):
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _describe(status):
    """(state, reason, message, has_logs) of one containerStatuses entry."""
    current = status.get("state") or {}
    previous = (status.get("lastState") or {}).get("terminated")
    for state in ("terminated", "running", "waiting"):
        if state in current:
            detail = current[state] or {}
            break
    else:
        return "unknown", "", "", False
    reason = detail.get("reason") or ""
    message = (detail.get("message") or "").strip()
    if state == "terminated":
        reason = f"{reason or 'Terminated'}, exit code {detail.get('exitCode')}"
    # A container waiting to start has logs only when an earlier run of it left some.
    has_logs = state != "waiting" or previous is not None
    return state, reason, message, has_logs


def pod_containers(pods):
    if not isinstance(pods, list):
        raise AnsibleFilterError(f"pod_containers expects a list of Pod objects, got {type(pods).__name__}")
    entries = []
    for pod in pods:
        if not isinstance(pod, dict) or _ready(pod):
            continue
        name = (pod.get("metadata") or {}).get("name", "?")
        status = pod.get("status") or {}
        groups = (("initContainerStatuses", True), ("containerStatuses", False))
        for key, init in groups:
            for container in status.get(key) or []:
                state, reason, message, has_logs = _describe(container)
                kind = "init container" if init else "container"
                summary = f"{name}: {kind} {container.get('name')} {state}" + (f": {reason}" if reason else "")
                if message:
                    summary += f" ({message})"
                entries.append(
                    {
                        "pod": name,
                        "container": container.get("name"),
                        "init": init,
                        "state": state,
                        "reason": reason,
                        "message": message,
                        "restarts": container.get("restartCount", 0),
                        "has_logs": has_logs,
                        "summary": summary,
                    }
                )
        if not status.get("containerStatuses") and not status.get("initContainerStatuses"):
            reason = next(
                (
                    c.get("message") or c.get("reason")
                    for c in status.get("conditions") or []
                    if c.get("status") != "True" and (c.get("message") or c.get("reason"))
                ),
                "",
            )
            entries.append(
                {
                    "pod": name,
                    "container": None,
                    "init": False,
                    "state": status.get("phase", "Pending"),
                    "reason": reason,
                    "message": "",
                    "restarts": 0,
                    "has_logs": False,
                    "summary": f"{name}: {status.get('phase', 'Pending')}" + (f": {reason}" if reason else ""),
                }
            )
    return entries


class FilterModule:
    def filters(self):
        return {"pod_containers": pod_containers}
