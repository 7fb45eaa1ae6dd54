"""Unit tests of the input rules (input_rules) and the filters built on them.

The filters are input_problems (one message per wrong setting),
problems_not_from (drop what repeats a refused setting) and setting_typos
(variables one edit away from a role's option).
"""

import json
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.input_problems import input_problems as input_problems_filter
from ansible_collections.localdev.kube.plugins.filter.problems_not_from import problems_not_from
from ansible_collections.localdev.kube.plugins.filter.setting_typos import setting_typos
from ansible_collections.localdev.kube.plugins.module_utils.input_rules import (
    dns_label_problem,
    dns_name_problem,
    edit_distance_at_most_one,
    input_problems,
    int_problem,
    ip_problem,
    likely_typos,
    one_token_problem,
    postgresql_url_problem,
    problem_message,
    problem_var,
)

ROLES = Path(__file__).parents[2] / "roles"
MARKER = "S3kr1tMarker"


# --------------------------------------------------------------------------
# dns_name_problem, dns_label_problem, ip_problem
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["app.local", "a", "todo-app.example.com", "x1.y2", "a" * 63 + ".local"])
def test_dns_name_accepts(value):
    assert dns_name_problem(value) is None


def test_an_unquoted_number_in_yaml_is_a_name():
    # namespace: 123 in YAML is an int, and "123" a valid label.
    assert dns_label_problem(123, 63) is None
    assert dns_name_problem(42) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "not a string"),
        (True, "not a string"),
        ([], "not a string"),
        ("http://app.local", "looks like a URL"),
        ("app.local/path", "looks like a URL"),
        ("10.0.0.1", "IP address"),
        ("::1", "IP address"),
        (".".join(["abcdefghi"] * 26), "259 characters long"),
        ("app..local", "empty label"),
        ("app.local.", "empty label"),
        ("", "empty label"),
        ("a" * 64 + ".local", "a label is 64 characters long"),
        ("App.local", "upper-case"),
        ("-app.local", "starts or ends with '-'"),
        ("app-.local", "starts or ends with '-'"),
        ("app_name.local", "characters other than"),
        ("app.local:8080", "characters other than"),
    ],
)
def test_dns_name_refuses(value, fragment):
    assert fragment in dns_name_problem(value)


@pytest.mark.parametrize("value", ["todo", "a", "my-release-1", "a" * 53])
def test_dns_label_accepts(value):
    assert dns_label_problem(value, 53) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "not a string"),
        ("a" * 54, "54 characters long"),
        ("todo.app", "has a '.'"),
        ("Todo", "upper-case"),
        ("-todo", "starts or ends with '-'"),
        ("todo-", "starts or ends with '-'"),
        ("todo_app", "characters other than"),
        ("", "empty label"),
    ],
)
def test_dns_label_refuses(value, fragment):
    assert fragment in dns_label_problem(value, 53)


@pytest.mark.parametrize("value", ["192.168.49.2", "127.0.0.1", "fd00::2", "::1"])
def test_ip_accepts(value):
    assert ip_problem(value) is None


@pytest.mark.parametrize("value", ["192.168.49", "256.0.0.1", "auto", "", "app.local", None, 3232235778])
def test_ip_refuses(value):
    assert ip_problem(value) == "it is not an IPv4 or IPv6 address"


# --------------------------------------------------------------------------
# int_problem
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_int_refuses_bools(value):
    assert int_problem(value) == "it is true/false, not a number"


@pytest.mark.parametrize("value", [0, 5, -3, "5", " 12 ", "+4", "-2", "0007"])
def test_int_accepts_whole_numbers_and_digit_strings(value):
    assert int_problem(value) is None


@pytest.mark.parametrize("value", ["five", "1.5", "", "1 2", 1.5, 2.0, None, [1]])
def test_int_refuses_what_is_not_a_whole_number(value):
    assert int_problem(value) == "it is not a whole number"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, None),
        (20, None),
        ("20", None),
        (0, "it is below 1"),
        ("0", "it is below 1"),
        (21, "it is above 20"),
        ("21", "it is above 20"),
    ],
)
def test_int_bounds(value, expected):
    assert int_problem(value, 1, 20) == expected


def test_int_one_bound_only():
    assert int_problem(-1, minimum=0) == "it is below 0"
    assert int_problem(10**9, minimum=0) is None
    assert int_problem(65536, maximum=65535) == "it is above 65535"
    assert int_problem(-(10**9), maximum=65535) is None


