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


def test_a_layout_places_images_where_the_chart_reads_them():
    images = {"api": "shop-api:abc", "web": "shop-web:def", "worker": "localhost:5000/shop/worker:1.0"}
    layout = {"api": {"path": "image.api"}, "web": {"path": "image.web"}, "worker": {"form": "string"}}
    assert image_values(images, layout) == {
        "image": {"api": {"repository": "shop-api", "tag": "abc"}, "web": {"repository": "shop-web", "tag": "def"}},
        "worker": {"image": "localhost:5000/shop/worker:1.0"},
    }
    # A component the layout does not name keeps the default.
    assert image_values({"db": "pg:15"}, {"api": {"path": "image.api"}}) == {
        "db": {"image": {"repository": "pg", "tag": "15"}}
    }


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        ({"api": "image.api"}, "not a mapping"),
        ({"api": {"path": "image..api"}}, "not a dotted values path"),
        ({"api": {"path": "image.api", "form": "tuple"}}, "neither split nor string"),
        ({"api": {"where": "image.api"}}, "only path and form"),
        ({"api": {"path": "image"}, "web": {"path": "image.web"}}, "overlaps"),
        ({"api": {"path": "img"}, "x": {"path": "img-x"}, "web": {"path": "img.web"}}, "overlaps api's path img"),
    ],
)
def test_a_wrong_layout_is_named(layout, problem):
    with pytest.raises(AnsibleFilterError, match=problem):
        image_values({"api": "shop-api:abc", "web": "shop-web:def"}, layout)
