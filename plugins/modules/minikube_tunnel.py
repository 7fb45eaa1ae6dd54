#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: minikube_tunnel
short_description: Keep a minikube tunnel running in the background, or stop the one it started
version_added: "0.1.0"
description:
  - "Where the host cannot reach the cluster's node (the Docker driver on macOS, Windows and WSL), the
    ingress is served on 127.0.0.1 by C(minikube tunnel). With O(state=started) this module starts it in the
    background when it is not running: in a session of its own (it outlives the play and the terminal), with
    its output in C(localdev-tunnel.log) and its PID, start time and command line in C(localdev-tunnel.json),
    both in the profile's directory (C(MINIKUBE_HOME/profiles/PROFILE))."
  - "A tunnel it started that still runs is left as it is (no change). One that died (killed, or the machine
    rebooted) is started again. One whose forward of O(probe_port) no longer answers while its log says it
    forwards that port (an SSH session lost while the laptop slept) is restarted."
  - "It runs C(minikube tunnel --bind-address 127.0.0.1), which takes minikube's SSH tunnel into the node on
    any host and binds only the loopback address."
  - "A tunnel for the profile that this module did not start (one the user runs by hand) is found and left
    alone: nothing is started beside it, and O(state=stopped) does not stop it."
  - "Ports 80 and 443 are privileged: minikube runs C(sudo ssh) for them. As a user whose sudo asks for a
    password the module starts nothing and fails with RV(privilege_needed); run it again with C(become)
    (the minikube role does), as root, with O(minikube_home) and O(environment) naming the user's files."
author:
  - localdev.kube maintainers (!UNKNOWN)
extends_documentation_fragment:
  - localdev.kube.minikube
options:
  state:
    description: V(started) keeps a tunnel running; V(stopped) stops the one this module started.
    type: str
    choices: [started, stopped]
    default: started
  minikube_home:
    description:
      - minikube's directory, where the profile lives, found as minikube finds it from E(MINIKUBE_HOME) (the
        directory itself when it is named C(.minikube), else its C(.minikube)); default C(~/.minikube) of the user
        the module runs as. Give the user's (RV(minikube_home)) when the module runs with C(become).
    type: path
  environment:
    description:
      - Variables set for the tunnel over the module's own environment, for example the user's C(KUBECONFIG) and
        C(DOCKER_CONFIG) when the module runs with C(become). RV(environment) is what a run gave or would give.
    type: dict
    default: {}
  probe_port:
    description:
      - The forwarded port checked for an answer (HTTP) when the tunnel's log says it forwards it.
      - V(0) checks none.
    type: int
    default: 80
  timeout:
    description: Seconds to wait for a new tunnel to say it started, and for a stopped one to exit.
    type: int
    default: 30
notes:
  - Needs C(ps) (Linux and macOS have it) and, for ports below 1024, C(sudo) (minikube runs C(sudo ssh)).
attributes:
  check_mode:
    support: full
    description: Says what it would start, restart or stop (RV(action), RV(reason)); no process is started or signalled.
  diff_mode:
    support: none
    description: It manages a process, not a file; RV(action) and RV(reason) say what changed.
  platform:
    support: full
    platforms: posix
    description: Linux (including WSL) and macOS; processes are read with C(ps).
seealso:
  - module: localdev.kube.minikube_info
"""

EXAMPLES = r"""
- name: Keep the tunnel to the ingress running
  localdev.kube.minikube_tunnel:
    profile: minikube

- name: Stop the tunnel started above (a tunnel run by hand is left alone)
  localdev.kube.minikube_tunnel:
    profile: minikube
    state: stopped
"""

RETURN = r"""
pid:
  description:
    - PID of the tunnel this module started and that runs now (none after O(state=stopped)).
    - On a stop refused for lack of privilege, the tunnel it could not stop.
  returned: success, and with RV(privilege_needed) on a stop
  type: int
  sample: 48213
action:
  description: What was done, or in check mode would be, V(none), V(started), V(restarted) or V(stopped).
  returned: always, except for invalid options
  type: str
  sample: started
reason:
  description: Why, in words (for example "the tunnel recorded in ... no longer runs").
  returned: always, except for invalid options or a failing ps
  type: str
external_pids:
  description: Tunnels for the profile that this module did not start, left alone.
  returned: always, except for invalid options or a failing ps
  type: list
  elements: int
  sample: []
log:
  description: The tunnel's log file.
  returned: always, except for invalid options or a failing ps
  type: str
  sample: /home/dev/.minikube/profiles/minikube/localdev-tunnel.log
