"""The fake minikube CLI (tests/fakes/minikube) answers like minikube does.

Each answer goes through the same parsers the modules use, so the fake and
the parsers are held to the same formats and exit codes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "collections") not in sys.path:
    sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.localdev.kube.plugins.module_utils import minikube as mk  # noqa: E402

FAKE = ROOT / "tests" / "fakes" / "minikube" / "minikube"


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    certs = home / ".minikube" / "certs"
    certs.mkdir(parents=True)
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (certs / name).write_text("test\n")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "MINIKUBE_"))}
    environ.update(
        FAKE_MINIKUBE_STATE=str(tmp_path / "state"),
        MINIKUBE_HOME=str(home),
        FAKE_MINIKUBE_DOCKER_HOST="tcp://127.0.0.1:2376",
    )
    return environ


def runner(env):
    def run(argv):
        done = subprocess.run([str(FAKE), *argv[1:]], capture_output=True, text=True, env=env, check=False)
        return done.returncode, done.stdout, done.stderr

    return run


def start(env, *extra, profile="minikube"):
    rc, out, err = runner(env)(
        [
            "minikube",
            "-p",
            profile,
            "start",
            "--driver=docker",
            "--force",
            "--cpus=2",
            "--memory=4096",
            "--disk-size=20g",
            "--kubernetes-version=v1.34.0",
            "--addons=ingress",
            *extra,
        ]
    )
    assert rc == 0, err
    return out, err


def test_version(env):
    assert mk.Minikube(runner(env)).version() == "v1.37.0"


def test_missing_profile(env):
    cli = mk.Minikube(runner(env), profile="dev")
    assert cli.status() == (False, [], 85)
    assert mk.find_profile(cli.profiles(), "dev") is None
    with pytest.raises(mk.MinikubeError) as err:
        cli.docker_env()
    assert err.value.kind == "profile_not_found"
    with pytest.raises(mk.MinikubeError) as err:
        cli.ip()
    assert err.value.kind == "profile_not_found"


def test_running_cluster(env):
    out, _err = start(env)
    assert "Enabled addons: storage-provisioner, default-storageclass, ingress" in out
    cli = mk.Minikube(runner(env))
    exists, nodes, rc = cli.status()
    assert exists and rc == 0 and mk.is_running(nodes[0])
    summary = mk.summarize_config(mk.find_profile(cli.profiles(), "minikube")["Config"])
    assert (summary["cpus"], summary["memory"], summary["disk_size"]) == (2, 4096, 20480)
    assert cli.addons()["ingress"] is True
    assert cli.ip() == "192.168.49.2"
    result = cli.docker_env()
    assert result["docker_host"] == "tcp://127.0.0.1:2376"
    assert result["cert_path"] == env["MINIKUBE_HOME"] + "/.minikube/certs"


def test_stopped_cluster(env):
    start(env)
    rc, out, _err = runner(env)(["minikube", "stop"])
    assert rc == 0 and "1 node stopped." in out
    cli = mk.Minikube(runner(env))
    exists, nodes, rc = cli.status()
    assert exists and rc == 7 and not mk.is_running(nodes[0])
    with pytest.raises(mk.MinikubeError) as err:
        cli.docker_env()
    assert err.value.kind == "not_running"
    assert err.value.rc == 83


def test_docker_env_bash_form(env):
    start(env)
    rc, out, _err = runner(env)(["minikube", "docker-env", "--shell", "bash"])
    assert rc == 0
    assert out.splitlines()[0] == 'export DOCKER_TLS_VERIFY="1"'
    assert "# eval $(minikube -p minikube docker-env)" in out
    assert mk.parse_docker_env(out)["DOCKER_HOST"] == "tcp://127.0.0.1:2376"


def test_crio_runtime_refused(env):
    start(env, "--container-runtime=cri-o", profile="crio")
    with pytest.raises(mk.MinikubeError) as err:
        mk.Minikube(runner(env), profile="crio").docker_env()
    assert err.value.kind == "runtime_not_docker"
    assert err.value.rc == 14


def test_containerd_runtime_refused(env):
    start(env, "--container-runtime=containerd", profile="ctrd")
    with pytest.raises(mk.MinikubeError) as err:
        mk.Minikube(runner(env), profile="ctrd").docker_env()
    assert err.value.kind == "runtime_not_docker"
    assert "containerd" in err.value.message


def test_existing_cluster_keeps_its_size(env):
    start(env)
    rc, _out, err = runner(env)(["minikube", "start", "--memory=6144"])
    assert rc == 0
    assert "You cannot change the memory size for an existing minikube cluster" in err
    state = json.loads((Path(env["FAKE_MINIKUBE_STATE"]) / "profiles" / "minikube.json").read_text())
    assert state["config"]["Memory"] == 4096


def test_docker_driver_as_root_needs_force(env):
    rc, out, err = runner(env)(["minikube", "start", "--driver=docker"])
    if os.geteuid() == 0:
        assert rc == 57
        assert "X Exiting due to DRV_AS_ROOT" in err
        assert "use --force" in out
    else:
        assert rc == 0, err


def test_delete_and_addons(env):
    start(env)
    rc, out, _err = runner(env)(["minikube", "addons", "enable", "metrics-server"])
    assert rc == 0 and "The 'metrics-server' addon is enabled" in out
    assert mk.Minikube(runner(env)).addons()["metrics-server"] is True
    rc, out, _err = runner(env)(["minikube", "addons", "enable", "nosuch"])
    assert rc != 0
    rc, out, _err = runner(env)(["minikube", "delete"])
    assert rc == 0 and 'Removed all traces of the "minikube" cluster.' in out
    assert mk.Minikube(runner(env)).status()[0] is False


def test_unknown_subcommand_says_it_is_a_fake(env):
    rc, _out, err = runner(env)(["minikube", "tunnel"])
    assert rc == 64
    assert "fake minikube" in err


def test_state_dir_required(env):
    env = dict(env)
    del env["FAKE_MINIKUBE_STATE"]
    rc, _out, err = runner(env)(["minikube", "status"])
    assert rc == 2 and "FAKE_MINIKUBE_STATE" in err
