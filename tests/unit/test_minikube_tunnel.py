"""Unit tests of the tunnel's bookkeeping: processes, profiles, records, logs, probes and environment."""

import json
import socket
import threading

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import minikube_tunnel as tunnel

PS = """\
    1 Mon Dec  7 09:00:01 2026 /sbin/init
 4242 Mon Dec  7 21:14:05 2026 /home/dev/.local/bin/minikube tunnel --profile todo --bind-address 127.0.0.1 --cleanup
 4250 Mon Dec  7 21:14:06 2026 sudo ssh -N docker@127.0.0.1 -p 32771 -L 127.0.0.1:80:127.0.0.1:80
 5001 Tue Dec  8 08:00:00 2026 minikube -p todo tunnel
 5002 Tue Dec  8 08:00:00 2026 sudo minikube tunnel
 5003 Tue Dec  8 08:00:00 2026 minikube tunnel
 5004 Tue Dec  8 08:00:00 2026 minikube-darwin-arm64 tunnel --profile=other
 5005 Tue Dec  8 08:00:00 2026 vim minikube tunnel notes
 5006 Tue Dec  8 08:00:00 2026 minikube service tunnel
 5007 Tue Dec  8 08:00:00 2026 minikube status -p todo
"""


def test_ps_lines_give_pid_start_and_arguments():
    processes = tunnel.parse_ps(PS + "garbage\n  \n")
    assert len(processes) == 10
    assert processes[1] == {
        "pid": 4242,
        "started": "Mon Dec 7 21:14:05 2026",
        "args": tunnel.tunnel_argv("/home/dev/.local/bin/minikube", "todo"),
    }


@pytest.mark.parametrize(
    ("args", "profile"),
    [
        (["minikube", "tunnel"], "minikube"),
        (["/usr/local/bin/minikube", "-p", "todo", "tunnel"], "todo"),
        (["minikube", "tunnel", "--profile", "todo", "--cleanup"], "todo"),
        (["minikube", "tunnel", "--profile=todo"], "todo"),
        (["minikube", "tunnel", "-ptodo"], "todo"),
        (["minikube", "-v", "5", "tunnel"], "minikube"),
        (["minikube", "--alsologtostderr", "--log_dir", "/tmp/mk", "-p", "todo", "tunnel"], "todo"),
        (["minikube", "-v=5", "tunnel", "-p", "todo"], "todo"),
        (["minikube-linux-amd64", "tunnel"], "minikube"),
        (["sudo", "minikube", "tunnel"], None),
        (["minikube", "service", "tunnel"], None),
        (["minikube", "status"], None),
        (["vim", "minikube", "tunnel"], None),
        ([], None),
    ],
)
def test_which_profile_a_command_line_tunnels(args, profile):
    assert tunnel.tunnel_profile(args) == profile


def test_without_a_profile_flag_the_active_profile_is_meant(tmp_path):
    assert tunnel.tunnel_profile(["minikube", "tunnel"], "todo") == "todo"
    assert tunnel.active_profile(str(tmp_path)) == "minikube"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.json").write_text(json.dumps({"profile": "todo"}))
    assert tunnel.active_profile(str(tmp_path)) == "todo"
    (tmp_path / "config" / "config.json").write_text("not json")
    assert tunnel.active_profile(str(tmp_path)) == "minikube"


def test_the_recorded_tunnel_is_found_only_with_its_start_time_and_command(tmp_path):
    processes = tunnel.parse_ps(PS)
    record = {
        "pid": 4242,
        "started": "Mon Dec 7 21:14:05 2026",
        "args": tunnel.tunnel_argv("/home/dev/.local/bin/minikube", "todo"),
    }
    assert tunnel.recorded_process(record, processes)["pid"] == 4242
    # The PID was reused after a reboot: another start time and another command.
    assert tunnel.recorded_process(dict(record, pid=1, started="Tue Dec 8 08:00:00 2026"), processes) is None
    assert tunnel.recorded_process(dict(record, pid=5007), processes) is None
    # Started through a shim, the process runs under another path: the PID and start time tell.
    assert tunnel.recorded_process(dict(record, args=["/home/dev/.asdf/shims/minikube"]), processes)["pid"] == 4242
    # The clock was stepped (WSL after the host slept): the PID and the command line tell.
    assert tunnel.recorded_process(dict(record, started="Mon Dec 7 21:13:05 2026"), processes)["pid"] == 4242
    assert tunnel.recorded_process(None, processes) is None


def test_records_that_cannot_be_read_are_none(tmp_path):
    path = tmp_path / "record.json"
    assert tunnel.read_record(str(path)) is None
    path.write_text("{not json")
    assert tunnel.read_record(str(path)) is None
    path.write_text(json.dumps({"pid": "4242"}))
    assert tunnel.read_record(str(path)) is None
    path.write_text(json.dumps({"pid": 4242, "started": "x", "args": []}))
    assert tunnel.read_record(str(path))["pid"] == 4242


def test_tunnels_run_by_hand_for_the_profile_are_others():
    processes = tunnel.parse_ps(PS)
    ours = tunnel.recorded_process(
        {
            "pid": 4242,
            "started": "Mon Dec 7 21:14:05 2026",
            "args": tunnel.tunnel_argv("/home/dev/.local/bin/minikube", "todo"),
        },
        processes,
    )
    assert [p["pid"] for p in tunnel.other_tunnels(processes, "todo", "minikube", ours)] == [5001]
    assert [p["pid"] for p in tunnel.other_tunnels(processes, "minikube", "minikube", ours)] == [5003]
    assert [p["pid"] for p in tunnel.other_tunnels(processes, "todo", "todo", ours)] == [5001, 5003]
    assert [p["pid"] for p in tunnel.other_tunnels(processes, "todo", "minikube")] == [4242, 5001]