# --------------------------------------------------------------------------
# postgresql_url_problem: a secret rule, its phrase never repeats the value
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://todo:secret@db:5432/todo",
        "postgres://todo:secret@db/todo",
        "postgresql+psycopg://todo:secret@db.todo.svc:5432/todo",
        "POSTGRESQL://todo:secret@db/todo",
        "postgresql://db/todo",
        "postgresql://todo:secret@db:5432/todo?sslmode=require",
        "postgresql://todo:secret@[fd00::5]:5432/todo",
    ],
)
def test_postgresql_url_accepts(value):
    assert postgresql_url_problem(value) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (f"{MARKER}user:{MARKER}pw@{MARKER}host/db", "no scheme://"),
        (f"{MARKER}host/db", "no scheme://"),
        (f"postgresql:/{MARKER}host/db", "no scheme://"),
        (f"mysql://{MARKER}user:{MARKER}pw@{MARKER}host/db", "scheme is not postgresql://"),
        (f"http://{MARKER}host/db", "scheme is not postgresql://"),
        (f"postgresql://{MARKER}user:{MARKER} pw@{MARKER}host/db", "whitespace"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host/db\n", "whitespace"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host/db\r\n", "whitespace"),
        (f" postgresql://{MARKER}user:{MARKER}pw@{MARKER}host/db", "whitespace"),
        (f"postgresql://{MARKER}user:{MARKER}pw\t@{MARKER}host/db", "whitespace"),
        (f"postgresql://{MARKER}user:{MARKER}pw@/db", "names no host"),
        (f"postgresql:///{MARKER}db", "names no host"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host", "names no database"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host:5432/", "names no database"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host:abc/db", "host or port"),
        (f"postgresql://{MARKER}user:{MARKER}pw@{MARKER}host:99999/db", "host or port"),
        (f"postgresql://{MARKER}user:{MARKER}pw@[{MARKER}host/db", "host or port"),
    ],
)
def test_postgresql_url_refuses_without_repeating_the_value(value, fragment):
    problem = postgresql_url_problem(value)
    assert fragment in problem
    assert MARKER.lower() not in problem.lower()
    assert "pw" not in problem
    assert "user" not in problem


@pytest.mark.parametrize("value", [None, 5432, {"url": "postgresql://db/todo"}])
def test_postgresql_url_refuses_what_is_not_a_string(value):
    assert postgresql_url_problem(value) == "it is not a string"


def test_postgresql_url_in_a_secret_check_never_shows_the_value():
    url = f"mysql://{MARKER}user:{MARKER}pw@{MARKER}host/db"
    [message] = input_problems(
        [
            {
                "var": "app_database_url",
                "value": url,
                "kind": "postgresql_url",
                "secret": True,
                "label": "from $DATABASE_URL",
                "fix": "Give e.g. postgresql://todo:PASSWORD@db/todo.",
            }
        ]
    )
    assert message.startswith("app_database_url (from $DATABASE_URL, value not shown): must be a PostgreSQL URL")
    assert "its scheme is not postgresql://" in message
    assert message.endswith("Give e.g. postgresql://todo:PASSWORD@db/todo.")
    assert MARKER.lower() not in message.lower()


# --------------------------------------------------------------------------
# one_token_problem
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["sk-abc123", "a", "p@ss:w/rd!", ""])
def test_one_token_accepts(value):
    assert one_token_problem(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{MARKER}\n", "it contains a line break"),
        (f"{MARKER}\r", "it contains a line break"),
        (f"{MARKER}\r\nmore", "it contains a line break"),
        (f"{MARKER} {MARKER}", "it contains whitespace"),
        (f"\t{MARKER}", "it contains whitespace"),
        (12345, "it is not a string"),
        (None, "it is not a string"),
    ],
)
def test_one_token_refuses_without_repeating_the_value(value, expected):
    problem = one_token_problem(value)
    assert problem == expected
    assert MARKER not in problem


# --------------------------------------------------------------------------
# problem_message
# --------------------------------------------------------------------------


def test_a_passing_check_has_no_message():
    assert problem_message({"var": "app_hostname", "value": "app.local", "kind": "dns_name"}) is None
    assert problem_message({"var": "app_disk", "value": "20g", "ok": True, "rule": "a size"}) is None


def test_message_starts_with_the_var_and_shows_the_value_as_json():
    message = problem_message({"var": "app_hostname", "value": "App.local", "kind": "dns_name"})
    assert message.startswith('app_hostname = "App.local": must be a DNS name: ')
    assert message.endswith("; it has upper-case letters.")


def test_message_shows_containers_and_numbers_as_json():
    message = problem_message({"var": "app_replicas", "value": [1, "two"], "kind": "int"})
    assert message.startswith('app_replicas = [1, "two"]: must be a whole number; it is not a whole number')
    message = problem_message({"var": "app_flag", "value": True, "kind": "int"})
    assert message.startswith("app_flag = true: ")


def test_message_truncates_a_long_value():
    message = problem_message({"var": "app_note", "value": "x" * 200, "ok": False, "rule": "short"})
    head = message.split(": must be", 1)[0]
    assert head == 'app_note = "' + "x" * 76 + "..."
    assert len(head) == len("app_note = ") + 80
    assert message.endswith(": must be short.")


