# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter turning Kubernetes Events into one line each, newest last."""

from __future__ import annotations

DOCUMENTATION = r"""
name: event_lines
short_description: Kubernetes Events as one line each, oldest first, the last few only
version_added: 0.1.0
description:
  - "Takes Event objects (the C(resources) of C(kubernetes.core.k8s_info) with C(kind: Event)) and returns
    C(<object>: <reason>: <message>) for each, ordered by when it last happened, keeping the newest O(last)."
options:
  _input:
    description: Event objects as the Kubernetes API returns them.
    type: list
    elements: dict
    required: true
  last:
    description: How many of the newest events to keep.
    type: int
    default: 20
"""

EXAMPLES = r"""
- name: Show the namespace's warning events
  ansible.builtin.debug:
    msg: "{{ events.resources | localdev.kube.event_lines(last=10) }}"
"""

RETURN = r"""
_value:
  description: "One line per event, for example C(todo-backend-5d9c7: BackOff: Back-off restarting failed container)."
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError


def _when(event):
    # Series events keep their first timestamp and update lastTimestamp/eventTime.
    return (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def event_lines(events, last=20):
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise AnsibleFilterError("event_lines expects a list of Event objects (k8s_info's resources)")
    lines = []
    for event in sorted(events, key=_when)[-int(last) :] if last else []:
        name = (event.get("involvedObject") or event.get("regarding") or {}).get("name", "?")
        lines.append(f"{name}: {event.get('reason') or ''}: {(event.get('message') or '').strip()}")
    return lines


class FilterModule:
    def filters(self):
        return {"event_lines": event_lines}
