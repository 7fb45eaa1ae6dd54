"""Unit tests for plugins/module_utils/toolchain.py: versions, platforms, plans, PATH hints.

The version outputs are the shapes the real tools print (minikube v1.37.0,
kubectl v1.34.0, helm v4.3.1 and v3, Docker 28 and Debian's docker.io).
"""

from __future__ import annotations

import json

import pytest
from ansible_collections.localdev.kube.plugins.module_utils.toolchain import (
    RELEASE_LAYOUTS,
    VERSION_ARGS,
    UnsupportedPlatform,
    compare_versions,
    dir_on_path,
    docker_daemon_answer,
    is_sha256,
    is_version,
    normalize_version,
    parse_version,
    path_hint,
    plan_tool,
    release_platform,
    release_url,
    same_dir,
    version_at_least,
)

KUBECTL_JSON = json.dumps(
    {
        "clientVersion": {
            "major": "1",
            "minor": "34",
            "gitVersion": "v1.34.0",
            "gitCommit": "f28b4c9efbca5c5c0af716d9f2d5702667ee8a45",
            "gitTreeState": "clean",
            "buildDate": "2025-08-27T10:15:59Z",
            "goVersion": "go1.24.6",
            "compiler": "gc",
            "platform": "linux/amd64",
        },
        "kustomizeVersion": "v5.7.1",
    },
    indent=2,
)


# --- version comparison ----------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("v1.37.0", "v1.37.0", 0),
        ("1.37.0", "v1.37.0", 0),
        ("v1.37.0+build.5", "v1.37.0", 0),  # build metadata does not count
        ("v1.37.0", "v1.36.9", 1),
        ("v1.9.0", "v1.10.0", -1),  # numbers, not text
        ("v2.0.0", "v1.99.99", 1),
        ("v1.37.1", "v1.37.0", 1),
        ("v1.37.0-beta.0", "v1.37.0", -1),  # a pre-release sorts before its release
        ("v1.37.0", "v1.36.0-rc.1", 1),
        ("v1.0.0-alpha", "v1.0.0-alpha.1", -1),  # SemVer 2.0.0 section 11 example, pair by pair
        ("v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1),
        ("v1.0.0-alpha.beta", "v1.0.0-beta", -1),
        ("v1.0.0-beta", "v1.0.0-beta.2", -1),
        ("v1.0.0-beta.2", "v1.0.0-beta.11", -1),
        ("v1.0.0-beta.11", "v1.0.0-rc.1", -1),
        ("v1.0.0-rc.1", "v1.0.0", -1),
        ("v4.0.0", "v3.19.0", 1),
    ],
)
def test_compare_versions(left, right, expected):
    assert compare_versions(left, right) == expected
    assert compare_versions(right, left) == -expected  # pylint: disable=arguments-out-of-order


@pytest.mark.parametrize("bad", ["", "1.37", "v1", "latest", "v1.37.0.1", "v01.2.3", "1.2.3-", None, 137])
def test_compare_versions_rejects_what_is_no_version(bad):
    with pytest.raises(ValueError, match="not a semantic version"):
        compare_versions(bad, "v1.0.0")
    assert is_version(bad) is False


@pytest.mark.parametrize(
    ("found", "minimum", "expected"),
    [
        ("v1.34.0", "v1.33.0", True),
        ("v1.33.0", "v1.33.0", True),
        ("v1.32.4", "v1.33.0", False),
        ("v1.33.0-rc.0", "v1.33.0", False),
        ("v1.32.4-dispatcher", "v1.33.0", False),
        (None, "v1.33.0", False),
        ("garbage", "v1.33.0", False),
    ],
)
def test_version_at_least(found, minimum, expected):
    assert version_at_least(found, minimum) is expected


def test_normalize_version():
    assert normalize_version("1.37.0") == "v1.37.0"
    assert normalize_version("v4.3.1+g1c4ee1c") == "v4.3.1"
    assert normalize_version("v1.35.0-alpha.1") == "v1.35.0-alpha.1"


# --- reading what the tools print -------------------------------------------


