# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running the minikube CLI and reading its output.

Everything here is plain Python over strings and exit codes, so the unit
tests feed it outputs recorded from real minikube releases. The modules
give a ``run_command`` callable (AnsibleModule.run_command in production).

Formats handled (minikube >= 1.33, checked against v1.37.0):

* ``minikube version -o json``            {"commit": ..., "minikubeVersion": "v1.37.0"}
* ``minikube -p P status -o json``        one object (or a list for multi-node);
  exit code = bit field 1 host / 2 cluster / 4 kubeconfig not OK (7 = stopped),
  85 when the profile does not exist
* ``minikube profile list -o json [-l]`` {"invalid": [...], "valid": [{"Name", "Status", "Config", ...}]}
* ``minikube -p P addons list -o json``   {"ingress": {"Profile": P, "Status": "enabled"}, ...}
* ``minikube -p P docker-env --shell none -o json``  {"DOCKER_HOST": ..., ...}
  (also ``--shell bash`` export lines and ``--shell none`` KEY=VALUE lines)
* ``minikube -p P ip``                    one address
* errors: low-fi lines (``X Exiting due to MK_USAGE: ...``, ``* Profile "p" not found...``),
  CloudEvents JSON lines when ``-o json`` is set, ``false exit code N`` on
  stdout from the env commands when stdout is not a terminal.
"""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import urlsplit

from ansible_collections.localdev.kube.plugins.module_utils.deadline import CommandTimeout

# Exit codes (pkg/minikube/reason/exitcodes.go and cmd/minikube/cmd/status.go).
STATUS_HOST_NOT_RUNNING = 1
STATUS_CLUSTER_NOT_RUNNING = 2
STATUS_K8S_NOT_RUNNING = 4
EX_PROGRAM_USAGE = 14
EX_DRIVER_CONFLICT = 51
EX_GUEST_NOT_RUNNING = 83
EX_GUEST_NOT_FOUND = 85
EX_GUEST_UNAVAILABLE = 89
EX_SVC_UNAVAILABLE = 119

DOCKER_ENV_KEYS = ("DOCKER_TLS_VERIFY", "DOCKER_HOST", "DOCKER_CERT_PATH", "MINIKUBE_ACTIVE_DOCKERD")

DAEMON_HINT = "the images to load are read from the host's Docker daemon: check that it runs (docker info)."

INSTALL_HINT = (
    "Install minikube {version} or newer (the localdev.kube.toolchain role does it, or see "
    "https://minikube.sigs.k8s.io/docs/start/), or set minikube_binary to its path."
)

_FALSE_EXIT = re.compile(r"^false exit code (\d+)\s*$")
_LOWFI_PREFIX = re.compile(r"^(?:[*!X] |  - |  |\s*[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u274C\u2757]+\ufe0f?\s+)")
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


class MinikubeError(Exception):
    """A minikube failure, classified, with the fix to suggest.

    kind is one of: binary_missing, profile_not_found, not_running,
    runtime_not_docker, bad_output, failed.
    """

    def __init__(self, kind, message, rc=None, stdout="", stderr="", cmd=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.cmd = cmd

    def as_dict(self):
        return {
            "kind": self.kind,
            "msg": self.message,
            "rc": self.rc,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "cmd": self.cmd,
        }


# --------------------------------------------------------------------------
# Generic output helpers
# --------------------------------------------------------------------------


def cloudevent_messages(text):
    """Return the messages of CloudEvents lines (``-o json`` mode logging)."""
    messages = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line.startswith("{") or '"specversion"' not in line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        data = event.get("data") or {}
        msg = data.get("message") or data.get("name") or ""
        if msg:
            messages.append(clean_line(msg))
    return messages


def clean_line(line):
    """Strip minikube's low-fi or emoji prefix and surrounding blanks."""
    line = line.rstrip()
    previous = None
    while previous != line:
        previous = line
        line = _LOWFI_PREFIX.sub("", line, count=1)
    return line.strip()


