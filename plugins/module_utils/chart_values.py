# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check Helm chart values against the chart's values.schema.json files, without helm.

Helm validates the values of a release before it renders anything: it
coalesces the user's values over the chart's values.yaml, fills in each
enabled subchart's values (its values.yaml under the subchart's key, with the
parent's ``global``), and checks the result against the parent's
values.schema.json and each subchart's own. Doing the same here lets a deploy
refuse bad values before anything changes, with the value path of every
problem.

Followed as helm 4.3.1 (the toolchain role's pin) does it, compared with
the ``.Values`` that ``helm template`` renders:

* coalescing: mappings merge recursively, a ``null`` in the user's values
  deletes the default it overrides (a ``null`` with no default under it
  stays, and is checked as ``null``), anything else replaces the default;
  the ``null`` values of a values.yaml are dropped where helm drops them;
* YAML as helm reads it: dates stay text, ``y``/``n`` are booleans, keys
  are text (``1:`` is ``"1"``);
* subcharts: the chart directories under ``charts/``. One listed in
  Chart.yaml's ``dependencies`` (``requirements.yaml`` for apiVersion v1)
  takes its ``alias`` as key (a chart listed under two aliases counts twice),
  one not listed keeps its name. ``tags`` and then ``condition`` (the first of
  its comma-separated value paths that holds a bool) switch a dependency off,
  evaluated on the values with every subchart's defaults. A subchart's values
  are its values.yaml under the parent's values at its key, a ``null`` there
  deleting a subchart default too;
* ``global``: the parent's wins over a subchart's own, down every level;
* the parent's schema sees the subcharts' coalesced values under their keys;
  library subcharts are coalesced and checked like the others.

Not followed: packaged subcharts (``charts/*.tgz``) are skipped, their values
and schemas neither read nor checked; ``import-values`` is ignored; version
ranges of dependencies are not compared. A chart that is not a local
directory (a repository reference such as ``bitnami/nginx``, ``oci://...``,
a packaged ``.tgz``) cannot be checked before helm fetches it: no problems
are reported. A schema without ``$schema`` is read as draft 2020-12, as
helm 4 does; formats are not checked, as in helm.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
from collections.abc import Mapping

try:
    import yaml

    HAS_YAML = True
except ImportError:  # ansible-core requires PyYAML; only the sanity import test lacks it
    HAS_YAML = False

try:
    import jsonschema

    HAS_JSONSCHEMA = True
except ImportError:  # raised as JsonschemaMissing once a schema needs checking
    HAS_JSONSCHEMA = False

try:
    from referencing.exceptions import Unresolvable as _Unresolvable

    _REF_ERRORS = (_Unresolvable,)
except ImportError:  # jsonschema before 4.18 resolves $ref itself
    _REF_ERRORS = ()

MESSAGE_LIMIT = 200
GLOBAL_KEY = "global"

if HAS_YAML:

    class _ValuesLoader(yaml.SafeLoader):
        """yaml.SafeLoader reading scalars as Helm's YAML library (YAML 1.1, go-yaml) does.

        Dates stay text (Helm converts values to JSON), and y/Y/n/N are booleans.
        """

    _ValuesLoader.bool_values = dict(yaml.SafeLoader.bool_values, y=True, n=False)
    _ValuesLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _ValuesLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


class ChartValuesError(ValueError):
    """The chart itself cannot be read or its schema cannot be used (not a problem of the values)."""


class JsonschemaMissing(ImportError):
    """A values.schema.json needs checking and the jsonschema package is not installed."""


# --- Plain values ------------------------------------------------------------


def plain_values(value):
    """Values as JSON would hold them: dict, list, str, int, float, bool, None.

    Mapping keys become text (``1`` -> ``"1"``, ``true`` -> ``"true"``), dates
    ISO text, and subclasses (Ansible's tagged strings, lazy containers) their
    plain type, as Helm sees values after its YAML-to-JSON conversion.
    Raises ChartValuesError for anything with no YAML form.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {_plain_key(key): plain_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_values(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise ChartValuesError(f"a value of type {type(value).__name__} has no YAML form")


def _plain_key(key):
    if isinstance(key, str):
        return str(key)
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    return str(plain_values(key))


# --- Helm's coalescing (pkg/chart/common/util/coalesce.go) -------------------


def _clean_nils(table):
    """Drop None values from a mapping, recursively (not inside lists)."""
    for key in [key for key, value in table.items() if value is None]:
        del table[key]
    for value in table.values():
        if isinstance(value, dict):
            _clean_nils(value)


def _coalesce_tables(dst, src, merge):
    """Fill dst (which wins) from src, in place; coalescing deletes a None of dst over a src value."""
    for key, value in src.items():
        if key not in dst:
            dst[key] = value
        elif dst[key] is None:
            if not merge and value is not None:
                del dst[key]
        elif isinstance(value, dict) and isinstance(dst[key], dict):
            _coalesce_tables(dst[key], value, merge)
    return dst


def _coalesce_values(defaults, dest, merge, child_keys):
    """Helm's coalesceValues: a chart's own defaults under dest (user values), in place.

    Coalescing (merge False) drops the nulls of the defaults and deletes a
    default the user's null overrides; the tables at child_keys (the keys of
    the chart's dependencies) merge, keeping the user's nulls for the
    subchart's own coalescing. As in helm 4.3.1: later releases keep the nulls
    of the top chart's values.yaml (helm#32530).
    """
    for key, value in copy.deepcopy(defaults).items():
        if key in dest:
            given = dest[key]
            if given is None and not merge:
                del dest[key]
            elif isinstance(given, dict) and isinstance(value, dict):
                table_merge = merge or key in child_keys
                if not table_merge:
                    _clean_nils(value)
                _coalesce_tables(given, value, table_merge)
        elif merge or value is not None:
            if not merge and isinstance(value, dict):
                _clean_nils(value)
            dest[key] = value


def _coalesce_globals(dest, src):
    """Helm's coalesceGlobals: src's ``global`` into dest's, src winning; in place."""
    dest_global = dest.get(GLOBAL_KEY, {})
    src_global = src.get(GLOBAL_KEY, {})
    if not isinstance(dest_global, dict) or not isinstance(src_global, dict):
        return  # Helm skips globals that are not tables, with a warning
    for key, value in src_global.items():
        if isinstance(value, dict):
            table = copy.deepcopy(value)
            if key not in dest_global:
                dest_global[key] = table
            elif isinstance(dest_global[key], dict):
                dest_global[key] = _coalesce_tables(table, dest_global[key], True)
        elif not isinstance(dest_global.get(key), dict):
            dest_global[key] = copy.deepcopy(value)
    dest[GLOBAL_KEY] = dest_global


def coalesce(defaults, overrides):
    """Helm's coalescing of user values over a chart's values.yaml, as a new dict.

    Mappings merge recursively; a ``None`` (YAML ``null``) in overrides
    deletes the default it overrides (one with nothing under it stays None, as
    in Helm); any other override replaces the default, whatever the types.
    Neither argument is changed. Subcharts are not handled here (see
    chart_values_problems).
    """
    dest = copy.deepcopy(dict(overrides)) if isinstance(overrides, Mapping) else {}
    _coalesce_values(defaults if isinstance(defaults, Mapping) else {}, dest, False, ())
    return dest


# --- Charts --------------------------------------------------------------------


def _read_yaml(path):
    """The document of a YAML file (None when the file is missing or empty)."""
    if not os.path.isfile(path):
        return None
    if not HAS_YAML:
        raise ChartValuesError("reading a chart needs the Python package PyYAML")
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_ValuesLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ChartValuesError(f"cannot read {path}: {exc}") from exc


def _read_schema(chart_dir):
    path = os.path.join(chart_dir, "values.schema.json")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ChartValuesError(f"cannot read {path}: {exc}") from exc


def _is_chart_dir(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, "Chart.yaml"))


class _Chart:
    """A chart directory as read from disk: defaults, schema, subcharts (recursively)."""

    def __init__(self, chart_dir):
        self.dir = chart_dir
        meta = _read_yaml(os.path.join(chart_dir, "Chart.yaml"))
        meta = meta if isinstance(meta, Mapping) else {}
        self.name = str(meta.get("name") or os.path.basename(os.path.normpath(chart_dir)))
        self.library = meta.get("type") == "library"
        values = _read_yaml(os.path.join(chart_dir, "values.yaml"))
        self.defaults = plain_values(values) if isinstance(values, Mapping) else {}
        self.schema = _read_schema(chart_dir)
        self.declares_dependencies, self.dependencies = _dependencies(chart_dir, meta)


class _Dependency:
    """A subchart under the key its parent's values hold it at."""

    def __init__(self, key, chart, condition=None, tags=()):
        self.key = key
        self.chart = chart
        self.condition = condition
        self.tags = tags


def _dependencies(chart_dir, meta):
    """(whether Chart.yaml lists dependencies, the unpacked subcharts by key in Helm's order)."""
    charts_dir = os.path.join(chart_dir, "charts")
    found = {}
    if os.path.isdir(charts_dir):
        for entry in sorted(os.listdir(charts_dir)):
            path = os.path.join(charts_dir, entry)
            if _is_chart_dir(path):  # packaged .tgz subcharts are not read
                sub = _Chart(path)
                found.setdefault(sub.name, sub)
    declared = meta.get("dependencies")
    if declared is None and meta.get("apiVersion") == "v1":
        requirements = _read_yaml(os.path.join(chart_dir, "requirements.yaml"))
        declared = requirements.get("dependencies") if isinstance(requirements, Mapping) else None
    if not isinstance(declared, list):
        return False, [_Dependency(name, sub) for name, sub in found.items()]
    declared = [dep for dep in declared if isinstance(dep, Mapping) and dep.get("name")]
    listed = {str(dep["name"]) for dep in declared}
    result = [_Dependency(name, sub) for name, sub in found.items() if name not in listed]
    for dep in declared:
        sub = found.get(str(dep["name"]))
        if sub is None:  # not unpacked under charts/: nothing to check here
            continue
        tags = dep.get("tags")
        result.append(
            _Dependency(
                str(dep.get("alias") or dep["name"]),
                sub,
                str(dep["condition"]) if dep.get("condition") else None,
                tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
            )
        )
    return True, result


class _Node:
    """A chart in a release's tree: its defaults (as Helm holds them) and kept dependencies."""

    def __init__(self, chart, defaults, children):
        self.chart = chart
        self.defaults = defaults
        self.children = children  # [(key, _Node)]


def _full_tree(chart):
    return _Node(chart, chart.defaults, [(dep.key, _full_tree(dep.chart)) for dep in chart.dependencies])


def _path_value(values, path):
    """Helm's Values.PathValue: (found, value) of a dotted path."""
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _enabled(dep, cvals, tags):
    """Whether Helm keeps a dependency: its tags, then the first condition path that holds a bool."""
    enabled = True
    if dep.tags and isinstance(tags, dict):
        states = [tags[tag] for tag in dep.tags if isinstance(tags.get(tag), bool)]
        if states and not any(states):
            enabled = False
    for path in (dep.condition or "").strip().split(","):
        if not path:
            continue
        found, value = _path_value(cvals, path)
        if found and isinstance(value, bool):
            return value
    return enabled


def _pruned_tree(chart, cvals, tags):
    """The tree without the dependencies Helm's ProcessDependencies switches off."""
    children = []
    for dep in chart.dependencies:
        if _enabled(dep, cvals, tags):
            sub_cvals = cvals.get(dep.key)
            children.append((dep.key, _pruned_tree(dep.chart, sub_cvals if isinstance(sub_cvals, dict) else {}, tags)))
    node = _Node(chart, chart.defaults, children)
    if chart.declares_dependencies and children:
        # processDependencyImportValues: a chart with dependencies holds its
        # subcharts' defaults (and globals) merged into its own from then on.
        node.defaults = _coalesce_node(node, {}, True, None, ())
    return node


def _coalesce_node(node, dest, merge, problems, prefix):
    """Helm's coalesce on a tree node: dest (user values, changed in place) over the defaults."""
    _coalesce_values(node.defaults, dest, merge, {key for key, _child in node.children})
    for key, child in node.children:
        given = dest.setdefault(key, {})
        if not isinstance(given, dict):
            # Helm stops with "type mismatch on <key>"
            if problems is not None:
                problems.append(((*prefix, key), _truncated(f"{given!r} is not of type 'object'")))
            continue
        _coalesce_globals(given, dest)
        dest[key] = _coalesce_node(child, given, merge, problems, (*prefix, key))
    return dest


# --- Checking ------------------------------------------------------------------


def _truncated(message):
    return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 3] + "..."


def _sort_key(parts):
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in parts)


def _dotted(parts):
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _schema_problems(chart, values, prefix):
    schema_file = os.path.join(chart.dir, "values.schema.json")
    if not HAS_JSONSCHEMA:
        raise JsonschemaMissing(f"checking the values against {schema_file} needs the Python package jsonschema")
    # Without $schema, helm 4 reads a schema as draft 2020-12 (helm 3's gojsonschema as draft 7).
    validator_class = jsonschema.validators.validator_for(chart.schema, default=jsonschema.Draft202012Validator)
    try:
        validator_class.check_schema(chart.schema)
    except jsonschema.exceptions.SchemaError as exc:
        if exc.validator == "format":  # a "pattern" only Go's regexp reads (\z, \p{L}): helm's to check
            return []
        raise ChartValuesError(f"{schema_file} is not a valid JSON schema: {_truncated(exc.message)}") from exc
    try:
        errors = list(validator_class(chart.schema).iter_errors(values))
    except (re.error, *_REF_ERRORS):
        # A $ref to a document elsewhere (helm may fetch it) or a pattern only Go's regexp reads: this
        # schema cannot be checked here, and helm checks it when it renders. Refusing would block a
        # chart helm accepts.
        return []
    return [((*prefix, *error.absolute_path), _truncated(error.message)) for error in errors]


def _check_node(node, values, prefix, problems):
    if node.chart.schema is not None:
        problems.extend(_schema_problems(node.chart, values, prefix))
    for key, child in node.children:
        if isinstance(values.get(key), dict):  # else reported as a type mismatch
            _check_node(child, values[key], (*prefix, key), problems)


def chart_values_problems(values, chart_dir):
    """Every way the values break the schemas of the chart at chart_dir, as Helm would find them.

    values are the user's values (what ``helm install -f`` would get, before
    the chart's defaults), a mapping or None. Returns a list of
    ``{"path": ..., "message": ...}`` sorted by path: ``path`` is the dotted
    value path (list items as ``[0]``, ``""`` for the values as a whole,
    subchart values under their key such as ``backend.replicaCount``),
    ``message`` jsonschema's message, cut to about 200 characters. Empty when
    all is well, when the chart has no schema, and when chart_dir is not a
    local chart directory (a repository reference, ``oci://...``, a packaged
    chart): those cannot be checked before helm fetches them.

    Raises JsonschemaMissing (an ImportError) when a schema needs checking and
    jsonschema is not installed; ChartValuesError when the values are not a
    mapping, or the chart's files cannot be read or its schema used.
    """
    if not isinstance(chart_dir, (str, os.PathLike)) or not _is_chart_dir(os.fspath(chart_dir)):
        return []
    if values is not None and not isinstance(values, Mapping):
        raise ChartValuesError(f"chart values must be a mapping, not {type(values).__name__}")
    user_values = plain_values(values or {})
    chart = _Chart(os.fspath(chart_dir))
    # The values conditions and tags are read from: every dependency coalesced.
    cvals = _coalesce_node(_full_tree(chart), copy.deepcopy(user_values), False, None, ())
    tree = _pruned_tree(chart, cvals, cvals.get("tags"))
    problems = []
    coalesced = _coalesce_node(tree, copy.deepcopy(user_values), False, problems, ())
    _check_node(tree, coalesced, (), problems)
    problems.sort(key=lambda problem: _sort_key(problem[0]))
    result = []
    for parts, message in problems:
        problem = {"path": _dotted(parts), "message": message}
        if problem not in result:  # a subchart's type mismatch is the parent schema's finding too
            result.append(problem)
    return result