@pytest.mark.parametrize(
    ("tool", "stdout", "expected"),
    [
        ("minikube", "v1.37.0\n", "v1.37.0"),
        ("minikube", "minikube version: v1.37.0\ncommit: 65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3\n", "v1.37.0"),
        ("kubectl", KUBECTL_JSON, "v1.34.0"),  # the client's, not kustomize's
        ("kubectl", "Client Version: v1.34.0\nKustomize Version: v5.7.1\n", "v1.34.0"),
        ("kubectl", '{"clientVersion": {"gitVersion": "v1.32.4-dispatcher"}}', "v1.32.4-dispatcher"),
        ("helm", "v4.3.1+g1c4ee1c\n", "v4.3.1"),
        ("helm", "v3.19.0+g3d8990f\n", "v3.19.0"),
        ("docker", "Docker version 28.2.2, build e6534b4\n", "v28.2.2"),
        ("docker", "Docker version 20.10.24+dfsg1, build 297e128\n", "v20.10.24"),
        ("minikube", "", None),
        ("minikube", "minikube: command not found\n", None),
        ("kubectl", '{"clientVersion": {"gitVersion": "unknown"}}', None),
        ("kubectl", '{"serverVersion": {}}', None),
        ("kubectl", "{not json, v1.2.3", "v1.2.3"),
        ("helm", "version 1.2.3.4.5", None),
    ],
)
def test_parse_version(tool, stdout, expected):
    assert parse_version(tool, stdout) == expected


def test_version_commands_do_not_contact_a_cluster():
    # --client: kubectl would otherwise call the API server; docker --version reads no daemon.
    assert "--client" in VERSION_ARGS["kubectl"]
    assert VERSION_ARGS["docker"] == ["--version"]
    assert set(VERSION_ARGS) == {"minikube", "kubectl", "helm", "docker"}


# --- OS and CPU names --------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "machine", "expected"),
    [
        ("Linux", "x86_64", ("linux", "amd64")),
        ("Linux", "aarch64", ("linux", "arm64")),
        ("Darwin", "arm64", ("darwin", "arm64")),
        ("Darwin", "x86_64", ("darwin", "amd64")),
        ("linux", "AMD64", ("linux", "amd64")),
        (" Linux ", "arm64\n", ("linux", "arm64")),
    ],
)
def test_release_platform(system, machine, expected):
    assert release_platform(system, machine) == expected


@pytest.mark.parametrize(
    ("system", "machine", "words"),
    [
        ("Windows", "AMD64", ["operating system 'Windows'", "WSL"]),
        ("FreeBSD", "amd64", ["operating system 'FreeBSD'"]),
        ("Linux", "armv7l", ["CPU architecture 'armv7l'", "amd64 (x86_64) and arm64 (aarch64)"]),
        ("Linux", "i686", ["CPU architecture 'i686'"]),
        ("Linux", "", ["CPU architecture ''"]),
        (None, None, ["operating system None"]),
    ],
)
def test_release_platform_refuses_what_has_no_release(system, machine, words):
    with pytest.raises(UnsupportedPlatform) as exc:
        release_platform(system, machine)
    for word in words:
        assert word in str(exc.value)


# --- release URLs and checksums -----------------------------------------------


def test_release_urls_follow_the_official_layouts():
    assert release_url("minikube", "https://mirror.example/minikube/releases/", "v1.37.0", "linux", "amd64") == (
        "https://mirror.example/minikube/releases/v1.37.0/minikube-linux-amd64",
        "https://mirror.example/minikube/releases/v1.37.0/minikube-linux-amd64.sha256",
        None,
    )
    assert release_url("kubectl", "https://mirror.example/release", "v1.34.0", "darwin", "arm64") == (
        "https://mirror.example/release/v1.34.0/bin/darwin/arm64/kubectl",
        "https://mirror.example/release/v1.34.0/bin/darwin/arm64/kubectl.sha256",
        None,
    )
    assert release_url("helm", "http://127.0.0.1:8000", "v4.3.1", "linux", "arm64") == (
        "http://127.0.0.1:8000/helm-v4.3.1-linux-arm64.tar.gz",
        "http://127.0.0.1:8000/helm-v4.3.1-linux-arm64.tar.gz.sha256sum",
        "linux-arm64/helm",
    )
    assert set(RELEASE_LAYOUTS) == {"minikube", "kubectl", "helm"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * 64, True),
        ("sha256:" + "0123456789abcdef" * 4, True),
        ("ABCDEF" + "0" * 58, True),
        ("a" * 63, False),
        ("sha1:" + "a" * 40, False),
        ("g" * 64, False),
        ("", False),
        (None, False),
    ],
)
def test_is_sha256(value, expected):
    assert is_sha256(value) is expected


