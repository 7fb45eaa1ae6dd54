"""Unit tests for the localdev.kube.hosts_entry module: AnsibleModule runs in-process on real files."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import pwd
import tempfile
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.localdev.kube.plugins.modules import hosts_entry
from ansible_collections.localdev.kube.tests.unit.module_runner import run_main

ORIGINAL = "127.0.0.1 localhost\n10.0.0.7 todo.local\n# comment\n"
OURS = "192.168.49.2 todo.local # managed by localdev.kube"


@pytest.fixture(autouse=True)
def module_warnings(monkeypatch):
    """Warnings the module emits, recorded at AnsibleModule.warn.

    (Where they end up depends on whether controller code was imported in this
    process, which other test files may do.)
    """
    recorded = []
    monkeypatch.setattr(hosts_entry.AnsibleModule, "warn", lambda self, msg: recorded.append(msg))
    return recorded


def run_module(capsys, **args):
    return run_main(hosts_entry.main, capsys, args, check_mode=False)


@pytest.fixture
def hosts(tmp_path):
    path = tmp_path / "hosts"
    path.write_text(ORIGINAL)
    return path


def test_present_adds_our_line_and_warns_about_the_user_line(capsys, hosts, module_warnings):
    result = run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"])
    assert result["changed"] is True
    assert result["added"] == [OURS]
    assert result["removed"] == []
    assert result["conflicts"] == ["10.0.0.7 todo.local"]
    assert result["method"] == "rename"
    assert len(module_warnings) == 1
    assert "line 2 of" in module_warnings[0] and "force: true" in module_warnings[0]
    assert hosts.read_text() == ORIGINAL + OURS + "\n"


def test_second_run_is_not_changed(capsys, hosts):
    run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"])
    result = run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"])
    assert result["changed"] is False
    assert result["method"] is None


def test_check_mode_with_diff_changes_nothing(capsys, hosts):
    result = run_module(
        capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"], _ansible_check_mode=True, _ansible_diff=True
    )
    assert result["changed"] is True
    assert result["diff"]["before"] == ORIGINAL
    assert result["diff"]["after"] == ORIGINAL + OURS + "\n"
    assert result["diff"]["before_header"] == str(hosts)
    assert hosts.read_text() == ORIGINAL


def test_ip_change_then_absent(capsys, hosts):
    run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"])
    result = run_module(capsys, path=str(hosts), ip="192.168.49.3", names=["todo.local"], backup=True)
    assert result["removed"] == [OURS]
    assert result["added"] == ["192.168.49.3 todo.local # managed by localdev.kube"]
    assert Path(result["backup_file"]).read_text() == ORIGINAL + OURS + "\n"
    result = run_module(capsys, path=str(hosts), names=["todo.local"], state="absent")
    assert result["changed"] is True
    assert hosts.read_text() == ORIGINAL


def test_force_removes_the_user_line(capsys, hosts, module_warnings):
    result = run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"], force=True)
    assert result["removed"] == ["10.0.0.7 todo.local"]
    assert module_warnings == []
    assert hosts.read_text() == "127.0.0.1 localhost\n# comment\n" + OURS + "\n"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ({"ip": "300.1.1.1", "names": ["todo.local"]}, "ip"),
        ({"ip": "192.168.49.2", "names": ["todo_local"]}, "names"),
        ({"ip": "192.168.49.2", "names": []}, "names"),
        ({"ip": "192.168.49.2", "names": ["todo.local"], "marker": ""}, "marker"),
        ({"names": [], "state": "absent"}, "names"),
        ({"ip": "192.168.49.2", "names": ["todo.local"], "lock_timeout": -1}, "lock_timeout"),
    ],
)
def test_bad_input_fails_naming_the_option_and_leaves_the_file(capsys, hosts, args, option):
    result = run_module(capsys, path=str(hosts), **args)
    assert result["failed"] is True
    assert result["msg"].startswith(f"{option}: ")
    assert "was not changed" in result["msg"]
    assert hosts.read_text() == ORIGINAL


def test_present_needs_ip(capsys, hosts):
    result = run_module(capsys, path=str(hosts), names=["todo.local"])
    assert result["failed"] is True
    assert "ip" in result["msg"]
    assert hosts.read_text() == ORIGINAL


@pytest.fixture
def bind_mounted(hosts, monkeypatch):
    """The file refuses rename(2) over it with EBUSY, as Docker's bind-mounted /etc/hosts does."""
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.fsdecode(dst) == str(hosts):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    return hosts