privilege_needed:
  description: True when nothing was done because ports below 1024 need sudo without a password prompt, or root.
  returned: always, except for invalid options or a failing ps
  type: bool
minikube_binary:
  description: The minikube executable, as a path (for a second run with C(become), whose E(PATH) differs).
  returned: always, except for invalid options or a failing ps
  type: str
minikube_home:
  description: minikube's directory the profile was looked up in.
  returned: always, except for invalid options or a failing ps
  type: str
  sample: /home/dev/.minikube
environment:
  description:
    - The variables given to the tunnel besides the module's own environment; C(MINIKUBE_HOME), C(KUBECONFIG)
      and the Docker client's (C(DOCKER_CONFIG) and those set), so that a run with C(become) reaches the same
      cluster and Docker daemon.
  returned: always, except for invalid options or a failing ps
  type: dict
"""

import json
import os
import shutil
import signal
import subprocess
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils import minikube_tunnel as tunnel
from ansible_collections.localdev.kube.plugins.module_utils.minikube import COMMON_ARGUMENT_SPEC, INSTALL_HINT


def running_processes(module):
    rc, out, err = module.run_command(tunnel.PS_ARGS, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg=f"ps failed (rc {rc}): {err.strip()}; it lists the running tunnels", action="none")
    return tunnel.parse_ps(out)


def sudo_without_prompt(module):
    """Whether minikube's `sudo ssh` can run here without a password prompt."""
    if os.geteuid() == 0:
        return True
    # -k: a password sudo still remembers does not count; the tunnel runs `sudo ssh` minutes later, unattended.
    return module.run_command(["sudo", "-n", "-k", "true"])[0] == 0


