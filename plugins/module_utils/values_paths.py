# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dotted paths into a chart's values (``image.api``, ``postgresql.auth.password``)."""

from __future__ import annotations

import re

_PATH = re.compile(r"[^.\s]+(\.[^.\s]+)*")


def is_values_path(path) -> bool:
    return isinstance(path, str) and bool(_PATH.fullmatch(path))


def overlaps(paths: dict) -> list:
    """(name, problem) for each path that is another's, or inside it: the two would overwrite each other."""
    items = sorted(paths.items(), key=lambda item: item[1])
    return [
        (second, f"path {b} overlaps {first}'s path {a}")
        for index, (first, a) in enumerate(items)
        for second, b in items[index + 1 :]
        if a == b or b.startswith(a + ".")
    ]


def place(values: dict, path: str, leaf) -> None:
    """Set ``leaf`` at the dotted ``path`` of ``values``, creating the mappings on the way."""
    *parents, last = path.split(".")
    node = values
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = leaf