def test_message_of_int_rules_names_the_bounds():
    check = {"var": "helm_release_smoke_port", "kind": "int", "min": 1, "max": 65535}
    assert "must be a whole number from 1 to 65535; it is above 65535." in problem_message(dict(check, value=70000))
    assert "must be a whole number, at least 1; it is below 1." in problem_message(
        {"var": "t", "value": 0, "kind": "int", "min": 1}
    )
    assert "must be a whole number, at most 9; it is above 9." in problem_message(
        {"var": "t", "value": "10", "kind": "int", "max": 9}
    )


def test_message_of_a_dns_label_names_its_length():
    message = problem_message({"var": "helm_release_name", "value": "a" * 60, "kind": "dns_label", "max": 53})
    assert "at most 53 characters" in message
    assert message.endswith("; it is 60 characters long.")


def test_a_secret_never_shows_its_value_and_shows_its_label():
    message = problem_message(
        {
            "var": "openai_api_key",
            "value": f"{MARKER} {MARKER}",
            "kind": "one_token",
            "secret": True,
            "label": "from $OPENAI_API_KEY",
        }
    )
    assert message == (
        "openai_api_key (from $OPENAI_API_KEY, value not shown): must be one line without spaces; "
        "it contains whitespace."
    )
    assert MARKER not in message


def test_a_secret_without_a_label():
    message = problem_message({"var": "app_token", "value": MARKER, "ok": False, "rule": "a token", "secret": True})
    assert message == "app_token (value not shown): must be a token."


def test_a_secret_mapping_given_as_a_string_gets_the_hint_but_not_the_value():
    message = problem_message(
        {"var": "helm_release_secret_data", "value": f"password={MARKER}", "kind": "mapping", "secret": True}
    )
    assert message.startswith("helm_release_secret_data (value not shown): must be a mapping (YAML dict)")
    assert """-e '{"helm_release_secret_data": {...}}'""" in message
    assert MARKER not in message


@pytest.mark.parametrize("value", ["", "auto"])
def test_allowed_values_pass_whatever_the_rule(value):
    check = {"var": "helm_release_smoke_host", "value": value, "kind": "dns_name", "allow": ["", "auto"]}
    assert problem_message(check) is None
    assert problem_message(dict(check, value="Bad Host")) is not None


def test_a_mapping_given_as_a_string_says_how_to_give_one_with_e():
    message = problem_message({"var": "helm_release_values", "value": "a=1", "kind": "mapping"})
    assert message.startswith(
        'helm_release_values = "a=1": must be a mapping (YAML dict); it is a string, not a mapping'
    )
    assert """give a mapping, e.g. -e '{"helm_release_values": {...}}' or in YAML in the inventory""" in message


def test_a_list_given_as_a_string_says_how_to_give_one_with_e():
    message = problem_message({"var": "helm_release_smoke_paths", "value": "/,/api", "kind": "list"})
    assert "must be a list; it is a string, not a list" in message
    assert """give a list, e.g. -e '{"helm_release_smoke_paths": [...]}'""" in message


def test_a_mapping_of_another_type_gets_no_e_hint():
    message = problem_message({"var": "helm_release_values", "value": [1], "kind": "mapping"})
    assert message.endswith("; it is a list, not a mapping.")
    assert "-e" not in message
    message = problem_message({"var": "images_list", "value": {"a": 1}, "kind": "list"})
    assert message.endswith("; it is a dict, not a list.")


@pytest.mark.parametrize(("value", "passes"), [((1, 2), True), ([], True), ({}, False), (None, False)])
def test_list_kind(value, passes):
    assert (problem_message({"var": "v", "value": value, "kind": "list"}) is None) is passes


def test_a_kind_check_can_say_its_rule_in_its_own_words():
    message = problem_message({"var": "app_hostname", "value": "A", "kind": "dns_name", "rule": "the app's host"})
    assert message == 'app_hostname = "A": must be the app\'s host; it has upper-case letters.'


def test_an_ok_check_with_rule_problem_and_fix():
    message = problem_message(
        {
            "var": "minikube_disk_size",
            "value": "20",
            "ok": False,
            "rule": "a size minikube reads, e.g. 20g",
            "problem": "it has no unit",
            "fix": "Write 20g.",
        }
    )
    assert message == 'minikube_disk_size = "20": must be a size minikube reads, e.g. 20g; it has no unit. Write 20g.'


@pytest.mark.parametrize(("ok", "fails"), [("True", False), ("yes", False), ("1", False), ("false", True), ("", True)])
def test_ok_given_as_text(ok, fails):
    assert (problem_message({"var": "v", "ok": ok, "rule": "r"}) is not None) is fails


def test_an_ok_check_without_rule_or_ok():
    assert problem_message({"var": "v", "value": 1}) == "v = 1: must be valid."


def test_without_a_value_key_the_head_is_the_var_alone():
    assert problem_message({"var": "toolchain_bin_dir", "ok": False, "rule": "an absolute path"}) == (
        "toolchain_bin_dir: must be an absolute path."
    )


def test_a_value_of_none_is_shown_as_null():
    assert problem_message({"var": "v", "value": None, "ok": False, "rule": "r"}) == "v = null: must be r."


