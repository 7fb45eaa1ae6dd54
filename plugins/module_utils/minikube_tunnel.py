# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A `minikube tunnel` kept running in the background, and found again on the next run.

Where the host cannot reach the node (minikube's NeedsPortForward: the Docker
driver on macOS, Windows and WSL), `minikube tunnel` forwards 127.0.0.1:80/443
to the ingress over SSH into the node; it runs `sudo ssh` for those ports. The
tunnel started here runs in a session of its own, writes to a log in the
profile's directory and is recorded there (PID, start time, command line), so
that a later run knows it, a dead one is found, and teardown stops only it.
Processes are read with `ps`, which Linux and macOS both have.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket

RECORD = "localdev-tunnel.json"
# minikube's own lock against a second tunnel of the profile (v1.37: cmd/minikube/cmd/tunnel.go).
MINIKUBE_LOCK = ".tunnel_lock"
LOG = "localdev-tunnel.log"
STARTED_LINE = "Tunnel successfully started"
# `ps` fields: the PID, the start time (lstart: 5 words, "Mon Dec  7 21:14:05 2026") and the command line.
PS_ARGS = ["ps", "-A", "-o", "pid=", "-o", "lstart=", "-o", "args="]

_PRIVILEGED = re.compile(r"The service/ingress (\S+) requires privileged ports to be exposed: \[([\d ]*)\]")
# minikube's global flags that take a value (`minikube options`).
_VALUE_FLAGS = frozenset(
    (
        "-p",
        "--profile",
        "-v",
        "--v",
        "--log_dir",
        "--log_file",
        "--user",
        "--vmodule",
        "--stderrthreshold",
        "--log_backtrace_at",
        "-o",
        "--output",
    )
)
_STOPPING = re.compile(r"Stopp(?:ing|ed) tunnel for service (\S+?)\.?$")


def profile_dir(minikube_home: str, profile: str) -> str:
    return os.path.join(minikube_home, "profiles", profile)


def default_minikube_home(env=None) -> str:
    """minikube's directory as minikube finds it: $MINIKUBE_HOME if named .minikube, else its .minikube."""
    env = os.environ if env is None else env
    home = env.get("MINIKUBE_HOME", "")
    if not home:
        return os.path.join(os.path.expanduser("~"), ".minikube")
    return home if os.path.basename(home.rstrip("/")) == ".minikube" else os.path.join(home, ".minikube")


DOCKER_CLIENT_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY")


def client_environment(env, minikube_home: str) -> dict:
    """What the tunnel needs to reach the same cluster and Docker daemon as the user, named explicitly.

    Run as root (become), minikube would read root's home: its directory, the kubeconfig (the
    tunnel watches Ingresses through it) and the Docker client's configuration (the tunnel asks
    Docker for the node's SSH port) are given as the user has them.
    """
    home = os.path.expanduser("~")
    given = {
        "MINIKUBE_HOME": minikube_home,
        "KUBECONFIG": env.get("KUBECONFIG") or os.path.join(home, ".kube", "config"),
        "DOCKER_CONFIG": env.get("DOCKER_CONFIG") or os.path.join(home, ".docker"),
    }
    given.update({name: env[name] for name in DOCKER_CLIENT_VARIABLES if env.get(name)})
    return given


def tunnel_argv(binary: str, profile: str) -> list:
    """The command: binding 127.0.0.1 also makes minikube take its SSH ("kic") tunnel on any host."""
    return [binary, "tunnel", "--profile", profile, "--bind-address", "127.0.0.1", "--cleanup"]


def parse_ps(text: str) -> list:
    """`ps -o pid= -o lstart= -o args=` -> [{pid, started, args}] (args split as a shell would)."""
    processes = []
    for line in (text or "").splitlines():
        fields = line.split()
        if len(fields) < 7 or not fields[0].isdigit():
            continue
        command = line.split(None, 6)[6]
        try:
            args = shlex.split(command)
        except ValueError:
            args = command.split()
        processes.append({"pid": int(fields[0]), "started": " ".join(fields[1:6]), "args": args})
    return processes


