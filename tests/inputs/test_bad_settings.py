"""Bad settings stop `site.yml` before anything changes, each named as the user wrote it.

Each case runs the real `ansible-playbook site.yml` with the repository's
inventory and one mistake (in -e or in the two secret environment variables),
in a HOME of its own, and asserts:
- the run failed in the inputs stage, before the toolchain stage ran;
- the recap says changed=0 and the HOME holds nothing new (no download, no
  kubeconfig, no minikube profile);
- the message names the variable the user set (and says what is wrong);
- no part of a secret is printed: each secret carries a marker.
A case that gets past the checks would go on to the toolchain stage, which
finds no Docker daemon here (DOCKER_HOST points nowhere), so it fails there
and the test fails on the missing message.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "LDKSECRETMARKER"
# Valid secrets, each with the marker inside: no output may ever show them.
GOOD_SECRETS = {
    "OPENAI_API_KEY": f"sk-{MARKER}-0123456789",
    "TODO_DATABASE_URL": f"postgresql://todo:{MARKER}@db.internal:5432/todo",
}
STOP_TASK = "TASK [Inputs | stop on every refused setting, before anything changes]"


def case(case_id, expect, extra=None, env=None, says=None):
    """One bad input: -e values, environment, the variable the message must name, and words it must say."""
    return pytest.param(extra or {}, env or {}, expect, says, id=case_id)


CASES = [
    # The app's settings, named by their own names.
    case("hostname-space", "todo_hostname", {"todo_hostname": "todo local"}, says="a DNS name"),
    case("hostname-double-dot", "todo_hostname", {"todo_hostname": "todo..local"}, says="empty label"),
    case("hostname-upper-case", "todo_hostname", {"todo_hostname": "Todo.Local"}, says="upper-case"),
    case("hostname-300-chars", "todo_hostname", {"todo_hostname": "a" * 300}, says="300 characters"),
    case("hostname-leading-dash", "todo_hostname", {"todo_hostname": "-todo.local"}, says="starts or ends with '-'"),
    case("hostname-underscore", "todo_hostname", {"todo_hostname": "todo_app.local"}, says="characters other than"),
    case("hostname-url", "todo_hostname", {"todo_hostname": "http://todo.local/"}, says="looks like a URL"),
    case("hostname-ip", "todo_hostname", {"todo_hostname": "10.1.2.3"}, says="an IP address"),
    case("hostname-empty", "todo_hostname", {"todo_hostname": ""}, says="empty label"),
    case("namespace-upper-case", "todo_namespace", {"todo_namespace": "Todo"}, says="at most 63 characters"),
    case("namespace-64-chars", "todo_namespace", {"todo_namespace": "n" * 64}, says="64 characters long"),
    case("release-54-chars", "todo_release_name", {"todo_release_name": "r" * 54}, says="at most 53 characters"),
    case("release-dot", "todo_release_name", {"todo_release_name": "my.release"}, says="has a '.'"),
    case("replicas-negative", "todo_backend_replicas", {"todo_backend_replicas": -1}, says="from 0 to 20"),
    case("replicas-word", "todo_backend_replicas", {"todo_backend_replicas": "two"}, says="not a whole number"),
    case("replicas-fraction", "todo_backend_replicas", {"todo_backend_replicas": 1.5}, says="not a whole number"),
    case("replicas-million", "todo_frontend_replicas", {"todo_frontend_replicas": 1000000}, says="above 20"),
    case("source-missing", "todo_backend_source", {"todo_backend_source": "/nonexistent/backend"}),
    case("source-no-dockerfile", "todo_frontend_source", {"todo_frontend_source": "/tmp"}, says="Dockerfile"),
    # Secrets: named, what is wrong said, no part shown.
    case("db-url-not-url", "todo_database_url", env={"TODO_DATABASE_URL": f"just-{MARKER}"}, says="not a URL"),
    case(
        "db-url-mysql",
        "todo_database_url",
        env={"TODO_DATABASE_URL": f"mysql://u:{MARKER}@h/db"},
        says="scheme is not postgresql",
    ),
    case(
        "db-url-space-in-host",
        "todo_database_url",
        env={"TODO_DATABASE_URL": f"postgresql://u:{MARKER}@my host/db"},
        says="whitespace",
    ),
    case(
        "db-url-no-database",
        "todo_database_url",
        env={"TODO_DATABASE_URL": f"postgresql://u:{MARKER}@db.internal"},
        says="names no database",
    ),
    case("openai-key-newline", "todo_openai_api_key", env={"OPENAI_API_KEY": f"sk-{MARKER}\nx"}, says="line break"),
    case("openai-key-space", "todo_openai_api_key", env={"OPENAI_API_KEY": f"sk- {MARKER}"}, says="whitespace"),
    # The cluster.
    case("cpus-one", "minikube_cpus", {"minikube_cpus": 1}, says="at least 2"),
    case("cpus-word", "minikube_cpus", {"minikube_cpus": "two"}),
    case("memory-small", "minikube_memory", {"minikube_memory": 512}, says="at least 1800"),
    case("memory-with-unit", "minikube_memory", {"minikube_memory": "4g"}),
    case("disk-size-word", "minikube_disk_size", {"minikube_disk_size": "twenty"}),
    case("k8s-too-new", "minikube_kubernetes_version", {"minikube_kubernetes_version": "v9.99.0"}, says="v1.28.0"),
    case("k8s-too-old", "minikube_kubernetes_version", {"minikube_kubernetes_version": "v1.20.0"}, says="v1.34"),
    case("k8s-not-version", "minikube_kubernetes_version", {"minikube_kubernetes_version": "v1.34.0.1"}),
    case("profile-space", "minikube_profile", {"minikube_profile": "bad profile!"}),
    case("addons-as-string", "minikube_addons", {"minikube_addons": "ingress,dashboard"}, says="give a list"),
    case("driver-unknown", "minikube_driver", {"minikube_driver": "vmwarefusion"}, says="must be one of"),
    case("load-image-digest", "minikube_load_images", {"minikube_load_images": ["python@sha256:0123"]}),
    # The images.
    case(
        "images-same-name",
        "images_list[1].name",
        {
            "images_list": [
                {"name": "app", "repository": "a", "context": str(ROOT / "apps/backend")},
                {"name": "app", "repository": "b", "context": str(ROOT / "apps/frontend")},
            ]
        },
        says="unique",
    ),
    case(
        "images-upper-case-repository",
        "images_list[0].repository",
        {"images_list": [{"name": "app", "repository": "Todo-Backend", "context": str(ROOT / "apps/backend")}]},
        says="upper-case",
    ),
    case(
        "images-context-missing",
        "images_list[0].context",
        {"images_list": [{"name": "app", "repository": "app", "context": "/nonexistent/app"}]},
        says="does not exist",
    ),
    case("images-keep-negative", "images_keep", {"images_keep": -1}),
    case("images-tag-length", "images_tag_length", {"images_tag_length": 4}, says="from 8 to 64"),
    # The release.
    case("values-set-string", "helm_release_values", {"helm_release_values": "ingress.host=x"}, says="give a mapping"),
    case(
        "values-schema",
        "helm_release_values.backend.replicaCount",
        {"helm_release_values": {"backend": {"replicaCount": "many"}}},
        says="values.schema.json",
    ),
    case(
        "values-unknown-key",
        "helm_release_values",
        {"helm_release_values": {"ingres": {"host": "todo.local"}}},
        says="ingres",
    ),
    case("timeout-zero", "helm_release_timeout", {"helm_release_timeout": 0}),
    case("chart-missing", "helm_release_chart_ref", {"helm_release_chart_ref": "/nonexistent/chart"}, says="exists"),
    case(
        "secret-data-as-string",
        "helm_release_secret_data",
        {"helm_release_secret_data": f"OPENAI_API_KEY=sk-{MARKER}"},
        says="value not shown",
    ),
    case("smoke-path-relative", "helm_release_smoke_paths", {"helm_release_smoke_paths": ["api/health"]}),
    case(
        "smoke-content-other-path",
        "helm_release_smoke_content",
        {"helm_release_smoke_content": {"/healthz": "ok"}},
        says="paths of helm_release_smoke_paths",
    ),
    case(
        "image-layout-path",
        "helm_release_image_layout.backend",
        {"helm_release_image_layout": {"backend": {"path": "backend..image"}}},
        says="not a dotted values path",
    ),
    case(
        "generated-values-overlap",
        "helm_release_generated_values",
        {"helm_release_generated_values": ["auth", "auth.password"]},
        says="overlaps",
    ),
    case(
        "generated-values-replace-secret-data",
        "helm_release_generated_values",
        {"helm_release_generated_values": ["OPENAI_API_KEY"]},
        says="not a key of helm_release_secret_data",
    ),
    # The hosts file.
    case("hosts-ip-out-of-range", "hosts_file_ip", {"hosts_file_ip": "999.1.1.1"}),
    case("hosts-ip-name", "hosts_file_ip", {"hosts_file_ip": "localhost"}, says="not a name"),
    case("hosts-entries-empty", "hosts_file_entries", {"hosts_file_entries": []}, says="at least one entry"),
    case(
        "hosts-names-empty",
        "hosts_file_entries[0].names",
        {"hosts_file_entries": [{"ip": "auto", "names": []}]},
        says="at least one host name",
    ),
    case(
        "hosts-names-string",
        "hosts_file_entries[0].names",
        {"hosts_file_entries": [{"ip": "auto", "names": "todo.local"}]},
        says="names: [todo.local]",
    ),
    case(
        "hosts-entry-ip",
        "hosts_file_entries[0].ip",
        {"hosts_file_entries": [{"ip": "1.2.3", "names": ["todo.local"]}]},
    ),
    # The toolchain.
    case("kubectl-version-no-v", "toolchain_kubectl_version", {"toolchain_kubectl_version": "1.34"}),
    case("bin-dir-relative", "toolchain_bin_dir", {"toolchain_bin_dir": "relative/bin"}),
]


def run_site(tmp_path: Path, extra: dict, env: dict) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = Path(sys.executable).parent
    run_env = {
        "HOME": str(home),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        # Nothing here may reach a Docker daemon, should a check let a case through.
        "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOLOR": "1",
        **GOOD_SECRETS,
        **env,
    }
    argv = [str(bin_dir / "ansible-playbook"), "site.yml"]
    if extra:
        argv += ["-e", json.dumps(extra)]
    return subprocess.run(argv, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300, check=False)


def created_files(home: Path) -> list[str]:
    """What the run left in its HOME, less Ansible's own temporary directory."""
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.relative_to(home).parts[0] != ".ansible")