# --------------------------------------------------------------------------
# input_problems
# --------------------------------------------------------------------------


def test_input_problems_empty_when_all_hold():
    assert input_problems([]) == []
    assert input_problems([{"var": "a", "value": "app.local", "kind": "dns_name"}]) == []


def test_only_the_first_failing_check_of_a_var_is_reported_in_order():
    messages = input_problems(
        [
            {"var": "b_paths", "value": "/api", "kind": "list"},
            {"var": "a_port", "value": 5, "kind": "int", "min": 1},
            {"var": "b_paths", "value": "/api", "ok": False, "rule": "paths starting with '/'"},
            {"var": "c_host", "value": "C", "kind": "dns_name"},
            {"var": "a_port", "value": 0, "kind": "int", "min": 1},
            {"var": "a_port", "value": 0, "ok": False, "rule": "second failure"},
        ]
    )
    assert [problem_var(m) for m in messages] == ["b_paths", "c_host", "a_port"]
    assert "must be a list" in messages[0]
    assert "it is below 1" in messages[2]
    assert "second failure" not in " ".join(messages)


# image_list -------------------------------------------------------------


def build_context(path, dockerfile="Dockerfile"):
    path.mkdir(parents=True)
    (path / dockerfile).write_text("FROM scratch\n")
    return path


def image_problems(entries, base):
    return input_problems([{"var": "images_list", "value": entries, "kind": "image_list", "base": str(base)}])


def image(name="backend", repository="todo-backend", context="apps/backend", **more):
    return {"name": name, "repository": repository, "context": context, **more}


def test_image_list_that_holds(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    build_context(tmp_path / "apps" / "frontend", "Containerfile")
    entries = [
        image(build_args={"VERSION": "1"}),
        image("frontend", "localhost:5000/team/todo-frontend", "apps/frontend", dockerfile="Containerfile"),
        image("abs", "todo_abs", str(tmp_path / "apps" / "backend")),
    ]
    assert image_problems(entries, tmp_path) == []
    assert image_problems([], tmp_path) == []


def test_image_list_given_as_a_string(tmp_path):
    [message] = image_problems("backend,frontend", tmp_path)
    assert message.startswith('images_list = "backend,frontend": must be a list; it is a string, not a list')
    assert """-e '{"images_list": [...]}'""" in message


def test_image_list_missing_context(tmp_path):
    [message] = image_problems([image(context="apps/nowhere")], tmp_path)
    assert message.startswith('images_list[0].context = "apps/nowhere": must be the build context, a directory that')
    assert "; it does not exist." in message
    assert message.endswith("Relative paths are taken from the playbook's directory.")


def test_image_list_missing_absolute_context_has_no_relative_path_fix(tmp_path):
    [message] = image_problems([image(context=str(tmp_path / "nowhere"))], tmp_path)
    assert message.endswith("; it does not exist.")


def test_image_list_context_that_is_a_file(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    [message] = image_problems([image(context="Dockerfile")], tmp_path)
    assert message.startswith('images_list[0].context = "Dockerfile": ')
    assert "; it is a file." in message


@pytest.mark.parametrize("context", ["", None])
def test_image_list_empty_context(tmp_path, context):
    [message] = image_problems([image(context=context)], tmp_path)
    assert message.startswith("images_list[0].context = ")
    assert message.endswith("must be the build context, a directory; it is empty.")


def test_image_list_context_without_a_dockerfile(tmp_path):
    (tmp_path / "apps" / "backend").mkdir(parents=True)
    [message] = image_problems([image()], tmp_path)
    assert message.startswith('images_list[0].context = "apps/backend": must be a build context holding its Dockerfile')
    assert f"; there is no Dockerfile in {tmp_path / 'apps' / 'backend'}." in message
    assert "set the entry's dockerfile" in message


def test_image_list_custom_dockerfile_missing(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(dockerfile="Dockerfile.dev")], tmp_path)
    assert message.startswith('images_list[0].dockerfile = "Dockerfile.dev": must be a build context holding')
    assert "there is no Dockerfile.dev in" in message


def test_image_list_dockerfile_not_a_string(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(dockerfile=["Dockerfile"])], tmp_path)
    assert message.startswith('images_list[0].dockerfile = ["Dockerfile"]: must be a file name; it is not a string')


def test_image_list_duplicate_names(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    messages = image_problems([image(), image(repository="other"), image()], tmp_path)
    assert messages == [
        'images_list[1].name = "backend": must be unique: each name is a key of images_built; an earlier entry has it.',
        'images_list[2].name = "backend": must be unique: each name is a key of images_built; an earlier entry has it.',
    ]


@pytest.mark.parametrize("name", ["", None, 5])
def test_image_list_name_missing_or_not_text(tmp_path, name):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(name=name)], tmp_path)
    assert message.startswith("images_list[0].name = ")
    assert message.endswith("must be a non-empty name (the key in images_built).")


