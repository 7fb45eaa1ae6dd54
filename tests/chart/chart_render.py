"""Render the todo-app chart with the real helm binary; lookups over the rendered manifests."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "todo-app"
VALUES_DIR = Path(__file__).resolve().parent / "values"
BAD_VALUES_DIR = Path(__file__).resolve().parent / "bad-values"
RELEASE = "todo"
NAMESPACE = "todo"
KUBE_VERSION = "1.34.0"
MATRIX = sorted(p.stem for p in VALUES_DIR.glob("*.yaml"))


def helm_binary() -> str:
    helm = shutil.which("helm")
    if helm is None:
        pytest.fail("helm is not on PATH: run tests/env/tools.sh (it builds the pinned helm into $LOCALDEV_BIN)")
    return helm


def run_helm_template(values_files=(), set_values=(), set_string=(), release=RELEASE):
    """Run `helm template`; return the CompletedProcess (the caller checks it)."""
    cmd = [helm_binary(), "template", release, str(CHART), "--namespace", NAMESPACE, "--kube-version", KUBE_VERSION]
    for path in values_files:
        cmd += ["--values", str(path)]
    for item in set_values:
        cmd += ["--set", item]
    for item in set_string:
        cmd += ["--set-string", item]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@dataclass(frozen=True)
class Manifests:
    """The objects of one render, with a few lookups."""

    text: str
    objects: tuple = field(repr=False)

    def of_kind(self, kind: str) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind: str, name: str) -> dict:
        found = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, got {len(found)}: {self.names(kind)}"
        return found[0]

    def names(self, kind: str) -> list[str]:
        return [o["metadata"]["name"] for o in self.of_kind(kind)]

    def workloads(self) -> list[dict]:
        return [o for o in self.objects if o["kind"] in ("Deployment", "StatefulSet")]

    def workload(self, component: str) -> dict:
        found = [w for w in self.workloads() if w["metadata"]["labels"]["app.kubernetes.io/name"] == component]
        assert len(found) == 1, f"expected one workload for {component}, got {len(found)}"
        return found[0]


@functools.cache
def render(
    values_files: tuple = (), set_values: tuple = (), set_string: tuple = (), release: str = RELEASE
) -> Manifests:
    result = run_helm_template(values_files, set_values, set_string, release)
    assert result.returncode == 0, f"helm template failed:\n{result.stderr}"
    objects = tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)
    assert objects, "helm template rendered nothing"
    return Manifests(result.stdout, objects)


# The chart's own Secret needs the PostgreSQL password, which no values file
# may hold: the renders of such files get it with --set-string.
TEST_DB_PASSWORD = "render-only-SENTINEL-7c2e"  # noqa: S105 - a marker searched for in the output
PASSWORD_SET = (f"global.secrets.postgresPassword={TEST_DB_PASSWORD}",)


def password_args(values_file: Path) -> tuple[str, ...]:
    """--set-string of the test password, for a values file that makes the chart render its own Secret."""
    values = yaml.safe_load(values_file.read_text()) or {}
    settings = values.get("global")
    secrets = settings.get("secrets") if isinstance(settings, dict) else None
    if isinstance(secrets, dict) and secrets.get("existingSecret"):
        return ()
    return PASSWORD_SET


def render_matrix(name: str, *set_values: str) -> Manifests:
    """Render one values file of the matrix, with optional --set overrides."""
    path = VALUES_DIR / f"{name}.yaml"
    return render((path,), tuple(set_values), password_args(path))


def container(workload: dict, name: str, init: bool = False) -> dict:
    key = "initContainers" if init else "containers"
    found = [c for c in workload["spec"]["template"]["spec"].get(key, []) if c["name"] == name]
    assert len(found) == 1, f"{workload['metadata']['name']}: expected one {key[:-1]} {name}"
    return found[0]


def env_of(c: dict) -> dict[str, dict]:
    return {e["name"]: e for e in c.get("env", [])}
