# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Locked read-modify-write of a hosts file for the ``hosts_entry`` module.

:func:`edit_hosts_file` holds an exclusive ``flock`` on the file from the read
to the write, so concurrent runs lose no edit, and notices when another writer
renamed a new file into place while it waited for the lock.

The writing itself is ansible-core's: the new content goes to a temporary file
next to the original and ``AnsibleModule.atomic_move`` renames it into place,
keeping mode, owner and SELinux context; with ``unsafe_writes`` it rewrites the
file in place where a rename is impossible (``/etc/hosts`` bind-mounted into a
container answers ``EBUSY``). Backups are ``AnsibleModule.backup_local``'s.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import time

from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import EditResult, HostsFile, HostsFileError

# flock(2) errors meaning "this file system has no locks": edit unlocked.
_NO_LOCK_ERRNOS = frozenset({errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS})
# Errors creating a file in the hosts file's directory: nothing can be renamed over it from there.
_NO_NEW_FILE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
# Errors of rename(2) meaning "this file cannot be replaced" rather than "no permission".
_NO_RENAME_ERRNOS = frozenset({errno.EBUSY, errno.EXDEV, errno.ETXTBSY})
# Extended attributes a replacement must carry: the SELinux label and the access ACL.
_KEPT_XATTRS = ("security.selinux", "system.posix_acl_access")


class PermissionDeniedError(HostsFileError):
    """This user may not do what the edit needs (read, create, write, keep the owner ...)."""

    def __init__(self, path, action, cause):
        super().__init__(f"permission denied {action} {path}: {cause}")
        self.path = path
        self.action = action


class LockTimeoutError(HostsFileError):
    """Another process held the lock on the file for too long."""


class RenameImpossibleError(HostsFileError):
    """The file cannot be replaced by a rename, and unsafe_writes does not allow an in-place write."""

    def __init__(self, path, reason):
        super().__init__(f"{path} cannot be replaced by renaming a new file over it: {reason}")
        self.path = path
        self.reason = reason


class EditOutcome:
    """Result of :func:`edit_hosts_file`."""

    def __init__(self, path):
        self.path = path
        self.before = b""
        self.after = b""
        self.existed = True
        self.result = EditResult()
        self.backup_file = None
        self.method = None  # "rename" or "in-place" once written
        self.unlocked = False
        self.warnings = []

    @property
    def changed(self):
        return self.before != self.after


# --------------------------------------------------------------------------
# Lock and read
# --------------------------------------------------------------------------


def _lock(fd, operation, timeout):
    """flock with a timeout. Returns False if the file system has no locks."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return True
        except OSError as err:
            if err.errno in _NO_LOCK_ERRNOS:
                return False
            if err.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
        if time.monotonic() >= deadline:
            raise LockTimeoutError(f"timed out after {timeout}s waiting for the lock on the file")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _open_locked(path, exclusive, create, timeout, outcome):
    """Open and lock the file that is at ``path`` now. Returns (fd, created) or (None, False) if missing."""
    operation = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    for _attempt in range(100):
        created = False
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            if not create:
                return None, False
            directory = os.path.dirname(path) or "."
            if not os.path.isdir(directory):
                raise HostsFileError(f"cannot create {path}: directory {directory} does not exist") from None
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o644)
                created = True
            except FileExistsError:
                continue  # another process created it: open that one
            except PermissionError as err:
                raise PermissionDeniedError(path, "creating", err) from None
        except PermissionError as err:
            raise PermissionDeniedError(path, "reading", err) from None
        try:
            if not _lock(fd, operation, timeout) and not outcome.unlocked:
                outcome.unlocked = True
                outcome.warnings.append(f"{path}: the file system has no file locking; edited without a lock")
            # Whoever held the lock may have renamed a new file into place: lock that one instead.
            held = os.fstat(fd)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
                return fd, created
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise HostsFileError(f"{path} kept being replaced while waiting for its lock")


# --------------------------------------------------------------------------
# Write, through AnsibleModule's file helpers
# --------------------------------------------------------------------------


def _cause(exc):
    """The OSError behind an exception of atomic_move or backup_local (they wrap it in a plain Exception)."""
    while exc is not None:
        if isinstance(exc, OSError):
            return exc
        exc = exc.__cause__
    return None


def _helper_error(exc, path, action):
    """A HostsFileError for an exception raised by one of AnsibleModule's file helpers."""
    cause = _cause(exc)
    if isinstance(cause, PermissionError):
        return PermissionDeniedError(path, action, cause)
    if cause is not None and cause.errno in _NO_RENAME_ERRNOS:
        name = errno.errorcode.get(cause.errno, str(cause.errno))
        return RenameImpossibleError(path, f"rename(2) answered {name} ({cause.strerror})")
    if cause is None or cause is exc:
        return HostsFileError(f"{action} {path} failed: {exc}")
    return HostsFileError(f"{exc} ({cause})")


def _xattr(path, name):
    try:
        return os.getxattr(path, name)
    except (AttributeError, OSError):  # no xattrs on this platform or file system, or not set
        return None


