# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter hiding sensitive values wherever they appear in data, as no_log options are hidden."""

from __future__ import annotations

DOCUMENTATION = r"""
name: masked
short_description: Hide every value of a sensitive structure wherever it appears in data
version_added: 0.1.0
description:
  - "Returns O(_input) with every text leaf of O(sensitive) hidden, the way ansible-core hides the
    values of a module's C(no_log) options (its C(remove_values) helper): a string equal to one becomes
    C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER), a string containing one has it replaced by C(********), in
    mappings and lists at any depth."
  - "For what a task registered while C(no_log) kept it from the output, before it is shown or kept in
    a fact: a release's status, a command's error output."
options:
  _input:
    description: The data to show (a mapping, list or string).
    type: raw
    required: true
  sensitive:
    description: The sensitive values (for example chart values); their text leaves are what is hidden (numbers
      and booleans are not, as they would hide unrelated digits and words).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: The release's status without the sensitive values
  ansible.builtin.set_fact:
    release_status: "{{ helm_result.status | localdev.kube.masked(sensitive_values) }}"
"""

RETURN = r"""
_value:
  description: O(_input) with the sensitive values hidden.
  type: raw
"""

from ansible_collections.localdev.kube.plugins.module_utils.sensitive import masked


class FilterModule:
    def filters(self):
        return {"masked": masked}
