#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: toolchain_info
short_description: Find minikube, kubectl, helm and docker on a host and decide what to install
version_added: "0.1.0"
description:
  - Looks for each requested tool on E(PATH) and in O(install_dir), runs it to read its version
    (C(minikube version --short), C(kubectl version --client -o json), C(helm version --short),
    C(docker --version)) and says for each whether the copy on E(PATH) is good enough, the copy
    already in O(install_dir) is the pinned version, or the pinned version has to be installed.
  - Also reports the host's operating system and CPU in the words the release file names use
    (V(linux)/V(darwin), V(amd64)/V(arm64)), whether O(install_dir) is on E(PATH) and, when it
    is not, the line that puts it there for the user's shell.
  - In the same run it gives the platform as M(localdev.kube.platform_info) decides it (RV(system),
    RV(machine), RV(wsl), RV(platform)), so the toolchain role needs no second module run for it. A role
    that needs only the platform uses M(localdev.kube.platform_info).
  - With O(docker_daemon=true) it also asks the Docker daemon of the current Docker context for its info
    through the docker CLI (C(docker info)), which follows E(DOCKER_HOST), E(DOCKER_CONTEXT) and the CLI's
    current context as minikube's docker driver, which runs that CLI, does (RV(docker_daemon)).
  - Read-only. It runs in check mode and never reports a change.
author:
  - localdev.kube maintainers (!UNKNOWN)
options:
  tools:
    description: The tools to look for. Empty reports only the host.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The tool.
        type: str
        required: true
        choices: [minikube, kubectl, helm, docker]
      minimum_version:
        description:
          - The oldest version that is good enough on E(PATH), like V(v1.33.0).
          - Without it, any copy found on E(PATH) is good enough.
        type: str
      version:
        description:
          - The pinned version that would be installed, like V(v1.37.0).
          - Without it the tool is never planned for installation (RV(tools.action=missing) when absent).
        type: str
      base_url:
        description:
          - Where the releases are, in the official layout (C(<base>/<version>/minikube-<os>-<arch>),
            C(<base>/<version>/bin/<os>/<arch>/kubectl), C(<base>/helm-<version>-<os>-<arch>.tar.gz)).
          - Used to compute RV(tools.url) and RV(tools.checksum_url); only for minikube, kubectl and helm.
        type: str
  install_dir:
    description:
      - The directory the role installs into. C(~) is expanded on the host.
      - Required when O(tools) names a tool.
    type: path
  search_path:
    description:
      - The E(PATH) to search, entries separated by V(:).
      - Defaults to the E(PATH) the module runs with.
    type: str
  docker_daemon:
    description:
      - Also run C(docker info) (the first C(docker) on the searched E(PATH)) and report what it says in
        RV(docker_daemon). A daemon that does not answer within 60 seconds counts as not answering.
      - Read-only; a daemon that does not answer is reported, never a failure.
    type: bool
    default: false
notes:
  - Supports C(check_mode).
seealso:
  - module: localdev.kube.platform_info
  - name: The localdev.kube.toolchain role
    description: Installs what this module plans, verified against the published SHA-256.
    link: https://github.com/localdev/kube/tree/main/roles/toolchain
"""

EXAMPLES = r"""
- name: Find out whether this is Linux, macOS or WSL
  localdev.kube.toolchain_info:
  register: host

- name: Look for the toolchain
  localdev.kube.toolchain_info:
    install_dir: ~/.local/bin
    tools:
      - name: minikube
        minimum_version: v1.33.0
        version: v1.37.0
      - name: kubectl
        minimum_version: v1.33.0
        version: v1.34.0
      - name: docker
  register: found

- name: Show what would be installed
  ansible.builtin.debug:
    msg: "{{ found.to_install }}"
"""

RETURN = r"""
system:
  description: The same as M(localdev.kube.platform_info) returns (C(platform.system())).
  returned: always
  type: str
  sample: Darwin
machine:
  description: The same as M(localdev.kube.platform_info) returns (C(platform.machine())).
  returned: always
  type: str
  sample: arm64
os:
  description: The release file names' word for the operating system, or null when none exists.
  returned: always
  type: str
  sample: linux
arch:
  description: The release file names' word for the CPU, or null when none exists.
  returned: always
  type: str
  sample: amd64
platform_error:
  description: Why no release fits this host, or null.
  returned: always
  type: str
  sample: null