def _keep_identity(path, tmp_path, tmp_fd, st):
    """Give the replacement the owner, mode and extended attributes of ``path``, or raise.

    atomic_move does this too but carries on where it may not (it ignores EPERM
    from chown, and shutil.copystat skips attributes it cannot set), so the
    renamed file could silently change owner, SELinux label or ACL. A hosts
    file that does should fail the edit instead, before anything is renamed.
    """
    tmp_st = os.fstat(tmp_fd)
    if (tmp_st.st_uid, tmp_st.st_gid) != (st.st_uid, st.st_gid):
        try:
            os.fchown(tmp_fd, st.st_uid, st.st_gid)
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.EINVAL):
                raise
            owner = f"{st.st_uid}:{st.st_gid}"
            raise PermissionDeniedError(path, f"giving the new file the owner {owner} of", err) from None
    shutil.copystat(path, tmp_path)
    for name in _KEPT_XATTRS:
        wanted = _xattr(path, name)
        if wanted is not None and _xattr(tmp_path, name) != wanted:
            raise PermissionDeniedError(path, f"giving the new file the {name} attribute of", "it was not copied")


def _atomic_move(module, src, path, unsafe_writes):
    try:
        module.atomic_move(src, path, unsafe_writes=unsafe_writes)
    except Exception as exc:  # an OSError, or an Exception raised from one when it cannot write
        raise _helper_error(exc, path, "replacing") from None


def _write_in_place_only(module, path, data, reason, unsafe_writes):
    """Write ``data`` where no new file can be made next to ``path``: in place, if allowed."""
    # An in-place write needs write access to the file itself: say so before anything else.
    try:
        os.close(os.open(path, os.O_WRONLY))
    except PermissionError as err:
        raise PermissionDeniedError(path, "writing", err) from None
    if not unsafe_writes:
        raise RenameImpossibleError(path, reason)
    # atomic_move writes in place when it cannot make its own file next to the
    # destination; hand it the content from the module's temporary directory.
    fd, src = tempfile.mkstemp(prefix="hosts.", dir=module.tmpdir)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        _atomic_move(module, src, path, True)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(src)


def _write(module, path, data, st, unsafe_writes):
    """Replace the content of ``path`` (whose stat is ``st``) with ``data``."""
    directory, base = os.path.split(path)
    try:
        tmp_fd, tmp_path = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    except OSError as err:
        if err.errno not in _NO_NEW_FILE_ERRNOS:
            raise
        reason = f"no new file can be made in {directory} ({err.strerror})"
        _write_in_place_only(module, path, data, reason, unsafe_writes)
        return
    try:
        try:
            _write_all(tmp_fd, data)
            # atomic_move does not sync: without this a crash soon after the
            # rename can leave an empty hosts file on some file systems.
            os.fsync(tmp_fd)
            _keep_identity(path, tmp_path, tmp_fd, st)
        finally:
            os.close(tmp_fd)
        _atomic_move(module, tmp_path, path, unsafe_writes)
    finally:
        # atomic_move moves it away on success; after an error it may still be here.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)


def _sync(path, fd, method):
    """Make the write durable (best effort): atomic_move syncs neither the file nor the directory."""
    with contextlib.suppress(OSError):
        if method == "in-place":
            os.fsync(fd)  # the locked descriptor is the rewritten file
            return
        dir_fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself
        finally:
            os.close(dir_fd)


def _backup(module, path):
    try:
        return module.backup_local(path)
    except Exception as exc:  # backup_local raises Exception (from the OSError)
        raise _helper_error(exc, path, "writing a backup of") from None


def edit_hosts_file(module, path, edit, backup=False, create=True, lock_timeout=30.0, unsafe_writes=False):
    """Read-modify-write ``path`` under an exclusive lock, through ``module``'s file helpers.

    ``edit(hosts)`` mutates a :class:`HostsFile` and returns an :class:`EditResult`.
    In ``module.check_mode`` nothing is written (the file is read under a shared lock).
    ``create``: a missing file is created (empty, mode 0644) when the edit adds lines.
    ``unsafe_writes``: where a rename over the file is impossible, rewrite it in place.
    Raises PermissionDeniedError (its ``outcome`` says what the edit would
    change, when the file could be read), LockTimeoutError,
    RenameImpossibleError or HostsFileError; the file is then unchanged.
    """
    real = os.path.realpath(path)
    outcome = EditOutcome(real)
    try:
        return _edit_locked(module, real, edit, outcome, backup, create, lock_timeout, unsafe_writes)
    except PermissionDeniedError as err:
        # What the edit would change, when the file could be read: the caller can
        # retry as root, or tell someone with the right to make that change.
        err.outcome = outcome
        raise


def _edit_locked(module, real, edit, outcome, backup, create, lock_timeout, unsafe_writes):
    fd = None
    created = False
    if module.check_mode:
        fd = _open_locked(real, False, False, lock_timeout, outcome)[0]
    else:
        # Do not create a missing file before knowing the edit adds something.
        fd = _open_locked(real, True, False, lock_timeout, outcome)[0]
        if fd is None:
            probe = HostsFile()
            outcome.result = edit(probe)
            outcome.after = probe.to_bytes()
            if create and outcome.result.changed:
                fd, created = _open_locked(real, True, True, lock_timeout, outcome)
    try:
        if fd is None:
            outcome.existed = False
            data = b""
        else:
            st = os.fstat(fd)
            data = _read_all(fd)
            outcome.existed = not created or bool(data)
        hosts = HostsFile.from_bytes(data)
        outcome.result = edit(hosts)
        outcome.before = data
        outcome.after = hosts.to_bytes()
        if not outcome.changed or module.check_mode or fd is None:
            return outcome
        if backup and outcome.existed:
            outcome.backup_file = _backup(module, real)
        _write(module, real, outcome.after, st, unsafe_writes)
        # atomic_move does not say which way it wrote: the inode does.
        now = os.stat(real)
        outcome.method = "in-place" if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino) else "rename"
        _sync(real, fd, outcome.method)
        return outcome
    finally:
        if fd is not None:
            os.close(fd)
