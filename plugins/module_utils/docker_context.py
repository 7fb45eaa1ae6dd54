# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The build context community.docker.docker_image sends, and a content digest of it.

A content-addressed image tag must change whenever anything the daemon
receives for the build changes, and only then. The images role builds with
``community.docker.docker_image``, so the files hashed are the ones that
module puts in the context tar, found by community.docker's own code
(``exclude_paths``, its port of the Docker SDK for Python's walk): there is
no second ``.dockerignore`` matcher here to disagree with the build. Only the
reading of ``.dockerignore`` is repeated, because docker_image does it inline
(:func:`read_dockerignore`).

The Docker CLI (moby) reads some patterns differently (comments, case, odd
brackets); those cases are listed in tests/unit/test_docker_context.py and
checked against the real CLI in test_docker_context_cli.py. They do not
matter to the tag: the CLI does not build these images.

Paths are ``/``-separated and relative to the context (POSIX controllers).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat

# Private to community.docker (a declared dependency, pinned to a major
# version in galaxy.yml): using it keeps the tag's file list the build's own.
from ansible_collections.community.docker.plugins.module_utils._api.utils.build import exclude_paths

DIGEST_SCHEME = b"localdev-kube/docker-context/v1"
CHUNK = 1024 * 1024
# Outside the context, docker_image adds the Dockerfile under a random name: no context file matches it.
OUTSIDE_DOCKERFILE = ".dockerfile.outside-context"


class DockerContextError(Exception):
    """A context that cannot be hashed (and that Docker could not send either)."""


def read_dockerignore(root):
    """The .dockerignore patterns as docker_image reads them: stripped lines, blanks and comments dropped."""
    path = os.path.join(root, ".dockerignore")
    if not os.path.isfile(path):
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle.read().splitlines()]
    except (OSError, UnicodeDecodeError) as err:
        raise DockerContextError(f"cannot read {path} as UTF-8 text (docker_image could not either): {err}") from err
    return [line for line in lines if line and not line.startswith("#")]


def sent_paths(root, patterns, dockerfile_rel):
    """Paths (files, directories, links) docker_image puts in the context tar, sorted by their bytes."""
    try:
        found = exclude_paths(root, list(patterns), dockerfile=dockerfile_rel or OUTSIDE_DOCKERFILE)
    except OSError as err:
        raise DockerContextError(f"cannot read the context {root}: {err}") from err
    return sorted(found, key=os.fsencode)


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
        return None, 0  # Docker does not send sockets
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
    regular files), dockerfile (absolute path), dockerfile_in_context and
    patterns (as docker_image reads them).
    """
    root = os.path.abspath(root)
    if not os.path.isdir(root):
        raise DockerContextError(f"build context {root} is not a directory")
    dockerfile_path, dockerfile_rel = _dockerfile_location(root, dockerfile)
    if not os.path.isfile(dockerfile_path):
        raise DockerContextError(f"Dockerfile {dockerfile_path} does not exist")

    patterns = read_dockerignore(root)
    entries = sent_paths(root, patterns, dockerfile_rel)

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
        "patterns": patterns,
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
