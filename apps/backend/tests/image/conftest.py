"""Fixtures for the image test: a docker network, a PostgreSQL the containers reach, the containers.

The PostgreSQL here is a throwaway instance (Debian's server binaries, as
installed by tests/env/postgres.sh) that listens only on the gateway address
of a docker network this test creates: containers on that network reach it,
nothing outside this machine can. The app container publishes its port on
127.0.0.1 only.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

RUN_ID = secrets.token_hex(4)
NETWORK = f"localdev-backend-it-{RUN_ID}"


def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def http(method: str, url: str, body: Any = None, timeout: float = 10) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="session")
def image() -> str:
    ref = os.environ.get("BACKEND_IMAGE")
    if not ref:
        pytest.fail(
            "BACKEND_IMAGE is not set: run tests/gates.d/41-backend-image.sh (it builds the image)", pytrace=False
        )
    if docker("image", "inspect", ref, check=False).returncode != 0:
        pytest.fail(f"image {ref} not found: run tests/gates.d/41-backend-image.sh", pytrace=False)
    return ref


@pytest.fixture(scope="session")
def network() -> Iterator[tuple[str, str]]:
    """(name, gateway address) of a fresh docker network."""
    docker("network", "create", NETWORK)
    try:
        ipam = json.loads(docker("network", "inspect", "-f", "{{json .IPAM.Config}}", NETWORK).stdout)
        gateway = ipam[0]["Gateway"]
        yield NETWORK, gateway
    finally:
        docker("network", "rm", NETWORK, check=False)


@dataclass
class Postgres:
    host: str
    port: int
    password: str

    @property
    def url(self) -> str:
        return f"postgresql://todo:{self.password}@{self.host}:{self.port}/todo"


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL server binaries ({name}) missing: run tests/env/postgres.sh", pytrace=False)
    return found[-1]


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres(network: tuple[str, str]) -> Iterator[Postgres]:
    _, gateway = network
    if os.geteuid() != 0:
        pytest.fail("the image test starts PostgreSQL as the postgres user: run it as root", pytrace=False)
    workdir = Path(tempfile.mkdtemp(prefix="backend-it-pg-"))
    data = workdir / "data"
    shutil.chown(workdir, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, _pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
         "--auth-host=scram-sha-256", "--no-sync"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host todo todo {gateway.rsplit('.', 2)[0]}.0.0/16 scram-sha-256\n")
    port = _free_port(gateway)
    options = f"-c listen_addresses={gateway} -p {port} -k {workdir} -c fsync=off"
    ctl = [*as_postgres, _pg_bin("pg_ctl"), "-D", str(data), "-l", str(workdir / "log"), "-w", "-t", "60"]
    subprocess.run([*ctl, "-o", options, "start"], check=True, capture_output=True, timeout=90)
    password = secrets.token_hex(16)
    try:
        psql = [*as_postgres, _pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(workdir), "-p", str(port)]
        subprocess.run(
            [*psql, "-d", "postgres", "-v", f"pw={password}"],
            input="CREATE ROLE todo LOGIN PASSWORD :'pw';\nCREATE DATABASE todo OWNER todo;\n",
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        yield Postgres(gateway, port, password)
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], check=False, capture_output=True, timeout=90)
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Container:
    name: str
    base_url: str

    def logs(self) -> str:
        result = docker("logs", self.name, check=False)
        return result.stdout + result.stderr


@pytest.fixture(scope="session")
def run_container(image: str, network: tuple[str, str]) -> Iterator[Callable[..., Container]]:
    """run_container(env={...}) -> a started app container, removed at the end of the session."""
    names: list[str] = []

    def run(env: dict[str, str] | None = None, wait_path: str = "/api/ready") -> Container:
        name = f"localdev-backend-it-{RUN_ID}-{len(names)}"
        env_args = [arg for key, value in (env or {}).items() for arg in ("-e", f"{key}={value}")]
        docker(
            "run", "-d", "--name", name, "--network", network[0], "-p", "127.0.0.1::8000",
            "--health-interval", "2s", "--health-start-period", "0s", *env_args, image,
        )  # fmt: skip
        names.append(name)
        host_port = docker("port", name, "8000/tcp").stdout.split()[0].rsplit(":", 1)[1]
        container = Container(name, f"http://127.0.0.1:{host_port}")
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = http("GET", container.base_url + wait_path, timeout=3)
                if status == 200:
                    return container
            except OSError:
                pass
            state = docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip()
            if state != "true" or time.monotonic() > deadline:
                raise AssertionError(f"container {name} did not get ready (running={state}):\n{container.logs()}")
            time.sleep(0.5)

    yield run
    for name in names:
        docker("rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def app_on_postgres(run_container: Callable[..., Container], postgres: Postgres) -> Container:
    return run_container(env={"DATABASE_URL": postgres.url, "LOG_LEVEL": "info"})
