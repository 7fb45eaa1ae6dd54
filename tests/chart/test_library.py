"""The common library chart: one definition of each helper, and the names and labels it gives.

The expected names and labels are computed here from the naming rule, not read
from an earlier render: a change to any of them would break `helm upgrade` of
an existing install (a workload's selector cannot change) or the components'
references to each other.
"""

from __future__ import annotations

import re

import pytest
import yaml
from chart_render import CHART, PASSWORD_SET, container, env_of, run_helm_template

# The app.kubernetes.io/component label of each component chart.
COMPONENTS = {"backend": "api", "frontend": "web", "postgresql": "database"}
LIBRARY = "common"
DEFINE = re.compile(r'\{\{-?\s*define\s+"([^"]+)"')
INCLUDE = re.compile(r'\b(?:include|template)\s+"([^"]+)"')
# Release names that contain a component's name, and one at Helm's limit (53).
RELEASES = ("todo", "my-backend", "frontend", "postgresql-db", "my-todo-app-prod", "a-release-named-" + "x" * 37)


def chart_meta(path):
    return yaml.safe_load((path / "Chart.yaml").read_text())


def template_files():
    """{chart name: [its template files]} for the parent, the library and every component."""
    charts = {"todo-app": CHART, **{p.name: p for p in sorted((CHART / "charts").iterdir()) if p.is_dir()}}
    return {name: sorted(p for p in (path / "templates").iterdir() if p.is_file()) for name, path in charts.items()}


def defines():
    """{template name: [(chart, file) defining it]} over the whole chart tree."""
    found = {}
    for chart, files in template_files().items():
        for path in files:
            for name in DEFINE.findall(path.read_text()):
                found.setdefault(name, []).append((chart, path.relative_to(CHART)))
    return found


def test_every_named_template_is_defined_once_in_its_own_chart():
    # Named templates are global across a chart and its subcharts: a second
    # definition silently replaces the first, whichever Helm loads last.
    found = defines()
    assert {name: where for name, where in found.items() if len(where) > 1} == {}
    misplaced = {name: where for name, where in found.items() if name.split(".", 1)[0] != where[0][0]}
    assert misplaced == {}, "a chart defines only <its name>.* templates"
    included = {
        name for files in template_files().values() for path in files for name in INCLUDE.findall(path.read_text())
    }
    assert sorted(set(found) - included) == [], "defined but never used (a leftover copy?)"


def test_library_is_a_dependency_of_every_chart_that_uses_it():
    assert chart_meta(CHART / "charts" / LIBRARY)["type"] == "library"
    # The parent holds the one copy: no repository, so nothing to build.
    (dep,) = [d for d in chart_meta(CHART)["dependencies"] if d["name"] == LIBRARY]
    assert "repository" not in dep and "condition" not in dep
    for component in COMPONENTS:
        deps = chart_meta(CHART / "charts" / component).get("dependencies", [])
        assert {"name": LIBRARY, "version": dep["version"], "repository": f"file://../{LIBRARY}"} in deps, component


def test_charts_call_only_their_own_helpers_and_the_library():
    # A component rendered on its own has just itself and the library; the
    # library uses nothing but itself.
    defined = defines()
    for chart, files in template_files().items():
        allowed = {chart, LIBRARY}
        for path in files:
            for name in INCLUDE.findall(path.read_text()):
                assert name in defined, f"{path.relative_to(CHART)} includes undefined {name}"
                assert name.split(".", 1)[0] in allowed, f"{path.relative_to(CHART)} includes {name}"


def component_fullname(release, name):
    """<release>-<name>, or the release when it already contains the name; at most 63 characters."""
    full = release if name in release else f"{release}-{name}"
    return full[:63].rstrip("-")


def headless_name(release):
    return (component_fullname(release, "postgresql") + "-hl")[:63].rstrip("-")


def expected_name(chart, obj, release):
    if chart == "todo-app":
        return {"Ingress": component_fullname(release, "todo-app"), "Secret": f"{release}-secrets"}[obj["kind"]]
    if obj["kind"] == "Service" and obj["spec"].get("clusterIP") == "None":
        return headless_name(release)
    return component_fullname(release, chart)


def expected_labels(chart, release):
    meta = chart_meta(CHART if chart == "todo-app" else CHART / "charts" / chart)
    labels = {
        "helm.sh/chart": f"{chart}-{meta['version']}",
        "app.kubernetes.io/name": chart,
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/version": str(meta["appVersion"]),
        "app.kubernetes.io/part-of": "todo-app",
        "app.kubernetes.io/managed-by": "Helm",
    }
    if chart in COMPONENTS:
        labels["app.kubernetes.io/component"] = COMPONENTS[chart]
    return labels


