# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter finding what is wrong with the toolchain role's pins, before anything is downloaded."""

from __future__ import annotations

DOCUMENTATION = r"""
name: toolchain_pin_errors
short_description: What is wrong with the toolchain role's versions, base URLs and pinned checksums
version_added: 0.1.0
description:
  - "Takes the toolchain role's pinned tools (each C({name, version, minimum_version, base_url}), from the
    C(toolchain_<tool>_version), C(toolchain_<tool>_min_version) and C(toolchain_<tool>_base_url) variables)
    and its O(checksums) (C(toolchain_checksums)), and returns one entry per problem, naming the variable:"
  - "The pinned and the minimum version are release tags (C(v) followed by a semantic version, no build
    metadata) and the pinned one is not older than the minimum, by Semantic Versioning precedence."
  - The base URL is an C(http://), C(https://) or C(file://) URL without spaces.
  - "Each key of O(checksums) is one of the tools and maps C(<os>-<arch>) to a SHA-256 digest (64 hex digits,
    optionally written C(sha256:<digest>))."
  - An empty list means every pin is good.
options:
  _input:
    description: The pinned tools, each with C(name), C(version), C(minimum_version) and C(base_url).
    type: list
    elements: dict
    required: true
  checksums:
    description: Pinned SHA-256 digests by tool and C(<os>-<arch>) (the role's C(toolchain_checksums)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Stop on a bad pin, naming the variable
  ansible.builtin.fail:
    msg: "{{ item.msg }}"
  loop: "{{ pinned_tools | localdev.kube.toolchain_pin_errors(toolchain_checksums) }}"
  loop_control:
    label: "{{ item.var }}"
"""

RETURN = r"""
_value:
  description:
    - One C({var, msg}) per problem, in the order of the tools (versions, then base URL), then the checksums.
    - C(var) is the variable to fix, like C(toolchain_kubectl_version) or C(toolchain_checksums.helm).
  type: list
  elements: dict
"""

import json
import re

from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.module_utils.toolchain import compare_versions, is_sha256

# A release tag as the official release locations name them: v + SemVer 2.0.0, no build metadata.
_RELEASE_TAG = re.compile(r"v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")
_BASE_URL = re.compile(r"(https?|file)://\S+")


def _is_release_tag(value):
    return isinstance(value, str) and _RELEASE_TAG.fullmatch(value) is not None


def _in_words(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _version_error(tool):
    name, pinned, minimum = tool["name"], tool.get("version"), tool.get("minimum_version")
    if _is_release_tag(pinned) and _is_release_tag(minimum) and compare_versions(pinned, minimum) >= 0:
        return None
    return {
        "var": "toolchain_%s_version" % name,
        "msg": "toolchain_%s_version (%s) and toolchain_%s_min_version (%s) must be release tags like v1.2.3, and"
        " the pinned version must not be older than the minimum. Fix them in your inventory."
        % (name, pinned, name, minimum),
    }


def _base_url_error(tool):
    name, url = tool["name"], tool.get("base_url")
    if isinstance(url, str) and _BASE_URL.fullmatch(url):
        return None
    return {
        "var": "toolchain_%s_base_url" % name,
        "msg": "toolchain_%s_base_url must be an http(s):// or file:// URL without spaces, got %s."
        % (name, json.dumps(str(url))),
    }


def _checksums_good(digests):
    return isinstance(digests, dict) and all(
        isinstance(digest, str) and digest == digest.strip() and is_sha256(digest) for digest in digests.values()
    )


def toolchain_pin_errors(tools, checksums=None):
    if not isinstance(tools, list) or not all(isinstance(tool, dict) and "name" in tool for tool in tools):
        raise AnsibleFilterError("toolchain_pin_errors expects a list of tools, each a dict with a name")
    checksums = {} if checksums is None else checksums
    if not isinstance(checksums, dict):
        raise AnsibleFilterError("toolchain_pin_errors expects checksums as a dict, not %s" % type(checksums).__name__)
    names = [tool["name"] for tool in tools]
    errors = [error for tool in tools for error in (_version_error(tool), _base_url_error(tool)) if error]
    for key, digests in checksums.items():
        if key not in names or not _checksums_good(digests):
            errors.append(
                {
                    "var": "toolchain_checksums.%s" % key,
                    "msg": 'toolchain_checksums.%s must map "<os>-<arch>" (like linux-amd64) to a SHA-256 digest'
                    " (64 hex digits, optionally written sha256:<digest>), and only %s have checksums."
                    % (key, _in_words(names)),
                }
            )
    return errors


class FilterModule:
    def filters(self):
        return {"toolchain_pin_errors": toolchain_pin_errors}
