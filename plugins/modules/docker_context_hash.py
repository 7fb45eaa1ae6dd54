#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docker_context_hash
short_description: Compute a content-addressed image tag from a Docker build context
version_added: "0.1.0"
description:
  - Lists the files of a Docker build context that C(community.docker.docker_image) sends (its
    C(.dockerignore) handling, found by community.docker's own code) and hashes them, the Dockerfile,
    the build arguments and the target stage into a digest and a short tag.
  - The same inputs always give the same tag, and any change that reaches the build gives a new one,
    so an image tagged with it never goes stale under the C(IfNotPresent) pull policy.
  - Hashed per entry are the path relative to the context, the entry type, the permission bits, and
    the content (regular files) or target (symbolic links). Timestamps and owners are not hashed.
  - C(.dockerignore) is read as C(docker_image) reads it (lines trimmed, blank lines and lines starting
    with C(#) dropped) and matched by community.docker's own walk (the Docker SDK for Python's rules),
    so the tag covers exactly the files the build receives. The Docker CLI reads a few patterns
    differently (a C(#) after leading spaces, case, some bracket expressions, patterns it refuses);
    an image built with this tag is built by C(docker_image), so those differences do not matter.
  - Only the context's own C(.dockerignore) is read (the classic builder and C(docker_image) ignore
    C(<Dockerfile>.dockerignore) files, which only BuildKit reads).
  - Read-only. It runs in check mode and never reports a change.
author:
  - localdev.kube maintainers (!UNKNOWN)
options:
  path:
    description: The build context directory.
    type: path
    required: true
  dockerfile:
    description:
      - The Dockerfile, relative to O(path) or absolute. It may lie outside the context.
    type: str
    default: Dockerfile
  build_args:
    description:
      - Build arguments (C(--build-arg)). Values are compared as text, like C(docker_image) sends them.
    type: dict
    default: {}
  target:
    description: The build stage (C(--target)), if any.
    type: str
  extra:
    description:
      - Anything else that should change the tag when it changes (for example build labels or a
        platform). Hashed as canonical JSON.
    type: raw
  length:
    description: Number of hex digits in RV(tag).
    type: int
    default: 12
notes:
  - Fails, naming the file, when C(.dockerignore) is not UTF-8 text or a file in the context cannot
    be read (C(docker_image) could not send it either).
attributes:
  check_mode:
    support: full
    description: Read-only; computes the same tag in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
seealso:
  - module: community.docker.docker_image
  - name: .dockerignore file reference
    description: Docker's documentation of the pattern syntax.
    link: https://docs.docker.com/build/concepts/context/#dockerignore-files
"""

EXAMPLES = r"""
- name: Compute the backend's tag
  localdev.kube.docker_context_hash:
    path: "{{ playbook_dir }}/apps/backend"
    build_args:
      PYTHON_VERSION: "3.11"
  register: backend_hash

- name: Build it under that tag (no build when the daemon already holds it)
  community.docker.docker_image:
    name: todo-backend
    tag: "{{ backend_hash.tag }}"
    source: build
    build:
      path: "{{ playbook_dir }}/apps/backend"
      args:
        PYTHON_VERSION: "3.11"
"""

RETURN = r"""
tag:
  description:
    - The first O(length) hex digits of RV(digest), usable as an image tag.
    - In the rare case that prefix is all digits or digits around one C(e) (which YAML, and so Helm values,
      would read as a number), the first later window of RV(digest) that is not.
  returned: success
  type: str
  sample: 3f9c2a1b7d0e
digest:
  description: SHA-256 (hex) over the context entries, the Dockerfile, the build arguments, the target and O(extra).
  returned: success
  type: str
  sample: 3f9c2a1b7d0e5c4b0a5f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080
files:
  description: Number of context entries hashed (files, directories, links).
  returned: success
  type: int
  sample: 42
size:
  description: Total size in bytes of the regular files hashed.
  returned: success
  type: int
  sample: 183211
dockerfile:
  description: Absolute path of the Dockerfile that was hashed.
  returned: success
  type: str
  sample: /src/apps/backend/Dockerfile
dockerfile_in_context:
  description: Whether the Dockerfile lies inside the context.
  returned: success
  type: bool
  sample: true
patterns:
  description: The C(.dockerignore) patterns as C(docker_image) reads them (trimmed, blank lines and comments dropped).
  returned: success
  type: list
  elements: str
  sample: ["node_modules", "**/*.pyc", "!keep.pyc"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils.docker_context import (
    DockerContextError,
    context_digest,
    short_tag,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "dockerfile": {"type": "str", "default": "Dockerfile"},
            "build_args": {"type": "dict", "default": {}},
            "target": {"type": "str"},
            "extra": {"type": "raw"},
            "length": {"type": "int", "default": 12},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not 8 <= params["length"] <= 64:
        module.fail_json(msg=f"length must be between 8 and 64 hex digits, got {params['length']}")
    if not params["dockerfile"]:
        module.fail_json(msg="dockerfile must be a non-empty path (relative to path, or absolute)")
    try:
        result = context_digest(
            params["path"],
            dockerfile=params["dockerfile"],
            build_args=params["build_args"],
            target=params["target"],
            extra=params["extra"],
        )
    except DockerContextError as err:
        module.fail_json(msg=str(err), path=params["path"])
    module.exit_json(
        changed=False,
        tag=short_tag(result["digest"], params["length"]),
        digest=result["digest"],
        files=len(result["entries"]),
        size=result["size"],
        dockerfile=result["dockerfile"],
        dockerfile_in_context=result["dockerfile_in_context"],
        patterns=result["patterns"],
    )


if __name__ == "__main__":
    main()