def render_by_chart(release, *set_values):
    """[(chart that rendered it, object)] from `helm template`'s Source comments."""
    result = run_helm_template(set_values=set_values, set_string=PASSWORD_SET, release=release)
    assert result.returncode == 0, result.stderr
    rendered = []
    for doc in re.split(r"^---$", result.stdout, flags=re.M):
        source = re.search(r"^# Source: (\S+)", doc, flags=re.M)
        obj = yaml.safe_load(doc)
        if obj:
            parts = source.group(1).split("/")
            rendered.append((parts[2] if parts[1] == "charts" else parts[0], obj))
    return rendered


@pytest.mark.parametrize("release", RELEASES)
def test_names_and_labels_follow_the_naming_rule(release):
    rendered = render_by_chart(release, "backend.podDisruptionBudget.enabled=true")
    charts = {chart for chart, _obj in rendered}
    assert charts == {"todo-app", *COMPONENTS}, "the library renders no object of its own"
    for chart, obj in rendered:
        what = f"{obj['kind']} {obj['metadata']['name']} of {chart}"
        labels = expected_labels(chart, release)
        assert obj["metadata"]["labels"] == labels, what
        assert obj["metadata"]["name"] == expected_name(chart, obj, release), what
        spec = obj.get("spec", {})
        selector = {k: labels[k] for k in ("app.kubernetes.io/name", "app.kubernetes.io/instance")}
        if obj["kind"] in ("Deployment", "StatefulSet"):
            assert spec["selector"]["matchLabels"] == selector, what
            assert spec["template"]["metadata"]["labels"] == labels, what
            assert spec["template"]["spec"]["serviceAccountName"] == component_fullname(release, chart), what
        if obj["kind"] == "StatefulSet":
            assert spec["serviceName"] == headless_name(release)
            (claim,) = spec["volumeClaimTemplates"]
            assert claim["metadata"]["labels"] == selector
        if obj["kind"] == "Service":
            assert spec["selector"] == selector, what
        if obj["kind"] in ("NetworkPolicy", "PodDisruptionBudget"):
            key = "podSelector" if obj["kind"] == "NetworkPolicy" else "selector"
            assert spec[key]["matchLabels"] == selector, what


@pytest.mark.parametrize("release", RELEASES)
def test_components_find_each_other_by_name(release):
    objects = {(obj["kind"], chart): obj for chart, obj in render_by_chart(release)}
    paths = objects["Ingress", "todo-app"]["spec"]["rules"][0]["http"]["paths"]
    assert {p["path"]: p["backend"]["service"]["name"] for p in paths} == {
        "/api": component_fullname(release, "backend"),
        "/": component_fullname(release, "frontend"),
    }
    backend_url = objects["ConfigMap", "frontend"]["data"]["BACKEND_URL"]
    assert backend_url == f"http://{component_fullname(release, 'backend')}:8000"
    env = env_of(container(objects["Deployment", "backend"], "backend"))
    host = component_fullname(release, "postgresql")
    assert env["DATABASE_URL"]["value"] == f"postgresql://todo:$(POSTGRES_PASSWORD)@{host}:5432/todo"
    secret = f"{release}-secrets"
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == secret
    postgres = env_of(container(objects["StatefulSet", "postgresql"], "postgresql"))
    assert postgres["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == secret


def test_service_account_names():
    rendered = render_by_chart(
        "todo",
        "backend.serviceAccount.create=false",
        "frontend.serviceAccount.name=web-sa",
        "postgresql.serviceAccount.create=false",
        "postgresql.serviceAccount.name=db-sa",
    )
    accounts = sorted((chart, o["metadata"]["name"]) for chart, o in rendered if o["kind"] == "ServiceAccount")
    assert accounts == [("frontend", "web-sa")]
    used = {
        chart: o["spec"]["template"]["spec"]["serviceAccountName"]
        for chart, o in rendered
        if "template" in o.get("spec", {})
    }
    assert used == {"backend": "default", "frontend": "web-sa", "postgresql": "db-sa"}


def test_images_default_to_the_app_version():
    rendered = render_by_chart("todo", "backend.image.tag=3f9c2a1b7d0e", "postgresql.image.tag=")
    images = {
        chart: container(o, chart)["image"] for chart, o in rendered if o["kind"] in ("Deployment", "StatefulSet")
    }
    assert images == {
        "backend": "todo-backend:3f9c2a1b7d0e",
        "frontend": "todo-frontend:0.1.0",
        "postgresql": "postgres:16",
    }
