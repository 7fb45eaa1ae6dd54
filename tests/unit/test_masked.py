"""Unit tests of the masked filter (sensitive values hidden wherever they appear)."""

from ansible_collections.localdev.kube.plugins.filter.masked import masked

SENSITIVE = {"db": {"password": "s3cr3t-pw"}, "keys": ["k-123"], "port": 5432, "on": True, "none": None}


def test_hides_every_leaf_wherever_it_appears():
    status = {
        "values": {"db": {"password": "s3cr3t-pw", "host": "db"}, "keys": ["k-123"]},
        "stderr": "error: value s3cr3t-pw is too short",
        "revision": 3,
    }
    shown = masked(status, SENSITIVE)
    assert "s3cr3t-pw" not in str(shown) and "k-123" not in str(shown)
    assert shown["values"]["db"] == {"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "host": "db"}
    assert shown["stderr"] == "error: value ******** is too short"
    assert shown["revision"] == 3
    # Numbers and booleans are not hidden: they would hide unrelated digits and words.
    assert masked({"port": 5432, "note": "port 5432 is on"}, SENSITIVE) == {"port": 5432, "note": "port 5432 is on"}


def test_nothing_sensitive_leaves_data_as_it_is():
    data = {"a": "text", "b": [1, 2]}
    assert masked(data, {}) is data
    assert masked("plain", {"x": None, "y": ""}) == "plain"
