"""Unit tests for the hosts-file writer (hosts_file_io.edit_hosts_file): real files in a temporary directory.

The writer goes through a real AnsibleModule's atomic_move and backup_local. A
bind-mounted /etc/hosts (rename(2) answers EBUSY) and a directory that takes no
new files are played by refusing those calls for the test's file only.
"""

from __future__ import annotations

import errno
import fcntl
import multiprocessing
import os
import pwd
import re
import stat
import tempfile
from pathlib import Path

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from ansible_collections.localdev.kube.plugins.module_utils import hosts_file_io as io
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import HostsFileError
from test_hosts_file import CORPUS  # same directory (pytest puts it on sys.path)

LINE = b"192.168.49.2 todo.local # managed by localdev.kube"
ORIGINAL = b"127.0.0.1\tlocalhost\r\n# keep me\r\n"


def present(hosts):
    return hosts.ensure_present("192.168.49.2", ["todo.local"])


def absent(hosts):
    return hosts.ensure_absent(["todo.local"])


def new_module(remote_tmp, check_mode=False):
    """A real AnsibleModule, as hosts_entry creates it (no options of its own are needed here)."""
    args = {"_ansible_check_mode": check_mode, "_ansible_remote_tmp": str(remote_tmp)}
    with patch_module_args(args):
        return AnsibleModule(argument_spec={}, supports_check_mode=True)


@pytest.fixture
def remote_tmp(tmp_path):
    path = tmp_path / "remote-tmp"
    path.mkdir()
    return path


@pytest.fixture
def module(remote_tmp):
    return new_module(remote_tmp)


@pytest.fixture
def etc(tmp_path):
    """The hosts file's directory (kept apart from the module's temporary directory)."""
    path = tmp_path / "etc"
    path.mkdir()
    return path


@pytest.fixture
def hosts_path(etc):
    path = etc / "hosts"
    path.write_bytes(ORIGINAL)
    return path


def refuse_renames_onto(monkeypatch, target, err):
    """rename(2) onto ``target`` fails with ``err``, as on a bind mount (EBUSY) or drvfs (EPERM)."""
    real_rename = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.fsdecode(dst) == str(target):
            raise OSError(err, os.strerror(err))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)


def refuse_new_files_in(monkeypatch, directory):
    """``directory`` takes no new file and no rename into it, as one this user may not write to."""
    real_mkstemp = tempfile.mkstemp
    real_rename = os.rename

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and os.fsdecode(dir) == str(directory):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_mkstemp(*args, dir=dir, **kwargs)

    def rename(src, dst, *args, **kwargs):
        if os.path.dirname(os.fsdecode(dst)) == str(directory):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "rename", rename)


def listing(directory):
    return sorted(p.name for p in directory.iterdir())


def test_present_writes_by_rename_and_keeps_mode(module, hosts_path):
    hosts_path.chmod(0o640)
    inode = hosts_path.stat().st_ino
    outcome = io.edit_hosts_file(module, str(hosts_path), present)
    assert outcome.changed
    assert outcome.method == "rename"
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"
    assert stat.S_IMODE(hosts_path.stat().st_mode) == 0o640
    assert hosts_path.stat().st_ino != inode
    # No temporary file is left behind.
    assert listing(hosts_path.parent) == ["hosts"]


