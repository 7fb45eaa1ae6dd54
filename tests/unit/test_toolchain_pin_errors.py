"""Unit tests of the toolchain_pin_errors filter (the toolchain role's checks of its pins)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.toolchain_pin_errors import toolchain_pin_errors

DIGEST = "0123456789abcdef" * 4


def pins(**changes):
    """The role's defaults, with changes like kubectl={"version": "1.34"}."""
    tools = [
        {"name": "minikube", "version": "v1.37.0", "minimum_version": "v1.33.0", "base_url": "https://example.com/m"},
        {
            "name": "kubectl",
            "version": "v1.34.0",
            "minimum_version": "v1.33.0",
            "base_url": "https://dl.k8s.io/release",
        },
        {"name": "helm", "version": "v4.3.1", "minimum_version": "v3.14.0", "base_url": "https://get.helm.sh"},
    ]
    return [dict(tool, **changes.get(tool["name"], {})) for tool in tools]


def test_the_defaults_are_good():
    assert toolchain_pin_errors(pins(), {}) == []


def test_good_checksums_and_file_urls_pass():
    checksums = {"kubectl": {"linux-amd64": DIGEST, "darwin-arm64": "sha256:" + DIGEST.upper()}}
    assert toolchain_pin_errors(pins(helm={"base_url": "file:///srv/mirror/helm"}), checksums) == []


@pytest.mark.parametrize(
    ("version", "minimum"),
    [
        ("1.34", "v1.33.0"),  # no v, no patch
        ("v1.34.0", "1.33.0"),  # the minimum without its v
        ("v1.34.0+build.1", "v1.33.0"),  # build metadata is no release tag
        ("v1.34.0", "latest"),
        (1.34, "v1.33.0"),  # YAML read an unquoted 1.34 as a number
        (None, "v1.33.0"),
        ("v1.32.9", "v1.33.0"),  # older than the minimum
        ("v1.33.0-rc.1", "v1.33.0"),  # a pre-release sorts before its release
    ],
)
def test_bad_versions_name_both_variables(version, minimum):
    errors = toolchain_pin_errors(pins(kubectl={"version": version, "minimum_version": minimum}))
    assert errors == [
        {
            "var": "toolchain_kubectl_version",
            "msg": f"toolchain_kubectl_version ({version}) and toolchain_kubectl_min_version ({minimum}) must be"
            " release tags like v1.2.3, and the pinned version must not be older than the minimum."
            " Fix them in your inventory.",
        }
    ]


@pytest.mark.parametrize(
    ("version", "minimum"),
    [("v1.33.0", "v1.33.0"), ("v1.33.0", "v1.33.0-rc.1"), ("v1.34.0-rc.10", "v1.34.0-rc.9"), ("v10.0.0", "v9.9.9")],
)
def test_versions_compare_by_semver_precedence(version, minimum):
    assert toolchain_pin_errors(pins(minikube={"version": version, "minimum_version": minimum})) == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ftp://127.0.0.1/helm", '"ftp://127.0.0.1/helm"'),
        ("https://get.helm.sh/my mirror", '"https://get.helm.sh/my mirror"'),
        ("https://get.helm.sh\n", '"https://get.helm.sh\\n"'),
        ("get.helm.sh", '"get.helm.sh"'),
        (None, '"None"'),
    ],
)
def test_bad_base_urls_are_shown_as_json(url, shown):
    assert toolchain_pin_errors(pins(helm={"base_url": url})) == [
        {
            "var": "toolchain_helm_base_url",
            "msg": f"toolchain_helm_base_url must be an http(s):// or file:// URL without spaces, got {shown}.",
        }
    ]


@pytest.mark.parametrize(
    "checksums",
    [
        {"docker": {"linux-amd64": DIGEST}},  # docker is never installed
        {"helm": DIGEST},  # not a mapping of platforms
        {"helm": {"linux-amd64": DIGEST[:-1]}},
        {"helm": {"linux-amd64": "md5:" + DIGEST}},
        {"helm": {"linux-amd64": " " + DIGEST}},
        {"helm": {"linux-amd64": None}},
    ],
)
def test_bad_checksums_name_the_tool(checksums):
    (key,) = checksums
    assert toolchain_pin_errors(pins(), checksums) == [
        {
            "var": f"toolchain_checksums.{key}",
            "msg": f'toolchain_checksums.{key} must map "<os>-<arch>" (like linux-amd64) to a SHA-256 digest'
            " (64 hex digits, optionally written sha256:<digest>), and only minikube, kubectl and helm have"
            " checksums.",
        }
    ]


def test_every_problem_is_reported_at_once_in_order():
    errors = toolchain_pin_errors(
        pins(kubectl={"version": "1.34"}, helm={"base_url": "ftp://x"}), {"docker": {"linux-amd64": DIGEST}}
    )
    assert [error["var"] for error in errors] == [
        "toolchain_kubectl_version",
        "toolchain_helm_base_url",
        "toolchain_checksums.docker",
    ]


def test_no_checksums_is_none():
    assert toolchain_pin_errors(pins()) == []


@pytest.mark.parametrize(("tools", "checksums"), [("minikube", {}), ([{"version": "v1.0.0"}], {}), (pins(), [])])
def test_wrong_shapes_are_refused(tools, checksums):
    with pytest.raises(AnsibleFilterError):
        toolchain_pin_errors(tools, checksums)
