# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The build context a Docker client sends, and a content digest of it.

A content-addressed image tag must change whenever anything the daemon
receives for ``docker build`` changes, and only then. So this module answers
"which files does the client put in the context tar?" the way the clients do,
and hashes exactly those files.

Two clients matter, and they disagree in corner cases:

* The Docker CLI (moby): ``.dockerignore`` is read by ``ignorefile.ReadAll``
  (comment only when ``#`` is the first byte, whitespace trimmed, each pattern
  ``filepath.Clean``-ed, a leading ``/`` dropped), the Dockerfile and
  ``.dockerignore`` are re-included when a pattern excludes them
  (``TrimBuildFilesFromExcludes``), and the context tar is walked by
  ``archive.TarWithOptions`` with ``patternmatcher.MatchesUsingParentResults``:
  a pattern matches a path when it matches the path or one of its parent
  directories, the last matching pattern wins, ``!`` patterns re-include, and an
  excluded directory is not entered unless an exception pattern starts with
  that directory (``dir/``). Implemented by :class:`PatternMatcher` and
  :func:`walk_cli`.
* ``community.docker.docker_image`` (what the ``images`` role builds with),
  whose context code comes from the Docker SDK for Python: lines trimmed before
  the comment check, case-insensitive matching, parent directories compared
  only at the pattern's own depth, ``!<Dockerfile>`` and ``!.dockerignore``
  always appended. Implemented by :class:`LegacyPatternMatcher` and
  :func:`walk_docker_image`.

The digest covers the union of both file sets, so whichever client builds, no
file it sends is left out of the tag (a file only one of them sends costs at
most one needless rebuild, never a stale image). :func:`context_digest` returns
the paths on which the two disagree.

