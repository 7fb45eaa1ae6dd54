"""Wall time of the whole deploy: a cold converge, a no-change re-run, and a
backend-only change, with the number of tasks each one changed.

Two ratios are printed besides:
- no-change run / read-only queries: the same run also times, from a shell,
  the questions a no-change converge must ask (minikube status, the ingress
  controller's rollout and a dry-run Ingress through its admission webhook,
  both image inspects, the release's status, manifest and live objects, a
  server-side dry run of the chart, the hosts file);
- for the backend change, the image build (the images role's build task), the
  rollout (helm upgrade --wait until the new pod is Ready) and the rest of the
  run, from the tasks' own times (ansible-core's junit callback), and
  rest / (build + rollout).

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
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LOCALDEV_CACHE", Path.home() / ".cache" / "localdev-kube"))
WORK = CACHE / "molecule" / "site-benchmark"
RELEASE = "bench"
NAMESPACE = "todo"  # inventory/group_vars/all.yml's todo_namespace
# Task names (the junit callback's test case names end with them, arguments hidden).
BUILD_TASK = "Build each image whose content-addressed tag the daemon does not hold"
LIVE_KINDS = "deployment,statefulset,service,ingress,configmap,secret,networkpolicy,poddisruptionbudget"
ROLLOUT_TASKS = (
    "Release | install or upgrade the chart",
    "Release | converge what the values do not show",  # before the plan's repair
    "Release | repair what the values do not show",
)
# A task taking this long ran a module (on the controller, local actions such
# as set_fact, assert and debug take milliseconds): their count is the run's
# tasks that ran modules (a loop counts once: the junit report has one entry
# per task), give or take a slow local action.
MODULE_RUN_SECONDS = 0.2
# The Ingress the minikube role's ingress wait asks the API server to admit in a dry run.
MINIKUBE_VARS = Path("roles") / "minikube" / "vars" / "main.yml"
RECAP = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)")


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, text=True, check=False, **kwargs)


def environment() -> dict[str, str]:
    """The scenario's environment (.config/molecule/config.yml and the site scenario's) for plain runs."""
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


def converge(env: dict[str, str], inventory: Path) -> tuple[float, int, dict[str, float], int]:
    """One site.yml run: wall time, tasks changed, each task's time (summed by name), and module tasks."""
    with tempfile.TemporaryDirectory() as junit_dir:
        timed = dict(env, ANSIBLE_CALLBACKS_ENABLED="ansible.builtin.junit", JUNIT_OUTPUT_DIR=junit_dir)
        timed["JUNIT_HIDE_TASK_ARGUMENTS"] = "true"  # test case names are then "<play>: <role> : <task>"
        start = time.monotonic()
        done = run(
            ["ansible-playbook", "-i", str(inventory), "site.yml", "-e", f"todo_release_name={RELEASE}"],
            timed,
            capture_output=True,
        )
        elapsed = time.monotonic() - start
        tasks: dict[str, float] = {}
        module_tasks = 0
        for report in Path(junit_dir).glob("*.xml"):
            for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - ansible wrote it
                name, seconds = case.get("name", ""), float(case.get("time") or 0)
                tasks[name] = tasks.get(name, 0.0) + seconds
                module_tasks += seconds >= MODULE_RUN_SECONDS
    recap = RECAP.findall(done.stdout)
    if done.returncode or not recap:
        # From the first failed task on (its message comes before any rescue's diagnostics).
        failed_at = done.stdout.find("fatal: [")
        excerpt = done.stdout[max(failed_at - 300, 0) :][:6000] if failed_at >= 0 else done.stdout[-3000:]
        sys.exit(f"site.yml failed (rc {done.returncode}):\n{excerpt}\n{done.stderr[-2000:]}")
    return elapsed, int(recap[-1][1]), tasks, module_tasks


def task_time(tasks: dict[str, float], *names: str) -> float:
    return sum(seconds for task, seconds in tasks.items() if any(task.endswith(name) for name in names))


