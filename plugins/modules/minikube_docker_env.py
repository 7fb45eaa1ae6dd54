#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: minikube_docker_env
short_description: Return the environment that points Docker clients at a minikube cluster's daemon
version_added: "0.1.0"
description:
  - Runs C(minikube -p PROFILE docker-env --shell none -o json) and returns, as data, what
    C(eval $(minikube docker-env)) would export, plus the matching connection options of the
    C(community.docker) modules.
  - Images built through this daemon are visible to the cluster at once, so no registry is
    needed and C(imagePullPolicy=IfNotPresent) works.
  - Read-only. It runs in check mode and never reports a change.
author:
  - localdev.kube maintainers (!UNKNOWN)
extends_documentation_fragment:
  - localdev.kube.minikube
notes:
  - Fails, saying how to fix it, when minikube is not installed, when the profile does not exist or
    is not running, and when the cluster's container runtime is not Docker (containerd or CRI-O clusters
    have no Docker daemon to build in; use C(minikube image build) or C(minikube image load) there).
  - Any other minikube failure is reported with minikube's own message.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
seealso:
  - module: localdev.kube.minikube_info
  - module: community.docker.docker_image
"""

EXAMPLES = r"""
- name: Get the cluster's Docker environment
  localdev.kube.minikube_docker_env:
    profile: minikube
  register: docker_env

- name: Build an image into the cluster with the docker CLI
  ansible.builtin.command:
    cmd: docker build -t todo-backend:dev apps/backend
  environment: "{{ docker_env.env }}"
  changed_when: true

- name: Build an image into the cluster with community.docker
  community.docker.docker_image:
    name: todo-backend
    tag: dev
    source: build
    build:
      path: apps/backend
    docker_host: "{{ docker_env.docker.docker_host }}"
    tls: "{{ docker_env.docker.tls }}"
    validate_certs: "{{ docker_env.docker.validate_certs }}"
    ca_path: "{{ docker_env.docker.ca_path }}"
    client_cert: "{{ docker_env.docker.client_cert }}"
    client_key: "{{ docker_env.docker.client_key }}"
"""

RETURN = r"""
docker_host:
  description: The daemon's address (C(DOCKER_HOST)).
  returned: success
  type: str
  sample: tcp://192.168.49.2:2376
port_forward:
  description:
    - True when minikube hands out its daemon on the loopback address, which it does exactly when this host cannot
      reach the node's IP (the Docker driver on macOS, Windows and WSL; a remote or rootless Docker). The
      ingress is then reached through C(minikube tunnel) on 127.0.0.1 (M(localdev.kube.minikube_tunnel)).
  returned: success
  type: bool
  sample: false
tls_verify:
  description: Whether clients must verify the daemon's certificate (C(DOCKER_TLS_VERIFY=1)).
  returned: success
  type: bool
  sample: true
cert_path:
  description: Directory with C(ca.pem), C(cert.pem) and C(key.pem) (C(DOCKER_CERT_PATH)).
  returned: success
  type: str
  sample: /home/dev/.minikube/certs
minikube_active_dockerd:
  description: The profile whose daemon is targeted (C(MINIKUBE_ACTIVE_DOCKERD)).
  returned: success
  type: str
  sample: minikube
env:
  description: The variables to export, ready for a task's C(environment) keyword.
  returned: success
  type: dict
  sample:
    DOCKER_TLS_VERIFY: "1"
    DOCKER_HOST: tcp://192.168.49.2:2376
    DOCKER_CERT_PATH: /home/dev/.minikube/certs
    MINIKUBE_ACTIVE_DOCKERD: minikube
docker:
  description: Connection options with the names the C(community.docker) modules use.
  returned: success
  type: dict
  contains:
    docker_host:
      description: Daemon URL.
      type: str
    tls:
      description: Use TLS.
      type: bool
    validate_certs:
      description: Verify the daemon's certificate.
      type: bool
    ca_path:
      description: CA certificate file.
      type: str
    client_cert:
      description: Client certificate file.
      type: str
    client_key:
      description: Client key file.
      type: str
  sample:
    docker_host: tcp://192.168.49.2:2376
    tls: true
    validate_certs: true
    ca_path: /home/dev/.minikube/certs/ca.pem
    client_cert: /home/dev/.minikube/certs/cert.pem
    client_key: /home/dev/.minikube/certs/key.pem
reason:
  description: On failure, why (binary_missing, profile_not_found, not_running, runtime_not_docker, bad_output, failed).
  returned: failure
  type: str
  sample: not_running
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils.minikube import (
    COMMON_ARGUMENT_SPEC,
    MinikubeError,
    minikube_for_module,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(COMMON_ARGUMENT_SPEC),
        supports_check_mode=True,
    )
    minikube = minikube_for_module(module)

    try:
        result = minikube.docker_env()
    except MinikubeError as err:
        module.fail_json(msg=err.message, reason=err.kind, rc=err.rc, stdout=err.stdout, stderr=err.stderr, cmd=err.cmd)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
