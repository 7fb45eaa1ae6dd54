# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn a list of input checks into one message per wrong setting."""

from __future__ import annotations

DOCUMENTATION = r"""
name: input_problems
short_description: One message per wrong setting, naming the variable, the value, the rule and the fix
version_added: 0.3.0
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
from ansible_collections.localdev.kube.plugins.module_utils.input_rules import likely_typos, problem_var


def input_problems(checks):
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, Mapping) and "var" in c for c in checks):
        raise AnsibleFilterError("input_problems takes a list of checks, each a mapping with 'var'")
    try:
        return _input_problems(checks)
    except ValueError as err:
        raise AnsibleFilterError(str(err)) from err


def problems_not_from(messages, sources, refused):
    """The messages whose variable is not made from a setting already refused.

    sources maps a variable (e.g. helm_release_namespace) to the setting it is made
    from (todo_namespace); refused lists messages of refused settings. A message of
    a variable made from a refused setting repeats that refusal under another name.
    """
    refused_vars = {problem_var(m) for m in refused}
    return [m for m in messages if sources.get(problem_var(m)) not in refused_vars]


def setting_typos(names, specs, known=()):
    """Messages for names one edit away from a known setting and not known themselves.

    The known settings are every option of every entry point of the argument
    specs given (each a role's meta/argument_specs.yml), and `known`.
    """
    settings = {str(k) for k in known}
    for spec in specs:
        for entry in (spec or {}).get("argument_specs", {}).values():
            settings.update((entry or {}).get("options") or {})
    return [
        f"{name} is not a setting of any stage: did you mean {intended}? (the run goes on without it)"
        for name, intended in likely_typos([str(n) for n in names], settings)
    ]


class FilterModule:
    def filters(self):
        return {
            "input_problems": input_problems,
            "problems_not_from": problems_not_from,
            "setting_typos": setting_typos,
        }