Paths are ``/``-separated and relative to the context (POSIX controllers; the
Docker CLI's Windows path handling is not modelled).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import warnings

DIGEST_SCHEME = b"localdev-kube/docker-context/v1"
CHUNK = 1024 * 1024
OUTSIDE_DOCKERFILE = ".dockerfile.outside-context"


class DockerContextError(Exception):
    """The context cannot be read, or .dockerignore holds a pattern Docker rejects."""


# --------------------------------------------------------------------------
# Reading .dockerignore
# --------------------------------------------------------------------------


def go_clean(path):
    """Go's ``path/filepath.Clean`` for ``/``-separated paths."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def _decode(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "surrogateescape")
    return data


def _lines(text):
    """Lines the way Go's bufio.Scanner (ScanLines) splits them: on \\n, dropping one \\r before it."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_dockerignore(data):
    """Patterns from .dockerignore content, as the Docker CLI reads them (moby ``ignorefile.ReadAll``)."""
    text = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    patterns = []
    for line in _lines(text):
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


def read_dockerignore_docker_image(data):
    """Patterns from .dockerignore content, as community.docker.docker_image reads them."""
    text = _decode(data)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


# --------------------------------------------------------------------------
# The Docker CLI's matcher (moby patternmatcher)
# --------------------------------------------------------------------------

_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"
_GO_REGEX_ESCAPED = frozenset(".+()|{}$")


def check_pattern_syntax(pattern):
    """Raise DockerContextError where Go's filepath.Match reports ErrBadPattern (moby validates with it)."""
    bad = DockerContextError(f"syntax error in .dockerignore pattern {pattern!r}")
    n = len(pattern)

    def escaped_char(i):
        # getEsc: one (possibly escaped) character of a range; something must follow it.
        if i >= n or pattern[i] in "-]":
            raise bad
        if pattern[i] == "\\":
            i += 1
            if i >= n:
                raise bad
        i += 1
        if i >= n:
            raise bad
        return i

    i = 0
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= n:
                raise bad
            i += 2
        elif char == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < n and pattern[i] == "]" and ranges > 0:
                    i += 1
                    break
                i = escaped_char(i)
                if pattern[i] == "-":
                    i = escaped_char(i + 1)
                ranges += 1
        else:
            i += 1


def _python_regex(go_regex):
    """Make the regexp moby builds mean the same to Python's re (literal '[' inside a class)."""
    out = []
    in_class = False
    class_start = 0
    i = 0
    while i < len(go_regex):
        char = go_regex[i]
        if char == "\\" and i + 1 < len(go_regex):
            out.append(go_regex[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "]" and i > class_start:
                in_class = False
            elif char in "[&~|":
                char = "\\" + char
        elif char == "[":
            in_class = True
            class_start = i + 1
            if go_regex[i + 1 : i + 2] == "^":
                out.append("[^")
                i += 2
                class_start = i
                continue
        out.append(char)
        i += 1
    return "".join(out)


class Pattern:
    """One .dockerignore pattern with moby's matching rules."""

    def __init__(self, text):
        text = go_clean(text.strip())
        self.exclusion = text.startswith("!")
        if self.exclusion:
            if len(text) == 1:
                raise DockerContextError('illegal exclusion pattern: "!"')
            text = text[1:]
        check_pattern_syntax(text)
        self.cleaned = text
        self._kind = None
        self._regex = None

    def __repr__(self):
        return f"Pattern({'!' if self.exclusion else ''}{self.cleaned})"

    def _compile(self):
        regex = ""
        kind = _EXACT
        text = self.cleaned
        pos = 0
        first = True
        while pos < len(text):
            char = text[pos]
            pos += 1
            if char == "*":
                if pos < len(text) and text[pos] == "*":
                    pos += 1
                    if pos < len(text) and text[pos] == "/":
                        pos += 1
                    if pos >= len(text):
                        if kind == _EXACT:
                            kind = _PREFIX
                        else:
                            regex += ".*"
                            kind = _REGEXP
                    else:
                        regex += "(.*/)?"
                        kind = _REGEXP
                    if first:
                        kind = _SUFFIX
                else:
                    regex += "[^/]*"
                    kind = _REGEXP
            elif char == "?":
                regex += "[^/]"
                kind = _REGEXP
            elif char in _GO_REGEX_ESCAPED:
                regex += "\\" + char
            elif char == "\\":
                if pos < len(text):
                    regex += "\\" + text[pos]
                    pos += 1
                    kind = _REGEXP
                else:
                    regex += "\\\\"
            elif char in "[]":
                regex += char
                kind = _REGEXP
            else:
                regex += char
            first = False
        if kind == _REGEXP:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FutureWarning)
                    self._regex = re.compile(_python_regex(regex), re.DOTALL)
            except re.error as err:
                raise DockerContextError(f"syntax error in .dockerignore pattern {self.cleaned!r}: {err}") from err
        self._kind = kind

    def match(self, path):
        if self._kind is None:
            self._compile()
        if self._kind == _EXACT:
            return path == self.cleaned
        if self._kind == _PREFIX:
            return path.startswith(self.cleaned[:-2])
        if self._kind == _SUFFIX:
            suffix = self.cleaned[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        return self._regex.fullmatch(path) is not None


class PatternMatcher:
    """moby's PatternMatcher: ordered patterns, last match wins, ``!`` re-includes."""

    def __init__(self, patterns):
        self.patterns = [Pattern(p) for p in patterns if p.strip()]
        self.exclusions = any(p.exclusion for p in self.patterns)

    def matches(self, path):
        """MatchesOrParentMatches: is ``path`` excluded (by itself or a parent directory)?"""
        return self.matches_using_parent_results(path, None)[0]

    def matches_using_parent_results(self, path, parent_matched):
        """MatchesUsingParentResults. parent_matched: the list this returned for the parent, or None."""
        excluded = False
        matched = []
        for index, pattern in enumerate(self.patterns):
            match = bool(parent_matched and parent_matched[index])
            if not match:
                # moby skips an include pattern once excluded, and an exception until excluded.
                if pattern.exclusion != excluded:
                    matched.append(False)
                    continue
                match = pattern.match(path)
                if not match and parent_matched is None and "/" in path:
                    parents = path.split("/")[:-1]
                    match = any(pattern.match("/".join(parents[: i + 1])) for i in range(len(parents)))
            matched.append(match)
            if match:
                excluded = not pattern.exclusion
        return excluded, matched

    def may_hold_exceptions(self, directory):
        """Whether an excluded directory must still be walked: an exception pattern starts with it."""
        prefix = directory + "/"
        return any(p.exclusion and (p.cleaned + "/").startswith(prefix) for p in self.patterns)


def trim_build_files_from_excludes(patterns, dockerfile):
    """The CLI re-includes .dockerignore and the Dockerfile when the patterns exclude them."""
    patterns = list(patterns)
    if PatternMatcher(patterns).matches(".dockerignore"):
        patterns.append("!.dockerignore")
    if dockerfile and PatternMatcher(patterns).matches(dockerfile):
        patterns.append("!" + dockerfile)
    return patterns


def _listdir(directory):
    try:
        return sorted(os.listdir(directory))
    except OSError as err:
        raise DockerContextError(f"cannot read directory {directory}: {err.strerror}") from err


def _is_real_dir(path):
    return os.path.isdir(path) and not os.path.islink(path)


def walk_cli(root, patterns):
    """Paths (files, directories, links) the Docker CLI puts in the context tar, sorted."""
    matcher = PatternMatcher(patterns)
    found = []

    def visit(rel_dir, parent_matched):
        for name in _listdir(os.path.join(root, rel_dir) if rel_dir else root):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            is_dir = _is_real_dir(os.path.join(root, rel))
            excluded, matched = matcher.matches_using_parent_results(rel, parent_matched)
            if excluded:
                if is_dir and matcher.exclusions and matcher.may_hold_exceptions(rel):
                    visit(rel, matched)
                continue
            found.append(rel)
            if is_dir:
                visit(rel, matched)

    visit("", None)
    return found


# --------------------------------------------------------------------------
# community.docker.docker_image's matcher (from the Docker SDK for Python)
# --------------------------------------------------------------------------


def _split(path):
    return [part for part in path.split("/") if part and part != "."]


def _shell_regex(pattern):
    """The Docker SDK's fnmatch translation: * and ? stop at '/', ** crosses it, [..] classes."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        i += 1
        if char == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = i
            if end < n and pattern[end] == "!":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                end += 1
            if end >= n:
                out.append("\\[")
                continue
            body = pattern[i:end].replace("\\", "\\\\")
            i = end + 1
            if body.startswith("!"):
                body = "^" + body[1:]
            elif body.startswith("^"):
                body = "\\" + body
            out.append("[" + body + "]")
        else:
            out.append(re.escape(char))
    return "^" + "".join(out) + "$"


class LegacyPattern:
    def __init__(self, text):
        self.exclusion = text.startswith("!")
        if self.exclusion:
            text = text[1:]
        parts = _split(text.strip())
        i = 0
        while i < len(parts):
            if parts[i] == "..":
                del parts[i]
                if i > 0:
                    del parts[i - 1]
                    i -= 1
            else:
                i += 1
        self.dirs = parts
        self.cleaned = "/".join(parts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            try:
                self._regex = re.compile(_shell_regex(self.cleaned.lower()))
            except re.error as err:
                raise DockerContextError(f"syntax error in .dockerignore pattern {text!r}: {err}") from err

    def match(self, path):
        return self._regex.match(path.lower()) is not None


class LegacyPatternMatcher:
    def __init__(self, patterns):
        self.patterns = [p for p in (LegacyPattern(text) for text in patterns) if p.dirs]
        self.patterns.append(LegacyPattern("!.dockerignore"))

    def matches(self, path):
        excluded = False
        parent = os.path.dirname(path)
        parents = _split(parent)
        for pattern in self.patterns:
            match = pattern.match(path)
            if not match and parent and len(pattern.dirs) <= len(parents):
                match = pattern.match("/".join(parents[: len(pattern.dirs)]))
            if match:
                excluded = not pattern.exclusion
        return excluded


def walk_docker_image(root, patterns, dockerfile="Dockerfile"):
    """Paths community.docker.docker_image puts in the context tar, sorted."""
    matcher = LegacyPatternMatcher([*patterns, "!" + (dockerfile or "Dockerfile")])
    found = []

    def visit(rel_dir):
        for name in _listdir(os.path.join(root, rel_dir) if rel_dir else root):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            excluded = matcher.matches(rel)
            if not excluded:
                found.append(rel)
            if not _is_real_dir(os.path.join(root, rel)):
                continue
            if excluded and not any(p.exclusion and p.cleaned.startswith(rel) for p in matcher.patterns):
                continue
            visit(rel)

    visit("")
    return sorted(found)


# --------------------------------------------------------------------------
# The digest
# --------------------------------------------------------------------------


def _file_sha256(path):
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
    except OSError as err:
        raise DockerContextError(f"cannot read {path}: {err.strerror} (Docker could not send it either)") from err
    return digest.hexdigest()


def _entry_record(root, rel):
    """One context entry as bytes: type, permission bits, path, and content digest or link target."""
    full = os.path.join(root, rel)
    try:
        info = os.lstat(full)
    except OSError as err:
        raise DockerContextError(f"cannot stat {full}: {err.strerror}") from err
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISREG(info.st_mode):
        kind, payload, size = b"f", _file_sha256(full).encode(), info.st_size
    elif stat.S_ISDIR(info.st_mode):
        kind, payload, size = b"d", b"", 0
    elif stat.S_ISLNK(info.st_mode):
        kind, payload, size = b"l", os.fsencode(os.readlink(full)), 0
    elif stat.S_ISSOCK(info.st_mode):
        return None, 0  # neither client sends sockets
    else:
        kind, payload, size = b"o", b"", 0
    record = b"\0".join([kind, b"%o" % mode, os.fsencode(rel), payload]) + b"\n"
    return record, size


def _dockerfile_location(root, dockerfile):
    """(absolute path, path relative to the context or None when outside it)."""
    dockerfile = dockerfile or "Dockerfile"
    full = dockerfile if os.path.isabs(dockerfile) else os.path.join(root, dockerfile)
    full = os.path.normpath(full)
    rel = os.path.relpath(full, root)
    if rel == ".." or rel.startswith("../"):
        return full, None
    return full, rel


def _canonical_args(build_args):
    # docker_image sends every value as text (to_text), so 1 and "1" build the same image.
    return {str(key): "" if value is None else _text(value) for key, value in (build_args or {}).items()}


def _text(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def context_digest(root, dockerfile="Dockerfile", build_args=None, target=None, extra=None):
    """Digest of everything that decides the image: the context as sent, the Dockerfile, args, target.

    Returns a dict: digest (sha256 hex), entries (paths hashed), size (bytes of
    regular files), dockerfile (absolute path), dockerfile_in_context,
    patterns (as the CLI reads them), divergent (paths only one client sends).
    """
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise DockerContextError(f"build context {root} is not a directory")
    dockerfile_path, dockerfile_rel = _dockerfile_location(root, dockerfile)
    if not os.path.isfile(dockerfile_path):
        raise DockerContextError(f"Dockerfile {dockerfile_path} does not exist")

    ignore_file = os.path.join(root, ".dockerignore")
    raw = b""
    if os.path.isfile(ignore_file):
        try:
            with open(ignore_file, "rb") as handle:
                raw = handle.read()
        except OSError as err:
            raise DockerContextError(f"cannot read {ignore_file}: {err.strerror}") from err
    cli_patterns = trim_build_files_from_excludes(read_dockerignore(raw), dockerfile_rel)
    cli = walk_cli(root, cli_patterns)
    # Outside the context, docker_image adds the Dockerfile under a random name: no context file matches it.
    sdk = walk_docker_image(root, read_dockerignore_docker_image(raw), dockerfile_rel or OUTSIDE_DOCKERFILE)
    entries = sorted(set(cli) | set(sdk), key=os.fsencode)

    digest = hashlib.sha256(DIGEST_SCHEME + b"\n")
    size = 0
    hashed = []
    for rel in entries:
        record, entry_size = _entry_record(root, rel)
        if record is None:
            continue
        digest.update(record)
        size += entry_size
        hashed.append(rel)
    digest.update(b"dockerfile\0" + os.fsencode(dockerfile_rel or "") + b"\0")
    digest.update(_file_sha256(dockerfile_path).encode() + b"\n")
    settings = {"build_args": _canonical_args(build_args), "target": target or "", "extra": extra or {}}
    digest.update(json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str).encode() + b"\n")
    return {
        "digest": digest.hexdigest(),
        "entries": hashed,
        "size": size,
        "dockerfile": dockerfile_path,
        "dockerfile_in_context": dockerfile_rel is not None,
        "patterns": read_dockerignore(raw),
        "divergent": sorted(set(cli) ^ set(sdk)),
    }


# A tag made only of digits, or of digits around one "e", is read as a number
# by YAML (Helm's values, for one), and a chart would then get 1.2e+457
# instead of the tag.
_NUMBER_LIKE = re.compile(r"^[0-9]+([eE][0-9]+)?$")


def short_tag(digest, length):
    """The first ``length`` hex digits of ``digest`` that YAML cannot read as a number.

    Almost always the digest's prefix; for the rare prefix that looks like a
    number, the next window of the digest that does not (still deterministic).
    """
    for start in range(len(digest) - length + 1):
        window = digest[start : start + length]
        if not _NUMBER_LIKE.match(window):
            return window
    raise DockerContextError("the digest has no window usable as a tag")