def start(module, argv, paths, env, result):
    failed = dict(result, changed=False, action="none")
    os.makedirs(paths["dir"], exist_ok=True)
    with open(paths["log"], "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
        log.flush()
        offset = log.tell()
        # run_command waits for its command; the tunnel must outlive the module, in a session of its own.
        child = subprocess.Popen(  # noqa: S603  # pylint: disable=ansible-bad-function
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            cwd=paths["dir"],
            env=env,
        )
    deadline = time.monotonic() + module.params["timeout"]
    while time.monotonic() < deadline:
        with open(paths["log"], encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            if tunnel.STARTED_LINE in handle.read():
                break
        if child.poll() is not None:
            module.fail_json(
                msg=f"minikube tunnel exited (rc {child.returncode}) before it started; its output "
                f"({paths['log']}):\n{tunnel.log_tail(paths['log'])}",
                **failed,
            )
        time.sleep(0.25)
    else:
        os.killpg(child.pid, signal.SIGTERM)
        module.fail_json(
            msg=f"minikube tunnel did not say it started within {module.params['timeout']} s; its output "
            f"({paths['log']}):\n{tunnel.log_tail(paths['log'])}",
            **failed,
        )
    [process] = [p for p in running_processes(module) if p["pid"] == child.pid] or [None]
    if process is None:
        module.fail_json(
            msg=f"minikube tunnel exited right after it started; its output ({paths['log']}):\n"
            f"{tunnel.log_tail(paths['log'])}",
            **failed,
        )
    record = {"pid": child.pid, "started": process["started"], "args": process["args"]}
    temporary = paths["record"] + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    module.atomic_move(temporary, paths["record"])
    if os.geteuid() == 0:
        # Started with become in the user's profile: the user's files stay the user's, minikube's
        # tunnel lock too (else the user's own `minikube tunnel` could not take it later).
        owner = os.stat(paths["dir"])
        for path in (paths["log"], paths["record"], os.path.join(paths["dir"], tunnel.MINIKUBE_LOCK)):
            if os.path.exists(path):
                os.chown(path, owner.st_uid, owner.st_gid)
    return child.pid


def stop(module, pid, result):
    """Interrupt the tunnel's session (minikube then ends its SSH forwards), harder when it does not exit."""
    for sig, wait in ((signal.SIGINT, module.params["timeout"]), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            failure = dict(result, changed=False, action="none", privilege_needed=True, pid=pid)
            module.fail_json(msg=f"the tunnel (PID {pid}) runs as another user: stopping it needs become", **failure)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not any(p["pid"] == pid for p in running_processes(module)):
                # minikube kills its `sudo` on the way out, which can leave an `ssh` of the session behind.
                try:
                    os.killpg(pid, signal.SIGKILL)
                except PermissionError:
                    module.warn(
                        f"an ssh of the stopped tunnel runs as root and may still hold ports 80 and 443: "
                        f"stop it with: sudo kill -- -{pid}"
                    )
                except OSError:
                    pass
                return
            time.sleep(0.25)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            COMMON_ARGUMENT_SPEC,
            state={"type": "str", "choices": ["started", "stopped"], "default": "started"},
            minikube_home={"type": "path"},
            environment={"type": "dict", "default": {}},
            probe_port={"type": "int", "default": 80},
            timeout={"type": "int", "default": 30},
        ),
        supports_check_mode=True,
    )
    params = module.params
    profile = (params["profile"] or "").strip()
    if not profile:
        module.fail_json(msg="profile must be a non-empty minikube profile name", action="none")
    if not 0 <= params["probe_port"] <= 65535:
        module.fail_json(msg=f"probe_port must be 0 (none) or a port up to 65535, got {params['probe_port']}")
    if params["timeout"] < 1:
        module.fail_json(msg=f"timeout must be at least 1 second, got {params['timeout']}")
    given_home = params["minikube_home"] or os.environ.get("MINIKUBE_HOME", "")
    home = tunnel.default_minikube_home({"MINIKUBE_HOME": given_home})
    directory = tunnel.profile_dir(home, profile)
    paths = {
        "dir": directory,
        "log": os.path.join(directory, tunnel.LOG),
        "record": os.path.join(directory, tunnel.RECORD),
    }
    binary = module.get_bin_path(params["minikube_binary"]) or params["minikube_binary"]
    environment = {**tunnel.client_environment(os.environ, home), **params["environment"]}
    result = {
        "changed": False,
        "action": "none",
        "reason": "",
        "external_pids": [],
        "log": paths["log"],
        "privilege_needed": False,
        "minikube_binary": binary,
        "minikube_home": home,
        "environment": environment,
    }

    processes = running_processes(module)
    record = tunnel.read_record(paths["record"])
    ours = tunnel.recorded_process(record, processes)
    others = tunnel.other_tunnels(processes, profile, tunnel.active_profile(home), ours)
    result["external_pids"] = [process["pid"] for process in others]

    if params["state"] == "stopped":
        if ours is None and record is None:
            result["reason"] = "no tunnel of this module's is recorded for the profile"
            module.exit_json(**result)
        result.update(changed=True, action="stopped")
        result["reason"] = f"stopping the tunnel (PID {ours['pid']})" if ours else "its record names no running tunnel"
        if not module.check_mode:
            if ours:
                stop(module, ours["pid"], result)
            os.remove(paths["record"])
        module.exit_json(**result)

    if ours is not None:
        ports = tunnel.forwarded_ports(tunnel.log_tail(paths["log"], lines=400))
        port = params["probe_port"]
        if not port or port not in ports or tunnel.answers_http(port):
            result.update(pid=ours["pid"], reason=f"the tunnel (PID {ours['pid']}) runs")
            module.exit_json(**result)
        result["action"] = "restarted"
        result["reason"] = f"the tunnel (PID {ours['pid']}) runs but 127.0.0.1:{port} does not answer"
    elif others:
        pid = others[0]["pid"]
        result["reason"] = f"a tunnel for the profile runs already, not started here (PID {pid}): left alone"
        module.exit_json(**result)
    else:
        result["action"] = "started"
        result["reason"] = (
            f"the tunnel recorded in {paths['record']} no longer runs" if record else "no tunnel runs for the profile"
        )

    if not os.path.isfile(binary):
        module.fail_json(
            msg=f"minikube executable '{params['minikube_binary']}' was not found on PATH. "
            + INSTALL_HINT.format(version="1.33.0"),
            **result,
        )
    result["changed"] = True
    if module.check_mode:
        module.exit_json(**result)
    if not shutil.which("sudo"):
        result["changed"] = False
        module.fail_json(
            msg="minikube tunnel runs `sudo ssh` for ports 80 and 443, and sudo is not installed: install sudo "
            "(e.g. apt-get install sudo), or run `minikube -p " + profile + " tunnel` yourself",
            **result,
        )
    if not sudo_without_prompt(module):
        result.update(changed=False, privilege_needed=True, action="none")
        module.fail_json(msg="ports 80 and 443 need sudo, which asks for a password here", **result)
    if ours is not None:
        stop(module, ours["pid"], result)
    # English, unstyled output: the start and the forwards are read from it.
    env = {**os.environ, **{name: str(value) for name, value in environment.items()}}
    env.update(MINIKUBE_IN_STYLE="false", LC_ALL="C", LANG="C")
    result["pid"] = start(module, tunnel.tunnel_argv(binary, profile), paths, env, result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
