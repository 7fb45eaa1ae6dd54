"""Each role's defaults, argument specs and README variable table name the same variables.

A variable added to defaults/main.yml but not to meta/argument_specs.yml is
not validated; one missing from the README is undocumented. Variables the
role reads without a default (inputs from another role's facts) are in the
specs and the README only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())


def spec_options(role):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return {name for entry in specs.values() for name in (entry.get("options") or {})}


def defaults(role):
    path = ROOT / "roles" / role / "defaults" / "main.yml"
    return {k for k in (yaml.safe_load(path.read_text()) or {}) if not k.startswith("__")} if path.exists() else set()


def readme_table(role):
    text = (ROOT / "roles" / role / "README.md").read_text()
    section = re.search(r"^## Variables\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"roles/{role}/README.md has no '## Variables' section"
    rows = [line for line in section.group(1).splitlines() if line.startswith("|")]
    # The role's own variables, and the facts of other roles it reads (toolchain_platform).
    prefixes = "|".join(ROLES)
    return {name for row in rows for name in re.findall(rf"`((?:{prefixes})_[a-z0-9_]+)`", row.split("|")[1])}


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_in_the_argument_specs(role):
    assert sorted(defaults(role) - spec_options(role)) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_specified_variable_is_in_the_readme_table(role):
    assert sorted(spec_options(role) - readme_table(role)) == []


@pytest.mark.parametrize("role", ROLES)
def test_the_readme_table_names_only_specified_variables(role):
    assert sorted(readme_table(role) - spec_options(role)) == []
