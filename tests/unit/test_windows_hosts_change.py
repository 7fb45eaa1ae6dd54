"""Unit tests of the windows_hosts_change filter (the elevated PowerShell command for WSL users)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.localdev.kube.plugins.filter.windows_hosts_change import windows_hosts_change

WSL_PATH = "/mnt/d/Windows/System32/drivers/etc/hosts"


def test_adding_a_line():
    change = windows_hosts_change(WSL_PATH, add=["127.0.0.1 todo.local # managed by localdev.kube"])
    assert change["path"] == "d:\\Windows\\System32\\drivers\\etc\\hosts"
    assert change["command"] == (
        "Start-Process powershell.exe -Verb RunAs -ArgumentList '-NoProfile -Command "
        "\"$f=''d:\\Windows\\System32\\drivers\\etc\\hosts''; Add-Content -LiteralPath $f "
        "-Value ''127.0.0.1 todo.local # managed by localdev.kube''\"'"
    )


def test_removing_and_adding_with_quotes_in_lines():
    change = windows_hosts_change(WSL_PATH, add=["127.0.0.1 it's.local"], remove=['10.0.0.1 a "b"', "10.0.0.2 c"])
    assert change["remove"] == ['10.0.0.1 a "b"', "10.0.0.2 c"]
    # The script PowerShell finally runs, once Start-Process has undone its own quoting:
    inner = change["command"].split('-Command "', 1)[1][:-2].replace('\\"', '"').replace("''", "'")
    assert inner == (
        "$f='d:\\Windows\\System32\\drivers\\etc\\hosts'; "
        "$old=@('10.0.0.1 a \"b\"','10.0.0.2 c'); "
        "(@(Get-Content -LiteralPath $f) | Where-Object { $old -cnotcontains $_ }) | Set-Content -LiteralPath $f; "
        "Add-Content -LiteralPath $f -Value '127.0.0.1 it''s.local'"
    )


def test_nothing_to_do_is_empty():
    assert windows_hosts_change(WSL_PATH) == {}
    assert windows_hosts_change(WSL_PATH, add=[], remove=[]) == {}


def test_a_path_outside_mnt_keeps_its_shape():
    assert windows_hosts_change("/srv/hosts", add=["x"])["path"] == "\\srv\\hosts"


def test_bad_input_is_an_error():
    with pytest.raises(AnsibleFilterError):
        windows_hosts_change(WSL_PATH, add=[1])
