"""Unit tests for the hosts-file writer (edit_hosts_file): real files in a temporary directory."""

from __future__ import annotations

import errno
import fcntl
import multiprocessing
import os
import pwd
import stat
import tempfile
from pathlib import Path

import pytest
from ansible_collections.localdev.kube.plugins.module_utils import hosts_file as hf
from test_hosts_file import CORPUS  # same directory (pytest puts it on sys.path)

LINE = b"192.168.49.2 todo.local # managed by localdev.kube"
ORIGINAL = b"127.0.0.1\tlocalhost\r\n# keep me\r\n"


def present(hosts):
    return hosts.ensure_present("192.168.49.2", ["todo.local"])


def absent(hosts):
    return hosts.ensure_absent(["todo.local"])


@pytest.fixture
def hosts_path(tmp_path):
    path = tmp_path / "hosts"
    path.write_bytes(ORIGINAL)
    return path


def test_present_writes_by_rename_and_keeps_mode(hosts_path):
    hosts_path.chmod(0o640)
    inode = hosts_path.stat().st_ino
    outcome = hf.edit_hosts_file(str(hosts_path), present)
    assert outcome.changed
    assert outcome.method == "rename"
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"
    assert stat.S_IMODE(hosts_path.stat().st_mode) == 0o640
    assert hosts_path.stat().st_ino != inode
    # No temporary file is left behind.
    assert sorted(p.name for p in hosts_path.parent.iterdir()) == ["hosts"]


