# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter telling whether a live Secret already holds the given data and labels."""

from __future__ import annotations

DOCUMENTATION = r"""
name: secret_in_place
short_description: Whether a live Secret already holds the given keys, values and labels
version_added: 0.1.0
description:
  - "Takes a Secret as the Kubernetes API returns it (an item of the C(resources) of
    M(kubernetes.core.k8s_info)), or nothing when there is none, and tells whether applying
    O(data) as C(stringData) with O(labels) would leave it as it is: every key of O(data) present with
    that value (after base64 decoding), every label of O(labels) set to that value, and the type C(Opaque).
    Keys and labels the Secret has besides are not looked at, as an apply keeps them."
  - "Lets a caller skip the apply, and its module run, when nothing would change. No value ever
    appears in an error message."
options:
  _input:
    description: The live Secret (a dict with C(data), C(metadata.labels), C(type)); empty or none when absent.
    type: dict
    required: true
  data:
    description: The keys and values the Secret should hold, as text.
    type: dict
    required: true
  labels:
    description: The labels the Secret should carry.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Apply the Secret only when it does not hold the data yet
  kubernetes.core.k8s:
    definition: "{{ secret_definition }}"
  when: not (current.resources | first | default({})) | localdev.kube.secret_in_place(desired, labels=secret_labels)
  no_log: true
"""

RETURN = r"""
_value:
  description: True when applying the data and labels would change nothing.
  type: bool
"""

import base64
import binascii

from ansible.errors import AnsibleFilterError


def _decoded(value):
    """The text a base64 value of the API holds, or None when it is not base64 of UTF-8 text."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def secret_in_place(secret, data, labels=None):
    if not isinstance(data, dict) or not isinstance(labels or {}, dict):
        raise AnsibleFilterError("secret_in_place: data and labels must be mappings of text")
    if not secret:
        return False
    if not isinstance(secret, dict):
        raise AnsibleFilterError(f"secret_in_place: expected a Secret object, got {type(secret).__name__}")
    if secret.get("type", "Opaque") != "Opaque":
        return False
    live = secret.get("data") or {}
    live_labels = (secret.get("metadata") or {}).get("labels") or {}
    return all(key in live and _decoded(live[key]) == str(value) for key, value in data.items()) and all(
        live_labels.get(key) == str(value) for key, value in (labels or {}).items()
    )


class FilterModule:
    def filters(self):
        return {"secret_in_place": secret_in_place}