def test_bind_mounted_file_fails_naming_unsafe_writes(capsys, bind_mounted):
    result = run_module(capsys, path=str(bind_mounted), ip="192.168.49.2", names=["todo.local"])
    assert result["failed"] is True
    assert result["option"] == "unsafe_writes"
    assert "EBUSY" in result["msg"] and "unsafe_writes: true" in result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert bind_mounted.read_text() == ORIGINAL
    assert sorted(p.name for p in bind_mounted.parent.iterdir()) == ["hosts"]


def test_bind_mounted_file_is_written_in_place_with_unsafe_writes(capsys, bind_mounted):
    inode = bind_mounted.stat().st_ino
    result = run_module(capsys, path=str(bind_mounted), ip="192.168.49.2", names=["todo.local"], unsafe_writes=True)
    assert result["changed"] is True
    assert result["method"] == "in-place"
    assert bind_mounted.stat().st_ino == inode
    assert bind_mounted.read_text() == ORIGINAL + OURS + "\n"


def test_unsafe_writes_defaults_from_the_environment(capsys, bind_mounted, monkeypatch):
    # ANSIBLE_UNSAFE_WRITES, as for ansible-core's own file modules.
    monkeypatch.setenv("ANSIBLE_UNSAFE_WRITES", "1")
    result = run_module(capsys, path=str(bind_mounted), ip="192.168.49.2", names=["todo.local"])
    assert result["method"] == "in-place"
    assert bind_mounted.read_text() == ORIGINAL + OURS + "\n"


def _run_as_nobody(args, queue):
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), patch_module_args(args), contextlib.suppress(SystemExit):
        hosts_entry.main()
    queue.put(out.getvalue())


@pytest.fixture
def root_owned_hosts(capsys):
    """A root-owned hosts file in a directory only root may write; runs the module as nobody on it."""
    # A missing prerequisite fails rather than skips: make test runs as root.
    if os.geteuid() != 0:
        pytest.fail("this test runs the module as another user and needs root: run `make test` as root")
    directory = Path(tempfile.mkdtemp(prefix="hosts-entry-"))
    path = directory / "hosts"
    path.write_text(ORIGINAL)
    directory.chmod(0o755)
    # nobody may not read root's virtualenv: one run as root first imports what
    # ansible-core loads lazily on the way out (its JSON profiles).
    run_module(capsys, path=str(path), names=["todo.local"], state="absent", _ansible_check_mode=True)

    def run_as_nobody(**args):
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        args = {"path": str(path), "ip": "192.168.49.2", "names": ["todo.local"], **args}
        child = ctx.Process(target=_run_as_nobody, args=(args, queue))
        child.start()
        child.join(30)
        return json.loads(queue.get(timeout=5))

    yield path, run_as_nobody
    path.unlink()
    directory.rmdir()


def test_permission_denied_says_to_use_become(root_owned_hosts):
    path, run_as_nobody = root_owned_hosts
    result = run_as_nobody(_ansible_check_mode=False)
    assert result["failed"] is True
    assert "become: true" in result["msg"]
    assert result["denied"]
    # What a root run would do, so a caller retries as root only when there is something to write.
    assert (result["added"], result["removed"]) == ([OURS], [])
    assert path.read_text() == ORIGINAL
    # Nothing to write: no permission is needed.
    assert run_as_nobody(names=["localhost"], ip="127.0.0.1", state="absent").get("failed") is not True


