#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: minikube_info
short_description: Read a minikube cluster's version, status, IP, profile configuration and addons
version_added: "0.1.0"
description:
  - Runs minikube's read-only commands (C(version -o json), C(status -o json),
    C(profile list -o json -l), C(addons list -o json), C(ip)) and returns what they say as data.
  - With O(expect), compares the profile's configuration with the requested one and returns each
    difference in RV(drift) (also shown as a warning).
  - With O(docker_env), also returns the running cluster's Docker environment, as
    M(localdev.kube.minikube_docker_env) does (one module run answering both).
  - With O(images) it lists the images the running cluster holds, and with O(host_images) it looks up images
    in the host's Docker daemon, so that a caller can tell which images a C(minikube image load) would bring.
  - Read-only. It runs in check mode and never reports a change.
author:
  - localdev.kube maintainers (!UNKNOWN)
extends_documentation_fragment:
  - localdev.kube.minikube
options:
  expect:
    description: The requested cluster shape, compared with the existing profile's configuration.
    type: dict
    default: {}
    suboptions:
      driver:
        description: Driver name, for example C(docker).
        type: str
      cpus:
        description: Number of CPUs.
        type: int
      memory:
        description: Memory in MiB.
        type: int
      kubernetes_version:
        description: Kubernetes version, for example C(v1.34.0).
        type: str
  warn_drift:
    description: Show each difference from O(expect) as a warning.
    type: bool
    default: true
  docker_env:
    description: Also read the Docker environment of the running cluster (C(docker-env)) into RV(docker_env).
    type: bool
    default: false
  images:
    description: Also list the images the running cluster holds into RV(images).
    type: bool
    default: false
  host_images:
    description:
      - Image references (C(NAME[:TAG])) to look up in the host's Docker daemon, the one C(minikube image load
        --daemon) loads from, through the docker CLI (C(docker image inspect)); their IDs are in
        RV(host_images). Asked beside the minikube commands; a lookup without an answer within 60 seconds
        fails the module.
    type: list
    elements: str
    default: []
  docker_binary:
    description: The docker CLI for O(host_images), a name on E(PATH) or a path.
    type: str
    default: docker
notes:
  - A missing profile is not an error, RV(exists) is then V(false).
  - Fails, saying how to install it, when minikube is not found.
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
seealso:
  - module: localdev.kube.minikube_docker_env
"""

EXAMPLES = r"""
- name: Read the cluster state and compare it with the request
  localdev.kube.minikube_info:
    profile: minikube
    expect:
      driver: docker
      cpus: 2
      memory: 4096
      kubernetes_version: v1.34.0
  register: cluster

- name: Start the cluster when it is not running
  ansible.builtin.command:
    cmd: minikube start -p minikube
  when: not cluster.running
  changed_when: true
"""

RETURN = r"""
version:
  description: minikube's version.
  returned: always
  type: str
  sample: v1.37.0
exists:
  description: Whether the profile exists.
  returned: always
  type: bool
running:
  description: Whether the control-plane host, kubelet and API server are running.
  returned: always
  type: bool
status:
  description:
    - The control-plane node's status as C(minikube status -o json) prints it.
    - Empty when the profile does not exist.
  returned: always
  type: dict
  sample: {"Name": "minikube", "Host": "Running", "Kubelet": "Running", "APIServer": "Running",
           "Kubeconfig": "Configured", "Worker": false}
status_rc:
  description: Exit code of C(minikube status) (0 running, 7 stopped, 85 no such profile; a bit field otherwise).
  returned: always
  type: int
kubeconfig_configured:
  description: Whether the kubeconfig context points at this cluster (status C(Kubeconfig) is C(Configured)).
  returned: always
  type: bool
ip:
  description: The cluster's IP address (C(minikube ip)); empty when it is not running.
  returned: always
  type: str
  sample: 192.168.49.2
config:
  description: Summary of the profile's saved configuration (empty when the profile does not exist).
  returned: always
  type: dict
  sample: {"name": "minikube", "driver": "docker", "cpus": 2, "memory": 4096, "disk_size": 20000,
           "kubernetes_version": "v1.34.0", "container_runtime": "docker", "nodes": 1, "addons": {"ingress": true}}
addons:
  description: Every addon minikube knows, with whether it is enabled for this profile.
  returned: always
  type: dict
  sample: {"ingress": true, "dashboard": false}
drift:
  description: Differences between the profile's configuration and O(expect).
  returned: always
  type: list
  elements: dict
  sample: [{"field": "memory", "current": 4096, "requested": 6144}]
root:
  description: Whether minikube runs as root here (it refuses the docker and podman drivers as root without C(--force)).
  returned: always
  type: bool
docker_env:
  description:
    - With O(docker_env), what M(localdev.kube.minikube_docker_env) returns (C(docker_host), C(port_forward),
      C(tls_verify), C(cert_path), C(minikube_active_dockerd), C(env), C(docker)) for the running cluster.
    - Empty when O(docker_env) is false or the cluster is not running.
  returned: always
  type: dict
  sample: {"docker_host": "tcp://192.168.49.2:2376", "tls_verify": true, "cert_path": "/home/dev/.minikube/certs",
           "minikube_active_dockerd": "minikube", "env": {"DOCKER_HOST": "tcp://192.168.49.2:2376"},
           "docker": {"docker_host": "tcp://192.168.49.2:2376", "tls": true, "validate_certs": true}}
