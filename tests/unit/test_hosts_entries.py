"""Unit tests of the hosts_entries filter (the hosts_file role's entries, auto resolved)."""

from ansible_collections.localdev.kube.plugins.filter.hosts_entries import hosts_entries


def test_auto_and_a_missing_ip_take_the_auto_address():
    entries = [{"names": ["a.local"]}, {"ip": "auto", "names": ["b.local", "c.local"]}]
    assert hosts_entries(entries, "192.168.49.2") == [
        {"ip": "192.168.49.2", "names": ["a.local"]},
        {"ip": "192.168.49.2", "names": ["b.local", "c.local"]},
    ]


def test_an_entry_keeps_its_own_address():
    assert hosts_entries([{"ip": "fd00::5", "names": ["db.local"]}], "127.0.0.1") == [
        {"ip": "fd00::5", "names": ["db.local"]}
    ]


def test_no_entries():
    assert hosts_entries([], "127.0.0.1") == []
