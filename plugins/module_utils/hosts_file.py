# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hosts-file model and safe file editing for the ``hosts_entry`` module.

Pure Python (standard library only, no Ansible imports) so it is unit tested
directly.

Two parts:

* The model (:class:`HostsFile`) parses a hosts file into lines and edits only
  the lines that carry our managed-by marker. Every other line -- comments,
  blank lines, tabs or spaces, aliases, order, CRLF endings, a missing final
  newline -- is kept byte for byte. Text is decoded as UTF-8 with
  ``surrogateescape`` so even undecodable bytes survive a round trip.
* The writer (:func:`edit_hosts_file`) runs a read-modify-write under an
  exclusive ``flock`` on the file. It writes a temporary file in the same
  directory and renames it over the original, keeping mode, owner and the
  SELinux context; where a rename is impossible (a bind-mounted ``/etc/hosts``
  in a container, the Windows drive under WSL) or would lose the owner or
  context, it rewrites the file in place, still under the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import ipaddress
import os
import re
import stat
import tempfile
import time

DEFAULT_MARKER = "managed by localdev.kube"

# RFC 1123 label: letters, digits, hyphens; 1-63 chars; no leading/trailing hyphen.
_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_ENTRY_RE = re.compile(r"^(\s*)(\S+)((?:\s+\S+)*)(\s*)$")
_NAME_RE = re.compile(r"(\s+)(\S+)")

# Errors from rename(2) or from creating the temporary file that mean "this
# directory or mount does not allow a replace": fall back to an in-place write.
_NO_RENAME_ERRNOS = frozenset({errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES, errno.EROFS, errno.ETXTBSY})
# flock(2) errors meaning "this file system has no locks": edit unlocked.
_NO_LOCK_ERRNOS = frozenset({errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS})
# Extended attributes copied to the temporary file so a rename keeps them.
_KEPT_XATTRS = ("security.selinux", "system.posix_acl_access")


class HostsFileError(Exception):
    """Base class for errors raised by this module."""


class ValidationError(HostsFileError):
    """A bad option value; ``option`` names the offending option."""

    def __init__(self, option, message):
        super().__init__(f"{option}: {message}")
        self.option = option


class PermissionDeniedError(HostsFileError):
    """The file (or its directory) cannot be read or written by this user."""

    def __init__(self, path, action, cause):
        super().__init__(f"permission denied {action} {path}: {cause}")
        self.path = path
        self.action = action


class LockTimeoutError(HostsFileError):
    """Another process held the lock on the file for too long."""


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def validate_ip(value, option="ip"):
    """Return ``value`` if it is an IPv4 or IPv6 address, else raise ValidationError."""
    if not isinstance(value, str) or not value:
        raise ValidationError(option, f"{value!r} is not an IPv4 or IPv6 address")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError(
            option, f"{value!r} is not a valid IPv4 or IPv6 address (e.g. 192.168.49.2 or fd00::2)"
        ) from None
    return value


def is_hostname(name):
    """True if ``name`` is an RFC 1123 host name (labels of letters, digits, hyphens)."""
    if not isinstance(name, str) or not name or len(name) > 253:
        return False
    if not all(_LABEL_RE.match(label) for label in name.split(".")):
        return False
    # "10.0.0.1" matches the label syntax but is an address, not a name.
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return True
    return False


def validate_names(names, option="names"):
    """Return the names, de-duplicated case-insensitively, or raise ValidationError."""
    if names is None or (isinstance(names, (list, tuple)) and not names):
        raise ValidationError(option, "must list at least one host name")
    if not isinstance(names, (list, tuple)):
        raise ValidationError(option, f"must be a list of host names, got {type(names).__name__}")
    result = []
    seen = set()
    for name in names:
        if not is_hostname(name):
            raise ValidationError(
                option,
                f"{name!r} is not a valid host name (RFC 1123: dot-separated labels of letters, digits "
                "and hyphens, each 1-63 characters, not starting or ending with a hyphen; 253 characters at most)",
            )
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return result


def validate_marker(marker, option="marker"):
    """Return the marker if it can be written as a one-line trailing comment."""
    if not isinstance(marker, str) or not marker.strip():
        raise ValidationError(option, "must be a non-empty string")
    if marker != marker.strip():
        raise ValidationError(option, f"{marker!r} must not start or end with whitespace")
    if "\n" in marker or "\r" in marker:
        raise ValidationError(option, "must be a single line")
    return marker


def same_address(left, right):
    """Compare two addresses as addresses (``::1`` equals ``0:0::1``), else as text."""
    try:
        return ipaddress.ip_address(left) == ipaddress.ip_address(right)
    except ValueError:
        return left.lower() == right.lower()


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------