wsl:
  description: The same as M(localdev.kube.platform_info) returns.
  returned: always
  type: bool
  sample: false
platform:
  description:
    - The same as M(localdev.kube.platform_info) returns, V(macos), V(wsl) or V(linux).
    - What the install instructions, the ingress address and the hosts files depend on.
  returned: always
  type: str
  sample: macos
home:
  description: The user's home directory.
  returned: always
  type: str
  sample: /home/alice
shell:
  description: The user's shell (E(SHELL), else the password database).
  returned: always
  type: str
  sample: /bin/bash
search_path:
  description: The E(PATH) entries searched, in order.
  returned: always
  type: list
  elements: str
  sample: ["/usr/local/bin", "/usr/bin", "/bin"]
install_dir:
  description: O(install_dir), expanded; null without it.
  returned: always
  type: str
  sample: /home/alice/.local/bin
install_dir_on_path:
  description: Whether O(install_dir) is one of the E(PATH) entries (false without it).
  returned: always
  type: bool
  sample: false
path_hint:
  description:
    - The line that puts O(install_dir) on E(PATH) for the user's shell, and its file.
    - Null without O(install_dir).
  returned: always
  type: dict
  sample: {"shell": "bash", "file": "~/.bashrc", "line": "export PATH=\"$HOME/.local/bin:$PATH\""}
tools:
  description: One entry per requested tool, by name.
  returned: always
  type: dict
  contains:
    found_path:
      description: The first executable of that name on E(PATH), or null.
      type: str
      sample: /usr/local/bin/kubectl
    found_version:
      description: The version it reports, or null.
      type: str
      sample: v1.29.2
    found_error:
      description: Why its version could not be read, or null.
      type: str
      sample: null
    installed_path:
      description: The copy in O(install_dir), or null when there is none.
      type: str
      sample: null
    installed_version:
      description: The version that copy reports, or null.
      type: str
      sample: null
    action:
      description:
        - V(path) to use RV(tools.found_path); V(installed) to use the copy in O(install_dir);
          V(install) to install the pinned version there; V(missing) for a tool without a pinned version
          that is not on E(PATH).
      type: str
      sample: install
    reason:
      description: The decision as a sentence.
      type: str
      sample: kubectl on PATH (/usr/bin/kubectl) is v1.20.0, older than the minimum v1.33.0; installing kubectl v1.34.0
    path:
      description: The executable later steps should use (the install destination when RV(tools.action=install)).
      type: str
      sample: /home/alice/.local/bin/kubectl
    version:
      description:
        - The version of RV(tools.path) (the pinned version when RV(tools.action=install)), so that later
          steps need not run it to ask; null for RV(tools.action=missing).
      type: str
      sample: v1.34.0
    shadowed:
      description: Whether a copy on E(PATH) that is not good enough comes before the one to use.
      type: bool
      sample: true
    url:
      description:
        - The release to download for this host.
        - Null without O(tools[].base_url) or O(tools[].version), or when no release fits this platform.
      type: str
      sample: https://dl.k8s.io/release/v1.34.0/bin/linux/amd64/kubectl
    checksum_url:
      description: The SHA-256 file published beside RV(tools.url), or null.
      type: str
      sample: https://dl.k8s.io/release/v1.34.0/bin/linux/amd64/kubectl.sha256
    member:
      description: The executable's path inside the downloaded archive, or null when the download is the executable.
      type: str
      sample: linux-amd64/helm
  sample:
    kubectl:
      action: install
      path: /home/alice/.local/bin/kubectl
docker_context:
  description:
    - The name of the Docker context the docker CLI would use (E(DOCKER_HOST) set means V(default), else
      E(DOCKER_CONTEXT), else C(currentContext) in C(config.json) of E(DOCKER_CONFIG) or C(~/.docker)).
    - With V(default), the daemon is the one of E(DOCKER_HOST), or the local socket, so a caller need not
      read the context's settings.
  returned: always
  type: str
  sample: default
docker_host:
  description:
    - With RV(docker_context) V(default), the daemon's address (E(DOCKER_HOST), else the local socket); empty
      for another context, whose settings say it.
  returned: always
  type: str
  sample: unix:///var/run/docker.sock