def test_image_list_upper_case_repository(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(repository="Todo-Backend")], tmp_path)
    assert message.startswith('images_list[0].repository = "Todo-Backend": must be an image repository')
    assert message.endswith("; it has upper-case letters.")


@pytest.mark.parametrize("repository", ["todo-backend:1.0", "todo backend", "", None, "-todo", "todo/"])
def test_image_list_repository_not_an_image_name(tmp_path, repository):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(repository=repository)], tmp_path)
    assert message.startswith("images_list[0].repository = ")
    assert "no :tag (the role picks the tag)." in message
    assert "upper-case" not in message


def test_image_list_build_args_not_a_mapping(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(build_args="VERSION=1")], tmp_path)
    assert message.startswith('images_list[0].build_args = "VERSION=1": must be a mapping (YAML dict)')
    assert """-e '{"images_list[0].build_args": {...}}'""" in message
    [message] = image_problems([image(build_args=["VERSION=1"])], tmp_path)
    assert message.endswith("; it is a list, not a mapping.")


@pytest.mark.parametrize("entry", ["backend", 3, ["backend"]])
def test_image_list_entry_not_a_mapping(tmp_path, entry):
    [message] = image_problems([entry], tmp_path)
    assert message.startswith(f"images_list[0] = {json.dumps(entry)}: must be a mapping with name, repository and")
    assert message.endswith("; it is not a mapping.")


def test_image_list_reports_every_entry_and_one_problem_per_field(tmp_path):
    build_context(tmp_path / "apps" / "backend")
    messages = image_problems(
        [
            image(),
            "frontend",
            image("worker", "Worker", "apps/worker", build_args="x"),
        ],
        tmp_path,
    )
    assert [problem_var(m) for m in messages] == [
        "images_list[1]",
        "images_list[2].repository",
        "images_list[2].context",
        "images_list[2].build_args",
    ]


# image_layout -------------------------------------------------------------


def layout_problems_of(layout):
    return input_problems([{"var": "helm_release_image_layout", "value": layout, "kind": "image_layout"}])


def test_image_layouts_that_hold():
    assert layout_problems_of({}) == []
    assert layout_problems_of({"api": {"path": "image.api"}, "web": {"path": "web.image", "form": "string"}}) == []


def test_image_layout_names_the_component_and_the_problem():
    [message] = layout_problems_of({"api": {"path": "image.api"}, "web": {"path": "image api"}})
    assert message.startswith('helm_release_image_layout.web = {"path": "image api"}: must be a mapping of component')
    assert "'image api' is not a dotted values path such as image.api" in message
    [message] = layout_problems_of("image.api")
    assert message.startswith('helm_release_image_layout = "image.api": must be a mapping of component')


# generated_values ---------------------------------------------------------


def generated_problems_of(paths):
    return input_problems([{"var": "helm_release_generated_values", "value": paths, "kind": "generated_values"}])


def test_generated_values_that_hold():
    assert generated_problems_of([]) == []
    assert generated_problems_of(["postgresql.auth.password", "secrets.session-key", "api_key"]) == []


def test_generated_values_may_not_take_a_configured_secret_key():
    [message] = input_problems(
        [
            {
                "var": "helm_release_generated_values",
                "value": ["db.password", "OPENAI_API_KEY"],
                "kind": "generated_values",
                "taken": ["OPENAI_API_KEY", "DATABASE_URL"],
                "taken_var": "helm_release_secret_data",
            }
        ]
    )
    assert message.startswith('helm_release_generated_values[1] = "OPENAI_API_KEY": must be a path that is not a key')
    assert "of helm_release_secret_data" in message and "would replace the configured OPENAI_API_KEY" in message


@pytest.mark.parametrize(
    ("paths", "start", "problem"),
    [
        (["a.b", "a b"], 'helm_release_generated_values[1] = "a b": must be a list of dotted chart values', None),
        (["a..b"], 'helm_release_generated_values[0] = "a..b": must be a list of dotted chart values', None),
        (["a/b"], 'helm_release_generated_values[0] = "a/b": must be a list of dotted chart values', None),
        ([7], "helm_release_generated_values[0] = 7: must be a list of dotted chart values", None),
        (
            ["auth", "auth.password"],
            'helm_release_generated_values[1] = "auth.password": must be a path no other generated path holds',
            "path auth.password overlaps helm_release_generated_values[0]'s path auth",
        ),
        (
            ["auth.password", "auth.password"],
            'helm_release_generated_values[1] = "auth.password": must be a path no other generated path holds',
            "overlaps",
        ),
        ("auth.password", 'helm_release_generated_values = "auth.password": must be a list', "string"),
    ],
)
def test_generated_values_name_the_entry_and_the_problem(paths, start, problem):
    [message] = generated_problems_of(paths)
    assert message.startswith(start)
    assert problem is None or problem in message


# hosts_entries ------------------------------------------------------------


def hosts_problems(entries):
    return input_problems([{"var": "hosts_file_entries", "value": entries, "kind": "hosts_entries"}])


