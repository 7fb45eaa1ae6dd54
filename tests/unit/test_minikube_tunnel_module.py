"""The minikube_tunnel module's process handling, with a stand-in for minikube.

The stand-in prints what `minikube tunnel` prints once it runs, then waits, as
the real tunnel does; gate 73-wsl runs the real one on the test cluster.
"""

import json
import os
import signal
import subprocess
import time

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import minikube_tunnel as tunnel
from ansible_collections.localdev.kube.plugins.modules import minikube_tunnel as module
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main

SUDO_WITHOUT_PROMPT = module.sudo_without_prompt
RUNS = """#!/bin/sh
echo "* Tunnel successfully started"
exec sleep 300
"""
FAILS = """#!/bin/sh
echo "X Exiting due to GUEST_STATUS: state: unknown state \\"todo\\""
exit 80
"""


@pytest.fixture
def home(tmp_path):
    (tmp_path / ".minikube" / "profiles" / "todo").mkdir(parents=True)
    return tmp_path / ".minikube"


def fake_minikube(tmp_path, text):
    path = tmp_path / "minikube"
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def args(home, binary, **more):
    return {"profile": "todo", "minikube_binary": binary, "minikube_home": str(home), "timeout": 5, **more}


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of this test stays a zombie until it is reaped.
    with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
        return handle.read().split()[2] != "Z"


