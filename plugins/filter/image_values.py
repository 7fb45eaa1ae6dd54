# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter turning image references into Helm chart values."""

from __future__ import annotations

DOCUMENTATION = r"""
name: image_values
short_description: Turn image references by component into chart values
version_added: 0.1.0
description:
  - "Maps each component name to C({image: {repository, tag}}) by default, the layout of the
    todo-app chart and of most charts with one subchart or section per component."
  - "O(layout) puts a component's image elsewhere: C(path) is the dotted values path of the image
    (default C(<component>.image)), C(form) V(split) gives C({repository, tag}) there, V(string) the
    reference C(repository:tag) as one string."
  - "The tag is what follows the last colon after the last slash, so a registry
    host with a port (C(localhost:5000/app:1.0)) is kept in the repository."
options:
  _input:
    description: "Mapping of component name to an image reference C(repository:tag)."
    type: dict
    required: true
  layout:
    description: "Per component, C({path, form}) (see above); components not listed use the default."
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Chart values for the images the images role built
  ansible.builtin.debug:
    msg: "{{ {'backend': 'todo-backend:3f9c2a1b7d0e'} | localdev.kube.image_values }}"
  # -> {"backend": {"image": {"repository": "todo-backend", "tag": "3f9c2a1b7d0e"}}}

- name: A chart with image.<component> sections and one with an image string
  ansible.builtin.debug:
    msg: >-
      {{ {'api': 'shop-api:3f9c2a1b7d0e', 'web': 'shop-web:9a8b7c6d5e4f'}
         | localdev.kube.image_values({'api': {'path': 'image.api'}, 'web': {'path': 'web.image', 'form': 'string'}}) }}
  # -> {"image": {"api": {"repository": "shop-api", "tag": "3f9c2a1b7d0e"}}, "web": {"image": "shop-web:9a8b7c6d5e4f"}}
"""

RETURN = r"""
_value:
  description: "Chart values with each image where O(layout) says (default C(<component>.image.{repository,tag}))."
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.module_utils.image_layout import (
    LAYOUT_RULE,
    default_path,
    layout_problems,
)
from ansible_collections.localdev.kube.plugins.module_utils.values_paths import place


def split_image_ref(ref):
    """Split 'repo[:port]/path:tag' into (repository, tag)."""
    if not isinstance(ref, str) or "@" in ref:
        raise AnsibleFilterError(
            f"image reference {ref!r} must be a string 'repository:tag' (digests are not supported)"
        )
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon <= slash or colon == len(ref) - 1 or colon == 0:
        raise AnsibleFilterError(f"image reference {ref!r} has no tag; expected 'repository:tag'")
    return ref[:colon], ref[colon + 1 :]


def image_values(images, layout=None):
    if not isinstance(images, dict):
        raise AnsibleFilterError(
            f"image_values expects a mapping of name to 'repository:tag', got {type(images).__name__}"
        )
    layout = layout or {}
    problems = layout_problems(layout)
    if problems:
        raise AnsibleFilterError(f"image_values: the layout must be {LAYOUT_RULE}: {problems[0][1]}")
    values = {}
    for name, ref in images.items():
        repository, tag = split_image_ref(ref)
        spec = layout.get(name, {})
        leaf = ref if spec.get("form") == "string" else {"repository": repository, "tag": tag}
        place(values, spec.get("path", default_path(name)), leaf)
    return values


class FilterModule:
    def filters(self):
        return {"image_values": image_values}
