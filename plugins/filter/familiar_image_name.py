# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter naming an image reference the way the Docker daemon lists it."""

from __future__ import annotations

DOCUMENTATION = r"""
name: familiar_image_name
short_description: An image reference by the name the Docker daemon lists it under
version_added: 0.1.0
description:
  - "Returns the reference as C(docker images) shows it, by Docker's own rules: Docker Hub's registry
    (C(docker.io), C(index.docker.io)) is left out, and so is C(library/) before a one-part name; a name
    without a tag or a digest gets C(:latest). C(docker.io/library/python), C(library/python) and C(python)
    are all C(python:latest); C(docker.io/library/org/app:1) is C(library/org/app:1); another registry
    (a first part with a dot or a colon, C(localhost), or an upper-case letter) is kept."
  - The same rules name the images M(localdev.kube.minikube_info) lists in a cluster, so the two compare.
options:
  _input:
    description: An image reference, C(NAME[:TAG]) (a digest is kept as it is).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The images to load, by the names the host's daemon lists
  ansible.builtin.set_fact:
    refs: "{{ ['docker.io/library/python:3.11', 'team/app'] | map('localdev.kube.familiar_image_name') | list }}"
    # ['python:3.11', 'team/app:latest']
"""

RETURN = r"""
_value:
  description: The reference by its familiar name, tag included.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.module_utils.minikube import familiar_image_name as _familiar


def familiar_image_name(ref):
    if not isinstance(ref, str) or not ref.strip():
        raise AnsibleFilterError(f"familiar_image_name: an image reference must be a non-empty string, got {ref!r}")
    return _familiar(ref.strip())


class FilterModule:
    def filters(self):
        return {"familiar_image_name": familiar_image_name}
