# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How Docker clients read ``.dockerignore`` and match paths against it.

Two clients matter, and they disagree in corner cases:

* The Docker CLI (moby): ``.dockerignore`` is read by ``ignorefile.ReadAll``
  (comment only when ``#`` is the first byte, whitespace trimmed, each pattern
  ``filepath.Clean``-ed, a leading ``/`` dropped; :func:`read_dockerignore`),
  the Dockerfile and ``.dockerignore`` are re-included when a pattern excludes
  them (``TrimBuildFilesFromExcludes``; :func:`trim_build_files_from_excludes`),
  and paths are matched by ``patternmatcher.MatchesUsingParentResults``: a
  pattern matches a path when it matches the path or one of its parent
  directories, the last matching pattern wins, ``!`` patterns re-include, and an
  excluded directory is not entered unless an exception pattern starts with
  that directory (``dir/``). Implemented by :class:`PatternMatcher`.
* ``community.docker.docker_image`` (what the ``images`` role builds with),
  whose context code comes from the Docker SDK for Python: lines trimmed before
  the comment check (:func:`read_dockerignore_docker_image`), case-insensitive
  matching, parent directories compared only at the pattern's own depth,
  ``!.dockerignore`` always appended. Implemented by
  :class:`LegacyPatternMatcher`.

Only strings here: walking a directory with these matchers and hashing what
they let through is ``docker_context.py``.
"""

from __future__ import annotations

import os
import re
import warnings


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