def test_check_mode_says_whether_this_user_may_write(capsys, hosts, tmp_path, root_owned_hosts):
    path, run_as_nobody = root_owned_hosts
    # A file of one's own, and a missing one in a directory of one's own.
    assert run_module(capsys, path=str(hosts), ip="192.168.49.2", names=["todo.local"])["writable"] is True
    missing = tmp_path / "new-hosts"
    planned = run_module(capsys, path=str(missing), ip="192.168.49.2", names=["todo.local"], _ansible_check_mode=True)
    assert (planned["writable"], planned["added"], missing.exists()) == (True, [OURS], False)
    # Another user's file: readable, so the plan is made, but not writable.
    planned = run_as_nobody(_ansible_check_mode=True)
    assert planned.get("failed") is not True
    assert (planned["writable"], planned["added"]) == (False, [OURS])
    # Writable by everyone, but root's: a new file renamed over it could not keep root as its owner.
    path.chmod(0o666)
    assert run_as_nobody(_ansible_check_mode=True)["writable"] is False
    # A missing file in a directory only root may write.
    assert run_as_nobody(path=str(path.parent / "new-hosts"), _ansible_check_mode=True)["writable"] is False
    # One this user may not even read says so.
    path.chmod(0o600)
    refused = run_as_nobody(_ansible_check_mode=True)
    assert (refused["failed"], refused["denied"], refused["writable"]) == (True, "reading", False)
    assert "added" not in refused
    assert path.read_text() == ORIGINAL


def test_an_owner_needs_the_directory_or_unsafe_writes(capsys, tmp_path):
    # make test runs as root, who can always write: the rule for other users is tested as nobody above.
    hosts = tmp_path / "hosts"
    hosts.write_text(ORIGINAL)
    args = {"path": str(hosts), "ip": "192.168.49.2", "names": ["todo.local"], "_ansible_check_mode": True}
    assert run_module(capsys, **args)["writable"] is True


def test_entries_are_applied_in_one_edit(capsys, hosts):
    entries = [{"ip": "192.168.49.2", "names": ["todo.local"]}, {"ip": "::1", "names": ["api.todo.local"]}]
    result = run_module(capsys, path=str(hosts), entries=entries)
    second = "::1 api.todo.local # managed by localdev.kube"
    assert (result["changed"], result["added"]) == (True, [OURS, second])
    assert hosts.read_text() == ORIGINAL + OURS + "\n" + second + "\n"
    assert run_module(capsys, path=str(hosts), entries=entries)["changed"] is False
    names_only = [{"names": ["todo.local", "api.todo.local"]}]
    gone = run_module(capsys, path=str(hosts), entries=names_only, state="absent")
    assert (gone["changed"], gone["removed"]) == (True, [OURS, second])
    assert hosts.read_text() == ORIGINAL


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ({"entries": [{"ip": "127.0.0.1", "names": ["a.local"]}, {"names": ["b.local"]}]}, "entries[1].ip"),
        ({"entries": [{"ip": "127.0.0.1", "names": ["a.local"]}, {"ip": "x", "names": ["b.local"]}]}, "entries[1].ip"),
        ({"entries": [{"ip": "127.0.0.1", "names": ["-bad"]}]}, "entries[0].names"),
        ({"entries": []}, "entries"),
        ({"ip": "127.0.0.1"}, "names"),
    ],
)
def test_entries_are_validated_before_the_file_is_read(capsys, hosts, args, option):
    result = run_module(capsys, path=str(hosts), **args)
    assert (result["failed"], result["option"]) == (True, option)
    assert hosts.read_text() == ORIGINAL


def test_entries_exclude_ip_and_names(capsys, hosts):
    result = run_module(capsys, path=str(hosts), ip="127.0.0.1", entries=[{"ip": "127.0.0.1", "names": ["a.local"]}])
    assert result["failed"] is True
    assert "mutually exclusive" in result["msg"]
