"""Unit tests of the prune_tags filter (which old content tags the images role removes)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.prune_tags import prune_tags

IMAGES = [{"name": "backend", "repository": "todo-backend"}, {"name": "frontend", "repository": "todo-frontend"}]


def daemon(*tags):
    """Images of the daemon, created in the order given (the last is the newest)."""
    return [
        {"RepoTags": list(refs), "Created": f"2026-12-01T10:{i:02d}:00Z", "Id": f"sha256:{i}"}
        for i, refs in enumerate(tags)
    ]


def test_keeps_the_newest_per_repository_counting_the_one_just_built():
    found = daemon(
        ["todo-backend:aaaaaaaaaaaa"],
        ["todo-backend:bbbbbbbbbbbb"],
        ["todo-frontend:111111111111"],
        ["todo-backend:cccccccccccc", "todo-backend:latest"],
        ["todo-backend:dddddddddddd"],
    )
    built = {"backend": "todo-backend:dddddddddddd", "frontend": "todo-frontend:111111111111"}
    # Besides the one just built: c (newest), b, a. Keeping 3 keeps the built one, c and b.
    assert [t["ref"] for t in prune_tags(found, IMAGES, built, keep=3)] == ["todo-backend:aaaaaaaaaaaa"]
    assert [t["ref"] for t in prune_tags(found, IMAGES, built, keep=1)] == [
        "todo-backend:cccccccccccc",
        "todo-backend:bbbbbbbbbbbb",
        "todo-backend:aaaaaaaaaaaa",
    ]
    assert prune_tags(found, IMAGES, built, keep=5) == []


def test_only_content_tags_of_the_role_s_repositories_count():
    found = daemon(
        ["todo-backend:latest"],
        ["todo-backend:v1.2.3"],
        ["todo-backend-extra:aaaaaaaaaaaa"],
        ["other:bbbbbbbbbbbb"],
        ["todo-backend:abcdef"],
        ["todo-backend:eeeeeeeeeeee"],
    )
    assert prune_tags(found, IMAGES, {"backend": "todo-backend:ffffffffffff"}, keep=1) == [
        {"ref": "todo-backend:eeeeeeeeeeee", "created": "2026-12-01T10:05:00Z", "id": "sha256:5"}
    ]
    assert [t["ref"] for t in prune_tags(found, IMAGES, {}, keep=1, tag_length=6)] == ["todo-backend:abcdef"]


def test_created_as_unix_seconds_sorts_by_age():
    found = [
        {"RepoTags": ["todo-backend:aaaaaaaaaaaa"], "Created": 1764500000, "Id": "a"},
        {"RepoTags": ["todo-backend:bbbbbbbbbbbb"], "Created": 1764600000, "Id": "b"},
        {"RepoTags": ["todo-backend:cccccccccccc"], "Created": 999999999, "Id": "c"},
    ]
    assert [t["id"] for t in prune_tags(found, IMAGES, {}, keep=2)] == ["a", "c"]


def test_untagged_images_are_ignored():
    assert prune_tags([{"RepoTags": None, "Created": "x", "Id": "y"}, {"Id": "z"}], IMAGES, {}, keep=1) == []


def test_keep_0_is_every_tag_the_role_made():
    found = daemon(
        ["todo-backend:aaaaaaaaaaaa", "todo-backend:latest"],
        ["todo-backend:v1.2.3"],
        ["todo-frontend:111111111111"],
        ["other:latest"],
    )
    built = {"backend": "todo-backend:aaaaaaaaaaaa"}
    assert sorted(t["ref"] for t in prune_tags(found, IMAGES, built, keep=0)) == [
        "todo-backend:aaaaaaaaaaaa",
        "todo-backend:latest",
        "todo-frontend:111111111111",
    ]


@pytest.mark.parametrize("args", [("nope", IMAGES, {}, 1), ([], IMAGES, {}, -1), ([], "x", {}, 1)])
def test_bad_input_is_an_error(args):
    with pytest.raises(AnsibleFilterError):
        prune_tags(*args)