@pytest.mark.parametrize("atomic", [True, False], ids=["rename", "in-place"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_present_then_absent_is_byte_exact(tmp_path, name, atomic):
    path = tmp_path / "hosts"
    path.write_bytes(CORPUS[name])
    added = hf.edit_hosts_file(str(path), lambda h: h.ensure_present("10.20.30.40", ["new.todo.local"]), atomic=atomic)
    assert added.changed
    assert b"10.20.30.40 new.todo.local # managed by localdev.kube" in path.read_bytes()
    removed = hf.edit_hosts_file(str(path), lambda h: h.ensure_absent(["new.todo.local"]), atomic=atomic)
    assert removed.changed
    assert path.read_bytes() == CORPUS[name]


def test_second_run_writes_nothing(hosts_path):
    hf.edit_hosts_file(str(hosts_path), present)
    mtime = hosts_path.stat().st_mtime_ns
    outcome = hf.edit_hosts_file(str(hosts_path), present)
    assert not outcome.changed
    assert outcome.method is None
    assert hosts_path.stat().st_mtime_ns == mtime


def test_check_mode_changes_nothing(hosts_path):
    outcome = hf.edit_hosts_file(str(hosts_path), present, check_mode=True)
    assert outcome.changed
    assert outcome.after == ORIGINAL + LINE + b"\r\n"
    assert outcome.method is None
    assert hosts_path.read_bytes() == ORIGINAL


def test_missing_file_is_created_only_when_adding(tmp_path):
    path = tmp_path / "hosts"
    assert not hf.edit_hosts_file(str(path), absent).changed
    assert not path.exists()
    outcome = hf.edit_hosts_file(str(path), present, check_mode=True)
    assert outcome.changed
    assert not path.exists()
    outcome = hf.edit_hosts_file(str(path), present, backup=True)
    assert outcome.changed
    assert outcome.backup_file is None
    assert path.read_bytes() == LINE + b"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_missing_directory_is_an_error(tmp_path):
    with pytest.raises(hf.HostsFileError, match="does not exist"):
        hf.edit_hosts_file(str(tmp_path / "nope" / "hosts"), present)


def test_symlink_is_followed_and_kept(hosts_path, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(hosts_path)
    outcome = hf.edit_hosts_file(str(link), present)
    assert outcome.path == str(hosts_path)
    assert link.is_symlink()
    assert link.read_bytes() == ORIGINAL + LINE + b"\r\n"


def test_backup_holds_the_previous_content(hosts_path):
    outcome = hf.edit_hosts_file(str(hosts_path), present, backup=True)
    backup = Path(outcome.backup_file)
    assert backup.parent == hosts_path.parent
    assert backup.name.startswith("hosts.") and backup.name.endswith("~")
    assert backup.read_bytes() == ORIGINAL
    assert hosts_path.read_bytes() != ORIGINAL


def test_no_backup_when_nothing_changes(hosts_path):
    outcome = hf.edit_hosts_file(str(hosts_path), absent, backup=True)
    assert outcome.backup_file is None
    assert [p.name for p in hosts_path.parent.iterdir()] == ["hosts"]


@pytest.mark.parametrize("err", [errno.EBUSY, errno.EXDEV, errno.EPERM])
def test_rename_refused_falls_back_to_in_place(hosts_path, monkeypatch, err):
    # What a bind-mounted /etc/hosts (EBUSY) or a WSL drvfs mount answers to rename(2).
    def refuse(src, dst):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(hf.os, "replace", refuse)
    inode = hosts_path.stat().st_ino
    outcome = hf.edit_hosts_file(str(hosts_path), present)
    assert outcome.method == "in-place"
    assert hosts_path.stat().st_ino == inode
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"
    assert [p.name for p in hosts_path.parent.iterdir()] == ["hosts"]


def test_in_place_write_shrinks_the_file(hosts_path):
    hf.edit_hosts_file(str(hosts_path), present, atomic=False)
    outcome = hf.edit_hosts_file(str(hosts_path), absent, atomic=False)
    assert outcome.method == "in-place"
    assert hosts_path.read_bytes() == ORIGINAL


def test_owner_that_cannot_be_kept_means_in_place(hosts_path, monkeypatch):
    def deny(fd, uid, gid):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(hf.os, "fstat", _fstat_with_owner(hf.os.fstat, hosts_path, uid=4242))
    monkeypatch.setattr(hf.os, "fchown", deny)
    outcome = hf.edit_hosts_file(str(hosts_path), present)
    assert outcome.method == "in-place"
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"


def _fstat_with_owner(real_fstat, path, uid):
    """fstat that reports another owner for ``path`` (as if someone else owned the file)."""
    target = os.stat(path).st_ino

    def fake(fd):
        st = real_fstat(fd)
        if st.st_ino != target:
            return st
        fields = list(st)
        fields[stat.ST_UID] = uid
        return os.stat_result(fields)

    return fake


def test_lock_held_by_another_process_times_out(hosts_path):
    with open(hosts_path, "rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_edit_in_child, args=(str(hosts_path), queue))
        child.start()
        child.join(20)
        kind, message = queue.get(timeout=5)
    assert kind == "LockTimeoutError", message
    assert hosts_path.read_bytes() == ORIGINAL


def _edit_in_child(path, queue):
    try:
        hf.edit_hosts_file(path, present, lock_timeout=0.3)
        queue.put(("ok", ""))
    except Exception as err:  # reported to the parent
        queue.put((type(err).__name__, str(err)))


def _drop_privileges():
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def _edit_as_other_user(path, queue, check_mode):
    try:
        if os.geteuid() == 0:
            _drop_privileges()
        outcome = hf.edit_hosts_file(path, present, check_mode=check_mode)
        queue.put(("ok", outcome.changed))
    except Exception as err:  # reported to the parent
        queue.put((type(err).__name__, str(err)))


@pytest.fixture
def root_owned_file():
    """A file (and directory) the test process can read but not write: root's, seen by nobody."""
    directory = Path(tempfile.mkdtemp(prefix="hosts-perm-"))
    path = directory / "hosts"
    path.write_bytes(ORIGINAL)
    path.chmod(0o644)
    directory.chmod(0o755)
    if os.geteuid() != 0:
        path.chmod(0o444)
        directory.chmod(0o555)
    yield path
    directory.chmod(0o755)
    path.unlink()
    directory.rmdir()


@pytest.mark.parametrize("check_mode", [False, True])
def test_permission_denied_names_become(root_owned_file, check_mode):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_edit_as_other_user, args=(str(root_owned_file), queue, check_mode))
    child.start()
    child.join(20)
    kind, detail = queue.get(timeout=5)
    if check_mode:
        # Reading is allowed: check mode reports the change without needing to write.
        assert (kind, detail) == ("ok", True)
    else:
        assert kind == "PermissionDeniedError", detail
        assert "permission denied writing" in detail
    assert root_owned_file.read_bytes() == ORIGINAL
    assert [p.name for p in root_owned_file.parent.iterdir()] == ["hosts"]


def test_file_system_without_locks_edits_with_a_warning(hosts_path, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(hf.fcntl, "flock", no_locks)
    outcome = hf.edit_hosts_file(str(hosts_path), present)
    assert outcome.changed
    assert any("no file locking" in warning for warning in outcome.warnings)
