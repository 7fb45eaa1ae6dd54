"""Unit tests of chart_values (Helm's coalescing and schema check, without helm) and its filter.

The expectations on coalescing, subcharts, globals and nulls are what helm
4.3.1 (the toolchain role's pin) renders as .Values for the same charts.
"""

import json
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.input_problems import input_problems
from ansible_collections.localdev.kube.plugins.module_utils import chart_values
from ansible_collections.localdev.kube.plugins.module_utils.chart_values import (
    ChartValuesError,
    JsonschemaMissing,
    chart_values_problems,
    coalesce,
)

TODO_APP = Path(__file__).parents[2] / "charts" / "todo-app"
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def make_chart(path, name, values=None, schema=None, dependencies=None, chart_type=None):
    """A chart directory: Chart.yaml, and values.yaml / values.schema.json when given."""
    path.mkdir(parents=True)
    meta = {"apiVersion": "v2", "name": name, "version": "0.1.0"}
    if chart_type:
        meta["type"] = chart_type
    if dependencies is not None:
        meta["dependencies"] = [dict({"version": "0.1.0"}, **dep) for dep in dependencies]
    (path / "Chart.yaml").write_text(yaml.safe_dump(meta))
    if values is not None:
        (path / "values.yaml").write_text(values if isinstance(values, str) else yaml.safe_dump(values))
    if schema is not None:
        (path / "values.schema.json").write_text(json.dumps(schema))
    return path


def obj(properties=None, required=(), additional=True, **more):
    """A draft-07 object schema."""
    schema = {"type": "object", "properties": properties or {}, "additionalProperties": additional, **more}
    if required:
        schema["required"] = list(required)
    return schema


BACKEND_SCHEMA = dict(
    obj(
        {
            "replicaCount": {"type": "integer", "minimum": 0},
            "image": obj({"tag": {"type": "string"}}, required=["tag"]),
            "extraEnv": {"type": "array", "items": obj({"name": {"type": "string"}}, required=["name"])},
            "global": obj({"env": {"enum": ["dev", "prod"]}, "team": {"type": "string"}}),
        },
        required=["replicaCount", "image"],
        additional=False,
    ),
    **{"$schema": DRAFT7},
)


@pytest.fixture
def parent(tmp_path):
    """todo-like chart: backend (aliased api), a db switched by db.enabled, a library, a nested subchart."""
    root = make_chart(
        tmp_path / "parent",
        "parent",
        values={"global": {"env": "dev"}, "ingress": {"host": "app.local"}, "api": {"replicaCount": 1}},
        schema=obj({"ingress": obj({"host": {"type": "string", "pattern": "^[a-z.]+$"}}, required=["host"])}),
        dependencies=[
            {"name": "backend", "alias": "api"},
            {"name": "db", "condition": "db.enabled"},
            {"name": "common"},
            {"name": "mid"},
        ],
    )
    make_chart(
        root / "charts" / "backend",
        "backend",
        values={"replicaCount": 1, "image": {"tag": "1.0"}, "extraEnv": [], "global": {"team": "core"}},
        schema=BACKEND_SCHEMA,
    )
    make_chart(
        root / "charts" / "db",
        "db",
        values={"enabled": False, "size": "1Gi"},
        schema=obj({"enabled": {"type": "boolean"}, "size": {"type": "string", "pattern": "^[0-9]+Gi$"}}),
    )
    make_chart(root / "charts" / "common", "common", chart_type="library")
    mid = make_chart(root / "charts" / "mid", "mid", values={"leaf": {"port": 80}})
    make_chart(mid / "charts" / "leaf", "leaf", values={"port": 80}, schema=obj({"port": {"type": "integer"}}))
    return root


def paths(problems):
    return [problem["path"] for problem in problems]


# --- coalesce -----------------------------------------------------------------


