"""Unit tests of the image_values filter (image references -> chart values)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.image_values import image_values, split_image_ref


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("todo-backend:3f9c2a1b7d0e", ("todo-backend", "3f9c2a1b7d0e")),
        ("localhost:5000/team/todo:1.2.3", ("localhost:5000/team/todo", "1.2.3")),
        ("registry.example/app:v1_rc-2", ("registry.example/app", "v1_rc-2")),
    ],
)
def test_split_image_ref(ref, expected):
    assert split_image_ref(ref) == expected


@pytest.mark.parametrize("ref", ["todo-backend", "localhost:5000/todo", "todo:", ":tag", "app@sha256:abcd", 42])
def test_split_image_ref_rejects_refs_without_a_tag(ref):
    with pytest.raises(AnsibleFilterError):
        split_image_ref(ref)


def test_image_values_maps_each_component():
    assert image_values({"backend": "todo-backend:abc", "frontend": "todo-frontend:def"}) == {
        "backend": {"image": {"repository": "todo-backend", "tag": "abc"}},
        "frontend": {"image": {"repository": "todo-frontend", "tag": "def"}},
    }


def test_image_values_rejects_a_list():
    with pytest.raises(AnsibleFilterError, match="mapping"):
        image_values(["todo-backend:abc"])