def human_messages(stdout, stderr):
    """minikube's own words from a failed run, without JSON or shell noise."""
    lines = []
    for text in (stderr, stdout):
        lines.extend(cloudevent_messages(text))
        for raw in (text or "").splitlines():
            stripped = raw.strip()
            if not stripped or stripped.startswith("{") or _FALSE_EXIT.match(stripped):
                continue
            if stripped.startswith(("\u256d", "\u2502", "\u2570", "|")):  # boxed GitHub-issue advice
                continue
            cleaned = clean_line(raw)
            if cleaned and cleaned not in lines:
                lines.append(cleaned)
    return lines


def shell_exit_code(stdout):
    """The code from the 'false exit code N' line env commands print for eval."""
    for line in (stdout or "").splitlines():
        match = _FALSE_EXIT.match(line.strip())
        if match:
            return int(match.group(1))
    return None


def parse_json_document(text, what):
    """Parse the JSON document in minikube's stdout, skipping CloudEvents lines."""
    candidates = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped and '"specversion"' not in stripped:
            candidates.append(stripped)
    body = "\n".join(candidates).strip()
    if not body:
        raise MinikubeError("bad_output", f"minikube printed no JSON for {what}", stdout=text)
    try:
        return json.loads(body)
    except ValueError:
        # A document can be followed by tips on later lines: take the first line that parses.
        for line in candidates:
            try:
                return json.loads(line)
            except ValueError:
                continue
    raise MinikubeError("bad_output", f"minikube printed output that is not JSON for {what}: {body[:300]}", stdout=text)


# --------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------


def version_tuple(text):
    """'v1.37.0' / '1.33' / 'v1.34.0-beta.0' -> (1, 37, 0)."""
    match = _VERSION.search(str(text or ""))
    if not match:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(part or 0) for part in match.groups())


def parse_version(text):
    """minikube version output (``-o json`` or the plain two lines) -> 'v1.37.0'."""
    text = text or ""
    stripped = text.strip()
    if stripped.startswith("{"):
        data = parse_json_document(text, "minikube version")
        version = data.get("minikubeVersion")
        if not version:
            raise MinikubeError("bad_output", "minikube version -o json has no minikubeVersion", stdout=text)
        return version
    match = re.search(r"minikube version:\s*(v\S+)", text)
    if match:
        return match.group(1)
    raise MinikubeError("bad_output", "cannot read the minikube version from its output", stdout=text)


# --------------------------------------------------------------------------
# status / profile list / addons / ip
# --------------------------------------------------------------------------


def parse_status(text):
    """``status -o json`` -> list of node status dicts (single node: one item)."""
    data = parse_json_document(text, "minikube status")
    nodes = data if isinstance(data, list) else [data]
    for node in nodes:
        if not isinstance(node, dict) or "Host" not in node:
            raise MinikubeError("bad_output", "minikube status -o json has no Host field", stdout=text)
    return nodes


def control_plane_status(nodes):
    """The status of the first control-plane node."""
    for node in nodes:
        if not node.get("Worker"):
            return node
    return nodes[0]


def is_running(node_status):
    return (
        node_status.get("Host") == "Running"
        and node_status.get("Kubelet") == "Running"
        and node_status.get("APIServer") in ("Running", "Irrelevant")
    )


def parse_profile_list(text):
    """``profile list -o json`` -> {'valid': [...], 'invalid': [...]}."""
    data = parse_json_document(text, "minikube profile list")
    if "error" in data and "valid" not in data:
        raise MinikubeError("failed", f"minikube profile list failed: {data['error']}", stdout=text)
    return {"valid": data.get("valid") or [], "invalid": data.get("invalid") or []}


def find_profile(profiles, name):
    """The 'valid' profile entry called name, or None."""
    for entry in profiles.get("valid", []):
        if entry.get("Name") == name:
            return entry
    return None


