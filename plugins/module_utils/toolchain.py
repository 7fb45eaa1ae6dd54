# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a host has for the local Kubernetes toolchain, and what to do about it.

Plain Python over strings, so the unit tests cover every branch without
running a tool:

* ``parse_version``: the version a tool prints (``minikube version --short``,
  ``kubectl version --client -o json``, ``helm version --short``,
  ``docker --version``), normalised to ``vMAJOR.MINOR.PATCH[-PRERELEASE]``.
* ``compare_versions`` / ``version_at_least``: Semantic Versioning 2.0.0
  precedence (a pre-release sorts before its release, build metadata is
  ignored), with or without the leading ``v``.
* ``release_platform``: ``platform.system()`` / ``uname -m`` names to the
  ``<os>`` / ``<arch>`` words in the minikube, kubectl and helm release file
  names (``linux``/``darwin``, ``amd64``/``arm64``).
* ``is_wsl`` / ``host_platform``: the one place that decides whether the host
  is macOS, WSL or native Linux (the ``toolchain_platform`` fact).
* ``plan_tool``: use the copy on PATH, use the copy already installed, or
  install the pinned version.
* ``path_hint``: the line that puts the install directory on PATH for the
  user's shell, and the file it goes in.
* ``docker_context_name``: the Docker context the docker CLI (and
  community.docker) would use, from the environment and the CLI's config file.
* ``docker_daemon_answer``: what ``docker info`` says about the daemon of
  that context: whether it answered, its version and memory, or why not.
