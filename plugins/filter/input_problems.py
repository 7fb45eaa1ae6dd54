# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter that turns a list of input checks into one message per wrong setting."""

from __future__ import annotations

DOCUMENTATION = r"""
name: input_problems
short_description: One message per wrong setting, naming the variable, the value, the rule and the fix
version_added: 0.1.0
description:
  - "Takes a list of checks and returns the message of each one that fails, at most one per variable (the
    first failing check of a variable; later ones are skipped, since a list given as a string has no sound
    items to check)."
  - "Each message starts with the variable's name, then its value as JSON (never for a check marked
    C(secret)), the rule in words, what is wrong, and the fix."
  - "A check either names a rule in C(kind): C(dns_name), C(dns_label) (with C(max)), C(ip), C(int) (with
    C(min), C(max); digits given as text count, as C(-e) gives them), C(mapping), C(list) (both say how to
    give one with C(-e) when the value is a string), C(postgresql_url), C(one_token); or carries C(ok), a
    boolean the caller computed, with C(rule) in words."
  - "Some kinds check a structure or a path and give one message per failing part: C(build_context) (a
    directory holding its Dockerfile, relative to C(base)), C(image_list) (the images role's list, relative to
    C(base)), C(hosts_entries) (the hosts_file role's entries) and C(chart_values) (values against the
    C(values.schema.json) files of the local chart C(chart), as helm coalesces them)."
options:
  _input:
    description:
      - "The checks, each a mapping with C(var) (required), C(value), C(kind) or C(ok) and C(rule), and
        optionally C(fix), C(problem) (what is wrong, for an C(ok) check), C(secret) and C(label) (how a
        secret was given, for example C(from $OPENAI_API_KEY))."
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop on every wrong setting at once
  ansible.builtin.fail:
    msg: "{{ problems }}"
  vars:
    problems: >-
      {{ [
           {'var': 'app_hostname', 'value': app_hostname, 'kind': 'dns_name', 'fix': 'Use e.g. app.local.'},
           {'var': 'app_replicas', 'value': app_replicas, 'kind': 'int', 'min': 0, 'max': 20},
           {'var': 'app_disk', 'value': app_disk, 'ok': app_disk is match('^[0-9]+g$'), 'rule': 'a size such as 20g'},
         ] | localdev.kube.input_problems }}
  when: problems | length > 0
"""

RETURN = r"""
_value:
  description: One message per failing variable, in the order of the checks; empty when all hold.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.module_utils.input_rules import input_problems as _input_problems

JSONSCHEMA_MISSING = (
    "checking chart values needs the Python package jsonschema in the controller's Python: pip install jsonschema"
)


def input_problems(checks):
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, Mapping) and "var" in c for c in checks):
        raise AnsibleFilterError("input_problems takes a list of checks, each a mapping with 'var'")
    try:
        return _input_problems(checks)
    except ImportError:
        raise AnsibleFilterError(JSONSCHEMA_MISSING) from None
    except ValueError as err:
        raise AnsibleFilterError(str(err)) from err


class FilterModule:
    def filters(self):
        return {
            "input_problems": input_problems,
        }
