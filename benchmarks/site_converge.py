"""Wall time of the whole deploy: a cold converge, a no-change re-run, and a
backend-only change, with the number of tasks each one changed.

It runs playbooks/site.yml the way the molecule `site` scenario does (the test
cluster's minikube profile, real minikube, kubectl and helm; see
molecule/site/molecule.yml), in a release and namespace of its own, and prints
numbers; it asserts nothing about speed. "Cold" means the release does not
exist and neither app image is in the daemon (base image layers stay cached).

    python benchmarks/site_converge.py [--json]

Run it after `make test` has provisioned the machine (or tests/env/setup.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LOCALDEV_CACHE", Path.home() / ".cache" / "localdev-kube"))
WORK = CACHE / "molecule" / "site-benchmark"
RELEASE = "bench"
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)")


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, text=True, check=False, **kwargs)


def environment() -> dict[str, str]:
    """The scenario's environment (molecule.yml's provisioner env) for plain ansible-playbook runs."""
    env = dict(os.environ)
    env.update(
        PATH=f"{CACHE}/bin:{CACHE}/venv/bin:{env['PATH']}",
        # As tests/env/lib.sh sets them for the gates.
        KUBECONFIG=str(CACHE / "test" / "kubeconfig"),
        LOCALDEV_TEST_DIR=str(CACHE / "test"),
        LOCALDEV_TEST_PROFILE=env.get("LOCALDEV_TEST_PROFILE", "ldk-test"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
        MOLECULE_EPHEMERAL_DIRECTORY=str(WORK),
        MOLECULE_PROJECT_DIRECTORY=str(ROOT),
        LOCALDEV_CACHE=str(CACHE),
    )
    return env


def converge(env: dict[str, str], inventory: Path) -> tuple[float, int]:
    start = time.monotonic()
    done = run(
        ["ansible-playbook", "-i", str(inventory), "site.yml", "-e", f"todo_release_name={RELEASE}"],
        env,
        capture_output=True,
    )
    elapsed = time.monotonic() - start
    recap = RECAP.findall(done.stdout)
    if done.returncode or not recap:
        sys.exit(f"site.yml failed (rc {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed, int(recap[-1][1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    env = environment()

    if run(["tests/env/cluster.sh", "up"], env, capture_output=True).returncode:
        sys.exit("tests/env/cluster.sh up failed; run tests/env/setup.sh first")
    # prepare.yml: sources copied, a hosts file, no leftover release.
    if run(["molecule", "reset", "-s", "site"], env, capture_output=True).returncode:
        sys.exit("molecule reset -s site failed")
    prepared = run(["molecule", "prepare", "-s", "site", "--force"], env, capture_output=True)
    if prepared.returncode:
        sys.exit(f"molecule prepare -s site failed:\n{prepared.stdout[-3000:]}")
    inventory = WORK / "inventory"

    profile = env["LOCALDEV_TEST_PROFILE"]
    node = run(["minikube", "-p", profile, "docker-env", "--shell", "bash"], env, capture_output=True).stdout
    docker_env = dict(env, **dict(re.findall(r'export (\w+)="?([^"\n]*)"?', node)))
    for repository in ("todo-backend", "todo-frontend"):
        refs = run(["docker", "image", "ls", "-q", repository], docker_env, capture_output=True).stdout.split()
        if refs:
            run(["docker", "image", "rm", "-f", *refs], docker_env, capture_output=True)

    results = {}
    results["cold"] = converge(env, inventory)
    results["no_change"] = converge(env, inventory)
    main_py = WORK / "apps" / "backend" / "app" / "main.py"
    main_py.write_text(main_py.read_text() + f"\n# benchmark change {time.time()}\n")
    results["backend_change"] = converge(env, inventory)

    run(
        ["ansible-playbook", "-i", str(inventory), "playbooks/teardown.yml", "-e", f"todo_release_name={RELEASE}"],
        env,
        capture_output=True,
    )
    if args.json:
        print(json.dumps({k: {"seconds": round(v[0], 1), "changed": v[1]} for k, v in results.items()}))
    else:
        print(f"{'run':<16}{'wall time':>12}{'tasks changed':>16}")
        for name, (seconds, changed) in results.items():
            print(f"{name:<16}{seconds:>11.1f}s{changed:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