def test_coalesce_merges_mappings_and_replaces_the_rest():
    defaults = {"image": {"repository": "app", "tag": "1"}, "ports": [80], "replicas": 1, "labels": {"a": "b"}}
    overrides = {"image": {"tag": "2"}, "ports": [8080, 8443], "replicas": "x", "labels": "none"}
    assert coalesce(defaults, overrides) == {
        "image": {"repository": "app", "tag": "2"},
        "ports": [8080, 8443],
        "replicas": "x",
        "labels": "none",
    }


def test_coalesce_null_deletes_the_default_it_overrides():
    defaults = {"resources": {"limits": {"cpu": 1}}, "image": {"tag": "1", "pullPolicy": "Always"}}
    assert coalesce(defaults, {"resources": None, "image": {"pullPolicy": None}}) == {"image": {"tag": "1"}}


def test_coalesce_keeps_a_null_with_nothing_under_it_as_helm_does():
    assert coalesce({"a": 1}, {"b": None, "c": {"d": None}}) == {"a": 1, "b": None, "c": {"d": None}}


def test_coalesce_changes_neither_argument():
    defaults = {"image": {"tag": "1"}}
    overrides = {"image": {"repository": "x"}, "gone": None}
    coalesce(defaults, overrides)
    assert defaults == {"image": {"tag": "1"}}
    assert overrides == {"image": {"repository": "x"}, "gone": None}


# --- the chart tree -------------------------------------------------------------


def test_defaults_pass(parent):
    assert chart_values_problems({}, parent) == []
    assert chart_values_problems(None, str(parent)) == []


def test_problem_format_and_parent_path(parent):
    assert chart_values_problems({"ingress": {"host": "App Local"}}, parent) == [
        {"path": "ingress.host", "message": "'App Local' does not match '^[a-z.]+$'"}
    ]


def test_subchart_problems_are_under_the_alias(parent):
    problems = chart_values_problems({"api": {"replicaCount": "two"}}, parent)
    assert problems == [{"path": "api.replicaCount", "message": "'two' is not of type 'integer'"}]


def test_values_under_the_chart_name_of_an_aliased_subchart_are_not_its_values(parent):
    assert chart_values_problems({"backend": {"replicaCount": "two"}}, parent) == []


def test_every_problem_is_reported_sorted_by_path(parent):
    values = {"ingress": {"host": 3}, "api": {"replicaCount": -1, "image": {"tag": 2}, "bogus": True}}
    assert paths(chart_values_problems(values, parent)) == ["api", "api.image.tag", "api.replicaCount", "ingress.host"]


def test_nested_error_path_with_list_index(parent):
    values = {"api": {"extraEnv": [{"name": "A"}, {"name": 5}, {"value": "x"}]}}
    problems = chart_values_problems(values, parent)
    assert problems == [
        {"path": "api.extraEnv[1].name", "message": "5 is not of type 'string'"},
        {"path": "api.extraEnv[2]", "message": "'name' is a required property"},
    ]


def test_root_problems_have_an_empty_path(tmp_path):
    chart = make_chart(tmp_path / "c", "c", values={"a": 1}, schema=obj({"a": {}}, additional=False))
    assert chart_values_problems({"b": 1}, chart) == [
        {"path": "", "message": "Additional properties are not allowed ('b' was unexpected)"}
    ]


def test_a_subchart_switched_off_by_its_condition_is_not_checked(parent):
    assert chart_values_problems({"db": {"size": "lots"}}, parent) == []


def test_a_subchart_switched_on_by_its_condition_is_checked(parent):
    problems = chart_values_problems({"db": {"enabled": True, "size": "lots"}}, parent)
    assert paths(problems) == ["db.size"]