def refused_messages(stdout: str) -> str:
    """The inputs stage's final report (the output from the stop task on), its YAML unfolded."""
    report = stdout[stdout.index(STOP_TASK) :] if STOP_TASK in stdout else ""
    return re.sub(r"\s+", " ", report.replace("''", "'"))


@pytest.mark.parametrize(("extra", "env", "expect", "says"), CASES)
def test_bad_setting_is_refused_before_anything_changes(tmp_path, extra, env, expect, says):
    result = run_site(tmp_path, extra, env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    report = refused_messages(result.stdout)
    assert report, f"the inputs stage did not stop the run:\n{output[-3000:]}"
    assert "TASK [localdev.kube.toolchain : Find minikube" not in result.stdout, "the toolchain stage ran"
    assert re.search(r"localhost\s*:\s*ok=\d+\s+changed=0\s", result.stdout), result.stdout[-1500:]
    assert created_files(tmp_path / "home") == []
    # Named as written: in the final report, as the first word of a message or in a spec error.
    assert re.search(rf"(- '?|argument '|value of ){re.escape(expect)}\b", report), report
    if says:
        assert says in report, report
    assert MARKER not in output


def test_several_wrong_settings_are_reported_together(tmp_path):
    result = run_site(
        tmp_path,
        {"todo_hostname": "Todo Local", "minikube_cpus": 1, "hosts_file_ip": "localhost", "images_keep": -1},
        {"TODO_DATABASE_URL": f"mysql://u:{MARKER}@h/db"},
    )
    report = refused_messages(result.stdout)
    for name in ("todo_hostname", "minikube_cpus", "hosts_file_ip", "images_keep", "todo_database_url"):
        assert f"- '{name}" in report or f"- {name}" in report, report
    assert MARKER not in result.stdout + result.stderr


def test_a_refused_app_setting_is_not_repeated_under_a_role_input(tmp_path):
    # todo_namespace feeds helm_release_namespace, todo_hostname the chart's ingress.host and the hosts entry.
    result = run_site(tmp_path, {"todo_namespace": "Bad_NS", "todo_hostname": "Bad Host"}, {})
    report = refused_messages(result.stdout)
    assert "todo_namespace" in report and "todo_hostname" in report, report
    for repeated in ("helm_release_namespace", "helm_release_values.ingress.host", "hosts_file_entries[0].names"):
        assert repeated not in report, report


def test_a_likely_typo_is_a_warning_naming_the_intended_setting(tmp_path):
    # The bad memory stops the run before anything changes; the typos only warn.
    result = run_site(tmp_path, {"minikube_cpu": 4, "todo_host_name": "x.local", "minikube_memory": 1}, {})
    assert "minikube_cpu is not a setting of any stage: did you mean minikube_cpus?" in result.stdout
    assert "todo_host_name is not a setting of any stage: did you mean todo_hostname?" in result.stdout
    report = refused_messages(result.stdout)
    assert "minikube_memory" in report and "minikube_cpu " not in report, report


def test_the_good_settings_pass_the_inputs_stage(tmp_path):
    """The repository's own inventory passes, and so do digits given as text by -e."""
    result = run_site(tmp_path, {"todo_backend_replicas": "2", "minikube_cpus": "2"}, {})
    assert re.search(re.escape(STOP_TASK) + r" \**\nskipping", result.stdout), result.stdout[-3000:]
    # Past the inputs stage, the toolchain stage runs (and stops here: no Docker daemon answers).
    assert "TASK [localdev.kube.toolchain : Find minikube" in result.stdout, result.stdout[-3000:]
    assert MARKER not in result.stdout + result.stderr
