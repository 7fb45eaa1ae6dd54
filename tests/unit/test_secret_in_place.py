"""Unit tests of the secret_in_place filter (skip a Secret apply that would change nothing)."""

import base64

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.secret_in_place import secret_in_place

LABELS = {"app.kubernetes.io/managed-by": "localdev.kube", "app.kubernetes.io/instance": "todo"}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def live(data, labels=None, kind="Opaque"):
    labels = LABELS if labels is None else labels
    return {"type": kind, "metadata": {"name": "todo-secrets", "labels": dict(labels)}, "data": data}


def test_a_secret_holding_every_key_and_label_is_in_place():
    secret = live({"OPENAI_API_KEY": b64(""), "POSTGRES_PASSWORD": b64("s3cret"), "EXTRA": b64("kept")})
    assert secret_in_place(secret, {"OPENAI_API_KEY": "", "POSTGRES_PASSWORD": "s3cret"}, labels=LABELS)


@pytest.mark.parametrize("secret", [None, {}])
def test_no_secret_is_not_in_place(secret):
    assert not secret_in_place(secret, {"A": "b"})


@pytest.mark.parametrize(
    "secret",
    [
        live({"A": b64("other")}),  # a changed value
        live({}),  # a missing key
        {"type": "Opaque", "metadata": {"labels": LABELS}},  # no data at all
        live({"A": b64("b")}, labels={"app.kubernetes.io/managed-by": "localdev.kube"}),  # a missing label
        live({"A": b64("b")}, labels=dict(LABELS, **{"app.kubernetes.io/instance": "other"})),  # a changed label
        live({"A": b64("b")}, kind="kubernetes.io/tls"),  # another type: the apply would fail, let it say so
        live({"A": "not base64!"}),
        live({"A": base64.b64encode(b"\xff\xfe").decode()}),  # binary, not text
    ],
)
def test_any_difference_is_not_in_place(secret):
    assert not secret_in_place(secret, {"A": "b"}, labels=LABELS)


def test_values_compare_as_text():
    assert secret_in_place(live({"REPLICAS": b64("2")}, labels={}), {"REPLICAS": 2})


def test_errors_never_show_a_value():
    with pytest.raises(AnsibleFilterError) as err:
        secret_in_place("password=hunter2", {"A": "hunter2"})
    assert "hunter2" not in str(err.value)
    with pytest.raises(AnsibleFilterError):
        secret_in_place({}, ["A"])