def test_condition_uses_the_first_path_holding_a_bool(tmp_path):
    root = make_chart(
        tmp_path / "p",
        "p",
        values={"global": {"dbOn": True}},
        dependencies=[{"name": "db", "condition": "db.missing,db.notBool,global.dbOn"}],
    )
    make_chart(
        root / "charts" / "db", "db", values={"notBool": "yes please", "x": 1}, schema=obj({"x": {"type": "integer"}})
    )
    assert paths(chart_values_problems({"db": {"x": "one"}}, root)) == ["db.x"]
    assert chart_values_problems({"db": {"x": "one"}, "global": {"dbOn": False}}, root) == []
    # a bool earlier in the list wins
    assert chart_values_problems({"db": {"x": "one", "missing": False}}, root) == []


def test_tags_switch_subcharts(tmp_path):
    root = make_chart(tmp_path / "p", "p", dependencies=[{"name": "db", "tags": ["storage"]}])
    make_chart(root / "charts" / "db", "db", values={"x": 1}, schema=obj({"x": {"type": "integer"}}))
    assert paths(chart_values_problems({"db": {"x": "one"}}, root)) == ["db.x"]
    assert chart_values_problems({"db": {"x": "one"}, "tags": {"storage": False}}, root) == []


def test_library_subchart_has_no_schema_of_its_own_to_break(parent):
    # helm coalesces a library like any subchart (its key gets the globals) and renders nothing of it
    assert chart_values_problems({"common": {"anything": ["goes"]}}, parent) == []


def test_library_subchart_values_reach_the_parent_schema_as_in_helm(tmp_path):
    root = make_chart(
        tmp_path / "p",
        "p",
        schema=obj({"common": obj({"global": {"type": "object"}}, additional=False)}),
        dependencies=[{"name": "common"}],
    )
    make_chart(root / "charts" / "common", "common", chart_type="library")
    assert chart_values_problems({}, root) == []
    assert paths(chart_values_problems({"common": {"x": 1}}, root)) == ["common"]


def test_null_deletes_a_parent_default(tmp_path):
    chart = make_chart(
        tmp_path / "c", "c", values={"image": {"tag": "1"}}, schema=obj({"image": obj(required=["tag"])})
    )
    assert chart_values_problems({"image": {"tag": None}}, chart) == [
        {"path": "image", "message": "'tag' is a required property"}
    ]


def test_null_under_a_subchart_key_deletes_the_subchart_default(parent):
    assert chart_values_problems({"api": {"image": None}}, parent) == [
        {"path": "api", "message": "'image' is a required property"}
    ]


def test_a_null_with_no_default_under_it_is_checked_as_null(parent):
    assert chart_values_problems({"api": {"global": {"team": None}}}, parent) == []  # the subchart default goes
    assert chart_values_problems({"api": {"extraEnv": [{"name": None}]}}, parent) == [
        {"path": "api.extraEnv[0].name", "message": "None is not of type 'string'"}
    ]


def test_parent_globals_reach_the_subchart(parent):
    assert chart_values_problems({"global": {"env": "qa"}}, parent) == [
        {"path": "api.global.env", "message": "'qa' is not one of ['dev', 'prod']"}
    ]


def test_parent_globals_win_over_those_given_under_the_subchart_key(parent):
    assert chart_values_problems({"api": {"global": {"env": "qa"}}}, parent) == []
    assert paths(chart_values_problems({"global": {"team": 7}}, parent)) == ["api.global.team"]


def test_subchart_of_a_subchart_is_checked_with_its_full_path(parent):
    assert chart_values_problems({"mid": {"leaf": {"port": "http"}}}, parent) == [
        {"path": "mid.leaf.port", "message": "'http' is not of type 'integer'"}
    ]


def test_subchart_values_that_are_not_a_mapping(parent):
    assert chart_values_problems({"api": "x"}, parent) == [{"path": "api", "message": "'x' is not of type 'object'"}]


def test_packaged_subcharts_are_skipped(parent):
    (parent / "charts" / "redis-1.0.0.tgz").write_bytes(b"\x1f\x8b not read")
    assert chart_values_problems({}, parent) == []


def test_an_unlisted_subchart_dir_counts_under_its_name(tmp_path):
    root = make_chart(tmp_path / "p", "p")
    make_chart(root / "charts" / "extra", "extra", schema=obj({"x": {"type": "integer"}}))
    assert paths(chart_values_problems({"extra": {"x": "one"}}, root)) == ["extra.x"]


