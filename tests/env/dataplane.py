"""Run a Helm release's workloads for real beside the kwok test cluster.

kwok simulates nodes: the API server schedules pods and reports them Running,
but no container runs and no ingress controller serves HTTP. For the tests
that need HTTP through the ingress, this script stands in for the kubelet and
for ingress-nginx, using the objects the release really created:

- every Deployment and StatefulSet of the release runs as one Docker container
  of its first container spec (image, command, args, env with Secret and
  ConfigMap references and $(VAR) expansion resolved as the kubelet does),
  reachable on a Docker network under its Services' DNS names;
- Debian's nginx listens on the given address with the rules of the release's
  Ingress objects (host, Prefix/Exact paths, backend Service and port).

    dataplane.py up   --kubeconfig K --namespace N --release R --listen 127.0.0.1:18080
    dataplane.py down --release R

The Docker daemon is taken from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
DOCKER_CERT_PATH), like the docker CLI.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import docker
from kubernetes import client, config

STATE = Path(os.environ.get("LOCALDEV_CACHE", Path.home() / ".cache" / "localdev-kube")) / "dataplane"
LABEL = "org.localdev-kube.dataplane"


def log(message: str) -> None:
    print(f"dataplane: {message}", flush=True)


def expand(value: str, env: dict[str, str]) -> str:
    """Expand $(VAR) like the kubelet: known names are replaced, $$ escapes."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", substitute, value)


def resolve_env(container, namespace: str, core: client.CoreV1Api) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.env_from or []:
        if source.secret_ref:
            secret = core.read_namespaced_secret(source.secret_ref.name, namespace)
            env.update({k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()})
        if source.config_map_ref:
            env.update(core.read_namespaced_config_map(source.config_map_ref.name, namespace).data or {})
    for var in container.env or []:
        if var.value is not None:
            env[var.name] = expand(var.value, env)
        elif var.value_from and var.value_from.secret_key_ref:
            ref = var.value_from.secret_key_ref
            data = core.read_namespaced_secret(ref.name, namespace).data or {}
            if ref.key in data:
                env[var.name] = base64.b64decode(data[ref.key]).decode()
        elif var.value_from and var.value_from.config_map_key_ref:
            ref = var.value_from.config_map_key_ref
            data = core.read_namespaced_config_map(ref.name, namespace).data or {}
            if ref.key in data:
                env[var.name] = data[ref.key]
        elif var.value_from and var.value_from.field_ref:
            env[var.name] = {"metadata.namespace": namespace}.get(var.value_from.field_ref.field_path, "")
        else:
            env[var.name] = ""
    return env


def matches(selector: dict[str, str] | None, labels: dict[str, str] | None) -> bool:
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def bridge_name(release: str) -> str:
    return "ldkdp-" + hashlib.sha256(release.encode()).hexdigest()[:8]


def forwarding_rule(release: str) -> list[str]:
    """Lets the containers on our bridge reach each other. A daemon run with
    --iptables=false (the tests' TLS daemon) adds no such rule, and the first
    daemon's FORWARD policy drops bridged traffic."""
    bridge = bridge_name(release)
    return ["FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"]


def create_network(dock: docker.DockerClient, release: str, count: int):
    """A network of our own with a subnet we pick, so containers get fixed addresses."""
    for third in range(200, 250):
        subnet = ipaddress.ip_network(f"172.30.{third}.0/24")
        pool = docker.types.IPAMPool(subnet=str(subnet))
        try:
            network = dock.networks.create(
                f"dataplane-{release}",
                labels={LABEL: release},
                ipam=docker.types.IPAMConfig(pool_configs=[pool]),
                options={"com.docker.network.bridge.name": bridge_name(release)},
            )
        except docker.errors.APIError as err:
            if "overlap" in str(err).lower():
                continue  # taken by another network: try the next one
            raise
        if subprocess.run(["iptables", "-C", *forwarding_rule(release)], capture_output=True, check=False).returncode:
            subprocess.run(["iptables", "-I", *forwarding_rule(release)], check=True)
        hosts = list(subnet.hosts())
        return network, [str(hosts[10 + i]) for i in range(count)]
    sys.exit("dataplane: no free subnet in 172.30.200.0-172.30.249.0 for the containers' network")


