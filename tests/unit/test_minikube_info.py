"""Unit tests of the minikube_info module's reading, over recorded minikube outputs.

The outputs are in tests/unit/data/minikube (see the README there).
"""

from __future__ import annotations

import os

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import minikube as mk
from ansible_collections.localdev.kube.plugins.module_utils.deadline import CommandTimeout
from ansible_collections.localdev.kube.plugins.modules import minikube_info
from ansible_collections.localdev.kube.plugins.modules.minikube_info import gather
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main
from ansible_collections.localdev.kube.tests.unit.test_minikube_utils import Responder, data

PROFILE = "ldk-test"


def answers(status_rc=0, status="status_running.json"):
    return {
        "version -o json": (0, data("version.json"), ""),
        f"-p {PROFILE} status -o json": (status_rc, data(status), ""),
        "profile list -o json -l": (0, data("profile_list_light.json"), ""),
        f"-p {PROFILE} addons list -o json": (0, data("addons_list.json"), ""),
        f"-p {PROFILE} ip": (0, data("ip.stdout"), ""),
        f"-p {PROFILE} docker-env --shell none -o json": (0, data("docker_env.json"), ""),
    }


def test_a_running_cluster_with_its_docker_environment():
    run = Responder(answers())
    result = gather(mk.Minikube(run, profile=PROFILE), {}, docker_env=True)
    assert result["running"] and result["exists"] and result["ip"]
    assert result["docker_env"]["docker"]["docker_host"] == "tcp://192.168.49.2:2376"
    assert result["docker_env"]["minikube_active_dockerd"] == PROFILE
    assert result["root"] is (os.geteuid() == 0)


def test_the_docker_environment_is_read_only_when_asked():
    run = Responder(answers())
    result = gather(mk.Minikube(run, profile=PROFILE), {})
    assert result["docker_env"] == {}
    assert not [argv for argv in run.calls if "docker-env" in argv]


@pytest.mark.parametrize("docker_env", [True, False])
def test_a_stopped_cluster_has_no_docker_environment(docker_env):
    run = Responder(answers(status_rc=7, status="status_stopped.json"))
    result = gather(mk.Minikube(run, profile=PROFILE), {}, docker_env=docker_env)
    assert not result["running"] and result["docker_env"] == {} and result["ip"] == ""
    assert not [argv for argv in run.calls if "docker-env" in argv]


def test_the_cluster_images_are_listed_only_when_asked():
    responses = answers() | {f"-p {PROFILE} image ls --format json": (0, data("image_ls.json"), "")}
    run = Responder(responses)
    assert gather(mk.Minikube(run, profile=PROFILE), {})["images"] == []
    assert not [argv for argv in run.calls if "image" in argv]
    listed = gather(mk.Minikube(run, profile=PROFILE), {}, images=True)["images"]
    assert any("registry.k8s.io/pause:3.10.1" in image["repo_tags"] for image in listed)


def test_a_stopped_cluster_lists_no_images():
    run = Responder(answers(status_rc=7, status="status_stopped.json"))
    assert gather(mk.Minikube(run, profile=PROFILE), {}, images=True)["images"] == []
    assert not [argv for argv in run.calls if "image" in argv]


def test_host_images_are_looked_up_beside_the_minikube_commands():
    # What the docker CLI prints for `image inspect --format {{.Id}}` (20.10 and 28 word a miss differently).
    inspect = "image inspect --format {{.Id}}"
    run = Responder(
        answers()
        | {
            f"{inspect} postgres:15-bookworm": (0, "sha256:59884a7b4028\n", ""),
            f"{inspect} ldk/absent:1": (1, "\n", "Error: No such image: ldk/absent:1\n"),
            f"{inspect} ldk/gone:2": (1, "", "Error response from daemon: No such image: ldk/gone:2\n"),
        }
    )
    result = gather(
        mk.Minikube(run, profile=PROFILE),
        {},
        host_images=["postgres:15-bookworm", "ldk/absent:1", "ldk/gone:2", "postgres:15-bookworm"],
        host_image=lambda ref: mk.host_image_id(run, "docker", ref),
    )
    assert result["host_images"] == {"postgres:15-bookworm": "59884a7b4028", "ldk/absent:1": None, "ldk/gone:2": None}
    # Each asked once, and none when none is named.
    assert len([argv for argv in run.calls if argv[0] == "docker"]) == 3
    assert gather(mk.Minikube(Responder(answers()), profile=PROFILE), {})["host_images"] == {}


def test_a_host_daemon_that_does_not_answer_fails_saying_so():
    message = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    run = Responder({"image inspect --format {{.Id}} postgres:15": (1, "", message + "\n")})
    with pytest.raises(mk.MinikubeError) as raised:
        mk.host_image_id(run, "docker", "postgres:15")
    assert raised.value.kind == "failed"
    assert raised.value.message.startswith(f"docker image inspect postgres:15 failed (exit 1): {message}.")
    assert raised.value.message.endswith("check that it runs (docker info).")


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (CommandTimeout(["docker"], 60), "docker image inspect postgres:15 got no answer within 60 s: the images"),
        (FileNotFoundError(2, "No such file or directory"), "/usr/bin/docker does not run: [Errno 2]"),
    ],
)
def test_a_docker_cli_that_hangs_or_cannot_run_fails_saying_so(failure, message):
    def run(argv):
        raise failure

    with pytest.raises(mk.MinikubeError) as raised:
        mk.host_image_id(run, "/usr/bin/docker", "postgres:15")
    assert raised.value.message.startswith(message)


def test_other_inspect_errors_carry_no_daemon_hint():
    run = Responder({"image inspect --format {{.Id}} Bad:Ref": (1, "", "invalid reference format\n")})
    with pytest.raises(mk.MinikubeError) as raised:
        mk.host_image_id(run, "docker", "Bad:Ref")
    assert raised.value.message == "docker image inspect Bad:Ref failed (exit 1): invalid reference format."


def test_host_images_without_a_docker_cli_fail_saying_how_to_install_it(capsys, tmp_path, monkeypatch):
    minikube = tmp_path / "minikube"
    minikube.write_text("#!/bin/sh\nexit 0\n")
    minikube.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_main(
        minikube_info.main,
        capsys,
        {"minikube_binary": str(minikube), "host_images": ["postgres:15"], "docker_binary": "ldk-no-such-docker"},
    )
    assert result["failed"] is True
    assert result["reason"] == "binary_missing"
    assert result["msg"].startswith("docker executable 'ldk-no-such-docker' was not found on PATH")