def test_hosts_entries_that_hold():
    entries = [
        {"ip": "auto", "names": ["app.local", "api.app.local"]},
        {"names": ["other.local"]},
        {"ip": "192.168.49.2", "names": ["x.local"]},
        {"ip": "fd00::2", "names": ("y.local",)},
    ]
    assert hosts_problems(entries) == []


def test_hosts_entries_empty():
    [message] = hosts_problems([])
    assert message.startswith("hosts_file_entries = []: must be a list of at least one entry")
    assert "[{ip: auto, names: [app.local]}]" in message
    assert message.endswith("; it is empty.")


@pytest.mark.parametrize("value", ["app.local", {"ip": "auto", "names": ["app.local"]}, None])
def test_hosts_entries_not_a_list(value):
    [message] = hosts_problems(value)
    assert message.startswith(f"hosts_file_entries = {json.dumps(value)}: must be a list; ")


def test_hosts_entries_names_as_one_string():
    [message] = hosts_problems([{"ip": "auto", "names": "app.local"}])
    assert message.startswith('hosts_file_entries[0].names = "app.local": must be a list of host names')
    assert "; it is one string, not a list." in message
    assert message.endswith("Write names: [app.local].")


def test_hosts_entries_names_as_one_string_that_is_no_host_name_gets_no_fix():
    [message] = hosts_problems([{"names": "app.local, api.local"}])
    assert message.endswith("; it is one string, not a list.")
    assert "Write names" not in message


def test_hosts_entries_bad_host_name():
    [message] = hosts_problems([{"names": ["app.local", "bad_name!"]}])
    assert message.startswith('hosts_file_entries[0].names = ["app.local", "bad_name!"]: must be a list of host names')
    assert "; 'bad_name!' is not a valid host name" in message


def test_hosts_entries_ip_as_a_name():
    [message] = hosts_problems([{"names": ["10.0.0.1"]}])
    assert message.startswith("hosts_file_entries[0].names = ")
    assert "'10.0.0.1' is not a valid host name" in message


@pytest.mark.parametrize("names", [[], None])
def test_hosts_entries_without_names(names):
    entry = {"ip": "auto"} if names is None else {"names": names}
    [message] = hosts_problems([entry])
    assert message.startswith("hosts_file_entries[0].names")
    assert message.endswith("; must list at least one host name.")


@pytest.mark.parametrize("ip", ["192.168.49", "localhost", "", None, 5, "Auto"])
def test_hosts_entries_bad_ip(ip):
    [message] = hosts_problems([{"ip": ip, "names": ["app.local"]}])
    assert message.startswith(f"hosts_file_entries[0].ip = {json.dumps(ip)}: must be auto or an IPv4 or IPv6 address.")


def test_hosts_entries_entry_not_a_mapping():
    messages = hosts_problems(["app.local", {"names": ["ok.local"], "ip": "1.2.3"}])
    assert messages[0].startswith('hosts_file_entries[0] = "app.local": must be a mapping with names')
    assert messages[0].endswith("; it is not a mapping.")
    assert problem_var(messages[1]) == "hosts_file_entries[1].ip"
    assert len(messages) == 2


# chart_values ---------------------------------------------------------------


@pytest.fixture
def tiny_chart(tmp_path):
    chart = tmp_path / "tiny"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(yaml.safe_dump({"apiVersion": "v2", "name": "tiny", "version": "0.1.0"}))
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"replicaCount": {"type": "integer"}},
        "required": ["replicaCount"],
    }
    (chart / "values.schema.json").write_text(json.dumps(schema))
    return chart


def chart_problems(values, chart):
    return input_problems(
        [{"var": "helm_release_values", "kind": "chart_values", "chart": str(chart), "value": values}]
    )


def test_chart_values_that_hold(tiny_chart):
    assert chart_problems({"replicaCount": 2}, tiny_chart) == []


def test_chart_values_of_the_wrong_type(tiny_chart):
    [message] = chart_problems({"replicaCount": "two"}, tiny_chart)
    assert message == (
        "helm_release_values.replicaCount: must be what the chart's values.schema.json allows; "
        "'two' is not of type 'integer'."
    )


def test_a_sensitive_value_the_chart_refuses_is_named_but_never_shown(tiny_chart):
    sensitive = {"replicaCount": "hunter2-marker"}
    [message] = input_problems(
        [
            {
                "var": "helm_release_values",
                "kind": "chart_values",
                "chart": str(tiny_chart),
                "value": sensitive,
                "sensitive": sensitive,
            }
        ]
    )
    assert message.startswith("helm_release_values.replicaCount: must be what the chart's values.schema.json allows")
    assert "hunter2-marker" not in message


@pytest.mark.parametrize("values", [{}, None])
def test_chart_values_missing_a_required_key(tiny_chart, values):
    [message] = chart_problems(values, tiny_chart)
    assert message.startswith("helm_release_values: must be what the chart's values.schema.json allows; ")
    assert "'replicaCount' is a required property" in message


