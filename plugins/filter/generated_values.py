# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter placing generated values at their dotted paths in a chart's values."""

from __future__ import annotations

DOCUMENTATION = r"""
name: generated_values
short_description: Place generated values at their dotted paths in chart values
version_added: 0.1.0
description:
  - "Turns a list of dotted chart values paths into nested chart values, each path holding its value
    from O(generated) (a mapping keyed by the path itself, as the helm_release role keeps generated values
    in its Secret)."
  - "A path O(generated) does not hold gets O(placeholder) when one is given, else it is an error."
options:
  _input:
    description: Dotted chart values paths, e.g. C(postgresql.auth.password).
    type: list
    elements: str
    required: true
  generated:
    description: The generated values, keyed by path.
    type: dict
    required: true
  placeholder:
    description: "The value of a path O(generated) lacks (for checking the values' shape before the values
      exist)."
    type: str
"""

EXAMPLES = r"""
- name: Chart values with a kept random password
  ansible.builtin.debug:
    msg: "{{ ['postgresql.auth.password'] | localdev.kube.generated_values({'postgresql.auth.password': 's3cr3t'}) }}"
  # -> {"postgresql": {"auth": {"password": "s3cr3t"}}}
"""

RETURN = r"""
_value:
  description: Nested chart values holding each path's value.
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.module_utils.values_paths import is_values_path, place


def generated_values(paths, generated, placeholder=None):
    if not isinstance(paths, (list, tuple)) or not isinstance(generated, Mapping):
        raise AnsibleFilterError("generated_values expects a list of paths and a mapping of their values")
    values = {}
    for path in paths:
        if not is_values_path(path):
            raise AnsibleFilterError(f"generated_values: {path!r} is not a dotted values path")
        if path not in generated and placeholder is None:
            raise AnsibleFilterError(f"generated_values: no value was generated for {path}")
        place(values, path, generated.get(path, placeholder))
    return values


class FilterModule:
    def filters(self):
        return {"generated_values": generated_values}
