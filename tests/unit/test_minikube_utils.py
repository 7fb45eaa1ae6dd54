"""Unit tests for plugins/module_utils/minikube.py over minikube's output formats.

The outputs are in tests/unit/data/minikube (see the README there for where
each comes from).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.localdev.kube.plugins.module_utils import minikube as mk  # noqa: E402

DATA = ROOT / "tests" / "unit" / "data" / "minikube"


def data(name):
    return (DATA / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ version --


def test_version_json():
    assert mk.parse_version(data("version.json")) == "v1.37.0"


def test_version_text():
    assert mk.parse_version(data("version.txt")) == "v1.37.0"


def test_version_unreadable():
    with pytest.raises(mk.MinikubeError) as err:
        mk.parse_version("minikube: command garbled\n")
    assert err.value.kind == "bad_output"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("v1.37.0", (1, 37, 0)), ("1.33", (1, 33, 0)), ("v1.34.0-beta.0", (1, 34, 0))],
)
def test_version_tuple(text, expected):
    assert mk.version_tuple(text) == expected


def test_old_version_compares_lower():
    old = mk.version_tuple(mk.parse_version(data("version_old.json")))
    assert old < mk.version_tuple("1.33.0") <= mk.version_tuple(mk.parse_version(data("version.json")))


# ------------------------------------------------------------------- status --


def test_status_running():
    nodes = mk.parse_status(data("status_running.json"))
    node = mk.control_plane_status(nodes)
    assert node["Name"] == "ldk-test"
    assert mk.is_running(node)


def test_status_stopped_is_not_running():
    node = mk.control_plane_status(mk.parse_status(data("status_stopped.json")))
    assert node["Host"] == "Stopped"
    assert not mk.is_running(node)


def test_status_multinode_picks_control_plane():
    nodes = mk.parse_status(data("status_multinode.json"))
    assert len(nodes) == 2
    assert mk.control_plane_status(nodes)["Name"] == "minikube"
    assert mk.is_running(nodes[1])  # APIServer Irrelevant on a worker


def test_status_not_found_is_cloudevents_only():
    with pytest.raises(mk.MinikubeError):
        mk.parse_status(data("status_not_found.stdout"))
    messages = mk.cloudevent_messages(data("status_not_found.stdout"))
    assert messages == [
        'Profile "localdev-no-such-profile" not found. Run "minikube profile list" to view all profiles.',
        'To start a cluster, run: "minikube start -p localdev-no-such-profile"',
    ]


class Responder:
    """A run_command double answering from recorded outputs."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, argv):
        self.calls.append(argv)
        key = " ".join(argv[1:])
        if key not in self.answers:
            raise AssertionError(f"unexpected call: {key}")
        return self.answers[key]


def test_runner_status_not_found():
    run = Responder({"-p localdev-no-such-profile status -o json": (85, data("status_not_found.stdout"), "")})
    exists, nodes, rc = mk.Minikube(run, profile="localdev-no-such-profile").status()
    assert (exists, nodes, rc) == (False, [], 85)


def test_runner_status_stopped_keeps_json():
    run = Responder({"-p minikube status -o json": (7, data("status_stopped.json"), "")})
    exists, nodes, rc = mk.Minikube(run).status()
    assert exists and rc == 7 and nodes[0]["Host"] == "Stopped"


def test_runner_status_other_failure():
    run = Responder({"-p minikube status -o json": (80, "", "X Exiting due to GUEST_STATUS: state: unknown state\n")})
    with pytest.raises(mk.MinikubeError) as err:
        mk.Minikube(run).status()
    assert err.value.kind == "failed"
    assert "GUEST_STATUS" in err.value.message


# ------------------------------------------------------- profile list, addons --