@pytest.mark.parametrize("method", ["rename", "in-place"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_present_then_absent_is_byte_exact(module, etc, monkeypatch, name, method):
    path = etc / "hosts"
    path.write_bytes(CORPUS[name])
    if method == "in-place":
        refuse_renames_onto(monkeypatch, path, errno.EBUSY)
    unsafe = method == "in-place"
    added = io.edit_hosts_file(
        module, str(path), lambda h: h.ensure_present("10.20.30.40", ["new.todo.local"]), unsafe_writes=unsafe
    )
    assert (added.changed, added.method) == (True, method)
    assert b"10.20.30.40 new.todo.local # managed by localdev.kube" in path.read_bytes()
    removed = io.edit_hosts_file(module, str(path), lambda h: h.ensure_absent(["new.todo.local"]), unsafe_writes=unsafe)
    assert (removed.changed, removed.method) == (True, method)
    assert path.read_bytes() == CORPUS[name]
    assert listing(etc) == ["hosts"]


def test_second_run_writes_nothing(module, hosts_path):
    io.edit_hosts_file(module, str(hosts_path), present)
    mtime = hosts_path.stat().st_mtime_ns
    outcome = io.edit_hosts_file(module, str(hosts_path), present)
    assert not outcome.changed
    assert outcome.method is None
    assert hosts_path.stat().st_mtime_ns == mtime


def test_check_mode_changes_nothing(remote_tmp, hosts_path):
    outcome = io.edit_hosts_file(new_module(remote_tmp, check_mode=True), str(hosts_path), present, backup=True)
    assert outcome.changed
    assert outcome.after == ORIGINAL + LINE + b"\r\n"
    assert outcome.method is None
    assert outcome.backup_file is None
    assert hosts_path.read_bytes() == ORIGINAL
    assert listing(hosts_path.parent) == ["hosts"]


def test_missing_file_is_created_only_when_adding(module, remote_tmp, etc):
    path = etc / "hosts"
    assert not io.edit_hosts_file(module, str(path), absent).changed
    assert not path.exists()
    outcome = io.edit_hosts_file(new_module(remote_tmp, check_mode=True), str(path), present)
    assert outcome.changed
    assert not path.exists()
    outcome = io.edit_hosts_file(module, str(path), present, backup=True)
    assert outcome.changed
    assert outcome.backup_file is None
    assert path.read_bytes() == LINE + b"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_missing_directory_is_an_error(module, etc):
    with pytest.raises(HostsFileError, match="does not exist"):
        io.edit_hosts_file(module, str(etc / "nope" / "hosts"), present)


def test_symlink_is_followed_and_kept(module, hosts_path, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(hosts_path)
    outcome = io.edit_hosts_file(module, str(link), present)
    assert outcome.path == str(hosts_path)
    assert link.is_symlink()
    assert link.read_bytes() == ORIGINAL + LINE + b"\r\n"


def test_backup_holds_the_previous_content(module, hosts_path):
    hosts_path.chmod(0o640)
    outcome = io.edit_hosts_file(module, str(hosts_path), present, backup=True)
    backup = Path(outcome.backup_file)
    assert backup.parent == hosts_path.parent
    # backup_local's name: <file>.<pid>.<YYYY-MM-DD@HH:MM:SS>~
    assert re.fullmatch(rf"hosts\.{os.getpid()}\.\d{{4}}-\d\d-\d\d@\d\d:\d\d:\d\d~", backup.name)
    assert backup.read_bytes() == ORIGINAL
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert hosts_path.read_bytes() != ORIGINAL


def test_no_backup_when_nothing_changes(module, hosts_path):
    outcome = io.edit_hosts_file(module, str(hosts_path), absent, backup=True)
    assert outcome.backup_file is None
    assert listing(hosts_path.parent) == ["hosts"]


def test_bind_mount_is_not_written_without_unsafe_writes(module, hosts_path, monkeypatch):
    # What a bind-mounted /etc/hosts in a container answers to rename(2).
    refuse_renames_onto(monkeypatch, hosts_path, errno.EBUSY)
    inode = hosts_path.stat().st_ino
    with pytest.raises(io.RenameImpossibleError, match="EBUSY") as exc:
        io.edit_hosts_file(module, str(hosts_path), present)
    assert exc.value.path == str(hosts_path)
    assert hosts_path.read_bytes() == ORIGINAL
    assert hosts_path.stat().st_ino == inode
    assert listing(hosts_path.parent) == ["hosts"]


def test_bind_mount_is_written_in_place_with_unsafe_writes(module, hosts_path, monkeypatch):
    hosts_path.chmod(0o640)
    refuse_renames_onto(monkeypatch, hosts_path, errno.EBUSY)
    inode = hosts_path.stat().st_ino
    outcome = io.edit_hosts_file(module, str(hosts_path), present, unsafe_writes=True)
    assert outcome.method == "in-place"
    assert hosts_path.stat().st_ino == inode
    assert stat.S_IMODE(hosts_path.stat().st_mode) == 0o640
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"
    assert listing(hosts_path.parent) == ["hosts"]


def test_in_place_write_shrinks_the_file(module, hosts_path, monkeypatch):
    refuse_renames_onto(monkeypatch, hosts_path, errno.EBUSY)
    io.edit_hosts_file(module, str(hosts_path), present, unsafe_writes=True)
    outcome = io.edit_hosts_file(module, str(hosts_path), absent, unsafe_writes=True)
    assert outcome.method == "in-place"
    assert hosts_path.read_bytes() == ORIGINAL


@pytest.mark.parametrize("err", [errno.EPERM, errno.EACCES])
def test_rename_denied_is_permission_denied_even_with_unsafe_writes(module, hosts_path, monkeypatch, err):
    # atomic_move writes in place only where the rename is impossible (EBUSY), not where it is refused.
    refuse_renames_onto(monkeypatch, hosts_path, err)
    with pytest.raises(io.PermissionDeniedError, match="permission denied replacing"):
        io.edit_hosts_file(module, str(hosts_path), present, unsafe_writes=True)
    assert hosts_path.read_bytes() == ORIGINAL
    assert listing(hosts_path.parent) == ["hosts"]


def test_directory_without_new_files_needs_unsafe_writes(module, hosts_path, monkeypatch):
    refuse_new_files_in(monkeypatch, hosts_path.parent)
    with pytest.raises(io.RenameImpossibleError, match="no new file can be made in"):
        io.edit_hosts_file(module, str(hosts_path), present)
    assert hosts_path.read_bytes() == ORIGINAL
    inode = hosts_path.stat().st_ino
    outcome = io.edit_hosts_file(module, str(hosts_path), present, unsafe_writes=True)
    assert outcome.method == "in-place"
    assert hosts_path.stat().st_ino == inode
    assert hosts_path.read_bytes() == ORIGINAL + LINE + b"\r\n"
    assert listing(hosts_path.parent) == ["hosts"]


def test_owner_that_cannot_be_kept_fails_before_renaming(module, hosts_path, monkeypatch):
    def deny(fd, uid, gid):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    inode = hosts_path.stat().st_ino
    monkeypatch.setattr(io.os, "fstat", _fstat_with_owner(io.os.fstat, hosts_path, uid=4242))
    monkeypatch.setattr(io.os, "fchown", deny)
    with pytest.raises(io.PermissionDeniedError, match="the owner 4242:"):
        io.edit_hosts_file(module, str(hosts_path), present, unsafe_writes=True)
    assert hosts_path.read_bytes() == ORIGINAL
    assert hosts_path.stat().st_ino == inode
    assert listing(hosts_path.parent) == ["hosts"]


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


def test_extended_attributes_survive_the_rename(module, hosts_path):
    os.setxattr(hosts_path, "user.origin", b"hand-made")
    outcome = io.edit_hosts_file(module, str(hosts_path), present)
    assert outcome.method == "rename"
    assert os.getxattr(hosts_path, "user.origin") == b"hand-made"


def test_kept_attribute_that_cannot_be_copied_fails_before_renaming(module, hosts_path, monkeypatch):
    # Stands in for an SELinux label or ACL this user may not set: copystat skips it silently.
    os.setxattr(hosts_path, "user.label", b"net_conf_t")
    monkeypatch.setattr(io, "_KEPT_XATTRS", ("user.label",))

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "setxattr", refuse)
    inode = hosts_path.stat().st_ino
    with pytest.raises(io.PermissionDeniedError, match=r"user\.label attribute"):
        io.edit_hosts_file(module, str(hosts_path), present)
    assert hosts_path.read_bytes() == ORIGINAL
    assert hosts_path.stat().st_ino == inode
    assert listing(hosts_path.parent) == ["hosts"]


def test_new_content_is_synced_before_the_rename_and_the_directory_after(module, hosts_path, monkeypatch):
    events = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(("fsync", "dir" if os.path.isdir(target) else os.path.basename(target)))
        return real_fsync(fd)

    def rename(src, dst, *args, **kwargs):
        events.append(("rename", os.path.basename(os.fsdecode(src))))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    io.edit_hosts_file(module, str(hosts_path), present)
    temp = next(name for kind, name in events if kind == "rename")
    assert temp.startswith(".hosts.") and temp.endswith(".tmp")
    assert events == [("fsync", temp), ("rename", temp), ("fsync", "dir")]


def test_lock_held_by_another_process_times_out(remote_tmp, hosts_path):
    with open(hosts_path, "rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_edit_in_child, args=(str(remote_tmp), str(hosts_path), queue))
        child.start()
        child.join(20)
        kind, message = queue.get(timeout=5)
    assert kind == "LockTimeoutError", message
    assert hosts_path.read_bytes() == ORIGINAL


def _edit_in_child(remote_tmp, path, queue):
    try:
        io.edit_hosts_file(new_module(remote_tmp), path, present, lock_timeout=0.3)
        queue.put(("ok", ""))
    except Exception as err:  # reported to the parent
        queue.put((type(err).__name__, str(err)))


def _drop_privileges():
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def _edit_as_other_user(module, path, unsafe_writes, queue):
    try:
        if os.geteuid() == 0:
            _drop_privileges()
        outcome = io.edit_hosts_file(module, path, present, unsafe_writes=unsafe_writes)
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
@pytest.mark.parametrize("unsafe_writes", [False, True])
def test_permission_denied_names_become(remote_tmp, root_owned_file, check_mode, unsafe_writes):
    module = new_module(remote_tmp, check_mode=check_mode)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_edit_as_other_user, args=(module, str(root_owned_file), unsafe_writes, queue))
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
    assert listing(root_owned_file.parent) == ["hosts"]


def test_file_system_without_locks_edits_with_a_warning(module, hosts_path, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(io.fcntl, "flock", no_locks)
    outcome = io.edit_hosts_file(module, str(hosts_path), present)
    assert outcome.changed
    assert any("no file locking" in warning for warning in outcome.warnings)