def read_only_queries(env: dict[str, str], docker_env: dict[str, str], hosts_file: Path) -> float:
    """The questions a no-change converge must answer, asked from a shell: their wall time."""
    profile = env["LOCALDEV_TEST_PROFILE"]
    kubectl = ["kubectl", "--context", profile, "-n", NAMESPACE]
    helm = ["helm", "--kube-context", profile, "-n", NAMESPACE]
    images = run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], docker_env, capture_output=True)
    refs = [ref for ref in images.stdout.split() if ref.startswith(("todo-backend:", "todo-frontend:"))]
    refs = [ref for ref in refs if not ref.endswith(":latest")][:2]
    chart = ROOT / "charts" / "todo-app"
    ingress = ["kubectl", "--context", profile, "-n", "ingress-nginx"]
    probe = json.dumps(yaml.safe_load((ROOT / MINIKUBE_VARS).read_text())["__minikube_admission_probe"])
    start = time.monotonic()
    for cmd, cmd_env, stdin in (
        (["minikube", "-p", profile, "status", "-o", "json"], env, None),
        ([*ingress, "rollout", "status", "deployment/ingress-nginx-controller"], env, None),
        ([*ingress, "create", "--dry-run=server", "-o", "name", "-f", "-"], env, probe),
        (["docker", "image", "inspect", *refs], docker_env, None),
        ([*helm, "status", RELEASE, "-o", "json"], env, None),
        ([*helm, "get", "manifest", RELEASE], env, None),
        ([*helm, "upgrade", RELEASE, str(chart), "--reuse-values", "--dry-run=server", "-o", "json"], env, None),
        ([*kubectl, "get", LIVE_KINDS, "-o", "json"], env, None),
        (["cat", str(hosts_file)], env, None),
    ):
        if run(cmd, cmd_env, capture_output=True, input=stdin).returncode:
            sys.exit(f"read-only query failed: {' '.join(cmd)}")
    return time.monotonic() - start


def slowest(tasks: dict[str, float], count: int) -> list[list]:
    """The count slowest tasks as [name, seconds], slowest first."""
    ranked = sorted(tasks.items(), key=lambda task: task[1], reverse=True)
    return [[name, round(seconds, 2)] for name, seconds in ranked[:count]]


def main() -> int:
    global ROOT  # every helper runs in the checkout measured (--checkout)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--slowest", type=int, default=0, metavar="N", help="also list each run's N slowest tasks")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="the checkout whose site.yml runs, e.g. a worktree of an older commit (default: this one)",
    )
    args = parser.parse_args()
    ROOT = args.checkout.resolve()
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
    queries = read_only_queries(env, docker_env, WORK / "hosts")
    main_py = WORK / "apps" / "backend" / "app" / "main.py"
    main_py.write_text(main_py.read_text() + f"\n# benchmark change {time.time()}\n")
    results["backend_change"] = converge(env, inventory)

    run(
        ["ansible-playbook", "-i", str(inventory), "playbooks/teardown.yml", "-e", f"todo_release_name={RELEASE}"],
        env,
        capture_output=True,
    )
    change_seconds, change_tasks = results["backend_change"][0], results["backend_change"][2]
    build = task_time(change_tasks, BUILD_TASK)
    rollout = task_time(change_tasks, *ROLLOUT_TASKS)
    rest = change_seconds - build - rollout
    figures = {k: {"seconds": round(v[0], 1), "changed": v[1], "module_tasks": v[3]} for k, v in results.items()}
    figures["read_only_queries"] = {"seconds": round(queries, 2)}
    figures["no_change_over_queries"] = round(results["no_change"][0] / queries, 1)
    figures["backend_change_parts"] = {"build": round(build, 1), "rollout": round(rollout, 1), "rest": round(rest, 1)}
    figures["rest_over_build_and_rollout"] = round(rest / (build + rollout), 2) if build + rollout else None
    figures["slowest_tasks"] = {name: slowest(outcome[2], args.slowest) for name, outcome in results.items()}
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"{'run':<16}{'wall time':>12}{'tasks changed':>16}{'module tasks':>14}")
    for name, (seconds, changed, _tasks, module_tasks) in results.items():
        print(f"{name:<16}{seconds:>11.1f}s{changed:>16}{module_tasks:>14}")
    print(f"read-only queries {queries:>9.2f}s   no-change run / queries: {figures['no_change_over_queries']}x")
    print(
        f"backend change: build {build:.1f}s, rollout {rollout:.1f}s, rest {rest:.1f}s"
        f"   rest / (build + rollout): {figures['rest_over_build_and_rollout']}"
    )
    for name, ranked in figures["slowest_tasks"].items():
        if ranked:
            print(f"slowest tasks of the {name} run:")
            print("".join(f"  {seconds:6.2f}s  {task}\n" for task, seconds in ranked), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