@pytest.fixture(autouse=True)
def root_with_sudo(monkeypatch):
    """As on the test machine: minikube's `sudo ssh` would not prompt."""
    monkeypatch.setattr(module, "sudo_without_prompt", lambda _module: True)
    monkeypatch.setattr(module.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_started_kept_and_stopped(tmp_path, home, capsys):
    binary = fake_minikube(tmp_path, RUNS)
    started = run_main(module.main, capsys, args(home, binary))
    assert started["changed"] and started["action"] == "started"
    pid = started["pid"]
    try:
        assert alive(pid)
        # Its own session: it outlives the play and the terminal.
        assert os.getsid(pid) == pid
        record = json.loads((home / "profiles" / "todo" / tunnel.RECORD).read_text())
        assert record["pid"] == pid
        # The command line as ps read it (the stand-in has become `sleep 300`).
        assert record["args"] == ["sleep", "300"]
        assert tunnel.STARTED_LINE in (home / "profiles" / "todo" / tunnel.LOG).read_text()
        assert started["environment"]["MINIKUBE_HOME"] == str(home)

        again = run_main(module.main, capsys, args(home, binary))
        assert not again["changed"] and again["pid"] == pid and again["action"] == "none"

        planned = run_main(module.main, capsys, args(home, binary, state="stopped"), check_mode=True)
        assert planned["changed"] and planned["action"] == "stopped" and alive(pid)

        stopped = run_main(module.main, capsys, args(home, binary, state="stopped"))
        assert stopped["changed"] and stopped["action"] == "stopped"
        assert not alive(pid)
        assert not (home / "profiles" / "todo" / tunnel.RECORD).exists()
        assert not run_main(module.main, capsys, args(home, binary, state="stopped"))["changed"]
    finally:
        if alive(pid):
            os.killpg(pid, signal.SIGKILL)


def test_a_dead_tunnel_is_started_again(tmp_path, home, capsys):
    binary = fake_minikube(tmp_path, RUNS)
    first = run_main(module.main, capsys, args(home, binary))["pid"]
    os.killpg(first, signal.SIGKILL)
    os.waitpid(first, 0)
    second = run_main(module.main, capsys, args(home, binary))
    try:
        assert second["changed"] and second["action"] == "started"
        assert "no longer runs" in second["reason"]
        assert second["pid"] != first
    finally:
        os.killpg(second["pid"], signal.SIGKILL)


def test_check_mode_starts_nothing(tmp_path, home, capsys):
    binary = fake_minikube(tmp_path, RUNS)
    result = run_main(module.main, capsys, args(home, binary), check_mode=True)
    assert result["changed"] and result["action"] == "started"
    assert "pid" not in result
    assert not (home / "profiles" / "todo" / tunnel.RECORD).exists()


def test_a_tunnel_that_exits_fails_with_its_output(tmp_path, home, capsys):
    result = run_main(module.main, capsys, args(home, fake_minikube(tmp_path, FAILS)))
    assert result["failed"]
    assert "exited (rc 80) before it started" in result["msg"]
    assert "GUEST_STATUS" in result["msg"]
    assert not (home / "profiles" / "todo" / tunnel.RECORD).exists()


def test_without_sudo_that_asks_no_password_nothing_starts(tmp_path, home, capsys, monkeypatch):
    monkeypatch.setattr(module, "sudo_without_prompt", lambda _module: False)
    binary = fake_minikube(tmp_path, RUNS)
    result = run_main(module.main, capsys, args(home, binary))
    assert result["failed"] and result["privilege_needed"] and not result["changed"]
    # What a second run with become needs, found as this user.
    assert result["minikube_binary"] == binary
    assert result["minikube_home"] == str(home)
    assert not (home / "profiles" / "todo" / tunnel.RECORD).exists()


def test_without_sudo_it_says_how_to_install_it(tmp_path, home, capsys, monkeypatch):
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    result = run_main(module.main, capsys, args(home, fake_minikube(tmp_path, RUNS)))
    assert result["failed"] and "sudo is not installed" in result["msg"]


def test_a_tunnel_run_by_hand_is_left_alone(tmp_path, home, capsys):
    # A process whose command line reads as the user's own `minikube tunnel --profile todo`.
    hand = subprocess.Popen(["perl", "-e", '$0 = "minikube tunnel --profile todo"; sleep 300'], start_new_session=True)
    try:
        time.sleep(0.3)
        binary = fake_minikube(tmp_path, RUNS)
        result = run_main(module.main, capsys, args(home, binary))
        assert not result["changed"] and result["external_pids"] == [hand.pid]
        assert "left alone" in result["reason"]
        stop = run_main(module.main, capsys, args(home, binary, state="stopped"))
        assert not stop["changed"] and hand.poll() is None
    finally:
        hand.kill()
        hand.wait()


@pytest.mark.parametrize(
    ("given", "message"),
    [({"profile": " "}, "profile must be"), ({"probe_port": 70000}, "probe_port"), ({"timeout": 0}, "timeout")],
)
def test_bad_input_fails_before_anything(tmp_path, home, capsys, given, message):
    result = run_main(module.main, capsys, {**args(home, fake_minikube(tmp_path, RUNS)), **given})
    assert result["failed"] and message in result["msg"]
    assert not (home / "profiles" / "todo" / tunnel.LOG).exists()


def test_the_tunnel_reads_english_whatever_the_users_language(tmp_path, home, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    binary = fake_minikube(tmp_path, '#!/bin/sh\necho "* Tunnel successfully started ($LC_ALL)"\nexec sleep 300\n')
    result = run_main(module.main, capsys, args(home, binary))
    try:
        assert "Tunnel successfully started (C)" in (home / "profiles" / "todo" / tunnel.LOG).read_text()
    finally:
        os.killpg(result["pid"], signal.SIGKILL)


def test_files_made_as_root_belong_to_the_profiles_owner(tmp_path, home, capsys, monkeypatch):
    if os.geteuid() != 0:
        pytest.fail("run as root (make test does): the files' owner can only be given by root")
    os.chown(home / "profiles" / "todo", 4321, 4321)
    # As minikube takes its tunnel lock (a file of mode 0600 in the profile) before it says it started.
    locking = RUNS.replace("echo", f'touch "{home}/profiles/todo/{tunnel.MINIKUBE_LOCK}"; echo', 1)
    result = run_main(module.main, capsys, args(home, fake_minikube(tmp_path, locking)))
    try:
        for name in (tunnel.LOG, tunnel.RECORD, tunnel.MINIKUBE_LOCK):
            assert (home / "profiles" / "todo" / name).stat().st_uid == 4321
    finally:
        os.killpg(result["pid"], signal.SIGKILL)


def test_given_variables_reach_the_tunnel_and_cannot_change_its_language(tmp_path, home, capsys):
    script = '#!/bin/sh\necho "* Tunnel successfully started ($LC_ALL $KUBECONFIG $PORT)"\nexec sleep 300\n'
    given = {"KUBECONFIG": "/home/dev/.kube/config", "LC_ALL": "de_DE.UTF-8", "PORT": 8080}
    result = run_main(module.main, capsys, args(home, fake_minikube(tmp_path, script), environment=given))
    try:
        log = (home / "profiles" / "todo" / tunnel.LOG).read_text()
        assert "Tunnel successfully started (C /home/dev/.kube/config 8080)" in log
    finally:
        os.killpg(result["pid"], signal.SIGKILL)


def test_sudo_asked_ignores_a_remembered_password(monkeypatch):
    calls = []

    class Module:
        def run_command(self, argv):
            calls.append(argv)
            return 1, "", "sudo: a password is required"

    monkeypatch.setattr(module.os, "geteuid", lambda: 1000)
    assert not SUDO_WITHOUT_PROMPT(Module())
    assert calls == [["sudo", "-n", "-k", "true"]]


def test_a_root_ssh_left_behind_is_named_with_how_to_stop_it(monkeypatch):
    signals = []

    def killpg(group, sig):
        signals.append(sig)
        # What is left of the session once minikube exited belongs to root.
        if sig == signal.SIGKILL:
            raise PermissionError(1, "Operation not permitted")

    class Module:
        def __init__(self):
            self.params = {"timeout": 5}
            self.warnings = []

        def warn(self, message):
            self.warnings.append(message)

    monkeypatch.setattr(module.os, "killpg", killpg)
    # minikube exited on the interrupt.
    monkeypatch.setattr(module, "running_processes", lambda _module: [])
    stopper = Module()
    module.stop(stopper, 4242, {})
    assert signals == [signal.SIGINT, signal.SIGKILL]
    assert "sudo kill -- -4242" in stopper.warnings[0]