def test_a_schema_without_dollar_schema_is_draft_2020_12_as_in_helm_4(tmp_path):
    chart = make_chart(tmp_path / "c", "c", schema={"type": "object", "dependentRequired": {"a": ["b"]}})
    assert chart_values_problems({"a": 1}, chart) == [{"path": "", "message": "'b' is a dependency of 'a'"}]


def test_formats_are_not_checked(tmp_path):
    chart = make_chart(tmp_path / "c", "c", schema=obj({"mail": {"type": "string", "format": "email"}}))
    assert chart_values_problems({"mail": "not an address"}, chart) == []


def test_values_yaml_reads_as_helm_reads_it(tmp_path):
    schema = obj({"day": {"type": "string"}, "flag": {"type": "boolean"}, "ports": obj({"80": {"type": "string"}})})
    chart = make_chart(tmp_path / "c", "c", values="day: 2024-01-01\nflag: n\nports:\n  80: http\n", schema=schema)
    assert chart_values_problems({}, chart) == []


def test_long_messages_are_cut(tmp_path):
    chart = make_chart(tmp_path / "c", "c", schema=obj({"x": {"type": "integer"}}))
    (problem,) = chart_values_problems({"x": "y" * 500}, chart)
    assert problem["path"] == "x"
    assert len(problem["message"]) <= 200
    assert problem["message"].endswith("...")


@pytest.mark.parametrize("ref", ["bitnami/nginx", "oci://registry.example/charts/app", "does/not/exist", ""])
def test_a_chart_that_is_not_a_local_directory_cannot_be_checked(ref):
    assert chart_values_problems({"anything": object}, ref) == []


def test_a_packaged_chart_cannot_be_checked(tmp_path):
    archive = tmp_path / "app-1.0.0.tgz"
    archive.write_bytes(b"\x1f\x8b")
    assert chart_values_problems({"x": 1}, archive) == []


def test_a_chart_without_schemas_has_no_problems(tmp_path):
    chart = make_chart(tmp_path / "c", "c", values={"replicaCount": 1})
    assert chart_values_problems({"replicaCount": "two", "whatever": None}, chart) == []


def test_an_invalid_schema_is_an_error(tmp_path):
    chart = make_chart(tmp_path / "c", "c", schema={"$schema": DRAFT7, "type": "nonsense"})
    with pytest.raises(ChartValuesError, match="not a valid JSON schema"):
        chart_values_problems({}, chart)


def test_an_unreadable_values_yaml_is_an_error(tmp_path):
    chart = make_chart(tmp_path / "c", "c", values="a: [unclosed\n")
    with pytest.raises(ChartValuesError, match=r"values\.yaml"):
        chart_values_problems({}, chart)


def test_without_jsonschema_only_a_schema_to_check_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(chart_values, "HAS_JSONSCHEMA", False)
    plain = make_chart(tmp_path / "plain", "plain", values={"a": 1})
    assert chart_values_problems({"a": 2}, plain) == []
    checked = make_chart(tmp_path / "checked", "checked", schema=obj())
    with pytest.raises(JsonschemaMissing) as raised:
        chart_values_problems({}, checked)
    assert isinstance(raised.value, ImportError)


# --- the filter -----------------------------------------------------------------


class TaggedStr(str):
    """Stands in for Ansible's tagged strings."""


class LazyDict(dict):
    """Stands in for Ansible's lazy containers: only items() gives the real values."""

    def __init__(self, real):
        super().__init__({key: "{{ unrendered }}" for key in real})
        self._real = real

    def items(self):
        return self._real.items()

    def __getitem__(self, key):
        return self._real[key]


