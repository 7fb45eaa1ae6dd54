"""Unit tests for the localdev.kube.toolchain_info module: AnsibleModule runs in-process.

The "tools" are small executables written into a temporary PATH, printing
what the real ones print, so the module finds, runs and judges real files.
"""

from __future__ import annotations

import os

import pytest
from ansible_collections.localdev.kube.plugins.modules import toolchain_info
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main

PINS = [
    {"name": "minikube", "minimum_version": "v1.33.0", "version": "v1.37.0"},
    {"name": "kubectl", "minimum_version": "v1.33.0", "version": "v1.34.0"},
    {"name": "helm", "minimum_version": "v3.14.0", "version": "v4.3.1"},
]


def fake_tool(directory, name, output, rc=0):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\nexit {rc}\n")
    path.chmod(0o755)
    return str(path)


def run_module(capsys, **args):
    return run_main(toolchain_info.main, capsys, args, check_mode=False)


def test_nothing_found_plans_every_install(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_module(capsys, tools=PINS, install_dir=str(tmp_path / "bin"), search_path=str(empty))
    assert result["changed"] is False
    assert result["check_mode"] is False
    assert result["to_install"] == ["minikube", "kubectl", "helm"]
    assert result["tools"]["helm"]["path"] == str(tmp_path / "bin" / "helm")
    assert result["tools"]["helm"]["reason"] == "helm is not on PATH; installing helm v4.3.1"
    assert result["install_dir_on_path"] is False
    assert result["path_hint"]["line"].startswith("export PATH=") or result["path_hint"]["line"].startswith("fish")
    assert result["search_path"] == [str(empty)]
    assert result["tools"]["kubectl"]["url"] is None  # no base_url given


def test_release_urls_for_this_host(capsys, tmp_path):
    tools = [
        {"name": "helm", "version": "v4.3.1", "base_url": "http://127.0.0.1:9/helm/"},
        {"name": "minikube", "version": "v1.37.0", "base_url": "http://127.0.0.1:9/minikube"},
        {"name": "docker", "base_url": "http://127.0.0.1:9/docker"},
    ]
    result = run_module(capsys, tools=tools, install_dir=str(tmp_path), search_path=str(tmp_path))
    platform = f"{result['os']}-{result['arch']}"
    helm = result["tools"]["helm"]
    assert helm["url"] == f"http://127.0.0.1:9/helm/helm-v4.3.1-{platform}.tar.gz"
    assert helm["checksum_url"] == helm["url"] + ".sha256sum"
    assert helm["member"] == f"{platform}/helm"
    minikube = result["tools"]["minikube"]
    assert minikube["url"] == f"http://127.0.0.1:9/minikube/v1.37.0/minikube-{platform}"
    assert minikube["checksum_url"] == minikube["url"] + ".sha256"
    assert minikube["member"] is None
    assert result["tools"]["docker"]["url"] is None


def test_good_copies_on_path_are_used(capsys, tmp_path):
    system = tmp_path / "usr-bin"
    fake_tool(system, "minikube", "v1.38.1")
    fake_tool(system, "kubectl", '{"clientVersion": {"gitVersion": "v1.33.2"}, "kustomizeVersion": "v5.6.0"}')
    fake_tool(system, "helm", "v3.19.0+g3d8990f")
    fake_tool(system, "docker", "Docker version 28.2.2, build e6534b4")
    result = run_module(
        capsys, tools=[*PINS, {"name": "docker"}], install_dir=str(tmp_path / "bin"), search_path=str(system)
    )
    assert result["to_install"] == []
    for name, version in (("minikube", "v1.38.1"), ("kubectl", "v1.33.2"), ("helm", "v3.19.0"), ("docker", "v28.2.2")):
        tool = result["tools"][name]
        assert (tool["action"], tool["path"], tool["found_version"]) == ("path", str(system / name), version)
        assert tool["version"] == version
        assert tool["shadowed"] is False


def test_older_copy_on_path_is_shadowed_by_an_install(capsys, tmp_path):
    system = tmp_path / "usr-bin"
    fake_tool(system, "kubectl", '{"clientVersion": {"gitVersion": "v1.20.0"}}')
    result = run_module(capsys, tools=PINS[1:2], install_dir=str(tmp_path / "bin"), search_path=str(system))
    kubectl = result["tools"]["kubectl"]
    assert kubectl["action"] == "install"
    assert kubectl["found_path"] == str(system / "kubectl")
    assert kubectl["path"] == str(tmp_path / "bin" / "kubectl")
    assert kubectl["shadowed"] is True
    assert kubectl["version"] == "v1.34.0", "the pinned version, once installed"
    assert "is v1.20.0, older than the minimum v1.33.0" in kubectl["reason"]


def test_pinned_copy_in_the_install_dir_is_kept_even_off_path(capsys, tmp_path):
    system, install = tmp_path / "usr-bin", tmp_path / "bin"
    fake_tool(system, "kubectl", '{"clientVersion": {"gitVersion": "v1.20.0"}}')
    fake_tool(install, "kubectl", '{"clientVersion": {"gitVersion": "v1.34.0"}}')
    result = run_module(capsys, tools=PINS[1:2], install_dir=str(install), search_path=str(system))
    assert result["to_install"] == []
    assert result["tools"]["kubectl"]["action"] == "installed"
    assert result["tools"]["kubectl"]["installed_version"] == "v1.34.0"
    assert result["tools"]["kubectl"]["path"] == str(install / "kubectl")
    assert result["tools"]["kubectl"]["version"] == "v1.34.0"


def test_install_dir_on_path_is_recognised(capsys, tmp_path):
    install = tmp_path / "bin"
    fake_tool(install, "minikube", "v1.37.0")
    result = run_module(capsys, tools=PINS[:1], install_dir=str(install) + "/", search_path=f"/nonexistent:{install}")
    assert result["install_dir_on_path"] is True
    assert result["tools"]["minikube"]["action"] == "path"
    assert result["tools"]["minikube"]["installed_path"] == str(install / "minikube")


def test_a_broken_executable_is_not_trusted(capsys, tmp_path):
    system = tmp_path / "usr-bin"
    system.mkdir()
    broken = system / "helm"
    broken.write_bytes(b"\x7fELF\x02\x01\x01garbage")  # another CPU's binary: exec fails
    broken.chmod(0o755)
    fake_tool(system, "minikube", "unexpected output", rc=3)
    result = run_module(capsys, tools=PINS, install_dir=str(tmp_path / "bin"), search_path=str(system))
    helm = result["tools"]["helm"]
    assert helm["action"] == "install"
    assert "does not run" in helm["found_error"]
    minikube = result["tools"]["minikube"]
    assert minikube["action"] == "install"
    assert minikube["found_error"] == f"{system / 'minikube'} printed no version (exit 3): unexpected output"


def test_non_executable_files_are_not_found(capsys, tmp_path):
    system = tmp_path / "usr-bin"
    fake_tool(system, "minikube", "v1.37.0")
    os.chmod(system / "minikube", 0o644)
    result = run_module(capsys, tools=PINS[:1], install_dir=str(tmp_path / "bin"), search_path=str(system))
    assert result["tools"]["minikube"]["found_path"] is None


def test_docker_without_a_pin_is_missing_not_installed(capsys, tmp_path):
    result = run_module(capsys, tools=[{"name": "docker"}], install_dir=str(tmp_path), search_path=str(tmp_path))
    assert result["tools"]["docker"]["action"] == "missing"
    assert result["tools"]["docker"]["path"] is None
    assert result["tools"]["docker"]["version"] is None
    assert result["to_install"] == []


def test_check_mode_is_reported_and_changes_nothing(capsys, tmp_path):
    result = run_module(
        capsys, tools=PINS, install_dir=str(tmp_path / "bin"), search_path=str(tmp_path), _ansible_check_mode=True
    )
    assert result["check_mode"] is True
    assert result["changed"] is False
    assert not (tmp_path / "bin").exists()


def test_platform_is_reported_in_release_words(capsys, tmp_path):
    result = run_module(capsys, tools=PINS[:1], install_dir=str(tmp_path), search_path=str(tmp_path))
    assert result["os"] in ("linux", "darwin")
    assert result["arch"] in ("amd64", "arm64")
    assert result["platform_error"] is None


def test_without_tools_only_the_host_is_reported(capsys):
    result = run_module(capsys)
    assert result["tools"] == {}
    assert result["to_install"] == []
    assert result["platform"] in ("linux", "macos", "wsl")
    assert result["platform"] == ("wsl" if result["wsl"] else "macos" if result["system"] == "Darwin" else "linux")
    assert result["install_dir"] is None
    assert result["install_dir_on_path"] is False
    assert result["path_hint"] is None


def test_tools_need_the_install_dir(capsys):
    result = run_module(capsys, tools=PINS[:1])
    assert result["failed"] is True
    assert result["msg"] == "install_dir is required when tools names a tool"


def test_home_is_expanded(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = run_module(capsys, tools=PINS[:1], install_dir="~/.local/bin", search_path=str(tmp_path))
    assert result["install_dir"] == str(tmp_path / ".local" / "bin")
    assert result["path_hint"]["line"].find("$HOME/.local/bin") > 0


@pytest.fixture
def docker_home(tmp_path, monkeypatch):
    """A home directory with no Docker variables set; returns its ~/.docker/config.json (not yet written)."""
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".docker").mkdir()
    return tmp_path / ".docker" / "config.json"


@pytest.mark.parametrize(
    ("env", "config", "context", "host"),
    [
        ({}, None, "default", "unix:///var/run/docker.sock"),
        (
            {"DOCKER_HOST": "tcp://10.0.0.2:2376"},
            '{"currentContext": "desktop-linux"}',
            "default",
            "tcp://10.0.0.2:2376",
        ),
        ({"DOCKER_CONTEXT": "remote"}, '{"currentContext": "desktop-linux"}', "remote", ""),
        ({}, '{"currentContext": "desktop-linux", "auths": {}}', "desktop-linux", ""),
        ({}, '{"auths": {}}', "default", "unix:///var/run/docker.sock"),
        ({}, "not json", "default", "unix:///var/run/docker.sock"),
        # Empty variables count as unset; a config that is not an object, or a name that is not a string, as none.
        ({"DOCKER_HOST": "", "DOCKER_CONTEXT": ""}, '{"currentContext": "colima"}', "colima", ""),
        ({"DOCKER_CONTEXT": "default"}, '{"currentContext": "colima"}', "default", "unix:///var/run/docker.sock"),
        ({}, "[]", "default", "unix:///var/run/docker.sock"),
        ({}, '{"currentContext": 5}', "default", "unix:///var/run/docker.sock"),
    ],
)
def test_the_current_docker_context_is_named_as_the_cli_names_it(
    capsys, tmp_path, docker_home, monkeypatch, env, config, context, host
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if config is not None:
        docker_home.write_text(config)
    result = run_module(capsys)
    assert (result["docker_context"], result["docker_host"]) == (context, host)


def test_docker_config_names_the_directory_of_the_cli_config(capsys, tmp_path, docker_home, monkeypatch):
    (tmp_path / "config.json").write_text('{"currentContext": "colima"}')
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert run_module(capsys)["docker_context"] == "colima"


def test_docker_config_without_a_config_file_is_the_default_context(capsys, tmp_path, docker_home, monkeypatch):
    # The CLI reads only DOCKER_CONFIG's config.json then, not the one in the home directory.
    docker_home.write_text('{"currentContext": "colima"}')
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty"))
    assert run_module(capsys)["docker_context"] == "default"


def fake_docker(directory, info_json, info_rc=0, info_err=""):
    """A docker CLI that answers --version and info as the real one does."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "docker"
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "Docker version 28.2.2, build e6534b4"; exit 0; fi\n'
        'if [ "$1 $2 $3" = "info --format {{json .}}" ]; then\n'
        f"  cat <<'EOF'\n{info_json}\nEOF\n"
        f"  printf '%s' '{info_err}' >&2\n"
        f"  exit {info_rc}\n"
        "fi\n"
        "echo unexpected arguments: $* >&2; exit 64\n"
    )
    path.chmod(0o755)
    return path


def test_the_docker_daemon_is_asked_only_when_asked(capsys, tmp_path):
    fake_docker(tmp_path / "bin", '{"ServerVersion":"28.2.2","MemTotal":8589934592}')
    tools = [{"name": "docker"}]
    quiet = run_module(capsys, tools=tools, install_dir=str(tmp_path), search_path=str(tmp_path / "bin"))
    assert quiet["docker_daemon"] is None
    asked = run_module(
        capsys, tools=tools, install_dir=str(tmp_path), search_path=str(tmp_path / "bin"), docker_daemon=True
    )
    assert asked["docker_daemon"] == {"answered": True, "server_version": "28.2.2", "mem_total_mb": 8192, "error": ""}
    assert asked["tools"]["docker"]["version"] == "v28.2.2"
    # Without tools, the docker CLI on the searched PATH.
    alone = run_module(capsys, search_path=str(tmp_path / "bin"), docker_daemon=True)
    assert alone["docker_daemon"]["answered"] is True
    assert alone["tools"] == {}


def test_a_docker_daemon_that_does_not_answer_is_reported(capsys, tmp_path):
    message = "Cannot connect to the Docker daemon at unix:///run/user/1000/docker.sock. Is the docker daemon running?"
    fake_docker(tmp_path / "bin", '{"ServerVersion":"","MemTotal":0}', info_rc=1, info_err=message)
    result = run_module(capsys, search_path=str(tmp_path / "bin"), docker_daemon=True)
    assert result.get("failed") is not True
    assert result["docker_daemon"] == {"answered": False, "server_version": "", "mem_total_mb": 0, "error": message}


def test_no_docker_to_ask_is_reported(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_module(capsys, search_path=str(tmp_path / "empty"), docker_daemon=True)
    assert result["docker_daemon"]["answered"] is False
    assert result["docker_daemon"]["error"] == "the docker command is not on PATH"


def test_a_docker_daemon_that_hangs_is_given_up_on(capsys, tmp_path, monkeypatch):
    path = tmp_path / "bin" / "docker"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\nexec sleep 30\n")
    path.chmod(0o755)
    monkeypatch.setattr(toolchain_info, "DOCKER_INFO_TIMEOUT", 0.5)
    result = run_module(capsys, search_path=str(tmp_path / "bin"), docker_daemon=True)
    assert result["docker_daemon"]["answered"] is False
    assert result["docker_daemon"]["error"] == "docker info got no answer from the Docker daemon within 0.5 s"


@pytest.mark.parametrize(
    ("tools", "message"),
    [
        ([{"name": "kubectl", "version": "1.34"}], "tools[kubectl].version must be a version like v1.2.3, got '1.34'"),
        ([{"name": "helm", "minimum_version": "latest"}], "tools[helm].minimum_version must be a version like v1.2.3"),
        ([{"name": "helm"}, {"name": "helm"}], "tools names each tool once, got helm, helm"),
        ([{"name": "podman"}], "value of name must be one of"),
    ],
)
def test_bad_input_fails_with_the_field(capsys, tmp_path, tools, message):
    result = run_module(capsys, tools=tools, install_dir=str(tmp_path))
    assert result["failed"] is True
    assert message in result["msg"]
