# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter naming the variables that are probably typos of a known setting."""

from __future__ import annotations

DOCUMENTATION = r"""
name: setting_typos
short_description: A warning for each variable one edit away from a known setting
version_added: 0.1.0
description:
  - "Of the variable names given, those that are not a known setting but one edit (an insertion, a deletion,
    a substitution or a swap of neighbours) away from one: C(minikube_cpu) for C(minikube_cpus). Names that
    start with C(_) are internal and skipped."
  - "The known settings are every option of every entry point of the roles' argument specs given, and
    O(known)."
options:
  _input:
    description: Variable names, for example C(hostvars[inventory_hostname].keys()).
    type: list
    elements: str
    required: true
  specs:
    description: Roles' C(meta/argument_specs.yml) documents, parsed.
    type: list
    elements: dict
    required: true
  known:
    description: Other known settings (an inventory's own).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Warn about likely typos
  ansible.builtin.debug:
    msg: "{{ hostvars[inventory_hostname].keys() | localdev.kube.setting_typos(specs, ['app_hostname']) }}"
  vars:
    specs: "{{ [lookup('ansible.builtin.file', 'roles/minikube/meta/argument_specs.yml') | from_yaml] }}"
"""

RETURN = r"""
_value:
  description: One message per likely typo, naming the intended setting.
  type: list
  elements: str
"""

from ansible_collections.localdev.kube.plugins.module_utils.input_rules import likely_typos


def setting_typos(names, specs, known=()):
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
        return {"setting_typos": setting_typos}