def up(args: argparse.Namespace) -> None:
    config.load_kube_config(config_file=args.kubeconfig, context=args.context)
    core, apps, networking = client.CoreV1Api(), client.AppsV1Api(), client.NetworkingV1Api()
    dock = docker.from_env()
    ns, selector = args.namespace, f"app.kubernetes.io/instance={args.release}"
    down(args, quiet=True)

    services = core.list_namespaced_service(ns, label_selector=selector).items
    workloads = apps.list_namespaced_deployment(ns, label_selector=selector).items
    workloads += apps.list_namespaced_stateful_set(ns, label_selector=selector).items
    if not workloads:
        sys.exit(f"dataplane: release {args.release} has no Deployment or StatefulSet in namespace {ns}")

    network, addresses = create_network(dock, args.release, len(workloads))
    plan = []  # (workload, container spec, its Services, DNS names, address)
    for workload, address in zip(workloads, addresses, strict=False):
        pod = workload.spec.template
        own = [s for s in services if matches(s.spec.selector, pod.metadata.labels)]
        names = [
            a
            for s in own
            for a in (
                s.metadata.name,
                f"{s.metadata.name}.{ns}",
                f"{s.metadata.name}.{ns}.svc",
                f"{s.metadata.name}.{ns}.svc.cluster.local",
            )
        ]
        plan.append((workload, pod.spec.containers[0], own, names, address))
    # Service names resolve through /etc/hosts: a daemon run with
    # --iptables=false (like the tests' TLS daemon) has no embedded DNS.
    hosts = {name: step[4] for step in plan for name in step[3]}

    # Service -> (container, {service port: container address:port}). nginx on
    # this host reaches the containers' addresses on the bridge directly; no
    # port is published (a daemon without iptables or userland proxy, like
    # the tests' TLS daemon, would not forward published ports).
    published: dict[str, tuple[str, dict[int | str, str]]] = {}
    for workload, spec, own, aliases, address in plan:
        pod = workload.spec.template
        name = f"dataplane-{args.release}-{workload.metadata.name}"
        kind = type(workload).__name__.removeprefix("V1")
        known_as = ", ".join(aliases) or "no Service"
        log(f"{kind} {workload.metadata.name}: {spec.image} as {name} at {address} ({known_as})")
        container = dock.containers.create(
            spec.image,
            name=name,
            entrypoint=spec.command or None,  # Kubernetes' command replaces the image's ENTRYPOINT
            command=spec.args or None,  # and args its CMD
            environment=resolve_env(spec, ns, core),
            labels={LABEL: args.release},
            extra_hosts=hosts,
            # Only our network, so published ports lead to the address on it.
            network=network.name,
            networking_config={network.name: dock.api.create_endpoint_config(aliases=aliases, ipv4_address=address)},
            user=str(pod.spec.security_context.run_as_user)
            if pod.spec.security_context and pod.spec.security_context.run_as_user
            else None,
        )
        container.start()
        container.reload()
        container_ports = {p.container_port for p in spec.ports or []}
        for svc in own:
            service_ports = {}
            for p in svc.spec.ports:
                target = p.target_port
                if isinstance(target, str):
                    target = next((c.container_port for c in spec.ports or [] if c.name == target), None)
                if target in container_ports:
                    service_ports[p.port] = f"{address}:{target}"
                    if p.name:
                        service_ports[p.name] = f"{address}:{target}"
            published[svc.metadata.name] = (name, service_ports)

    rules = []
    for ingress in networking.list_namespaced_ingress(ns, label_selector=selector).items:
        for rule in ingress.spec.rules or []:
            for path in rule.http.paths:
                svc = path.backend.service
                port = svc.port.number or svc.port.name
                if svc.name not in published or port not in published[svc.name][1]:
                    sys.exit(f"dataplane: the Ingress routes {path.path} to {svc.name}:{port}, which nothing serves")
                rules.append((rule.host or "_", path.path or "/", path.path_type, published[svc.name][1][port]))
    if not rules:
        sys.exit(f"dataplane: release {args.release} has no Ingress rule in namespace {ns}")
    start_nginx(args, rules)


def start_nginx(args: argparse.Namespace, rules: list[tuple[str, str, str, str]]) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("dataplane: nginx is missing; run tests/env/setup.sh (it installs Debian's nginx)")
    prefix = STATE / args.release
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    servers = {}
    for host, path, path_type, upstream in rules:
        modifier = "= " if path_type == "Exact" else ""
        servers.setdefault(host, []).append(
            f"    location {modifier}{path} {{ proxy_pass http://{upstream}; "
            "proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; }"
        )
    blocks = [
        f"  server {{\n    listen {args.listen};\n    server_name {host};\n" + "\n".join(locs) + "\n  }"
        for host, locs in servers.items()
    ]
    (prefix / "nginx.conf").write_text(
        "daemon on;\npid nginx.pid;\nerror_log logs/error.log;\n"
        "events {}\nhttp {\n  access_log logs/access.log;\n"
        "  client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; "
        "scgi_temp_path tmp;\n" + "\n".join(blocks) + "\n}\n"
    )
    (prefix / "tmp").mkdir(exist_ok=True)
    subprocess.run([nginx, "-p", str(prefix), "-c", "nginx.conf"], check=True)
    for host, path, _path_type, upstream in rules:
        log(f"http://{host}{path} -> {upstream}")
    log(f"nginx (standing in for the ingress controller) listens on {args.listen}")
    wait_until_serving(args, rules)


def wait_until_serving(args: argparse.Namespace, rules: list[tuple[str, str, str, str]]) -> None:
    """Wait (bounded) until each published port accepts HTTP, as readiness would."""
    deadline = time.monotonic() + args.timeout
    for upstream in sorted({rule[3] for rule in rules}):
        while True:
            try:
                urllib.request.urlopen(f"http://{upstream}/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers HTTP, whatever the status
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit(f"dataplane: nothing answered on {upstream} within {args.timeout}s")
                time.sleep(1)


def down(args: argparse.Namespace, quiet: bool = False) -> None:
    pid_file = STATE / args.release / "nginx.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)
        pid_file.unlink(missing_ok=True)
    dock = docker.from_env()
    for container in dock.containers.list(all=True, filters={"label": f"{LABEL}={args.release}"}):
        container.remove(force=True)
    for network in dock.networks.list(filters={"label": f"{LABEL}={args.release}"}):
        network.remove()
    delete = ["iptables", "-D", *forwarding_rule(args.release)]
    while subprocess.run(delete, capture_output=True, check=False).returncode == 0:
        pass  # one rule per `up`; delete every copy
    if not quiet:
        log(f"release {args.release}: containers and nginx stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--release", required=True)
        if name == "up":
            cmd.add_argument("--kubeconfig", required=True)
            cmd.add_argument("--context")
            cmd.add_argument("--namespace", required=True)
            cmd.add_argument("--listen", default="127.0.0.1:18080")
            cmd.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()
    up(args) if args.command == "up" else down(args)


if __name__ == "__main__":
    main()