class Line:
    """One line of a hosts file: its text (without the ending) and its ending."""

    __slots__ = ("address", "comment", "ending", "names", "text")

    def __init__(self, text, ending):
        self.text = text
        self.ending = ending  # "\n", "\r\n" or "" (last line without a final newline)
        body, hash_sign, comment = text.partition("#")
        self.comment = comment if hash_sign else None
        fields = body.split()
        if fields:
            # A UTF-8 byte order mark (Windows editors) is not part of the address.
            self.address = fields[0].lstrip("\ufeff")
            self.names = fields[1:]
        else:
            self.address = None
            self.names = []

    def is_entry(self):
        return self.address is not None and bool(self.names)

    def is_managed(self, marker):
        return self.is_entry() and self.comment is not None and self.comment.strip() == marker

    def has_any(self, wanted_lower):
        return any(name.lower() in wanted_lower for name in self.names)

    def without_names(self, drop_lower):
        """Text of this line with the given names removed, spacing kept; None if no name remains."""
        if all(name.lower() in drop_lower for name in self.names):
            return None
        body, hash_sign, comment = self.text.partition("#")
        match = _ENTRY_RE.match(body)
        lead, address, rest, trail = match.groups()
        pairs = _NAME_RE.findall(rest)
        kept = [name for _sep, name in pairs if name.lower() not in drop_lower]
        # Separators stay in place: "addr<TAB>a b" without "a" is "addr<TAB>b".
        separators = [sep for sep, _name in pairs]
        names = "".join(sep + name for sep, name in zip(separators, kept))
        return lead + address + names + trail + hash_sign + comment

    def __repr__(self):
        return f"Line({self.text!r}, {self.ending!r})"


class EditResult:
    """What an edit did: lines added and removed (text), and conflicting user lines."""

    def __init__(self):
        self.added = []
        self.removed = []
        self.conflicts = []  # (line number, text) of unmanaged lines mapping our names elsewhere

    @property
    def changed(self):
        return bool(self.added or self.removed)


def render_entry(ip, names, marker):
    """The line we write for a mapping."""
    return f"{ip} {' '.join(names)} # {marker}"


class HostsFile:
    """A parsed hosts file that edits only lines carrying the marker."""

    def __init__(self, lines=None, newline=None):
        self.lines = list(lines or [])
        if newline is None:
            # The file's line ending: that of its first terminated line, LF for an empty file.
            newline = next((line.ending for line in self.lines if line.ending), "\n")
        self.newline = newline

    @classmethod
    def parse(cls, text):
        lines = []
        parts = text.split("\n")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                if part:
                    lines.append(Line(part, ""))
                break
            if part.endswith("\r"):
                lines.append(Line(part[:-1], "\r\n"))
            else:
                lines.append(Line(part, "\n"))
        return cls(lines)

    @classmethod
    def from_bytes(cls, data):
        return cls.parse(data.decode("utf-8", "surrogateescape"))

    def render(self):
        return "".join(line.text + line.ending for line in self.lines)

    def to_bytes(self):
        return self.render().encode("utf-8", "surrogateescape")

    def managed(self, marker=DEFAULT_MARKER):
        """The lines carrying the marker."""
        return [line for line in self.lines if line.is_managed(marker)]

    # -- editing -----------------------------------------------------------

    def _remove_at(self, index):
        line = self.lines.pop(index)
        if not line.ending and index == len(self.lines) and self.lines:
            # The file had no final newline: the new last line keeps that trait.
            self.lines[-1].ending = ""
        return line

    def _append(self, text):
        if not self.lines:
            self.lines.append(Line(text, self.newline))
            return
        last = self.lines[-1]
        if last.ending:
            self.lines.append(Line(text, last.ending))
        else:
            # No final newline: put ours after a newline and keep the file unterminated,
            # so removing our line later gives back the original bytes.
            last.ending = self.newline
            self.lines.append(Line(text, ""))

    def ensure_present(self, ip, names, marker=DEFAULT_MARKER, unique=True, force=False):
        """Make exactly one managed line map ``names`` to ``ip``.

        ``unique``: our other lines carrying one of the names lose it (a name
        maps to one address only, e.g. after the cluster IP changed); the new
        line takes the place of the first one replaced.
        ``force``: unmanaged lines mapping one of the names to another address
        lose the name too; otherwise they are reported in ``conflicts``.
        """
        ip = validate_ip(ip)
        names = validate_names(names)
        marker = validate_marker(marker)
        wanted = {name.lower() for name in names}
        result = EditResult()
        found = False
        insert_at = None
        insert_ending = None
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if line.is_managed(marker):
                exact = same_address(line.address, ip) and {n.lower() for n in line.names} == wanted
                if exact and not found:
                    found = True
                    index += 1
                    continue
                if exact or (unique and line.has_any(wanted)):
                    if insert_at is None and not found:
                        insert_at, insert_ending = index, line.ending
                    if self._replace(index, line, wanted, result):
                        index += 1
                    continue
            elif line.is_entry() and line.has_any(wanted) and not same_address(line.address, ip):
                if force:
                    if self._replace(index, line, wanted, result):
                        index += 1
                    continue
                result.conflicts.append((index + 1, line.text))
            index += 1
        if not found:
            text = render_entry(ip, names, marker)
            if insert_at is None or insert_at >= len(self.lines):
                self._append(text)
            else:
                # In place of the line it replaces (only the last line can lack an ending).
                self.lines.insert(insert_at, Line(text, insert_ending or self.newline))
            result.added.append(text)
        return result

    def _replace(self, index, line, drop_lower, result):
        """Drop names from the line at index; remove it if none remain. True if a line stays there."""
        result.removed.append(line.text)
        text = line.without_names(drop_lower)
        if text is None:
            self._remove_at(index)
            return False
        self.lines[index] = Line(text, line.ending)
        result.added.append(text)
        return True

    def ensure_absent(self, names=None, ip=None, marker=DEFAULT_MARKER):
        """Remove ``names`` (all names when None) from our lines (only those for ``ip`` if given)."""
        if names is not None:
            names = validate_names(names)
        if ip is not None:
            ip = validate_ip(ip)
        marker = validate_marker(marker)
        wanted = None if names is None else {name.lower() for name in names}
        result = EditResult()
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if line.is_managed(marker) and (ip is None or same_address(line.address, ip)):
                if wanted is None:
                    result.removed.append(line.text)
                    self._remove_at(index)
                    continue
                if line.has_any(wanted):
                    if self._replace(index, line, wanted, result):
                        index += 1
                    continue
            index += 1
        return result


