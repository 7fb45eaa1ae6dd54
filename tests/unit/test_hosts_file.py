"""Unit tests for the hosts-file model (plugins/module_utils/hosts_file.py).

The corpus (tests/unit/data/hosts/corpus.json) holds real-world variants:
Debian, macOS (no final newline), Windows (CRLF), a UTF-8 BOM, tabs and
aliases, IPv6 with a zone index, duplicates, an empty file, non-UTF-8 bytes, a
user's own line for our name and our own line with an old address. It is JSON
with escapes (base64 for bytes that are not UTF-8) so that the files' CRLF and
odd bytes survive git and editors; a missing file is covered by the writer tests.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import (
    DEFAULT_MARKER,
    HostsFile,
    Line,
    ValidationError,
    is_hostname,
    render_entry,
    same_address,
    validate_ip,
    validate_marker,
    validate_names,
)

CORPUS_JSON = Path(__file__).parent / "data" / "hosts" / "corpus.json"
OURS = f"192.168.49.2 todo.local # {DEFAULT_MARKER}"


def load_corpus() -> dict[str, bytes]:
    entries = json.loads(CORPUS_JSON.read_text(encoding="ascii"))
    return {
        name: base64.b64decode(entry["base64"]) if "base64" in entry else entry["text"].encode("utf-8")
        for name, entry in entries.items()
    }


CORPUS = load_corpus()
CORPUS_FILES = sorted(CORPUS)


def load(name: str) -> bytes:
    return CORPUS[name]


def test_corpus_is_complete():
    # The variants the issue asks for must all be there.
    assert len(CORPUS_FILES) >= 10
    data = {name: load(name) for name in CORPUS_FILES}
    assert any(b"\r\n" in d for d in data.values())
    assert any(d and not d.endswith(b"\n") for d in data.values())
    assert any(d == b"" for d in data.values())
    assert any(b"\t" in d for d in data.values())


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_parse_render_round_trip_is_byte_exact(name):
    data = load(name)
    assert HostsFile.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_present_then_absent_gives_back_the_original_bytes(name):
    data = load(name)
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("192.168.49.7", ["todo.local"])
    with_ours = hosts.to_bytes()
    assert with_ours != data
    assert b"192.168.49.7 todo.local # managed by localdev.kube" in with_ours
    hosts = HostsFile.from_bytes(with_ours)
    result = hosts.ensure_absent(["todo.local"])
    after = hosts.to_bytes()
    # Our lines (including pre-existing managed ones for todo.local) are gone, nothing else moved.
    expected = HostsFile.from_bytes(data)
    expected.ensure_absent(["todo.local"])
    assert after == expected.to_bytes()
    assert result.removed


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_present_is_idempotent(name):
    hosts = HostsFile.from_bytes(load(name))
    first = hosts.ensure_present("192.168.49.2", ["todo.local", "api.todo.local"])
    once = hosts.to_bytes()
    second = hosts.ensure_present("192.168.49.2", ["todo.local", "api.todo.local"])
    assert first.changed
    assert not second.changed
    assert second.added == [] and second.removed == []
    assert hosts.to_bytes() == once


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_unmanaged_lines_are_kept_in_order(name):
    data = load(name)
    before = HostsFile.from_bytes(data)
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("10.20.30.40", ["todo.local"])
    unmanaged_before = [line.text for line in before.lines if not line.is_managed(DEFAULT_MARKER)]
    unmanaged_after = [line.text for line in hosts.lines if not line.is_managed(DEFAULT_MARKER)]
    assert unmanaged_after == unmanaged_before


def test_crlf_file_gets_a_crlf_line():
    data = load("windows-crlf")
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("127.0.0.1", ["todo.local"])
    assert hosts.to_bytes() == data + b"127.0.0.1 todo.local # managed by localdev.kube\r\n"


def test_bom_is_kept_and_not_part_of_the_address():
    data = load("bom-crlf")
    hosts = HostsFile.from_bytes(data)
    assert hosts.lines[0].address == "127.0.0.1"
    hosts.ensure_present("127.0.0.1", ["todo.local"])
    assert hosts.to_bytes().startswith(b"\xef\xbb\xbf127.0.0.1 localhost\r\n")
    assert hosts.to_bytes().endswith(b"# managed by localdev.kube\r\n")


def test_missing_final_newline_stays_missing():
    data = load("macos-no-final-newline")
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("127.0.0.1", ["todo.local"])
    assert hosts.to_bytes() == data + b"\n127.0.0.1 todo.local # managed by localdev.kube"
    hosts.ensure_absent(["todo.local"])
    assert hosts.to_bytes() == data


def test_crlf_without_final_newline_replacing_last_line():
    data = load("crlf-managed-no-final-newline")
    hosts = HostsFile.from_bytes(data)
    result = hosts.ensure_present("192.168.49.3", ["todo.local"])
    assert hosts.to_bytes() == b"127.0.0.1 localhost\r\n192.168.49.3 todo.local # managed by localdev.kube"
    assert result.removed == [OURS]
    hosts.ensure_absent()
    assert hosts.to_bytes() == b"127.0.0.1 localhost"


def test_empty_file():
    hosts = HostsFile.from_bytes(b"")
    hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert hosts.to_bytes() == (OURS + "\n").encode()
    hosts.ensure_absent(["todo.local"])
    assert hosts.to_bytes() == b""


def test_non_utf8_bytes_survive_an_edit():
    data = load("managed-old-ip")
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("192.168.49.2", ["old.todo.local", "todo.local"])
    out = hosts.to_bytes()
    assert b"\xe9\xe8" in out
    assert out == data.replace(b"192.168.49.9", b"192.168.49.2")


def test_ip_change_replaces_our_line_in_place():
    hosts = HostsFile.parse(f"127.0.0.1 localhost\n192.168.49.9 todo.local # {DEFAULT_MARKER}\n10.0.0.1 other\n")
    result = hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert hosts.render() == f"127.0.0.1 localhost\n{OURS}\n10.0.0.1 other\n"
    assert result.removed == [f"192.168.49.9 todo.local # {DEFAULT_MARKER}"]
    assert result.added == [OURS]


def test_ip_change_takes_the_name_off_a_shared_line():
    hosts = HostsFile.parse(f"192.168.49.9 todo.local\tapi.todo.local # {DEFAULT_MARKER}\n")
    hosts.ensure_present("192.168.49.2", ["todo.local"])
    # The separators stay in their places: the first one now precedes api.todo.local.
    assert hosts.render() == f"{OURS}\n192.168.49.9 api.todo.local # {DEFAULT_MARKER}\n"


def test_not_unique_keeps_other_addresses():
    hosts = HostsFile.parse(f"127.0.0.1 todo.local # {DEFAULT_MARKER}\n")
    result = hosts.ensure_present("::1", ["todo.local"], unique=False)
    assert hosts.render() == f"127.0.0.1 todo.local # {DEFAULT_MARKER}\n::1 todo.local # {DEFAULT_MARKER}\n"
    assert result.removed == []


def test_duplicates_of_our_line_are_collapsed_user_duplicates_kept():
    data = load("duplicates")
    hosts = HostsFile.from_bytes(data)
    result = hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert result.removed == [OURS]
    assert result.added == []
    assert hosts.render() == (f"127.0.0.1 localhost\n{OURS}\n10.9.9.9 dup.example dup.example\n127.0.0.1 localhost\n")


def test_user_line_for_our_name_is_reported_not_removed():
    data = load("user-own-line")
    hosts = HostsFile.from_bytes(data)
    result = hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert result.conflicts == [(2, "10.0.0.7 todo.local")]
    assert hosts.to_bytes() == data + (OURS + "\n").encode()


def test_user_line_with_the_same_address_is_no_conflict():
    hosts = HostsFile.parse("192.168.49.2 todo.local\n")
    result = hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert result.conflicts == []


def test_force_takes_our_name_off_user_lines_only():
    hosts = HostsFile.parse("127.0.0.1  localhost\ttodo.local  # dev\n10.0.0.7 todo.local\n10.0.0.8 keep.me\n")
    result = hosts.ensure_present("192.168.49.2", ["todo.local"], force=True)
    assert hosts.render() == f"127.0.0.1  localhost  # dev\n10.0.0.8 keep.me\n{OURS}\n"
    assert result.removed == ["127.0.0.1  localhost\ttodo.local  # dev", "10.0.0.7 todo.local"]
    assert result.conflicts == []


def test_absent_leaves_user_lines_for_the_same_name():
    hosts = HostsFile.parse(f"10.0.0.7 todo.local\n{OURS}\n")
    result = hosts.ensure_absent(["todo.local"])
    assert hosts.render() == "10.0.0.7 todo.local\n"
    assert result.removed == [OURS]


def test_absent_with_ip_only_touches_that_address():
    hosts = HostsFile.parse(f"127.0.0.1 todo.local # {DEFAULT_MARKER}\n::1 todo.local # {DEFAULT_MARKER}\n")
    hosts.ensure_absent(["todo.local"], ip="0:0:0:0:0:0:0:1")
    assert hosts.render() == f"127.0.0.1 todo.local # {DEFAULT_MARKER}\n"


def test_absent_without_names_removes_all_our_lines():
    text = (
        f"127.0.0.1 localhost\n{OURS}\n# {DEFAULT_MARKER}\n10.0.0.1 a b # {DEFAULT_MARKER}\n10.0.0.2 c # other tool\n"
    )
    hosts = HostsFile.parse(text)
    result = hosts.ensure_absent()
    assert hosts.render() == f"127.0.0.1 localhost\n# {DEFAULT_MARKER}\n10.0.0.2 c # other tool\n"
    assert len(result.removed) == 2


def test_absent_on_a_file_without_our_lines_changes_nothing():
    data = load("debian")
    hosts = HostsFile.from_bytes(data)
    result = hosts.ensure_absent(["localhost"])
    assert not result.changed
    assert hosts.to_bytes() == data


def test_commented_out_line_with_marker_is_not_ours():
    hosts = HostsFile.parse(f"# 192.168.49.2 todo.local # {DEFAULT_MARKER}\n")
    assert hosts.managed() == []
    hosts.ensure_present("192.168.49.2", ["todo.local"])
    assert len(hosts.managed()) == 1
    assert hosts.lines[0].text.startswith("# 192.168.49.2")


def test_custom_marker_isolates_tools():
    hosts = HostsFile.parse(f"{OURS}\n")
    hosts.ensure_present("10.0.0.5", ["todo.local"], marker="managed by other")
    assert hosts.render() == f"{OURS}\n10.0.0.5 todo.local # managed by other\n"
    hosts.ensure_absent(marker="managed by other")
    assert hosts.render() == f"{OURS}\n"


def test_names_compare_case_insensitively():
    hosts = HostsFile.parse(f"{OURS}\n")
    assert not hosts.ensure_present("192.168.49.2", ["TODO.local"]).changed


def test_ipv6_addresses_compare_as_addresses():
    data = load("ipv6")
    hosts = HostsFile.from_bytes(data)
    hosts.ensure_present("fd00::2", ["todo.local"])
    assert not hosts.ensure_present("fd00:0:0:0:0:0:0:2", ["todo.local"]).changed
    assert hosts.to_bytes() == data + f"fd00::2 todo.local # {DEFAULT_MARKER}\n".encode()
    assert hosts.lines[2].address == "fe80::1%lo0"


def test_without_names_keeps_spacing():
    line = Line("10.0.0.1\ta  b\tc   # note", "\n")
    assert line.without_names({"a"}) == "10.0.0.1\tb  c   # note"
    assert line.without_names({"b"}) == "10.0.0.1\ta  c   # note"
    assert line.without_names({"a", "b", "c"}) is None


def test_render_entry():
    assert render_entry("::1", ["a", "b"], "m") == "::1 a b # m"


@pytest.mark.parametrize("value", ["192.168.49.2", "127.0.0.1", "::1", "fd00::2", "fe80::1%eth0"])
def test_valid_ips(value):
    assert validate_ip(value) == value


@pytest.mark.parametrize("value", ["", "300.1.1.1", "1.2.3", "01.2.3.4", "abc", "1.2.3.4 5", "todo.local", None, 5])
def test_invalid_ips_name_the_option(value):
    with pytest.raises(ValidationError) as err:
        validate_ip(value)
    assert err.value.option == "ip"
    assert str(err.value).startswith("ip: ")


@pytest.mark.parametrize("name", ["todo.local", "a", "x-1.example", "1host", "A" * 63 + ".b", "localhost"])
def test_valid_hostnames(name):
    assert is_hostname(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-bad",
        "bad-",
        "under_score",
        "a" * 64,
        "has space",
        "trailing.",
        ".lead",
        "a..b",
        "10.0.0.1",
        "#x",
        "é.local",
        ("a." * 127) + "ab",
    ],
)
def test_invalid_hostnames(name):
    assert not is_hostname(name)
    with pytest.raises(ValidationError) as err:
        validate_names([name])
    assert err.value.option == "names"


def test_empty_name_list_is_an_error():
    with pytest.raises(ValidationError, match=r"^names: must list at least one host name"):
        validate_names([])


def test_names_must_be_a_list():
    with pytest.raises(ValidationError, match=r"^names: must be a list"):
        validate_names("todo.local")


def test_duplicate_names_are_dropped():
    assert validate_names(["todo.local", "TODO.local", "api.local"]) == ["todo.local", "api.local"]


@pytest.mark.parametrize("marker", ["", "  ", " lead", "two\nlines"])
def test_invalid_markers(marker):
    with pytest.raises(ValidationError) as err:
        validate_marker(marker)
    assert err.value.option == "marker"


def test_bad_input_leaves_the_model_unchanged():
    data = load("debian")
    hosts = HostsFile.from_bytes(data)
    with pytest.raises(ValidationError):
        hosts.ensure_present("192.168.49.2", ["ok.local", "not_ok"])
    with pytest.raises(ValidationError):
        hosts.ensure_present("999.1.1.1", ["ok.local"])
    assert hosts.to_bytes() == data


def test_same_address():
    assert same_address("::1", "0:0:0:0:0:0:0:1")
    assert not same_address("127.0.0.1", "127.0.0.2")
    assert same_address("weird", "WEIRD")
