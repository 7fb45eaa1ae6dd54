"""Unit tests of the build_failure filter (the images role's message for a failed build)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.build_failure import build_failure, log_lines

LOGS = (
    "Step 1/6 : FROM python:3.11-slim-bookworm",
    "\n",
    " ---> 5c1a2b3d4e5f\n",
    'Step 3/6 : RUN echo "ldk-broken-marker: about to fail"',
    " ---> Running in 0a1b2c\n",
    "ldk-broken-marker: about to fail\n",
    "\x1b[91mldk-broken: cannot build this\n\x1b[0m",
    "It's the 'quotes' and a \\ backslash\n",
)


def result(
    logs=LOGS,
    said="Error building ldk-broken - code: None, message: The command '/bin/sh -c false' returned a non-zero code: 1",
):
    msg = said + (", logs: " + repr(list(logs)) if logs is not None else "")
    return {
        "failed": True,
        "msg": msg,
        "item": [
            {"name": "broken", "repository": "ldk-broken", "context": "/src/broken"},
            {"tag": "0123456789ab", "digest": "0123456789ab" + "0" * 52},
        ],
    }


def test_the_message_names_the_image_the_step_and_shows_the_output():
    msg = build_failure([result()])
    assert msg.startswith(
        "localdev.kube.images: building broken (ldk-broken:0123456789ab) failed; context /src/broken.\n"
    )
    assert 'Failing step: Step 3/6 : RUN echo "ldk-broken-marker: about to fail"\n' in msg
    assert (
        "Docker said: Error building ldk-broken - code: None, message: "
        "The command '/bin/sh -c false' returned a non-zero code: 1\n" in msg
    )
    assert "  | ldk-broken: cannot build this\n" in msg, "colour codes are gone"
    assert "  | It's the 'quotes' and a \\ backslash\n" in msg, "escapes are undone"
    assert "Build output (last 7 of 7 lines):" in msg, "blank lines are dropped"


def test_only_the_last_lines_are_shown():
    logs = [f"line {i}\n" for i in range(100)]
    msg = build_failure(result(logs=logs), lines=3)
    assert "Build output (last 3 of 100 lines):\n  | line 97\n  | line 98\n  | line 99\n" in msg


def test_a_log_list_cut_short_still_gives_its_lines():
    tail = repr(["Step 1/2 : FROM x", "Step 2/2 : RUN false", "partial"])[1:-10]
    assert log_lines(tail) == ["Step 1/2 : FROM x", "Step 2/2 : RUN false"]


def test_a_failure_without_logs_says_what_docker_said():
    msg = build_failure([result(logs=None, said="Error connecting: no such host")])
    assert "Docker said: Error connecting: no such host\n" in msg
    assert "Failing step" not in msg and "Build output" not in msg


def test_each_failed_image_gets_its_paragraph_and_missing_fields_do_not_fail():
    msg = build_failure([result(), {"failed": True, "msg": "boom"}])
    assert msg.count("localdev.kube.images: building") == 2
    assert "building an image (?:?) failed; context ?." in msg


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        build_failure("nope")