# --- the plan for each tool ---------------------------------------------------


def test_plan_uses_a_good_enough_copy_on_path():
    action, reason = plan_tool("kubectl", "v1.35.1", None, "v1.33.0", "v1.34.0", found_path="/usr/bin/kubectl")
    assert action == "path"
    assert reason == "kubectl v1.35.1 on PATH (/usr/bin/kubectl) meets the minimum v1.33.0"


def test_plan_installs_when_nothing_is_found():
    assert plan_tool("helm", None, None, "v3.14.0", "v4.3.1") == (
        "install",
        "helm is not on PATH; installing helm v4.3.1",
    )


def test_plan_installs_beside_an_older_copy_on_path():
    action, reason = plan_tool("kubectl", "v1.20.0", None, "v1.33.0", "v1.34.0", found_path="/usr/bin/kubectl")
    assert action == "install"
    assert "is v1.20.0, older than the minimum v1.33.0" in reason


def test_plan_keeps_the_pinned_copy_already_installed():
    action, reason = plan_tool(
        "kubectl",
        "v1.20.0",
        "v1.34.0",
        "v1.33.0",
        "v1.34.0",
        found_path="/usr/bin/kubectl",
        installed_path="/h/bin/kubectl",
    )
    assert action == "installed"
    assert reason.endswith("using kubectl v1.34.0 from /h/bin/kubectl")


def test_plan_replaces_an_installed_copy_of_another_version():
    # The pin moved on: the old copy in the install directory is replaced.
    assert (
        plan_tool("minikube", None, "v1.36.0", "v1.33.0", "v1.37.0", installed_path="/h/bin/minikube")[0] == "install"
    )
    assert plan_tool("minikube", None, None, "v1.33.0", "v1.37.0", installed_path="/h/bin/minikube")[0] == "install"


def test_plan_does_not_trust_a_copy_that_prints_no_version():
    action, reason = plan_tool("helm", None, None, "v3.14.0", "v4.3.1", found_path="/usr/local/bin/helm")
    assert action == "install"
    assert "does not report a version" in reason


def test_plan_without_a_pin_says_missing():
    assert plan_tool("docker", None, None, None, None) == ("missing", "docker is not on PATH")
    assert plan_tool("docker", None, None, None, None, found_path="/usr/bin/docker")[0] == "path"
    assert plan_tool("docker", "v19.3.0", None, "v20.10.0", None, found_path="/usr/bin/docker")[0] == "missing"


# --- PATH ----------------------------------------------------------------------


def test_same_dir_ignores_trailing_slashes_and_dots():
    assert same_dir("/home/a/.local/bin/", "/home/a/.local/bin")
    assert same_dir("/home/a/x/../.local/bin", "/home/a/.local/bin")
    assert not same_dir("/home/a/.local/bin", "/home/a/bin")
    assert not same_dir("", "/home/a/bin")