def test_input_problems_reads_ansible_strings_and_containers(parent):
    values = LazyDict({TaggedStr("api"): LazyDict({"replicaCount": TaggedStr("two"), "image": {"tag": "1"}})})
    check = {"var": "helm_release_values", "kind": "chart_values", "chart": str(parent), "value": values}
    assert input_problems([check]) == [
        "helm_release_values.api.replicaCount: must be what the chart's values.schema.json allows; "
        "'two' is not of type 'integer'."
    ]


def test_input_problems_says_how_to_install_jsonschema(parent, monkeypatch):
    monkeypatch.setattr(chart_values, "HAS_JSONSCHEMA", False)
    with pytest.raises(AnsibleFilterError) as raised:
        input_problems([{"var": "helm_release_values", "kind": "chart_values", "chart": str(parent), "value": {}}])
    assert str(raised.value) == (
        "checking chart values needs the Python package jsonschema in the controller's Python: pip install jsonschema"
    )


def test_a_chart_whose_schema_cannot_be_used_names_the_chart(tmp_path):
    chart = make_chart(tmp_path / "c", "c", schema={"$schema": DRAFT7, "type": "nonsense"})
    [message] = input_problems(
        [{"var": "helm_release_values", "kind": "chart_values", "chart": str(chart), "value": {}}]
    )
    assert message.startswith(f'helm_release_chart_ref = "{chart}": must be a chart whose values.schema.json')
    assert "not a valid JSON schema" in message


# --- the todo-app chart ---------------------------------------------------------


def test_todo_app_defaults_pass():
    assert chart_values_problems({}, TODO_APP) == []
    values = {"ingress": {"host": "todo.local"}, "global": {"secrets": {"existingSecret": "todo-secrets"}}}
    assert chart_values_problems(values, TODO_APP) == []


def test_todo_app_refuses_a_replica_count_in_words():
    assert chart_values_problems({"backend": {"replicaCount": "two"}}, TODO_APP) == [
        {"path": "backend.replicaCount", "message": "'two' is not of type 'integer'"}
    ]


def test_todo_app_refuses_a_host_that_is_no_dns_name():
    assert paths(chart_values_problems({"ingress": {"host": "Todo Local"}}, TODO_APP)) == ["ingress.host"]


def test_todo_app_postgresql_is_only_checked_when_deployed():
    bad_tag = {"postgresql": {"image": {"tag": "not a tag"}}}
    assert paths(chart_values_problems(bad_tag, TODO_APP)) == ["postgresql.image.tag"]
    off = dict(bad_tag, **{"global": {"postgresql": {"enabled": False}}})
    assert chart_values_problems(off, TODO_APP) == []


def test_todo_app_globals_reach_every_subchart():
    problems = chart_values_problems({"global": {"postgresql": {"username": "Todo"}}}, TODO_APP)
    assert paths(problems) == [
        "backend.global.postgresql.username",
        "global.postgresql.username",
        "postgresql.global.postgresql.username",
    ]


def test_todo_app_removed_subchart_default_is_refused():
    assert chart_values_problems({"backend": {"resources": None}}, TODO_APP) == [
        {"path": "backend", "message": "'resources' is a required property"}
    ]


def test_a_schema_that_needs_a_document_elsewhere_is_left_to_helm(tmp_path):
    # helm may fetch the $ref; offline it cannot be checked here, and refusing would block a chart helm accepts.
    remote = "https://schemas.example.invalid/container.json#/definitions/Container"
    chart = make_chart(tmp_path / "c", "c", values={"a": 1}, schema=obj({"a": {"$ref": remote}}))
    assert chart_values_problems({"a": 2}, str(chart)) == []


def test_a_pattern_only_go_reads_is_left_to_helm(tmp_path):
    # Go's RE2 syntax that Python's re refuses (a named group written (?P<n>...) works in both; \z does not).
    chart = make_chart(
        tmp_path / "c", "c", values={"a": "x"}, schema=obj({"a": {"type": "string", "pattern": "^x\\z"}})
    )
    assert chart_values_problems({"a": "y"}, str(chart)) == []