# --------------------------------------------------------------------------
# Safe file editing
# --------------------------------------------------------------------------


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


def _copy_xattrs(src_path, dst_fd):
    """Copy the SELinux label and ACL to the new file. False if they exist but cannot be copied."""
    if not hasattr(os, "getxattr"):
        return True
    for name in _KEPT_XATTRS:
        try:
            value = os.getxattr(src_path, name)
        except OSError:
            continue  # not set, or no xattr support: nothing to keep
        try:
            if os.getxattr(dst_fd, name) == value:
                continue
        except OSError:
            pass
        try:
            os.setxattr(dst_fd, name, value)
        except OSError:
            return False
    return True


def _write_backup(path, data, st):
    backup = f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S')}~"
    try:
        fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(st.st_mode))
    except PermissionError as err:
        raise PermissionDeniedError(path, "writing a backup of", err) from None
    try:
        _write_all(fd, data)
        with contextlib.suppress(OSError):
            os.fchown(fd, st.st_uid, st.st_gid)
        os.fsync(fd)
    finally:
        os.close(fd)
    return backup


class _RenameImpossible(Exception):
    pass


def _write_by_rename(path, data, st):
    directory, base = os.path.split(path)
    try:
        tmp_fd, tmp_path = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory or ".")
    except OSError as err:
        if err.errno in _NO_RENAME_ERRNOS:
            raise _RenameImpossible(str(err)) from None
        raise
    try:
        try:
            _write_all(tmp_fd, data)
            os.fchmod(tmp_fd, stat.S_IMODE(st.st_mode))
            tmp_st = os.fstat(tmp_fd)
            if (tmp_st.st_uid, tmp_st.st_gid) != (st.st_uid, st.st_gid):
                try:
                    os.fchown(tmp_fd, st.st_uid, st.st_gid)
                except PermissionError:
                    raise _RenameImpossible("cannot keep the owner") from None
            if not _copy_xattrs(path, tmp_fd):
                raise _RenameImpossible("cannot keep the SELinux context or ACL")
            os.fsync(tmp_fd)
        finally:
            os.close(tmp_fd)
        try:
            os.replace(tmp_path, path)
        except OSError as err:
            if err.errno in _NO_RENAME_ERRNOS:
                raise _RenameImpossible(str(err)) from None
            raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise
    try:
        dir_fd = os.open(directory or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass  # best effort: some file systems cannot fsync a directory


def _write_in_place(path, data):
    try:
        fd = os.open(path, os.O_WRONLY)
    except PermissionError as err:
        raise PermissionDeniedError(path, "writing", err) from None
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


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


def edit_hosts_file(path, edit, check_mode=False, backup=False, create=True, lock_timeout=30.0, atomic=True):
    """Read-modify-write ``path`` under an exclusive lock.

    ``edit(hosts)`` mutates a :class:`HostsFile` and returns an :class:`EditResult`.
    ``create``: a missing file is created (empty, mode 0644) when the edit adds lines.
    ``atomic=False`` skips the rename and always writes in place (tests).
    Raises PermissionDeniedError, LockTimeoutError or HostsFileError; the file is
    then unchanged.
    """
    real = os.path.realpath(path)
    outcome = EditOutcome(real)
    fd = None
    created = False
    if check_mode:
        fd = _open_locked(real, False, False, lock_timeout, outcome)[0]
    else:
        # Do not create a missing file before knowing the edit adds something.
        fd = _open_locked(real, True, False, lock_timeout, outcome)[0]
        if fd is None:
            probe = HostsFile()
            if create and edit(probe).changed:
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
        if not outcome.changed or check_mode or fd is None:
            return outcome
        if backup and outcome.existed:
            outcome.backup_file = _write_backup(real, data, st)
        if atomic:
            try:
                _write_by_rename(real, outcome.after, st)
                outcome.method = "rename"
            except _RenameImpossible:
                _write_in_place(real, outcome.after)
                outcome.method = "in-place"
        else:
            _write_in_place(real, outcome.after)
            outcome.method = "in-place"
        return outcome
    finally:
        if fd is not None:
            os.close(fd)