def test_same_dir_follows_links(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    assert same_dir(str(tmp_path / "link"), str(real))


def test_dir_on_path():
    entries = ["/usr/local/bin", "/home/a/.local/bin/", "/usr/bin"]
    assert dir_on_path("/home/a/.local/bin", entries) == 1
    assert dir_on_path("/opt/bin", entries) is None
    assert dir_on_path("/opt/bin", []) is None


@pytest.mark.parametrize(
    ("shell", "system", "file", "line"),
    [
        ("/bin/bash", "Linux", "~/.bashrc", 'export PATH="$HOME/.local/bin:$PATH"'),
        ("/bin/bash", "Darwin", "~/.bash_profile", 'export PATH="$HOME/.local/bin:$PATH"'),
        ("/bin/zsh", "Darwin", "~/.zshrc", 'export PATH="$HOME/.local/bin:$PATH"'),
        ("/usr/bin/fish", "Linux", "~/.config/fish/config.fish", 'fish_add_path "$HOME/.local/bin"'),
        ("/bin/dash", "Linux", "~/.profile", 'export PATH="$HOME/.local/bin:$PATH"'),
        ("", "Linux", "~/.profile", 'export PATH="$HOME/.local/bin:$PATH"'),
    ],
)
def test_path_hint_for_each_shell(shell, system, file, line):
    hint = path_hint("/home/alice/.local/bin", "/home/alice", shell, system)
    assert hint["file"] == file
    assert hint["line"] == line


def test_path_hint_outside_home_keeps_the_absolute_path():
    assert path_hint("/opt/tools/bin/", "/home/alice", "/bin/bash", "Linux")["line"] == (
        'export PATH="/opt/tools/bin:$PATH"'
    )
    # A sibling whose name starts like the home directory is not inside it.
    assert path_hint("/home/alice2/bin", "/home/alice", "/bin/bash", "Linux")["line"] == (
        'export PATH="/home/alice2/bin:$PATH"'
    )
    assert path_hint("/root/.local/bin", "/", "/bin/sh", "Linux")["line"] == 'export PATH="/root/.local/bin:$PATH"'


# What `docker info --format '{{json .}}'` prints (trimmed to the fields read).
_CLIENT_ONLY = '{"ServerVersion":"","MemTotal":0,"ClientInfo":{"Version":"28.2.2","Context":"default"}}'


@pytest.mark.parametrize(
    ("rc", "stdout", "stderr", "expected"),
    [
        (
            0,
            '{"ServerVersion":"20.10.24+dfsg1","MemTotal":25199542272,"Warnings":null}',
            "WARNING: No swap limit support\n",
            {"answered": True, "server_version": "20.10.24+dfsg1", "mem_total_mb": 24032, "error": ""},
        ),
        # MemTotal missing or odd: unknown, not a failure.
        (0, '{"ServerVersion":"28.2.2","MemTotal":"lots"}', "", {"answered": True, "mem_total_mb": 0}),
        (0, '{"ServerVersion":"28.2.2","MemTotal":true}', "", {"answered": True, "mem_total_mb": 0}),
        (
            1,
            _CLIENT_ONLY,
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
            {
                "answered": False,
                "server_version": "",
                "error": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock."
                " Is the docker daemon running?",
            },
        ),
        (
            1,
            '{"ServerVersion":"","ServerErrors":["permission denied while trying to connect to the Docker daemon'
            ' socket at unix:///var/run/docker.sock"]}',
            "",
            {
                "error": "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock"
            },
        ),
        # A zero exit without a server version is no answer either.
        (0, _CLIENT_ONLY, "", {"answered": False, "error": "docker info exited with 0 and named no server version"}),
        (
            2,
            "unknown flag: --format\n",
            "",
            {
                "answered": False,
                "error": "docker info exited with 2 and named no server version: unknown flag: --format",
            },
        ),
        (
            1,
            "[1, 2]",
            "",
            {"answered": False, "error": "docker info exited with 1 and named no server version: [1, 2]"},
        ),
    ],
)
def test_docker_daemon_answer(rc, stdout, stderr, expected):
    answer = docker_daemon_answer(rc, stdout, stderr)
    assert set(answer) == {"answered", "server_version", "mem_total_mb", "error"}
    assert {key: answer[key] for key in expected} == expected


def test_docker_daemon_answer_keeps_a_long_reason_on_one_short_line():
    error = docker_daemon_answer(1, "", "error during connect:\n  " + "x" * 1000)["error"]
    assert "\n" not in error
    assert len(error) == 400
    assert error.startswith("error during connect: xxx")
    assert error.endswith("...")