"""

from __future__ import annotations

import json
import os
import re

# How each tool tells its version, without contacting a cluster or a daemon.
VERSION_ARGS = {
    "minikube": ["version", "--short"],
    "kubectl": ["version", "--client", "-o", "json"],
    "helm": ["version", "--short"],
    "docker": ["--version"],
}

# Where each release lives under its base URL and what its checksum file is
# called (the official layouts; a mirror keeps the same layout).
RELEASE_LAYOUTS = {
    "minikube": {"path": "{version}/minikube-{os}-{arch}", "checksum_suffix": ".sha256", "member": None},
    "kubectl": {"path": "{version}/bin/{os}/{arch}/kubectl", "checksum_suffix": ".sha256", "member": None},
    "helm": {
        "path": "helm-{version}-{os}-{arch}.tar.gz",
        "checksum_suffix": ".sha256sum",
        "member": "{os}-{arch}/helm",
    },
}

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# A version inside free text: "Docker version 20.10.24+dfsg1, build 297e128".
_VERSION_IN_TEXT = re.compile(
    r"(?<![\w.])v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?!\w|\.\d)"
)
# binfmt_misc entries WSL registers to run Windows executables (the -late one
# on newer WSL releases).

_SHA256 = re.compile(r"^(?:sha256:)?[0-9a-fA-F]{64}$")

_OS_NAMES = {"linux": "linux", "darwin": "darwin"}
_ARCH_NAMES = {
    "x86_64": "amd64",  # Linux and Intel macOS (uname -m)
    "amd64": "amd64",  # the BSDs, and the release names themselves
    "aarch64": "arm64",  # Linux on ARM, including WSL on Windows on ARM
    "arm64": "arm64",  # Apple silicon macOS
}


class UnsupportedPlatform(ValueError):
    """No release of the tools exists for this OS or CPU."""


def _split(version):
    match = _SEMVER.match(version.strip()) if isinstance(version, str) else None
    if not match:
        raise ValueError("not a semantic version (vMAJOR.MINOR.PATCH): %r" % (version,))
    pre = match.group("pre")
    return (
        (int(match.group("major")), int(match.group("minor")), int(match.group("patch"))),
        tuple(pre.split(".")) if pre else (),
    )


def is_version(value):
    """True when value is a semantic version, with or without the leading v."""
    try:
        _split(value)
    except ValueError:
        return False
    return True


def normalize_version(value):
    """'1.37.0+abc' -> 'v1.37.0'; raises ValueError when it is no version."""
    core, pre = _split(value)
    text = "v%d.%d.%d" % core
    return text + "-" + ".".join(pre) if pre else text


def _compare_identifiers(left, right):
    # SemVer 2.0.0 section 11.4: numeric < alphanumeric, numbers by value,
    # text by ASCII order, a shorter list first when all shared ones are equal.
    for one, two in zip(left, right):
        if one == two:
            continue
        if one.isdigit() and two.isdigit():
            return -1 if int(one) < int(two) else 1
        if one.isdigit() != two.isdigit():
            return -1 if one.isdigit() else 1
        return -1 if one < two else 1
    return (len(left) > len(right)) - (len(left) < len(right))


def compare_versions(left, right):
    """-1, 0 or 1 as left sorts before, with or after right (SemVer precedence)."""
    (left_core, left_pre), (right_core, right_pre) = _split(left), _split(right)
    if left_core != right_core:
        return -1 if left_core < right_core else 1
    if left_pre == right_pre:
        return 0
    if not left_pre or not right_pre:
        # A release sorts after any of its pre-releases.
        return 1 if not left_pre else -1
    return _compare_identifiers(left_pre, right_pre)


def version_at_least(found, minimum):
    """True when found is minimum or newer; False when found is None or no version."""
    if found is None or not is_version(found):
        return False
    return compare_versions(found, minimum) >= 0


def parse_version(tool, stdout):
    """The version a tool printed, as vX.Y.Z[-pre], or None when there is none."""
    text = (stdout or "").strip()
    if not text:
        return None
    if tool == "kubectl" and text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            client = data.get("clientVersion")
            version = client.get("gitVersion") if isinstance(client, dict) else None
            if isinstance(version, str) and is_version(version):
                return normalize_version(version)
            return None
    match = _VERSION_IN_TEXT.search(text)
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    version = "v%d.%d.%d" % (int(major), int(minor), int(patch))
    return version + "-" + pre if pre else version


def release_platform(system, machine):
    """('Linux', 'x86_64') -> ('linux', 'amd64'); raises UnsupportedPlatform."""
    os_name = _OS_NAMES.get((system or "").strip().lower())
    arch = _ARCH_NAMES.get((machine or "").strip().lower())
    if os_name is None:
        raise UnsupportedPlatform(
            "no minikube, kubectl and helm releases for the operating system %r: use Linux, macOS, "
            "or on Windows a WSL 2 distribution" % (system,)
        )
    if arch is None:
        raise UnsupportedPlatform(
            "no minikube, kubectl and helm releases for the CPU architecture %r on %s: "
            "this role installs amd64 (x86_64) and arm64 (aarch64) builds" % (machine, os_name)
        )
    return os_name, arch


def is_sha256(value):
    """A SHA-256 hex digest, optionally written as sha256:<hex>."""
    return isinstance(value, str) and bool(_SHA256.match(value.strip()))


def release_url(tool, base_url, version, os_name, arch):
    """The download URL, its checksum file's URL and the archive member (or None)."""
    layout = RELEASE_LAYOUTS[tool]
    url = base_url.rstrip("/") + "/" + layout["path"].format(version=version, os=os_name, arch=arch)
    member = layout["member"].format(os=os_name, arch=arch) if layout["member"] else None
    return url, url + layout["checksum_suffix"], member


def same_dir(left, right, realpath=os.path.realpath):
    """Whether two directory names point at the same place (trailing /, .., links)."""
    if not left or not right:
        return False
    one = os.path.normpath(os.path.expanduser(left))
    two = os.path.normpath(os.path.expanduser(right))
    return one == two or realpath(one) == realpath(two)


def dir_on_path(directory, path_entries, realpath=os.path.realpath):
    """The index of directory in the PATH entries, or None."""
    for index, entry in enumerate(path_entries):
        if same_dir(entry, directory, realpath):
            return index
    return None