def summarize_config(config):
    """The fields of a profile's ClusterConfig the role compares and reports."""
    k8s = config.get("KubernetesConfig") or {}
    nodes = config.get("Nodes") or []
    return {
        "name": config.get("Name"),
        "driver": config.get("Driver"),
        "cpus": config.get("CPUs"),
        "memory": config.get("Memory"),
        "disk_size": config.get("DiskSize"),
        "kubernetes_version": k8s.get("KubernetesVersion"),
        "container_runtime": k8s.get("ContainerRuntime"),
        "nodes": len(nodes),
        "addons": {name: bool(on) for name, on in sorted((config.get("Addons") or {}).items())},
    }


def parse_addons(text):
    """``addons list -o json`` -> {'ingress': True, 'dashboard': False, ...}."""
    data = parse_json_document(text, "minikube addons list")
    if not isinstance(data, dict):
        raise MinikubeError("bad_output", "minikube addons list -o json is not an object", stdout=text)
    return {name: (info or {}).get("Status") == "enabled" for name, info in sorted(data.items())}


def familiar_image_name(ref):
    """A reference by the name ``docker images`` lists it under, tag included.

    Docker's rules (its reference package): the first path component names a
    registry only when it holds a dot or a colon, is ``localhost`` or has an
    upper-case letter; Docker Hub (``docker.io``, also ``index.docker.io``) is
    left out, and so is its ``library/`` for a one-component name; a name with
    neither tag nor digest means ``:latest``. So ``docker.io/library/python``
    and ``library/python`` are ``python:latest``, ``docker.io/library/org/app``
    is ``library/org/app:latest``, ``localhost:5000/app`` keeps its registry.
    """
    name, at, digest = ref.partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = "docker.io", name
    if domain in ("docker.io", "index.docker.io"):
        short = path[len("library/") :] if path.startswith("library/") else path
        name = path if "/" in short else short
    else:
        name = f"{domain}/{path}"
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name + at + digest


def parse_image_list(text):
    """``image ls --format json`` -> [{'id': '<hex>', 'repo_tags': ['repo:tag', ...]}, ...].

    The ID is given without its ``sha256:`` prefix, which some container
    runtimes print and others do not, and the tags by the names Docker gives
    them (minikube prints ``docker.io/library/python:3.11`` for ``python:3.11``
    and ``<none>:<none>`` for an untagged image), so both compare with the
    host's Docker daemon.
    """
    data = parse_json_document(text, "minikube image ls")
    if not isinstance(data, list):
        raise MinikubeError("bad_output", "minikube image ls --format json is not a list", stdout=text)
    images = []
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise MinikubeError(
                "bad_output", f"minikube image ls listed an image without an id: {entry!r}", stdout=text
            )
        image_id = str(entry["id"])
        tags = [familiar_image_name(str(tag)) for tag in entry.get("repoTags") or []]
        images.append(
            {
                "id": image_id[len("sha256:") :] if image_id.startswith("sha256:") else image_id,
                "repo_tags": [tag for tag in tags if tag != "<none>:<none>"],
            }
        )
    return images


# `docker image inspect` of a reference the daemon does not hold: the CLI's
# wording ("Error: No such image: x", "Error response from daemon: No such
# image: x") across releases.
_NO_SUCH_IMAGE = re.compile(r"no such image", re.IGNORECASE)
# The CLI's words when it does not reach the daemon at all.
_NO_DAEMON = re.compile(
    r"cannot connect to the docker daemon|error during connect|permission denied|connection refused", re.IGNORECASE
)


