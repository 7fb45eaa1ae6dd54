# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter dropping the messages that repeat a refused setting under the name of an input made from it."""

from __future__ import annotations

DOCUMENTATION = r"""
name: problems_not_from
short_description: The input messages whose variable is not made from a setting already refused
version_added: 0.1.0
description:
  - "A playbook that wires its own settings into roles' inputs (an inventory's C(app_namespace) into
    C(helm_release_namespace)) checks both: a wrong setting is then refused twice, once under each name.
    This filter keeps a message of localdev.kube.input_problems only when its variable is not made from a
    setting that O(refused) already names."
options:
  _input:
    description: Messages of localdev.kube.input_problems (each starts with its variable).
    type: list
    elements: str
    required: true
  sources:
    description: "Which setting each input is made from, for example C({helm_release_namespace: app_namespace})."
    type: dict
    required: true
  refused:
    description: Messages already reported, whose variables count as refused.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Keep what a role refused, less what repeats an app setting
  ansible.builtin.set_fact:
    refused: "{{ refused + (role_messages | localdev.kube.problems_not_from(sources, refused)) }}"
"""

RETURN = r"""
_value:
  description: The messages of O(_input) that are not made from a refused setting, in their order.
  type: list
  elements: str
"""

from ansible_collections.localdev.kube.plugins.module_utils.input_rules import problem_var


def problems_not_from(messages, sources, refused):
    refused_vars = {problem_var(m) for m in refused}
    return [m for m in messages if sources.get(problem_var(m)) not in refused_vars]


class FilterModule:
    def filters(self):
        return {"problems_not_from": problems_not_from}
