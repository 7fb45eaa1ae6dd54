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
    description:
      - The build context directory.
      - One of O(path) and O(contexts) is required.
    type: path
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
  contexts:
    description:
      - Several build contexts at once, each with the options above (O(contexts[].path) required), hashed in
        one module run; the result is then RV(contexts), in the same order.
      - Mutually exclusive with O(path).
    type: list
    elements: dict
    suboptions:
      path:
        description: As O(path).
        type: path
        required: true
        aliases: [context]
      dockerfile:
        description: As O(dockerfile).
        type: str
        default: Dockerfile
      build_args:
        description: As O(build_args).
        type: dict
        default: {}
      target:
        description: As O(target).
        type: str
      extra:
        description: As O(extra).
        type: raw
  length:
    description: Number of hex digits in RV(tag).
    type: int
    default: 12
notes:
  - Fails, naming the file, when C(.dockerignore) is not UTF-8 text or a file in the context cannot
    be read (C(docker_image) could not send it either). With O(contexts), every context that cannot be
    hashed is named in one failure (RV(errors)).
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
- name: Compute the tags of two images in one module run
  localdev.kube.docker_context_hash:
    contexts:
      - path: "{{ playbook_dir }}/apps/backend"
      - path: "{{ playbook_dir }}/apps/frontend"
        target: runtime
  register: hashes
  # hashes.contexts[0].tag, hashes.contexts[1].tag

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
contexts:
  description: With O(contexts), one result per context in the same order, each with the keys below.
  returned: success, with O(contexts)
  type: list
  elements: dict
  sample: [{"tag": "3f9c2a1b7d0e", "digest": "3f9c...", "files": 42, "size": 183211}]
errors:
  description: With O(contexts), each context that could not be hashed, by its index, with the reason.
  returned: failure, with O(contexts)
  type: list
  elements: dict
  sample: [{"index": 1, "path": "/src/apps/frontend", "msg": "cannot read /src/apps/frontend/x: Permission denied"}]
tag:
  description:
    - The first O(length) hex digits of RV(digest), usable as an image tag.
    - In the rare case that prefix is all digits or digits around one C(e) (which YAML, and so Helm values,
      would read as a number), the first later window of RV(digest) that is not.
  returned: success, with O(path) (and in each of RV(contexts))
  type: str
  sample: 3f9c2a1b7d0e
digest:
  description: SHA-256 (hex) over the context entries, the Dockerfile, the build arguments, the target and O(extra).
  returned: success, with O(path) (and in each of RV(contexts))
  type: str
  sample: 3f9c2a1b7d0e5c4b0a5f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080
files:
  description: Number of context entries hashed (files, directories, links).
  returned: success, with O(path) (and in each of RV(contexts))
  type: int
  sample: 42
size:
  description: Total size in bytes of the regular files hashed.
  returned: success, with O(path) (and in each of RV(contexts))
  type: int
  sample: 183211
dockerfile:
  description: Absolute path of the Dockerfile that was hashed.
  returned: success, with O(path) (and in each of RV(contexts))
  type: str
  sample: /src/apps/backend/Dockerfile
dockerfile_in_context:
  description: Whether the Dockerfile lies inside the context.
  returned: success, with O(path) (and in each of RV(contexts))
  type: bool
  sample: true
patterns:
  description: The C(.dockerignore) patterns as C(docker_image) reads them (trimmed, blank lines and comments dropped).
  returned: success, with O(path) (and in each of RV(contexts))
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


def _hashed(context, length):
    result = context_digest(
        context["path"],
        dockerfile=context["dockerfile"],
        build_args=context["build_args"],
        target=context["target"],
        extra=context["extra"],
    )
    return {
        "tag": short_tag(result["digest"], length),
        "digest": result["digest"],
        "files": len(result["entries"]),
        "size": result["size"],
        "dockerfile": result["dockerfile"],
        "dockerfile_in_context": result["dockerfile_in_context"],
        "patterns": result["patterns"],
    }


def main():
    context_options = {
        "dockerfile": {"type": "str", "default": "Dockerfile"},
        "build_args": {"type": "dict", "default": {}},
        "target": {"type": "str"},
        "extra": {"type": "raw"},
    }
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path"},
            **context_options,
            "contexts": {
                "type": "list",
                "elements": "dict",
                "options": {"path": {"type": "path", "required": True, "aliases": ["context"]}, **context_options},
            },
            "length": {"type": "int", "default": 12},
        },
        mutually_exclusive=[("path", "contexts")],
        required_one_of=[("path", "contexts")],
        supports_check_mode=True,
    )
    params = module.params
    if not 8 <= params["length"] <= 64:
        module.fail_json(msg=f"length must be between 8 and 64 hex digits, got {params['length']}")
    contexts = params["contexts"] if params["contexts"] is not None else [params]
    for context in contexts:
        if not context["dockerfile"]:
            module.fail_json(msg="dockerfile must be a non-empty path (relative to path, or absolute)")
    results, errors = [], []
    for index, context in enumerate(contexts):
        try:
            results.append(_hashed(context, params["length"]))
        except DockerContextError as err:
            errors.append({"index": index, "path": context["path"], "msg": str(err)})
    if params["contexts"] is None:
        if errors:
            module.fail_json(msg=errors[0]["msg"], path=params["path"])
        module.exit_json(changed=False, **results[0])
    if errors:
        module.fail_json(msg="; ".join(f"{e['path']}: {e['msg']}" for e in errors), errors=errors)
    module.exit_json(changed=False, contexts=results)


if __name__ == "__main__":
    main()
