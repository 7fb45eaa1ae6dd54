"""Wall time of the images role: a fresh build of both images vs a no-change converge.

Runs `ansible-playbook` with the localdev.kube.images role against the local
Docker daemon (or any daemon DOCKER_HOST names), under benchmark-only
repository names so the deploy's images are left alone:

1. removes the benchmark images, then converges: hash + build of both images
   (base images and the daemon's layer cache of other images stay, as on a
   developer machine);
2. converges again N times with nothing changed: hash only, no build;
3. times the context hashing alone (module_utils, in-process).

    python benchmarks/images_converge.py                 # apps/backend + apps/frontend
    python benchmarks/images_converge.py --fixtures      # molecule/images/files (offline, seconds)
    python benchmarks/images_converge.py --runs 5 --network host --json

Needs the project venv's ansible-playbook (or PATH) and a Docker daemon with
the base images (tests/env/base-images.sh). Building the real apps downloads
their Python and npm packages from the registries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.localdev.kube.plugins.module_utils.docker_context import context_digest  # noqa: E402

PLAYBOOK = """\
- name: Benchmark the images role
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - role: localdev.kube.images
"""


def tool(name: str) -> str:
    venv = Path(os.environ.get("LOCALDEV_VENV", Path.home() / ".cache/localdev-kube/venv"))
    candidate = venv / "bin" / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: run `make venv-test` (or put it on PATH)")
    return found


def images(fixtures: bool) -> list[dict]:
    base = ROOT / "molecule/images/files" if fixtures else ROOT / "apps"
    spec = [
        {"name": "backend", "repository": "ldk-bench-backend", "context": str(base / "backend")},
        {"name": "frontend", "repository": "ldk-bench-frontend", "context": str(base / "frontend")},
    ]
    if fixtures:
        spec[1]["target"] = "runtime"
    return spec


def converge(playbook: Path, extra: Path) -> tuple[float, dict]:
    start = time.monotonic()
    proc = subprocess.run(
        [tool("ansible-playbook"), str(playbook), "-e", f"@{extra}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
    )
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        sys.exit(f"ansible-playbook failed (exit {proc.returncode})")
    stats = json.loads(proc.stdout)["stats"]["localhost"]
    return elapsed, stats


def remove_images(repositories: list[str]) -> None:
    docker = shutil.which("docker")
    if not docker:
        sys.exit("the docker CLI is needed to remove the benchmark images")
    listing = subprocess.run(
        [docker, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True, check=True
    ).stdout.split()
    refs = [ref for ref in listing if ref.split(":")[0] in repositories]
    if refs:
        subprocess.run([docker, "image", "rm", "--force", *refs], capture_output=True, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--fixtures", action="store_true", help="build molecule/images/files instead of apps/")
    parser.add_argument("--runs", type=int, default=3, help="no-change converges to time (median reported)")
    parser.add_argument("--network", default="", help="images_build_network for RUN steps (e.g. host)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    spec = images(args.fixtures)
    with tempfile.TemporaryDirectory(prefix="ldk-bench-") as tmp:
        playbook = Path(tmp) / "bench.yml"
        playbook.write_text(PLAYBOOK)
        extra = Path(tmp) / "vars.json"
        extra.write_text(
            json.dumps({"images_list": spec, "images_docker_env": {}, "images_build_network": args.network})
        )

        remove_images([image["repository"] for image in spec])
        fresh, fresh_stats = converge(playbook, extra)
        quiet = []
        for _run in range(args.runs):
            elapsed, stats = converge(playbook, extra)
            if stats.get("changed", 0):
                sys.exit(f"a no-change converge reported changes: {stats}")
            quiet.append(elapsed)

        hashing = []
        for _run in range(max(args.runs, 3)):
            start = time.monotonic()
            for image in spec:
                context_digest(image["context"], target=image.get("target"))
            hashing.append(time.monotonic() - start)
        remove_images([image["repository"] for image in spec])

    result = {
        "source": "molecule/images/files" if args.fixtures else "apps",
        "fresh_build_s": round(fresh, 2),
        "no_change_converge_s": round(statistics.median(quiet), 2),
        "no_change_runs": [round(x, 2) for x in quiet],
        "hash_both_contexts_ms": round(statistics.median(hashing) * 1000, 1),
        "fresh_changed_tasks": fresh_stats.get("changed", 0),
    }
    result["speedup"] = round(result["fresh_build_s"] / max(result["no_change_converge_s"], 0.01), 1)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"images role, {result['source']}, local daemon")
        print(f"  fresh build of both images     {result['fresh_build_s']:8.2f} s")
        print(f"  no-change converge (median/{args.runs}) {result['no_change_converge_s']:8.2f} s   {quiet}")
        print(f"  hashing both contexts          {result['hash_both_contexts_ms']:8.1f} ms")
        print(f"  fresh / no-change              {result['speedup']:8.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
