# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The build context a Docker client sends, and a content digest of it.

A content-addressed image tag must change whenever anything the daemon
receives for ``docker build`` changes, and only then. So this module answers
"which files does the client put in the context tar?" the way the clients do,
and hashes exactly those files.

Two clients matter, and they disagree in corner cases; how each reads
``.dockerignore`` and matches a path is in ``dockerignore.py``. Here each
walks the context the way its client does:

* The Docker CLI (moby): ``archive.TarWithOptions`` with the CLI's matcher,
  parent results carried down, and an excluded directory entered only when an
  exception pattern starts with it. :func:`walk_cli`.
* ``community.docker.docker_image`` (what the ``images`` role builds with):
  the Docker SDK for Python's walk, with ``!<Dockerfile>`` and
  ``!.dockerignore`` always appended. :func:`walk_docker_image`.

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

from ansible_collections.localdev.kube.plugins.module_utils.dockerignore import (
    DockerContextError,
    LegacyPatternMatcher,
    PatternMatcher,
    read_dockerignore,
    read_dockerignore_docker_image,
    trim_build_files_from_excludes,
)

DIGEST_SCHEME = b"localdev-kube/docker-context/v1"
CHUNK = 1024 * 1024
OUTSIDE_DOCKERFILE = ".dockerfile.outside-context"


# --------------------------------------------------------------------------
# Walking the context as each client does
# --------------------------------------------------------------------------


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