def host_image_id(run_command, docker, ref):
    """The ID (without ``sha256:``) of ``ref`` in the host's Docker daemon, or None when it holds no such image.

    Asks through the docker CLI, as ``minikube image load --daemon`` reads
    the host's images. ``run_command(argv)`` may raise CommandTimeout or
    OSError. Raises MinikubeError(failed) for any other answer.
    """
    argv = [docker, "image", "inspect", "--format", "{{.Id}}", ref]
    try:
        rc, out, err = run_command(argv)
    except CommandTimeout as exc:
        raise MinikubeError(
            "failed", f"docker image inspect {ref} got no answer within {exc.seconds} s: {DAEMON_HINT}", cmd=argv
        ) from None
    except OSError as exc:
        raise MinikubeError("failed", f"{docker} does not run: {exc}", cmd=argv) from None
    if rc == 0 and (out or "").strip():
        image_id = out.strip().splitlines()[0].strip()
        return image_id[len("sha256:") :] if image_id.startswith("sha256:") else image_id
    if _NO_SUCH_IMAGE.search(err or "") or _NO_SUCH_IMAGE.search(out or ""):
        return None
    reason = " ".join((err or out or "no output").split())
    hint = f" {DAEMON_HINT}" if _NO_DAEMON.search(reason) else ""
    raise MinikubeError("failed", f"docker image inspect {ref} failed (exit {rc}): {reason}.{hint}", rc, out, err, argv)


def parse_ip(text):
    for line in (text or "").splitlines():
        candidate = line.strip()
        if re.match(r"^[0-9a-fA-F:.]+$", candidate) and ("." in candidate or ":" in candidate):
            return candidate
    raise MinikubeError("bad_output", "minikube ip printed no address", stdout=text)


# --------------------------------------------------------------------------
# docker-env
# --------------------------------------------------------------------------