docker_daemon:
  description:
    - With O(docker_daemon=true), what C(docker info) said about the daemon of the current Docker context;
      null otherwise.
  returned: always
  type: dict
  contains:
    answered:
      description: Whether the daemon answered.
      type: bool
      sample: true
    server_version:
      description: The daemon's version; empty when it did not answer.
      type: str
      sample: 28.2.2
    mem_total_mb:
      description: The memory the daemon may give containers (Docker Desktop's VM size), in MiB; 0 when unknown.
      type: int
      sample: 7937
    error:
      description: Why it did not answer (what the docker CLI said), else empty.
      type: str
      sample: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
  sample: {"answered": true, "server_version": "28.2.2", "mem_total_mb": 7937, "error": ""}
check_mode:
  description:
    - Whether this task ran in check mode, from C(--check) or a C(check_mode) keyword on the task, block or include
      (which the C(ansible_check_mode) variable does not reflect), so that a role can skip what check mode must not do.
  returned: always
  type: bool
  sample: false
to_install:
  description: The names of the tools to install, in request order.
  returned: always
  type: list
  elements: str
  sample: [kubectl]
"""

import os
import pwd
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils.deadline import CommandTimeout, run_with_deadline
from ansible_collections.localdev.kube.plugins.module_utils.host_platform import detect
from ansible_collections.localdev.kube.plugins.module_utils.toolchain import (
    DOCKER_INFO_ARGS,
    RELEASE_LAYOUTS,
    VERSION_ARGS,
    UnsupportedPlatform,
    dir_on_path,
    docker_context_name,
    docker_daemon_answer,
    is_version,
    parse_version,
    path_hint,
    plan_tool,
    release_platform,
    release_url,
    same_dir,
)


def _executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_on_path(name, entries):
    for entry in entries:
        candidate = os.path.join(entry, name)
        if _executable(candidate):
            return candidate
    return None


def read_version(module, name, path):
    """(version, error) that the executable reports."""
    try:
        rc, out, err = module.run_command(
            [path] + VERSION_ARGS[name],
            environ_update={"MINIKUBE_IN_STYLE": "false", "LC_ALL": "C"},
            handle_exceptions=False,
        )
    except OSError as exc:
        return None, "%s does not run: %s" % (path, exc)
    version = parse_version(name, out)
    if version is None:
        lines = (err or out or "").strip().splitlines()
        return None, "%s printed no version (exit %s): %s" % (path, rc, lines[-1] if lines else "no output")
    return version, None


# A daemon that accepts the connection and never answers (a Docker Desktop
# starting up or stuck) would otherwise hold the run forever.
DOCKER_INFO_TIMEOUT = 60


def ask_docker_daemon(module, docker_path):
    """docker_daemon_answer() of `docker info`, or why it could not be asked."""
    if not docker_path:
        return docker_daemon_answer(127, "", "the docker command is not on PATH")
    try:
        rc, out, err = run_with_deadline(
            module, [docker_path, *DOCKER_INFO_ARGS], DOCKER_INFO_TIMEOUT, environ_update={"LC_ALL": "C"}
        )
    except CommandTimeout:
        return docker_daemon_answer(
            -1, "", "docker info got no answer from the Docker daemon within %s s" % DOCKER_INFO_TIMEOUT
        )
    except OSError as exc:
        return docker_daemon_answer(126, "", "%s does not run: %s" % (docker_path, exc))
    return docker_daemon_answer(rc, out, err)


def run_side_by_side(module, executables, ask_daemon=None):
    """({(name, path): (version, error)}, what ask_daemon() returns, or None without it): each a command of its own."""
    unique = list(dict.fromkeys(executables))
    with ThreadPoolExecutor(max_workers=4) as pool:
        daemon = pool.submit(ask_daemon) if ask_daemon else None
        answers = list(pool.map(lambda pair: read_version(module, *pair), unique))
        return dict(zip(unique, answers)), daemon.result() if daemon else None


def _password_entry():
    try:
        return pwd.getpwuid(os.getuid())
    except KeyError:
        return pwd.struct_passwd(("", "", os.getuid(), os.getgid(), "", "/", ""))


def _user_shell():
    return os.environ.get("SHELL") or _password_entry().pw_shell


# Where the docker CLI and community.docker look without DOCKER_HOST.
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"


def main():
    module = AnsibleModule(
        argument_spec={
            "tools": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "name": {"type": "str", "required": True, "choices": sorted(VERSION_ARGS)},
                    "minimum_version": {"type": "str"},
                    "version": {"type": "str"},
                    "base_url": {"type": "str"},
                },
            },
            "install_dir": {"type": "path"},
            "search_path": {"type": "str"},
            "docker_daemon": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    tools = module.params["tools"]
    install_dir = module.params["install_dir"]
    if install_dir is None and tools:
        module.fail_json(msg="install_dir is required when tools names a tool")
    install_dir = os.path.normpath(install_dir) if install_dir is not None else None
    for tool in tools:
        for key in ("minimum_version", "version"):
            if tool[key] is not None and not is_version(tool[key]):
                module.fail_json(
                    msg="tools[%s].%s must be a version like v1.2.3, got %r" % (tool["name"], key, tool[key])
                )
    names = [tool["name"] for tool in tools]
    if len(set(names)) != len(names):
        module.fail_json(msg="tools names each tool once, got %s" % ", ".join(names))

    search_path = module.params["search_path"]
    if search_path is None:
        search_path = os.environ.get("PATH", "")
    entries = [entry for entry in search_path.split(os.pathsep) if entry]

    host = detect()
    try:
        os_name, arch = release_platform(host["system"], host["machine"])
        platform_error = None
    except UnsupportedPlatform as exc:
        os_name = arch = None
        platform_error = str(exc)

    home = os.environ.get("HOME") or _password_entry().pw_dir
    shell = _user_shell()
    index = dir_on_path(install_dir, entries) if install_dir else None
    result = {
        "changed": False,
        "check_mode": module.check_mode,
        **host,
        "os": os_name,
        "arch": arch,
        "platform_error": platform_error,
        "home": home,
        "shell": shell,
        "search_path": entries,
        "install_dir": install_dir,
        "install_dir_on_path": index is not None,
        "path_hint": path_hint(install_dir, home, shell, host["system"]) if install_dir else None,
        "tools": {},
        "to_install": [],
        "docker_context": docker_context_name(os.environ, home),
        "docker_host": "",
        "docker_daemon": None,
    }
    if result["docker_context"] == "default":
        result["docker_host"] = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST

    found = {tool["name"]: find_on_path(tool["name"], entries) for tool in tools}
    targets = {name: os.path.join(install_dir, name) for name in found}
    # A copy on PATH inside install_dir is the installed one: it is run once.
    in_dir = {name: bool(path) and same_dir(os.path.dirname(path), install_dir) for name, path in found.items()}
    ask_daemon = None
    if module.params["docker_daemon"]:
        ask_daemon = partial(ask_docker_daemon, module, found.get("docker") or find_on_path("docker", entries))
    versions, result["docker_daemon"] = run_side_by_side(
        module,
        [(name, path) for name, path in found.items() if path]
        + [(name, targets[name]) for name in found if not in_dir[name] and _executable(targets[name])],
        ask_daemon,
    )
    for tool in tools:
        name = tool["name"]
        found_path, target = found[name], targets[name]
        found_version = found_error = None
        if found_path:
            found_version, found_error = versions[(name, found_path)]
        installed_path = installed_version = None
        if in_dir[name]:
            installed_path, installed_version = found_path, found_version
        elif _executable(target):
            installed_path = target
            installed_version = versions[(name, target)][0]

        action, reason = plan_tool(
            name,
            found_version,
            installed_version,
            tool["minimum_version"],
            tool["version"],
            found_path=found_path,
            installed_path=installed_path,
        )
        path = {"path": found_path, "installed": installed_path, "install": target}.get(action)
        version = {"path": found_version, "installed": installed_version, "install": tool["version"]}.get(action)
        url = checksum_url = member = None
        if tool["base_url"] and tool["version"] and os_name and name in RELEASE_LAYOUTS:
            url, checksum_url, member = release_url(name, tool["base_url"], tool["version"], os_name, arch)
        result["tools"][name] = {
            "found_path": found_path,
            "found_version": found_version,
            "found_error": found_error,
            "installed_path": installed_path,
            "installed_version": installed_version,
            "action": action,
            "reason": reason,
            "path": path,
            "version": version,
            "shadowed": bool(found_path) and action in ("installed", "install") and found_path != path,
            "url": url,
            "checksum_url": checksum_url,
            "member": member,
        }
        if action == "install":
            result["to_install"].append(name)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