def tunnel_profile(args, active_profile="minikube"):
    """The profile a `minikube tunnel` command line serves, or None when it is no minikube tunnel.

    Without -p/--profile it serves minikube's active profile. A `sudo minikube tunnel` line is
    sudo's: its own minikube child is the tunnel.
    """
    if not args or not os.path.basename(args[0]).startswith("minikube"):
        return None
    # One pass: the subcommand is the first word that is neither a flag nor the value of one of
    # minikube's global flags that take a value; the profile is -p NAME, -pNAME, --profile[=]NAME.
    words, profile, rest = [], None, iter(args[1:])
    for arg in rest:
        if arg in _VALUE_FLAGS:
            value = next(rest, None)
            profile = value if arg in ("-p", "--profile") else profile
        elif arg.startswith("--profile="):
            profile = arg.split("=", 1)[1]
        elif arg.startswith("-p") and not arg.startswith("--"):
            profile = arg[2:].lstrip("=")
        elif not arg.startswith("-"):
            words.append(arg)
    return (profile or active_profile) if words[:1] == ["tunnel"] else None


def active_profile(minikube_home: str) -> str:
    """The profile `minikube` uses without -p: `minikube profile NAME` writes it to config/config.json."""
    try:
        with open(os.path.join(minikube_home, "config", "config.json"), encoding="utf-8") as handle:
            return str(json.load(handle).get("profile") or "minikube")
    except (OSError, ValueError, AttributeError):
        return "minikube"


def read_record(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return None
    return record


def recorded_process(record, processes):
    """The process the record names, when it still runs: the same PID, started at the same time or
    running the same command line (both as `ps` read them right after the start).

    A reused PID (after a reboot) has neither. The recorded command line is the one `ps` saw, so a
    minikube started through a version manager's shim, which runs under the real binary's path, matches.
    """
    if not record:
        return None
    for process in processes:
        # The start time as `ps` renders it moves when the clock is stepped (WSL resyncs it after the host
        # slept): the command line, as `ps` read it at the start, then tells.
        if process["pid"] == record["pid"] and (
            process["started"] == record.get("started") or process["args"] == record.get("args")
        ):
            return process
    return None


def other_tunnels(processes, profile, active, ours=None):
    """Tunnels for this profile that this module did not start (a user runs them by hand)."""
    return [
        process
        for process in processes
        if (ours is None or process["pid"] != ours["pid"]) and tunnel_profile(process["args"], active) == profile
    ]


def forwarded_ports(log_text: str) -> set:
    """The privileged ports the tunnel's log says it forwards now.

    minikube prints "The service/ingress NAME requires privileged ports to be exposed: [80 443]"
    as it starts the forward of an Ingress (or a LoadBalancer Service) and "Stopping tunnel for
    service NAME." when the object is gone.
    """
    # Only the current tunnel's part (the module starts each tunnel's part with a "=== " line): an
    # earlier one that was killed never said it stopped. An object forwarded again (its Ingress
    # changed) is started before its old forward stops, so each name counts its forwards.
    text = (log_text or "").rsplit("\n=== ", 1)[-1]
    ports, counts = {}, {}
    for line in text.splitlines():
        match = _PRIVILEGED.search(line)
        if match:
            name = match.group(1)
            ports[name] = {int(port) for port in match.group(2).split()}
            counts[name] = counts.get(name, 0) + 1
            continue
        match = _STOPPING.search(line.strip())
        if match and counts.get(match.group(1)):
            counts[match.group(1)] -= 1
    return set().union(*(ports[name] for name, count in counts.items() if count > 0))


def answers_http(port: int, host: str = "127.0.0.1", timeout: float = 3.0) -> bool:
    """Whether something on host:port answers an HTTP request (a dead SSH session accepts, then closes)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(b"HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return conn.recv(5) == b"HTTP/"
    except OSError:
        return False


def log_tail(path: str, lines: int = 15) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:]).strip()
    except OSError:
        return ""
