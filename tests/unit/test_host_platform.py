"""Unit tests for module_utils/host_platform.py and the platform_info module."""

from __future__ import annotations

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import host_platform as hp
from ansible_collections.localdev.kube.plugins.module_utils.host_platform import host_platform, is_wsl
from ansible_collections.localdev.kube.plugins.modules import platform_info
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main


@pytest.mark.parametrize(
    ("release", "proc", "expected"),
    [
        ("5.15.167.4-microsoft-standard-WSL2", "", True),
        ("4.4.0-19041-Microsoft", "", True),
        ("6.1.0-25-amd64", "Linux version 6.1.0-25-amd64 (debian-kernel@lists.debian.org)", False),
        ("6.6.87.2", "Linux version 6.6.87.2-microsoft-standard-WSL2 (root@...)", True),
        ("", "", False),
    ],
)
def test_is_wsl(release, proc, expected):
    assert is_wsl(release, proc) is expected


def test_wsl_interop_marks_wsl_whatever_the_kernel_says():
    assert is_wsl("6.6.36-custom", "Linux version 6.6.36-custom", interop=True) is True
    assert is_wsl("6.6.36-custom", "Linux version 6.6.36-custom", interop=False) is False


@pytest.mark.parametrize(
    ("system", "wsl", "expected"),
    [
        ("Darwin", False, "macos"),
        ("Darwin", True, "macos"),  # a kernel string cannot make a Mac WSL
        ("Linux", True, "wsl"),
        ("Linux", False, "linux"),
        ("FreeBSD", False, "linux"),
        ("", False, "linux"),
    ],
)
def test_host_platform(system, wsl, expected):
    assert host_platform(system, wsl) == expected


def test_detect_finds_wsl_by_its_interop_handler(tmp_path, monkeypatch):
    monkeypatch.setattr(hp.platform, "system", lambda: "Linux")
    monkeypatch.setattr(hp.platform, "release", lambda: "6.6.36-custom")
    monkeypatch.setattr(hp, "_proc_version", lambda: "Linux version 6.6.36-custom")
    monkeypatch.setattr(hp, "WSL_INTEROP_FILES", (str(tmp_path / "WSLInterop"),))
    assert (hp.detect()["wsl"], hp.detect()["platform"]) == (False, "linux")
    (tmp_path / "WSLInterop").write_text("enabled\n")
    assert (hp.detect()["wsl"], hp.detect()["platform"]) == (True, "wsl")


def test_platform_info_reports_the_same_as_detect(capsys):
    result = run_main(platform_info.main, capsys, {}, check_mode=True)
    assert result["changed"] is False
    assert {key: result[key] for key in ("system", "machine", "wsl", "platform")} == hp.detect()
