"""Unit tests of the familiar_image_name filter (the minikube role's names of the images to load)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.familiar_image_name import FilterModule


def test_names_match_the_cluster_listing():
    familiar = FilterModule().filters()["familiar_image_name"]
    refs = ["docker.io/library/python:3.11", " team/app ", "localhost:5000/app:dev"]
    assert [familiar(ref) for ref in refs] == ["python:3.11", "team/app:latest", "localhost:5000/app:dev"]


@pytest.mark.parametrize("ref", ["", "  ", None, 5])
def test_not_a_reference(ref):
    with pytest.raises(AnsibleFilterError, match="non-empty string"):
        FilterModule().filters()["familiar_image_name"](ref)
