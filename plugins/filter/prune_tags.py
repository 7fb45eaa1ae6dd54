# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter choosing the content tags the images role may remove."""

from __future__ import annotations

DOCUMENTATION = r"""
name: prune_tags
short_description: The images role's old content tags beyond the newest few per repository
version_added: 0.1.0
description:
  - "Takes the daemon's images (the C(images) of C(community.docker.docker_host_info) with
    C(verbose_output)) and returns, for each repository of O(images), the tags that look like the role's
    content tags (O(tag_length) hex digits) other than the one just built, beyond the newest
    O(keep) minus one (the one just built counts as kept), oldest last. Each entry has C(ref), C(created)
    and C(id), so a caller can skip the images a container still uses."
  - "With O(keep=0), every tag of those repositories the role makes: all content tags, the one in
    O(built) too, and C(latest) (removal of what the role built)."
options:
  _input:
    description: The daemon's images, each with C(RepoTags), C(Created) and C(Id).
    type: list
    elements: dict
    required: true
  images:
    description: The role's images, each with C(name) and C(repository).
    type: list
    elements: dict
    required: true
  built:
    description: The image name to the reference just built (the role's C(images_built)).
    type: dict
    required: true
  keep:
    description: How many content tags to keep per repository, the one just built included; V(0) keeps none.
    type: int
    required: true
  tag_length:
    description: The number of hex digits in a content tag.
    type: int
    default: 12
"""

EXAMPLES = r"""
- name: Pick the tags beyond the newest 3 per repository
  ansible.builtin.set_fact:
    old_tags: "{{ host_info.images | localdev.kube.prune_tags(images_list, images_built, keep=3) }}"
"""

RETURN = r"""
_value:
  description: The tags to remove, each C({ref, created, id}).
  type: list
  elements: dict
"""

import re

from ansible.errors import AnsibleFilterError


def _age(tag):
    """Docker's API gives Created as Unix seconds; other sources as an ISO string."""
    created = tag["created"]
    return (1, created, "") if isinstance(created, (int, float)) else (0, 0, str(created or ""))


def _ours(tag, content_tag, keep):
    """A tag the role makes: a content tag, or latest when everything goes."""
    return bool(content_tag.match(tag)) or (keep == 0 and tag == "latest")


def prune_tags(daemon_images, images, built, keep, tag_length=12):
    keep = int(keep)
    if keep < 0:
        raise AnsibleFilterError(f"prune_tags: keep must be 0 (remove all) or more, not {keep}")
    if not isinstance(daemon_images, list) or not isinstance(images, list) or not isinstance(built, dict):
        raise AnsibleFilterError(
            "prune_tags expects the daemon's images (a list), the role's images (a list) and built (a dict)"
        )
    content_tag = re.compile(rf"^[0-9a-f]{{{int(tag_length)}}}$")
    prune = []
    for image in images:
        prefix = image["repository"] + ":"
        tags = [
            {"ref": ref, "created": found.get("Created"), "id": found.get("Id")}
            for found in daemon_images
            for ref in found.get("RepoTags") or []
            if ref.startswith(prefix)
            and _ours(ref[len(prefix) :], content_tag, keep)
            and (keep == 0 or ref != built.get(image["name"]))
        ]
        tags.sort(key=_age, reverse=True)
        prune.extend(tags[max(keep - 1, 0) :])
    return prune


class FilterModule:
    def filters(self):
        return {"prune_tags": prune_tags}