def parse_docker_env(text):
    """docker-env output in any of its forms -> dict of variables.

    JSON (``--shell none -o json``), ``export K="V"`` (bash/zsh),
    ``K=V`` (``--shell none``), ``set -gx K "V";`` (fish), ``$Env:K = "V"``
    (powershell), ``SET K=V`` (cmd).
    """
    text = text or ""
    if text.strip().startswith("{"):
        data = parse_json_document(text, "minikube docker-env")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "REM", "@FOR")) or _FALSE_EXIT.match(line):
            continue
        match = (
            re.match(r"^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
            or re.match(r"^set -gx\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*?);?$", line)
            or re.match(r"^\$Env:([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
            or re.match(r"^SET\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
            or re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        )
        if not match:
            continue
        value = match.group(2).strip()
        try:
            parts = shlex.split(value)
            value = parts[0] if parts else ""
        except ValueError:
            value = value.strip('"')
        env[match.group(1)] = value
    if not env:
        raise MinikubeError("bad_output", "minikube docker-env printed no variables", stdout=text)
    return env


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def docker_env_result(env, profile):
    """The module's return value from docker-env's variables.

    Raises MinikubeError(runtime_not_docker) for an SSH endpoint, which
    minikube only hands out for the containerd runtime (nerdctld).
    """
    host = env.get("DOCKER_HOST", "")
    if not host:
        raise MinikubeError("bad_output", "minikube docker-env gave no DOCKER_HOST")
    if host.startswith("ssh://"):
        raise MinikubeError(
            "runtime_not_docker",
            runtime_message(profile, "containerd"),
        )
    tls_verify = env.get("DOCKER_TLS_VERIFY", "") not in ("", "0", "false", "False")
    cert_path = env.get("DOCKER_CERT_PATH", "")
    active = env.get("MINIKUBE_ACTIVE_DOCKERD", profile)
    exported = {key: env[key] for key in DOCKER_ENV_KEYS if env.get(key, "") != ""}
    docker = {
        "docker_host": host,
        "tls": bool(cert_path) or tls_verify,
        "validate_certs": tls_verify,
        "ca_path": _join(cert_path, "ca.pem") if cert_path else None,
        "client_cert": _join(cert_path, "cert.pem") if cert_path else None,
        "client_key": _join(cert_path, "key.pem") if cert_path else None,
    }
    return {
        "docker_host": host,
        # minikube hands out its daemon on the loopback address exactly when the host cannot
        # reach the node (its NeedsPortForward); the ingress then needs minikube tunnel too.
        "port_forward": urlsplit(host).hostname in LOOPBACK_HOSTS,
        "tls_verify": tls_verify,
        "cert_path": cert_path,
        "minikube_active_dockerd": active,
        "env": exported,
        "docker": docker,
    }


def _join(directory, name):
    separator = "\\" if ("\\" in directory and "/" not in directory) else "/"
    return directory.rstrip("/\\") + separator + name


def runtime_message(profile, runtime):
    runtime = runtime or "a non-Docker"
    return (
        f'minikube profile "{profile}" uses the {runtime} container runtime: it has no Docker daemon to build '
        "images in. Build images with `minikube image build` or load them with `minikube image load`, or "
        f"recreate the cluster with the Docker runtime (minikube delete -p {profile}; minikube start -p {profile} "
        "--container-runtime=docker)."
    )


# --------------------------------------------------------------------------
# Failure classification
# --------------------------------------------------------------------------


def classify_failure(args, rc, stdout, stderr, profile):
    """A MinikubeError for a non-zero exit of ``minikube args``."""
    code = shell_exit_code(stdout)
    if rc in (None, 0) and code is not None:
        rc = code
    messages = human_messages(stdout, stderr)
    said = " ".join(messages)
    own = f" minikube said: {said}" if said else ""
    cmd = list(args)
    start = "minikube start" if profile == "minikube" else f"minikube start -p {profile}"

    if rc == EX_GUEST_NOT_FOUND or re.search(r'Profile "[^"]*" not found|There is no local cluster named', said):
        return MinikubeError(
            "profile_not_found",
            f'minikube profile "{profile}" does not exist. Create it with `{start}` '
            f"(the localdev.kube.minikube role does).{own}",
            rc,
            stdout,
            stderr,
            cmd,
        )
    if "docker-env command only supports" in said or 'only compatible with the "docker" runtime' in said:
        match = re.search(r'use the "([^"]+)" runtime', said)
        return MinikubeError(
            "runtime_not_docker",
            runtime_message(profile, match.group(1) if match else None) + own,
            rc,
            stdout,
            stderr,
            cmd,
        )
    if rc in (EX_GUEST_NOT_RUNNING, EX_GUEST_UNAVAILABLE, EX_SVC_UNAVAILABLE) or re.search(
        r"host is not running|must be running for this command|is not running|state=Stopped", said
    ):
        return MinikubeError(
            "not_running",
            f'minikube profile "{profile}" exists but is not running. Start it with `{start}`.{own}',
            rc,
            stdout,
            stderr,
            cmd,
        )
    if "driver does not support" in said or rc == EX_DRIVER_CONFLICT:
        return MinikubeError(
            "runtime_not_docker",
            f'minikube profile "{profile}" uses a driver without its own Docker daemon (e.g. "none"); '
            f"build images with the host's Docker instead, or recreate the cluster with --driver=docker.{own}",
            rc,
            stdout,
            stderr,
            cmd,
        )
    detail = said or (stderr or stdout or "").strip() or "no output"
    return MinikubeError(
        "failed",
        f"`minikube {' '.join(cmd)}` failed (exit code {rc}): {detail}",
        rc,
        stdout,
        stderr,
        cmd,
    )


# --------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------


def normalize_k8s_version(value):
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text in ("stable", "latest"):
        return text
    return text if text.startswith("v") else "v" + text


def compute_drift(summary, expect):
    """Differences between a profile's config and the requested one.

    expect keys (all optional): driver, cpus, memory (MiB), kubernetes_version.
    Returns a list of {'field', 'current', 'requested'} in a stable order.
    """
    drift = []
    if not summary or not expect:
        return drift
    checks = (
        ("driver", lambda v: str(v) if v is not None else None),
        ("cpus", lambda v: int(v) if v is not None else None),
        ("memory", lambda v: int(v) if v is not None else None),
        ("kubernetes_version", normalize_k8s_version),
    )
    for field, norm in checks:
        requested = expect.get(field)
        if requested in (None, ""):
            continue
        current = summary.get(field)
        requested_n = norm(requested)
        current_n = norm(current) if current not in (None, "") else None
        if requested_n in ("stable", "latest"):
            continue
        if current_n != requested_n:
            drift.append({"field": field, "current": current_n, "requested": requested_n})
    return drift


def describe_drift(drift):
    return [f"{item['field']}: cluster has {item['current']}, requested {item['requested']}" for item in drift]


# --------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------


class Minikube:
    """Runs the minikube CLI through a run_command(args) -> (rc, out, err) callable."""

    def __init__(self, run_command, binary="minikube", profile="minikube"):
        self._run = run_command
        self.binary = binary
        self.profile = profile

    def run(self, *args, profile=True, check=True):
        argv = [self.binary]
        if profile:
            argv += ["-p", self.profile]
        argv += list(args)
        rc, out, err = self._run(argv)
        if check and rc != 0:
            raise classify_failure(argv[1:], rc, out, err, self.profile)
        return rc, out, err

    def version(self):
        _rc, out, _err = self.run("version", "-o", "json", profile=False)
        return parse_version(out)

    def status(self):
        """(exists, node statuses, rc). Exit codes 1-7 still carry JSON."""
        rc, out, err = self.run("status", "-o", "json", check=False)
        if rc == EX_GUEST_NOT_FOUND:
            return False, [], rc
        if rc not in range(0, 8):
            raise classify_failure(["-p", self.profile, "status", "-o", "json"], rc, out, err, self.profile)
        return True, parse_status(out), rc

    def profiles(self):
        _rc, out, _err = self.run("profile", "list", "-o", "json", "-l", profile=False)
        return parse_profile_list(out)

    def addons(self):
        _rc, out, _err = self.run("addons", "list", "-o", "json")
        return parse_addons(out)

    def images(self):
        _rc, out, _err = self.run("image", "ls", "--format", "json")
        return parse_image_list(out)

    def ip(self):
        _rc, out, _err = self.run("ip")
        return parse_ip(out)

    def docker_env(self):
        rc, out, err = self.run("docker-env", "--shell", "none", "-o", "json", check=False)
        code = shell_exit_code(out)
        if rc != 0 or code is not None:
            raise classify_failure(
                ["-p", self.profile, "docker-env", "--shell", "none", "-o", "json"], rc or code, out, err, self.profile
            )
        if "containerd runtime" in (err or "") and "experimental" in (err or ""):
            raise MinikubeError("runtime_not_docker", runtime_message(self.profile, "containerd"), rc, out, err)
        return docker_env_result(parse_docker_env(out), self.profile)


# The options every minikube module takes (documented in the
# localdev.kube.minikube doc fragment).
COMMON_ARGUMENT_SPEC = {
    "profile": {"type": "str", "default": "minikube"},
    "minikube_binary": {"type": "str", "default": "minikube"},
}


def minikube_for_module(module):
    """A Minikube runner for an AnsibleModule with COMMON_ARGUMENT_SPEC.

    Fails the module, saying what to do, when the profile is empty or the
    executable is not found.
    """
    profile = module.params["profile"]
    if not profile or not profile.strip():
        module.fail_json(msg="profile must be a non-empty minikube profile name", reason="failed")
    binary = module.get_bin_path(module.params["minikube_binary"])
    if not binary:
        module.fail_json(
            msg=f"minikube executable '{module.params['minikube_binary']}' was not found on PATH. "
            + INSTALL_HINT.format(version="1.33.0"),
            reason="binary_missing",
        )

    def run(argv):
        # Plain output: no emoji or styling to parse around.
        return module.run_command(argv, environ_update={"MINIKUBE_IN_STYLE": "false"})

    return Minikube(run, binary=binary, profile=profile)
