# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sensitive values hidden wherever they appear, as ansible-core hides no_log options."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.common.parameters import remove_values


def text_leaves(value):
    """The text values of a structure, at any depth (numbers and booleans would hide unrelated text)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from text_leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from text_leaves(item)
    elif isinstance(value, str) and value:
        yield value


def masked(data, sensitive):
    """``data`` with every text leaf of ``sensitive`` hidden (ansible-core's remove_values)."""
    hidden = set(text_leaves(sensitive))
    return remove_values(data, hidden) if hidden else data
