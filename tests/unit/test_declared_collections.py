"""The collection declares exactly the collections its content uses.

Scans what ships in the collection (roles, playbooks, plugins, site.yml) for
modules, action groups, filters, tests, lookups and roles named by FQCN, and
Python imports from ``ansible_collections``; compares them with galaxy.yml's
``dependencies`` and requirements.yml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ["roles", "playbooks", "plugins", "site.yml"]
BUILTIN = {"ansible.builtin", "ansible.legacy", "localdev.kube"}
NAME = r"([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+"
YAML_USES = [
    re.compile(rf"^\s*(?:- )?{NAME}:", re.M),  # a task's module
    re.compile(rf"^\s*(?:- )?name:\s*{NAME}\s*$", re.M),  # a role
    re.compile(rf"group/{NAME}"),  # module_defaults groups
    re.compile(rf"(?:\||\bis\s+(?:not\s+)?)\s*{NAME}"),  # filters and tests
    re.compile(rf"(?:lookup|query)\(\s*['\"]{NAME}"),
]
PY_USES = re.compile(r"ansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)\.")


def collections_used_in(text, python=False):
    if python:
        return {f"{ns}.{name}" for ns, name in PY_USES.findall(text)}
    return {m for pattern in YAML_USES for m in pattern.findall(text)}


def used():
    found = {}
    for entry in CONTENT:
        path = ROOT / entry
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if file.suffix in (".yml", ".yaml", ".j2"):
                names = collections_used_in(file.read_text())
            elif file.suffix == ".py":
                names = collections_used_in(file.read_text(), python=True)
            else:
                continue
            for name in names - BUILTIN:
                found.setdefault(name, []).append(str(file.relative_to(ROOT)))
    return found


def declared():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"] or {}


def test_the_scanner_finds_each_kind_of_use():
    text = """
- name: x
  community.general.ini_file: {}
- name: y
  ansible.builtin.debug:
    msg: "{{ a | community.general.json_query('b') }} {{ c is ansible.utils.in_network('d') }}"
    other: "{{ lookup('community.hashi_vault.hashi_vault', 'e') }}"
  module_defaults:
    group/amazon.aws.aws: {}
- ansible.builtin.import_role:
    name: geerlingguy.mac.homebrew
"""
    assert collections_used_in(text) >= {
        "community.general",
        "ansible.utils",
        "community.hashi_vault",
        "amazon.aws",
        "geerlingguy.mac",
    }
    assert collections_used_in(
        "from ansible_collections.kubernetes.core.plugins.module_utils import x", python=True
    ) == {"kubernetes.core"}
    assert collections_used_in("labels: {app.kubernetes.io/name: x}") == set()


def test_every_collection_used_is_declared():
    undeclared = {name: files for name, files in used().items() if name not in declared()}
    assert not undeclared, f"used but not in galaxy.yml dependencies: {undeclared}"


def test_every_declared_collection_is_used():
    assert sorted(declared()) == sorted(used()), "galaxy.yml declares a collection nothing uses"


def test_requirements_yml_matches_galaxy_yml():
    wanted = {
        c["name"]: c.get("version", "*") for c in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]
    }
    assert wanted == declared()


@pytest.mark.parametrize("name", sorted(declared()))
def test_each_dependency_has_a_minimum_version(name):
    # A maximum only where private module_utils are imported (community.docker's).
    assert re.match(r"^>=\d+\.\d+\.\d+(,<\d+\.0\.0)?$", declared()[name])