@pytest.mark.parametrize("ref", ["bitnami/nginx", "oci://registry.example/charts/nginx", "nowhere/at/all"])
def test_chart_values_of_a_remote_chart_are_not_checked(ref):
    assert chart_problems({"replicaCount": "two"}, ref) == []


def test_chart_values_with_an_unusable_schema_name_the_chart(tmp_path, tiny_chart):
    (tiny_chart / "values.schema.json").write_text("{not json")
    [message] = chart_problems({"replicaCount": 1}, tiny_chart)
    assert message.startswith(f"helm_release_chart_ref = {json.dumps(str(tiny_chart))}: must be a chart whose")


# --------------------------------------------------------------------------
# problem_var, edit_distance_at_most_one, likely_typos
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "var"),
    [
        ('app_hostname = "A": must be a DNS name.', "app_hostname"),
        ("openai_api_key (from $OPENAI_API_KEY, value not shown): must be one line.", "openai_api_key"),
        ("toolchain_bin_dir: must be an absolute path.", "toolchain_bin_dir"),
        ('images_list[0].context = "x": must be ...', "images_list[0].context"),
        ("alone", "alone"),
    ],
)
def test_problem_var(message, var):
    assert problem_var(message) == var


def test_problem_var_of_every_input_problems_message():
    checks = [
        {"var": "a", "value": "A", "kind": "dns_name"},
        {"var": "b", "value": "x y", "kind": "one_token", "secret": True, "label": "from $B"},
        {"var": "c", "ok": False, "rule": "r"},
    ]
    assert [problem_var(m) for m in input_problems(checks)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("minikube_cpus", "minikube_cpus"),
        ("minikube_cpu", "minikube_cpus"),  # insert at the end
        ("inikube_cpus", "minikube_cpus"),  # insert at the start
        ("minikub_cpus", "minikube_cpus"),  # insert in the middle
        ("minikube_cpuss", "minikube_cpus"),  # delete
        ("minikube_cpus", "minikube_cpuss"),
        ("minikube_gpus", "minikube_cpus"),  # substitute
        ("minikbue_cpus", "minikube_cpus"),  # swap neighbours
        ("imnikube_cpus", "minikube_cpus"),  # swap at the start
        ("minikube_cpsu", "minikube_cpus"),  # swap at the end
        ("", "a"),
        ("ab", "ba"),
    ],
)
def test_one_edit_away(a, b):
    for first, second in ((a, b), (b, a)):  # symmetric
        assert edit_distance_at_most_one(first, second)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("minikube_cp", "minikube_cpus"),  # two deletions
        ("minikube_gpux", "minikube_cpus"),  # two substitutions
        ("minikube_cpusxx", "minikube_cpus"),  # two insertions
        ("minikbue_cpsu", "minikube_cpus"),  # two swaps
        ("abc", "cba"),  # a swap that is not of neighbours
        ("abcd", "badc"),
        ("minikube_xcpu", "minikube_cpus"),  # an insertion and a deletion
        ("", "ab"),
    ],
)
def test_two_edits_away(a, b):
    for first, second in ((a, b), (b, a)):  # symmetric
        assert not edit_distance_at_most_one(first, second)


def test_likely_typos():
    known = ["minikube_cpus", "minikube_memory", "hosts_file_ip"]
    names = ["minikube_cpu", "minikube_memroy", "minikube_cpus", "_minikube_cpu", "app_hostname", "minikube_cpu"]
    assert likely_typos(names, known) == [("minikube_cpu", "minikube_cpus"), ("minikube_memroy", "minikube_memory")]


def test_likely_typos_skips_known_and_internal_names():
    assert likely_typos(["a_b", "_a_c", "__a_b"], ["a_b", "a_c"]) == []
    assert likely_typos([], ["a_b"]) == []
    assert likely_typos(["a_b"], []) == []


def test_likely_typos_names_the_first_known_name_alphabetically():
    assert likely_typos(["app_x"], ["app_z", "app_y"]) == [("app_x", "app_y")]


# --------------------------------------------------------------------------
# The filters
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "checks",
    [
        "app_hostname",
        {"var": "app_hostname", "value": "x", "kind": "dns_name"},
        None,
        [{"value": "x", "kind": "dns_name"}],
        [{"var": "a", "value": "x", "kind": "dns_name"}, "b"],
    ],
)
def test_input_problems_filter_refuses_what_is_not_a_list_of_checks(checks):
    with pytest.raises(AnsibleFilterError, match="list of checks, each a mapping with 'var'"):
        input_problems_filter(checks)


def test_input_problems_filter_refuses_an_unknown_kind():
    with pytest.raises(AnsibleFilterError, match="unknown kind of check 'hostname'"):
        input_problems_filter([{"var": "a", "value": "x", "kind": "hostname"}])


def test_input_problems_filter_returns_the_messages():
    checks = (
        {"var": "app_hostname", "value": "App", "kind": "dns_name"},
        {"var": "app_replicas", "value": "3", "kind": "int", "min": 0, "max": 20},
    )
    [message] = input_problems_filter(checks)
    assert message.startswith('app_hostname = "App": must be a DNS name')


