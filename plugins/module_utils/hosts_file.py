# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The hosts-file model of the ``hosts_entry`` module: validation, parsing, editing.

Pure Python (standard library only, no Ansible imports) so it is unit tested
directly. The locked read and write of the file is in ``hosts_file_io``.

:class:`HostsFile` parses a hosts file into lines and edits only the lines that
carry our managed-by marker. Every other line -- comments, blank lines, tabs or
spaces, aliases, order, CRLF endings, a missing final newline -- is kept byte
for byte. Text is decoded as UTF-8 with ``surrogateescape`` so even undecodable
bytes survive a round trip.
"""

from __future__ import annotations

import ipaddress
import re

DEFAULT_MARKER = "managed by localdev.kube"

# RFC 1123 label: letters, digits, hyphens; 1-63 chars; no leading/trailing hyphen.
_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_ENTRY_RE = re.compile(r"^(\s*)(\S+)((?:\s+\S+)*)(\s*)$")
_NAME_RE = re.compile(r"(\s+)(\S+)")


class HostsFileError(Exception):
    """Base class for the errors of the hosts-file model and writer."""


class ValidationError(HostsFileError):
    """A bad option value; ``option`` names the offending option."""

    def __init__(self, option, message):
        super().__init__(f"{option}: {message}")
        self.option = option


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