def test_profile_list_summary():
    profiles = mk.parse_profile_list(data("profile_list_light.json"))
    entry = mk.find_profile(profiles, "ldk-test")
    summary = mk.summarize_config(entry["Config"])
    assert summary["driver"] == "docker"
    assert summary["cpus"] == 2
    assert summary["memory"] == 4096
    assert summary["disk_size"] == 20480
    assert summary["kubernetes_version"] == "v1.34.4"
    assert summary["container_runtime"] == "docker"
    assert summary["nodes"] == 1
    assert summary["addons"]["ingress"] is True
    assert mk.find_profile(profiles, "other") is None


def test_profile_list_empty():
    assert mk.parse_profile_list(data("profile_list_empty.json")) == {"valid": [], "invalid": []}


def test_profile_list_error_body():
    with pytest.raises(mk.MinikubeError):
        mk.parse_profile_list('{"error":{"Op":"open","Path":"/home/dev/.minikube/profiles","Err":13}}')


def test_addons():
    addons = mk.parse_addons(data("addons_list.json"))
    assert addons["ingress"] is True
    assert addons["storage-provisioner"] is True
    assert addons["dashboard"] is False
    assert len(addons) > 20


def test_addons_without_profile_are_all_off():
    addons = mk.parse_addons(data("addons_list_no_profile.json"))
    assert addons and not any(addons.values())


def test_image_list():
    images = mk.parse_image_list(data("image_ls.json"))
    pause = [image for image in images if "registry.k8s.io/pause:3.10.1" in image["repo_tags"]]
    assert len(pause) == 1 and re.fullmatch(r"[0-9a-f]{64}", pause[0]["id"])
    # Docker Hub images go by the names `docker images` gives them.
    tags = [tag for image in images for tag in image["repo_tags"]]
    assert "python:3.11-slim-bookworm" in tags and "localdev-kube/kube-webhook-certgen:v1.6.2" in tags
    assert not [tag for tag in tags if tag.startswith("docker.io/")]
    # Untagged images ("<none>:<none>") are kept, with no tag.
    assert len(images) == len(json.loads(data("image_ls.json")))
    assert [image for image in images if image["repo_tags"] == []]


@pytest.mark.parametrize(
    ("ref", "familiar"),
    [
        ("docker.io/library/python:3.11", "python:3.11"),
        ("docker.io/team/app:1", "team/app:1"),
        ("registry.k8s.io/pause:3.10.1", "registry.k8s.io/pause:3.10.1"),
        ("localhost:5000/app:dev", "localhost:5000/app:dev"),
        ("docker.io.example/app:1", "docker.io.example/app:1"),
        # Docker Hub by any of its names, library/ dropped only before a one-part name.
        ("python", "python:latest"),
        ("library/python:3.11", "python:3.11"),
        ("index.docker.io/team/app:1", "team/app:1"),
        ("docker.io/library/team/app:1", "library/team/app:1"),
        # A first part is a registry with a dot, a colon, as localhost or with an upper-case letter.
        ("localhost/app", "localhost/app:latest"),
        ("localhost:5000/team/app", "localhost:5000/team/app:latest"),
        ("Registry/app", "Registry/app:latest"),
        ("team/app", "team/app:latest"),
        # A digest is kept; the untagged placeholder stays as it is.
        ("python@sha256:" + "ab" * 32, "python@sha256:" + "ab" * 32),
        ("<none>:<none>", "<none>:<none>"),
    ],
)
def test_familiar_image_name(ref, familiar):
    assert mk.familiar_image_name(ref) == familiar


def test_image_list_ids_lose_their_digest_prefix():
    text = '[{"id": "sha256:' + "ab" * 32 + '", "repoTags": null}]'
    assert mk.parse_image_list(text) == [{"id": "ab" * 32, "repo_tags": []}]


@pytest.mark.parametrize("text", ['{"id": "x"}', '[{"repoTags": ["a:b"]}]', ""])
def test_image_list_unreadable(text):
    with pytest.raises(mk.MinikubeError) as err:
        mk.parse_image_list(text)
    assert err.value.kind == "bad_output"