def test_problems_not_from_drops_inputs_made_from_a_refused_setting():
    refused = ['app_namespace = "Todo": must be a DNS label; it has upper-case letters.']
    messages = [
        'helm_release_namespace = "Todo": must be a DNS label; it has upper-case letters.',
        'helm_release_name = "Todo": must be a DNS label; it has upper-case letters.',
        "helm_release_timeout = 0: must be a whole number, at least 1; it is below 1.",
    ]
    sources = {
        "helm_release_namespace": "app_namespace",
        "helm_release_name": "app_name",
    }
    assert problems_not_from(messages, sources, refused) == messages[1:]


def test_problems_not_from_keeps_all_when_nothing_is_refused():
    messages = ["a: must be r.", "b = 1: must be r."]
    assert problems_not_from(messages, {"a": "x", "b": "y"}, []) == messages
    assert problems_not_from([], {"a": "x"}, ["x: must be r."]) == []


def test_problems_not_from_reads_the_var_of_a_secret_message():
    refused = ["app_secret (from $APP_SECRET, value not shown): must be one line without spaces."]
    messages = ["helm_release_secret_data (value not shown): must be a mapping (YAML dict)."]
    assert problems_not_from(messages, {"helm_release_secret_data": "app_secret"}, refused) == []


SPECS = [
    {"argument_specs": {"main": {"options": {"minikube_cpus": {"type": "int"}, "minikube_memory": {}}}}},
    {"argument_specs": {"main": {"options": {"hosts_file_ip": {}}}, "inputs": {"options": {"hosts_file_mode": {}}}}},
]


def test_setting_typos_from_parsed_specs():
    assert setting_typos(["minikube_cpu", "hosts_file_mod", "minikube_cpus", "_hosts_file_ip"], SPECS) == [
        "hosts_file_mod is not a setting of any stage: did you mean hosts_file_mode? (the run goes on without it)",
        "minikube_cpu is not a setting of any stage: did you mean minikube_cpus? (the run goes on without it)",
    ]


def test_setting_typos_with_known_settings():
    assert setting_typos(["app_hostnme", "app_hostname"], SPECS, ["app_hostname"]) == [
        "app_hostnme is not a setting of any stage: did you mean app_hostname? (the run goes on without it)"
    ]
    assert setting_typos(["app_hostnme"], SPECS) == []


def test_setting_typos_tolerates_empty_specs_and_entries():
    specs = [None, {}, {"argument_specs": {"main": None}}, {"argument_specs": {"main": {"options": None}}}]
    assert setting_typos(["minikube_cpu"], specs, ["minikube_cpus"]) == [
        "minikube_cpu is not a setting of any stage: did you mean minikube_cpus? (the run goes on without it)"
    ]


def test_setting_typos_reads_names_that_are_not_text():
    assert setting_typos([1, "minikube_cpu"], SPECS) == [
        "minikube_cpu is not a setting of any stage: did you mean minikube_cpus? (the run goes on without it)"
    ]


@pytest.fixture(scope="module")
def role_specs():
    paths = sorted(ROLES.glob("*/meta/argument_specs.yml"))
    assert paths
    return [yaml.safe_load(path.read_text()) for path in paths]


@pytest.mark.parametrize(("typo", "intended"), [("minikube_cpu", "minikube_cpus"), ("hosts_file_ips", "hosts_file_ip")])
def test_setting_typos_against_the_role_specs(role_specs, typo, intended):
    [message] = setting_typos([typo], role_specs)
    assert message.startswith(f"{typo} is not a setting of any stage: did you mean {intended}?")


def test_setting_typos_says_nothing_of_real_options(role_specs):
    options = sorted(
        {name for spec in role_specs for entry in spec["argument_specs"].values() for name in entry.get("options", {})}
    )
    assert {"minikube_cpus", "hosts_file_ip", "images_list", "helm_release_values"} <= set(options)
    assert setting_typos(options, role_specs) == []


@pytest.mark.parametrize("name", [["backend"], {"a": 1}])
def test_image_list_name_that_is_a_list_or_mapping_is_a_message(tmp_path, name):
    build_context(tmp_path / "apps" / "backend")
    [message] = image_problems([image(name=name)], tmp_path)
    assert message.startswith("images_list[0].name = ")


def test_build_context_is_the_images_rule_under_the_name_given(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")

    def problems(value):
        return input_problems(
            [{"var": "todo_backend_source", "value": value, "kind": "build_context", "base": tmp_path}]
        )

    assert problems("app") == []
    assert problems(str(tmp_path / "app")) == []
    [missing] = problems("nope")
    assert missing.startswith('todo_backend_source = "nope": must be the build context, a directory that exists')
    assert "Relative paths are taken from the playbook's directory." in missing
    [no_dockerfile] = problems("empty")
    assert no_dockerfile.startswith('todo_backend_source = "empty": must be a build context holding its Dockerfile')