images:
  description:
    - With O(images), the images the running cluster holds, each with its ID (without a C(sha256:) prefix)
      and its tags as Docker names them (C(python:3.11), not C(docker.io/library/python:3.11)); an untagged
      image has none.
    - Empty when O(images) is false or the cluster is not running.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741",
            "repo_tags": ["registry.k8s.io/pause:3.10.1"]}]
host_images:
  description:
    - Each of O(host_images) with its image ID in the host's Docker daemon (without a C(sha256:) prefix), or
      null when the daemon holds no such image.
  returned: always
  type: dict
  sample: {"postgres:15-bookworm": "59884a7b40285bb3ee4d9bc1ae8b1c4fbd52a7f5f1b0c1e2c7c8a5f2c6a0b8d1", "redis:7": null}
drift_messages:
  description: RV(drift) as sentences.
  returned: always
  type: list
  elements: str
  sample: ["memory: cluster has 4096, requested 6144"]
"""

import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils.deadline import run_with_deadline
from ansible_collections.localdev.kube.plugins.module_utils.minikube import (
    COMMON_ARGUMENT_SPEC,
    MinikubeError,
    compute_drift,
    control_plane_status,
    describe_drift,
    find_profile,
    host_image_id,
    is_running,
    minikube_for_module,
    summarize_config,
)

# A Docker daemon that accepts the connection and never answers would otherwise hold the run.
HOST_IMAGE_TIMEOUT = 60


def gather(mk, expect, docker_env=False, images=False, host_images=(), host_image=None):
    """The module's result; host_image(ref) -> ID or None looks up each of host_images."""
    # Each minikube command takes a few hundred milliseconds, mostly waiting on
    # Docker: the independent ones run side by side, in two rounds (what the
    # second asks depends on whether the profile exists and runs).
    with ThreadPoolExecutor(max_workers=4) as pool:
        version, status, profiles = (pool.submit(mk.version), pool.submit(mk.status), pool.submit(mk.profiles))
        result = {
            "version": version.result(),
            "root": os.geteuid() == 0,
            "exists": False,
            "running": False,
            "status": {},
            "status_rc": None,
            "kubeconfig_configured": False,
            "ip": "",
            "config": {},
            "addons": {},
            "drift": [],
            "drift_messages": [],
            "docker_env": {},
            "images": [],
        }
        exists, nodes, rc = status.result()
        result["status_rc"] = rc
        if exists:
            node = control_plane_status(nodes)
            result.update(
                exists=True,
                status=node,
                running=is_running(node),
                kubeconfig_configured=node.get("Kubeconfig") == "Configured",
            )
        entry = find_profile(profiles.result(), mk.profile)
        if entry is not None:
            result["exists"] = True
            result["config"] = summarize_config(entry.get("Config") or {})

        addons = pool.submit(mk.addons) if result["exists"] else None
        ip = pool.submit(mk.ip) if result["running"] else None
        env = pool.submit(mk.docker_env) if result["running"] and docker_env else None
        listing = pool.submit(mk.images) if result["running"] and images else None
        # Independent of the cluster; after the second round, which they would otherwise hold up.
        on_host = {ref: pool.submit(host_image, ref) for ref in dict.fromkeys(host_images)}
        result["addons"] = addons.result() if addons else {}
        result["ip"] = ip.result() if ip else ""
        result["docker_env"] = env.result() if env else {}
        result["images"] = listing.result() if listing else []
        result["host_images"] = {ref: answer.result() for ref, answer in on_host.items()}
    result["drift"] = compute_drift(result["config"], {k: v for k, v in expect.items() if v is not None})
    result["drift_messages"] = describe_drift(result["drift"])
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMON_ARGUMENT_SPEC,
            expect={
                "type": "dict",
                "default": {},
                "options": {
                    "driver": {"type": "str"},
                    "cpus": {"type": "int"},
                    "memory": {"type": "int"},
                    "kubernetes_version": {"type": "str"},
                },
            },
            warn_drift={"type": "bool", "default": True},
            docker_env={"type": "bool", "default": False},
            images={"type": "bool", "default": False},
            host_images={"type": "list", "elements": "str", "default": []},
            docker_binary={"type": "str", "default": "docker"},
        ),
        supports_check_mode=True,
    )
    minikube = minikube_for_module(module)
    host_images = module.params["host_images"]
    docker = module.get_bin_path(module.params["docker_binary"]) if host_images else None
    if host_images and not docker:
        module.fail_json(
            msg=f"docker executable '{module.params['docker_binary']}' was not found on PATH: host_images are read "
            "from the host's Docker daemon through it. Install Docker (Docker Desktop, or Docker Engine on Linux) "
            "or set docker_binary to its path.",
            reason="binary_missing",
        )

    try:
        result = gather(
            minikube,
            module.params["expect"] or {},
            docker_env=module.params["docker_env"],
            images=module.params["images"],
            host_images=host_images,
            host_image=partial(host_image_id, partial(run_with_deadline, module, seconds=HOST_IMAGE_TIMEOUT), docker),
        )
    except MinikubeError as err:
        module.fail_json(msg=err.message, reason=err.kind, rc=err.rc, stdout=err.stdout, stderr=err.stderr, cmd=err.cmd)
    for message in result["drift_messages"] if module.params["warn_drift"] else []:
        module.warn(f'minikube profile "{minikube.profile}" differs from the request: {message}')
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