def test_ip():
    assert mk.parse_ip(data("ip.stdout")) == "192.168.49.2"
    with pytest.raises(mk.MinikubeError):
        mk.parse_ip(data("ip_stopped.stdout"))


# --------------------------------------------------------------- docker-env --

EXPECTED_ENV = {
    "DOCKER_TLS_VERIFY": "1",
    "DOCKER_HOST": "tcp://192.168.49.2:2376",
    "DOCKER_CERT_PATH": "/root/.minikube/certs",
    "MINIKUBE_ACTIVE_DOCKERD": "ldk-test",
}


@pytest.mark.parametrize("name", ["docker_env.json", "docker_env_bash.stdout", "docker_env_none_text.stdout"])
def test_docker_env_forms_agree(name):
    env = mk.parse_docker_env(data(name))
    assert {k: env[k] for k in EXPECTED_ENV} == EXPECTED_ENV


def test_docker_env_result_shape():
    result = mk.docker_env_result(mk.parse_docker_env(data("docker_env.json")), "ldk-test")
    assert result["docker_host"] == "tcp://192.168.49.2:2376"
    # Native Linux reaches the node: no port forwarding, no tunnel.
    assert result["port_forward"] is False
    assert result["tls_verify"] is True
    assert result["cert_path"] == "/root/.minikube/certs"
    assert result["minikube_active_dockerd"] == "ldk-test"
    assert result["env"] == EXPECTED_ENV  # empty SSH_* variables are not exported
    assert result["docker"] == {
        "docker_host": "tcp://192.168.49.2:2376",
        "tls": True,
        "validate_certs": True,
        "ca_path": "/root/.minikube/certs/ca.pem",
        "client_cert": "/root/.minikube/certs/cert.pem",
        "client_key": "/root/.minikube/certs/key.pem",
    }


def test_docker_env_macos_port_forward_ignores_existing():
    result = mk.docker_env_result(mk.parse_docker_env(data("docker_env_macos_existing.json")), "dev")
    assert result["docker_host"] == "tcp://127.0.0.1:58213"
    # minikube forwards the node's ports to the loopback address: the ingress needs the tunnel.
    assert result["port_forward"] is True
    assert "MINIKUBE_EXISTING_DOCKER_HOST" not in result["env"]
    assert result["minikube_active_dockerd"] == "dev"


def test_docker_env_powershell_windows_paths():
    result = mk.docker_env_result(mk.parse_docker_env(data("docker_env_powershell.stdout")), "minikube")
    assert result["cert_path"] == "C:\\Users\\dev\\.minikube\\certs"
    assert result["port_forward"] is True
    assert result["docker"]["ca_path"] == "C:\\Users\\dev\\.minikube\\certs\\ca.pem"


def test_docker_env_containerd_is_refused():
    with pytest.raises(mk.MinikubeError) as err:
        mk.docker_env_result(mk.parse_docker_env(data("docker_env_containerd.json")), "minikube")
    assert err.value.kind == "runtime_not_docker"
    assert "containerd" in err.value.message
    assert "minikube image build" in err.value.message


def test_docker_env_empty_output():
    with pytest.raises(mk.MinikubeError) as err:
        mk.parse_docker_env("\n")
    assert err.value.kind == "bad_output"


def run_docker_env(rc, stdout, stderr, profile="minikube"):
    key = f"-p {profile} docker-env --shell none -o json"
    return mk.Minikube(Responder({key: (rc, stdout, stderr)}), profile=profile).docker_env()


def test_runner_docker_env_ok():
    result = run_docker_env(0, data("docker_env.json"), "")
    assert result["env"] == EXPECTED_ENV


