"""Unit tests of the generated_values filter (kept random values -> chart values)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.generated_values import generated_values


def test_each_path_gets_its_value_and_shared_parents_merge():
    generated = {"postgresql.auth.password": "p4ss", "secrets.sessionKey": "k3y", "postgresql.auth.user": "x"}
    assert generated_values(["postgresql.auth.password", "secrets.sessionKey"], generated) == {
        "postgresql": {"auth": {"password": "p4ss"}},
        "secrets": {"sessionKey": "k3y"},
    }


def test_no_paths_is_no_values():
    assert generated_values([], {}) == {}


def test_the_placeholder_stands_for_a_value_not_generated_yet():
    assert generated_values(["a.b", "c"], {"c": "kept"}, placeholder="generated") == {
        "a": {"b": "generated"},
        "c": "kept",
    }


def test_a_missing_value_without_a_placeholder_is_an_error():
    with pytest.raises(AnsibleFilterError, match=r"no value was generated for a\.b"):
        generated_values(["a.b"], {})


@pytest.mark.parametrize(
    ("paths", "generated"),
    [("a.b", {}), (["a b"], {"a b": "x"}), (["a"], ["x"]), ([None], {})],
)
def test_bad_input_is_an_error(paths, generated):
    with pytest.raises(AnsibleFilterError):
        generated_values(paths, generated)