LOG = """\
=== 2026-12-07 21:14:05 minikube tunnel --profile todo --bind-address 127.0.0.1 --cleanup
* Tunnel successfully started
* NOTE: Please do not close this terminal as this process must stay alive for the tunnel to be accessible ...
! The service/ingress todo requires privileged ports to be exposed: [80 443]
* sudo permission will be asked for it.
* Starting tunnel for service todo.
! The service/ingress shop-lb requires privileged ports to be exposed: [8443]
* Starting tunnel for service shop-lb.
"""


def test_the_log_says_which_privileged_ports_are_forwarded_now():
    assert tunnel.forwarded_ports(LOG) == {80, 443, 8443}
    assert tunnel.forwarded_ports(LOG + "* Stopping tunnel for service todo.\n") == {8443}
    assert (
        tunnel.forwarded_ports(LOG + "* Stopping tunnel for service todo.\n* Stopped tunnel for service shop-lb.\n")
        == set()
    )
    assert tunnel.forwarded_ports("") == set()
    # A tunnel killed before: its forwards are not the current tunnel's.
    restarted = LOG + "\n=== 2026-12-08 08:00:00 minikube tunnel --profile todo\n* Tunnel successfully started\n"
    assert tunnel.forwarded_ports(restarted) == set()
    # An Ingress forwarded again (its host changed): the new forward starts before the old one stops.
    again = LOG + "! The service/ingress todo requires privileged ports to be exposed: [80 443]\n"
    assert tunnel.forwarded_ports(again + "* Stopping tunnel for service todo.\n") == {80, 443, 8443}
    # A stop of something never forwarded counts for nothing.
    assert tunnel.forwarded_ports(LOG + "* Stopping tunnel for service other.\n") == {80, 443, 8443}
    # An ingress created after the tunnel started, once the tunnel has forwarded it.
    assert tunnel.forwarded_ports(LOG.split("! The service/ingress todo", maxsplit=1)[0]) == set()


def serve_once(answer):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def handle():
        conn = server.accept()[0]
        with conn:
            conn.recv(100)
            if answer:
                conn.sendall(answer)

    thread = threading.Thread(target=handle, daemon=True)
    thread.start()
    return server, thread


def test_a_forward_answers_http_or_not():
    server, thread = serve_once(b"HTTP/1.1 404 Not Found\r\n\r\n")
    with server:
        assert tunnel.answers_http(server.getsockname()[1])
        thread.join(5)
    # A lost SSH session: the forward accepts the connection and closes it.
    server, thread = serve_once(b"")
    with server:
        assert not tunnel.answers_http(server.getsockname()[1])
        thread.join(5)
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    assert not tunnel.answers_http(port, timeout=1)


def test_minikube_home_is_found_as_minikube_finds_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert tunnel.default_minikube_home({}) == str(tmp_path / ".minikube")
    assert tunnel.default_minikube_home({"MINIKUBE_HOME": "/data/.minikube"}) == "/data/.minikube"
    assert tunnel.default_minikube_home({"MINIKUBE_HOME": "/data"}) == "/data/.minikube"


def test_the_tunnel_gets_the_users_cluster_and_docker_client(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    env = tunnel.client_environment({}, "/m/.minikube")
    assert env == {
        "MINIKUBE_HOME": "/m/.minikube",
        "KUBECONFIG": str(tmp_path / ".kube" / "config"),
        "DOCKER_CONFIG": str(tmp_path / ".docker"),
    }
    given = {"KUBECONFIG": "/k", "DOCKER_HOST": "tcp://127.0.0.1:2375", "DOCKER_CONTEXT": "colima", "PATH": "/bin"}
    env = tunnel.client_environment(given, "/m/.minikube")
    assert env["KUBECONFIG"] == "/k"
    assert env["DOCKER_HOST"] == "tcp://127.0.0.1:2375"
    assert env["DOCKER_CONTEXT"] == "colima"
    assert "PATH" not in env


def test_the_command_binds_the_loopback_address_only():
    assert tunnel.tunnel_argv("/bin/minikube", "todo") == [
        "/bin/minikube",
        "tunnel",
        "--profile",
        "todo",
        "--bind-address",
        "127.0.0.1",
        "--cleanup",
    ]


def test_the_log_tail_is_empty_without_a_log(tmp_path):
    assert tunnel.log_tail(str(tmp_path / "none.log")) == ""
    (tmp_path / "t.log").write_text("".join(f"line {n}\n" for n in range(30)))
    assert tunnel.log_tail(str(tmp_path / "t.log"), lines=2) == "line 28\nline 29"


def test_macos_ps_reads_the_same():
    # BSD ps on macOS: the same fields, Homebrew's path, a login shell's leading dash.
    text = (
        "  501 Mon Dec  7 09:00:01 2026     -zsh\n"
        "61234 Mon Dec  7 21:14:05 2026     /opt/homebrew/bin/minikube tunnel --profile minikube "
        "--bind-address 127.0.0.1 --cleanup\n"
    )
    [shell, mine] = tunnel.parse_ps(text)
    assert shell["args"] == ["-zsh"]
    assert mine["started"] == "Mon Dec 7 21:14:05 2026"
    assert tunnel.tunnel_profile(mine["args"]) == "minikube"
    assert tunnel.tunnel_profile(shell["args"]) is None