@pytest.mark.parametrize(
    ("stdout", "stderr", "rc", "kind", "words"),
    [
        ("docker_env_not_found.stdout", None, 85, "profile_not_found", ["does not exist", "minikube start"]),
        ("docker_env_stopped.stdout", None, 83, "not_running", ["not running", "minikube start"]),
        ("docker_env_stopped_v1.26.stdout", None, 89, "not_running", ["not running"]),
        (
            "docker_env_crio.stdout",
            "docker_env_crio.stderr",
            14,
            "runtime_not_docker",
            ["minikube image build", "minikube image load", "only supports the docker and containerd runtimes"],
        ),
        (None, "docker_env_containerd_v1.16.stderr", 14, "runtime_not_docker", ["containerd", "minikube image build"]),
        (
            "docker_env_none_driver.stdout",
            "docker_env_none_driver.stderr",
            51,
            "runtime_not_docker",
            ["none", "'none' driver does not support"],
        ),
    ],
)
def test_runner_docker_env_failures(stdout, stderr, rc, kind, words):
    with pytest.raises(mk.MinikubeError) as err:
        run_docker_env(rc, data(stdout) if stdout else "", data(stderr) if stderr else "")
    assert err.value.kind == kind
    for word in words:
        assert word in err.value.message
    assert err.value.rc == rc


def test_runner_docker_env_containerd_warning():
    with pytest.raises(mk.MinikubeError) as err:
        run_docker_env(0, data("docker_env_containerd.json"), data("docker_env_containerd.stderr"))
    assert err.value.kind == "runtime_not_docker"


def test_runner_docker_env_unknown_failure_keeps_minikubes_words():
    stderr = "X Exiting due to DRV_PORT_FORWARD: Error getting port binding for 'docker driver: no port'\n"
    with pytest.raises(mk.MinikubeError) as err:
        run_docker_env(10, "false exit code 10\n", stderr)
    assert err.value.kind == "failed"
    assert "Exiting due to DRV_PORT_FORWARD: Error getting port binding" in err.value.message
    assert "exit code 10" in err.value.message


def test_classify_ip_not_found_text_output():
    absent = "localdev-no-such-profile"
    err = mk.classify_failure(["-p", absent, "ip"], 85, data("ip_not_found.stdout"), "", absent)
    assert err.kind == "profile_not_found"
    assert "minikube start -p localdev-no-such-profile" in err.message
    assert 'Profile "localdev-no-such-profile" not found' in err.message


def test_classify_ip_stopped():
    err = mk.classify_failure(["-p", "minikube", "ip"], 83, data("ip_stopped.stdout"), "", "minikube")
    assert err.kind == "not_running"
    assert "`minikube start`" in err.message


def test_human_messages_strip_prefixes():
    lines = mk.human_messages("", "\u274c  Exiting due to MK_USAGE: bad flag\n\U0001f449  To fix: do it\n")
    assert lines == ["Exiting due to MK_USAGE: bad flag", "To fix: do it"]


# -------------------------------------------------------------------- drift --


def summary(**over):
    base = {"driver": "docker", "cpus": 2, "memory": 4096, "kubernetes_version": "v1.34.0"}
    base.update(over)
    return base


def test_no_drift():
    expect = {"driver": "docker", "cpus": 2, "memory": 4096, "kubernetes_version": "1.34.0"}
    assert mk.compute_drift(summary(), expect) == []


def test_drift_each_field():
    expect = {"driver": "podman", "cpus": 4, "memory": 6144, "kubernetes_version": "v1.33.1"}
    drift = mk.compute_drift(summary(), expect)
    assert [d["field"] for d in drift] == ["driver", "cpus", "memory", "kubernetes_version"]
    assert drift[2] == {"field": "memory", "current": 4096, "requested": 6144}
    assert mk.describe_drift(drift)[2] == "memory: cluster has 4096, requested 6144"


def test_drift_ignores_unset_and_stable():
    assert mk.compute_drift(summary(), {"memory": None, "kubernetes_version": "stable"}) == []
    assert mk.compute_drift({}, {"memory": 4096}) == []
