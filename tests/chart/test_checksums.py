"""Checksum annotations roll the pods when what they read changes, and only then."""

from __future__ import annotations

from chart_render import render_matrix


def annotations(manifests, component):
    return manifests.workload(component)["spec"]["template"]["metadata"].get("annotations", {})


def test_secret_checksum_changes_with_a_secret_input():
    base = annotations(render_matrix("default"), "backend")
    with_key = annotations(render_matrix("default", "global.secrets.openaiApiKey=sk-test-1"), "backend")
    other_key = annotations(render_matrix("default", "global.secrets.openaiApiKey=sk-test-2"), "backend")
    assert len({base["checksum/secret"], with_key["checksum/secret"], other_key["checksum/secret"]}) == 3
    assert base["checksum/config"] == with_key["checksum/config"]
    assert "sk-test-1" not in str(with_key)


def test_secret_checksum_follows_the_existing_secret_fingerprint():
    base = annotations(render_matrix("external-db"), "backend")
    changed = annotations(render_matrix("external-db", "global.secrets.checksum=1234abcd"), "backend")
    assert base["checksum/secret"] != changed["checksum/secret"]


def test_config_checksum_changes_with_the_config():
    base = render_matrix("default")
    changed = render_matrix("default", "backend.config.logLevel=DEBUG")
    assert annotations(base, "backend")["checksum/config"] != annotations(changed, "backend")["checksum/config"]
    assert annotations(base, "backend")["checksum/secret"] == annotations(changed, "backend")["checksum/secret"]
    # The frontend does not read the backend's config.
    assert annotations(base, "frontend") == annotations(changed, "frontend")


def test_frontend_config_checksum_follows_backend_url():
    base = annotations(render_matrix("default"), "frontend")
    changed = annotations(render_matrix("default", "frontend.backend.url=http://api.example.test:8000"), "frontend")
    assert base["checksum/config"] != changed["checksum/config"]


def test_checksums_are_stable():
    first = annotations(render_matrix("replicas-3"), "backend")
    second = annotations(render_matrix("replicas-3", "frontend.podAnnotations.note=unrelated"), "backend")
    assert first == second