def path_hint(directory, home, shell, system):
    """How to put directory on PATH: {'shell', 'file', 'line'} for the user's login shell."""
    shown = os.path.normpath(directory)
    home = os.path.normpath(home) if home else ""
    if home not in ("", "/") and shown.startswith(home + "/"):
        shown = "$HOME/" + shown[len(home) + 1 :]
    name = os.path.basename(shell or "") or "sh"
    if name == "fish":
        return {"shell": name, "file": "~/.config/fish/config.fish", "line": 'fish_add_path "%s"' % shown}
    if name == "zsh":
        rc_file = "~/.zshrc"
    elif name == "bash":
        # macOS Terminal starts login shells, which read ~/.bash_profile.
        rc_file = "~/.bash_profile" if (system or "").lower() == "darwin" else "~/.bashrc"
    else:
        rc_file = "~/.profile"
    return {"shell": name, "file": rc_file, "line": 'export PATH="%s:$PATH"' % shown}


def plan_tool(name, found_version, installed_version, minimum, pinned, found_path=None, installed_path=None):
    """What to do for one tool: (action, reason).

    * 'path': the copy first on PATH is minimum or newer (any copy when minimum
      is None); use it.
    * 'installed': the copy in the install directory is the pinned version; use it.
    * 'install': install the pinned version into the install directory.
    * 'missing': none of the above and there is no pinned version to install.
    """
    if found_path and (minimum is None or version_at_least(found_version, minimum)):
        shown = " " + found_version if found_version else ""
        meets = " meets the minimum %s" % minimum if minimum else " is used"
        return "path", "%s%s on PATH (%s)%s" % (name, shown, found_path, meets)
    if found_path and found_version:
        why = "%s on PATH (%s) is %s, older than the minimum %s" % (name, found_path, found_version, minimum)
    elif found_path:
        why = "%s on PATH (%s) does not report a version" % (name, found_path)
    else:
        why = "%s is not on PATH" % name
    if not pinned:
        return "missing", why
    if installed_path and is_version(installed_version) and compare_versions(installed_version, pinned) == 0:
        return "installed", "%s; using %s %s from %s" % (why, name, installed_version, installed_path)
    return "install", "%s; installing %s %s" % (why, name, pinned)


def docker_context_name(environ, home):
    """The current Docker context's name, decided as the docker CLI decides it.

    DOCKER_HOST set means the default context; else DOCKER_CONTEXT; else the
    ``currentContext`` of config.json in DOCKER_CONFIG (or ~/.docker); else
    the default. An unreadable config file counts as none, as the CLI's
    library in community.docker treats it.
    """
    if environ.get("DOCKER_HOST"):
        return "default"
    if environ.get("DOCKER_CONTEXT"):
        return environ["DOCKER_CONTEXT"]
    config = os.path.join(environ.get("DOCKER_CONFIG") or os.path.join(home, ".docker"), "config.json")
    try:
        with open(config, encoding="utf-8") as handle:
            name = json.load(handle).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return "default"
    return name if isinstance(name, str) and name else "default"


# The daemon of the current context, as the docker CLI (and so minikube's
# docker driver, which runs it) reaches it.
DOCKER_INFO_ARGS = ["info", "--format", "{{json .}}"]


def _one_line(text, limit=400):
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def docker_daemon_answer(rc, stdout, stderr):
    """{answered, server_version, mem_total_mb, error} from ``docker info --format '{{json .}}'``.

    Without a daemon the CLI still prints its own half of the JSON (an empty
    ServerVersion) and exits non-zero, the reason on stderr; newer CLIs also
    put it in ServerErrors.
    """
    try:
        info = json.loads(stdout or "")
    except ValueError:
        info = None
    if not isinstance(info, dict):
        info = {}
    version = info.get("ServerVersion")
    version = version if isinstance(version, str) else ""
    memory = info.get("MemTotal")
    memory = memory if isinstance(memory, int) and not isinstance(memory, bool) and memory > 0 else 0
    errors = info.get("ServerErrors")
    errors = [str(error) for error in errors] if isinstance(errors, list) else []
    if rc == 0 and version:
        return {"answered": True, "server_version": version, "mem_total_mb": memory // 1048576, "error": ""}
    reason = _one_line(stderr) or _one_line(" ".join(errors))
    if not reason:
        reason = "docker info exited with %s and named no server version" % rc
        if not info and (stdout or "").strip():
            reason += ": " + _one_line(stdout, 200)
    return {"answered": False, "server_version": "", "mem_total_mb": 0, "error": reason}
