# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules for settings a user writes, each with the words that explain it.

Every rule returns None when the value keeps it, else a short phrase saying
what is wrong with the value. A rule for a secret never repeats any part of
the value: its phrase only says which part of the form is missing or wrong.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ansible_collections.localdev.kube.plugins.module_utils.chart_values import ChartValuesError, chart_values_problems
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import (
    ValidationError,
    is_hostname,
    validate_ip,
    validate_names,
)
from ansible_collections.localdev.kube.plugins.module_utils.image_layout import LAYOUT_RULE, layout_problems
from ansible_collections.localdev.kube.plugins.module_utils.sensitive import masked
from ansible_collections.localdev.kube.plugins.module_utils.values_paths import overlaps

_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_WHITESPACE = re.compile(r"\s")

DNS_NAME = (
    "a DNS name: lower-case letters, digits, '-' and '.', at most 253 characters, each label "
    "(between dots) 1 to 63 characters starting and ending with a letter or digit"
)
POSTGRESQL_URL = "a PostgreSQL URL the backend can use: postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE"
ONE_LINE_NO_SPACES = "one line without spaces"
POSTGRESQL_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def dns_label_rule(max_length: int) -> str:
    return (
        f"a DNS label: lower-case letters, digits and '-', at most {max_length} characters, "
        "starting and ending with a letter or digit"
    )


def _label_problem(label: str) -> str | None:
    if not label:
        return "it has an empty label (two dots in a row, or a dot at either end)"
    if len(label) > 63:
        return f"a label is {len(label)} characters long"
    if label != label.lower():
        return "it has upper-case letters"
    if label.startswith("-") or label.endswith("-"):
        return "a label starts or ends with '-'"
    if not _LABEL.fullmatch(label):
        return "it has characters other than lower-case letters, digits, '-' and '.'"
    return None


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _as_name(value):
    """A whole number written without quotes in YAML (namespace: 123) is a name too."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def dns_name_problem(value) -> str | None:
    value = _as_name(value)
    if not isinstance(value, str):
        return "it is not a string"
    if "://" in value or "/" in value:
        return "it looks like a URL: give the host name alone, without scheme, port or path"
    if is_ip(value):
        return "it is an IP address, not a name"
    if len(value) > 253:
        return f"it is {len(value)} characters long"
    for label in value.split("."):
        problem = _label_problem(label)
        if problem:
            return problem
    return None


def dns_label_problem(value, max_length: int) -> str | None:
    value = _as_name(value)
    if not isinstance(value, str):
        return "it is not a string"
    if len(value) > max_length:
        return f"it is {len(value)} characters long"
    if "." in value:
        return "it has a '.'"
    return _label_problem(value)


def ip_problem(value) -> str | None:
    if isinstance(value, str) and is_ip(value):
        return None
    return "it is not an IPv4 or IPv6 address"


def int_problem(value, minimum=None, maximum=None) -> str | None:
    """A whole number (digits as text count: -e passes every value as a string)."""
    if isinstance(value, bool):
        return "it is true/false, not a number"
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9]+\s*", value):
        value = int(value)
    if not isinstance(value, int):
        return "it is not a whole number"
    if minimum is not None and value < minimum:
        return f"it is below {minimum}"
    if maximum is not None and value > maximum:
        return f"it is above {maximum}"
    return None


def postgresql_url_problem(value) -> str | None:
    """What keeps a URL from being one the backend can connect with; never repeats any part of it."""
    if not isinstance(value, str):
        return "it is not a string"
    if _WHITESPACE.search(value):
        return "it contains whitespace (a space or a line break)"
    try:
        parts = urlsplit(value)
        if parts.port == 0:  # reading the port raises when it is not a number from 0 to 65535
            return "its port is 0"
    except ValueError:
        return "it is not a URL the backend can read (its host or port)"
    if "://" not in value:
        return "it is not a URL (no scheme://)"
    if parts.scheme.lower() not in POSTGRESQL_SCHEMES:
        return "its scheme is not postgresql:// (or postgres://)"
    if not parts.hostname:
        return "it names no host"
    if not parts.path.strip("/"):
        return "it names no database (the /DATABASE after the host)"
    return None


def one_token_problem(value) -> str | None:
    if not isinstance(value, str):
        return "it is not a string"
    if "\n" in value or "\r" in value:
        return "it contains a line break"
    if _WHITESPACE.search(value):
        return "it contains whitespace"
    return None


# Rules by the name a check gives in `kind`, with the words of the rule.
def rule_for(check: Mapping):
    """Return (problem, rule words) for a check that names a kind; the problem is None when it holds."""
    kind = check["kind"]
    value = check.get("value")
    if kind == "dns_name":
        return dns_name_problem(value), DNS_NAME
    if kind == "dns_label":
        max_length = int(check.get("max", 63))
        return dns_label_problem(value, max_length), dns_label_rule(max_length)
    if kind == "ip":
        return ip_problem(value), "an IPv4 or IPv6 address"
    if kind == "int":
        minimum, maximum = check.get("min"), check.get("max")
        words = "a whole number"
        if minimum is not None and maximum is not None:
            words += f" from {minimum} to {maximum}"
        elif minimum is not None:
            words += f", at least {minimum}"
        elif maximum is not None:
            words += f", at most {maximum}"
        return int_problem(value, minimum, maximum), words
    if kind == "mapping":
        return (None if isinstance(value, Mapping) else _not_a("mapping", value)), "a mapping (YAML dict)"
    if kind == "list":
        return (None if _is_list(value) else _not_a("list", value)), "a list"
    if kind == "postgresql_url":
        return postgresql_url_problem(value), POSTGRESQL_URL
    if kind == "one_token":
        return one_token_problem(value), ONE_LINE_NO_SPACES
    raise ValueError(f"unknown kind of check {kind!r}")


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple))


def _not_a(kind: str, value) -> str:
    if value is None:
        return "it is null (nothing is given after the colon)"
    if isinstance(value, str):
        return f"it is a string, not a {kind}"
    return f"it is a {type(value).__name__}, not a {kind}"


def form_hint(var: str, kind: str) -> str:
    """How to give a mapping or a list on the command line, where -e makes every value a string."""
    example = "{...}" if kind == "mapping" else "[...]"
    return f"give a {kind}, e.g. -e '{{\"{var}\": {example}}}' or in YAML in the inventory"


def shown(value, limit: int = 80) -> str:
    """The value as the user wrote it, as JSON, cut to `limit` characters."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def problem_message(check: Mapping) -> str | None:
    """One line for a check that fails, naming the variable first; None when the check passes.

    A check is a mapping:
      var     the name the user wrote (required; the message starts with it)
      value   the value; shown unless `secret`
      kind    a named rule (see rule_for); or
      ok      a boolean computed by the caller, with
      rule    the rule in words (a noun phrase: "a size minikube reads, e.g. 20g")
      fix     what to do (optional)
      secret  never show the value, nor any part of it
      label   how the value was given, for a secret (e.g. "from $OPENAI_API_KEY")
      allow   values that pass whatever the rule says (e.g. ["auto"])
    """
    var = check["var"]
    allow = check.get("allow", [])
    if check.get("value") in ([allow] if isinstance(allow, str) else allow):
        return None
    if "kind" in check:
        problem, rule = rule_for(check)
        rule = check.get("rule", rule)
        if problem is None:
            return None
        if check["kind"] in ("mapping", "list") and isinstance(check.get("value"), str):
            problem = f"{problem} ({form_hint(var, check['kind'])})"
    else:
        if _truthy(check.get("ok")):
            return None
        problem, rule = check.get("problem"), check.get("rule", "valid")
    if check.get("secret"):
        label = check.get("label")
        head = f"{var} ({label + ', ' if label else ''}value not shown)"
    elif "value" in check:
        head = f"{var} = {shown(check['value'])}"
    else:
        head = var
    message = f"{head}: must be {rule}"
    if problem:
        message += f"; {problem}"
    message += "."
    if check.get("fix"):
        message += f" {check['fix']}"
    return message


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


# Docker's reference grammar, simplified: [registry[:port]/]component[/component...], no tag.
_REPOSITORY = re.compile(
    r"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
REPOSITORY_RULE = (
    "an image repository: lower-case letters and digits with '.', '_', '-' separators, optionally "
    "registry/ and path/ parts, and no :tag (the role picks the tag)"
)


def _failing(var, rule, problem, fix=None, **value):
    check = {"var": var, "ok": False, "rule": rule, "problem": problem, **value}
    if fix:
        check["fix"] = fix
    return check


def image_list_checks(entries, base_dir) -> list:
    """Failing checks of an images role's list: each entry a build that can run, names unique."""
    if not _is_list(entries):
        return [{"var": "images_list", "value": entries, "kind": "list"}]
    checks, seen = [], set()
    for index, entry in enumerate(entries):
        var = f"images_list[{index}]"
        if not isinstance(entry, Mapping):
            checks.append(
                _failing(var, "a mapping with name, repository and context", "it is not a mapping", value=entry)
            )
            continue
        name, repository, context = entry.get("name"), entry.get("repository"), entry.get("context")
        if not isinstance(name, str) or not name:
            checks.append(_failing(f"{var}.name", "a non-empty name (the key in images_built)", None, value=name))
        elif name in seen:
            checks.append(
                _failing(
                    f"{var}.name", "unique: each name is a key of images_built", "an earlier entry has it", value=name
                )
            )
        if isinstance(name, str):
            seen.add(name)
        if not isinstance(repository, str) or not _REPOSITORY.fullmatch(repository):
            problem = (
                "it has upper-case letters"
                if isinstance(repository, str) and repository != repository.lower()
                else None
            )
            checks.append(_failing(f"{var}.repository", REPOSITORY_RULE, problem, value=repository))
        dockerfile_var = f"{var}.dockerfile" if "dockerfile" in entry else None
        checks.extend(
            build_context_checks(f"{var}.context", context, base_dir, entry.get("dockerfile"), dockerfile_var)
        )
        build_args = entry.get("build_args")
        if build_args is not None and not isinstance(build_args, Mapping):
            checks.append({"var": f"{var}.build_args", "value": build_args, "kind": "mapping"})
    return checks


def build_context_checks(var, context, base_dir, dockerfile=None, dockerfile_var=None) -> list:
    """Failing checks of a build context: a directory that exists and holds its Dockerfile.

    Relative paths are taken from base_dir (the playbook's directory, as the images role
    takes them). A Dockerfile other than the default is named by dockerfile_var when wrong.
    """
    if not isinstance(context, str) or not context:
        return [_failing(var, "the build context, a directory", "it is empty", value=context)]
    path = context if os.path.isabs(context) else os.path.join(str(base_dir), context)
    if not os.path.isdir(path):
        problem = "it is a file" if os.path.exists(path) else "it does not exist"
        fix = "Relative paths are taken from the playbook's directory." if not os.path.isabs(context) else None
        return [_failing(var, "the build context, a directory that exists", problem, fix, value=context)]
    dockerfile = dockerfile or "Dockerfile"
    if not isinstance(dockerfile, str):
        return [_failing(dockerfile_var or var, "a file name", "it is not a string", value=dockerfile)]
    if not os.path.isfile(os.path.join(path, dockerfile)):
        return [
            _failing(
                dockerfile_var or var,
                "a build context holding its Dockerfile",
                f"there is no {dockerfile} in {path}",
                "Point the context at the directory with the Dockerfile, or set the entry's dockerfile.",
                value=dockerfile if dockerfile_var else context,
            )
        ]
    return []


def hosts_entries_checks(entries) -> list:
    """Failing checks of a hosts_file role's entries: at least one, each {ip, names} the hosts file can hold."""
    example = "e.g. [{ip: auto, names: [app.local]}]"
    if not _is_list(entries):
        return [{"var": "hosts_file_entries", "value": entries, "kind": "list"}]
    if not entries:
        return [
            _failing("hosts_file_entries", f"a list of at least one entry, {example}", "it is empty", value=entries)
        ]
    checks = []
    for index, entry in enumerate(entries):
        var = f"hosts_file_entries[{index}]"
        if not isinstance(entry, Mapping):
            checks.append(_failing(var, f"a mapping with names, {example}", "it is not a mapping", value=entry))
            continue
        names = entry.get("names")
        rule = "a list of host names (RFC 1123: labels of letters, digits and '-', at most 253 characters)"
        if isinstance(names, str):
            fix = f"Write names: [{names}]." if is_hostname(names) else None
            checks.append(_failing(f"{var}.names", rule, "it is one string, not a list", fix, value=names))
        else:
            try:
                validate_names(names, option=f"{var}.names")
            except ValidationError as err:
                checks.append(_failing(err.option, rule, str(err).split(": ", 1)[1], value=names))
        ip = entry.get("ip", "auto")
        if ip != "auto":
            try:
                validate_ip(ip, option=f"{var}.ip")
            except ValidationError:
                checks.append(_failing(f"{var}.ip", "auto or an IPv4 or IPv6 address", None, value=ip))
    return checks


def image_layout_checks(var, layout) -> list:
    """Failing checks of an image layout (where each image goes in the chart's values)."""
    return [
        _failing(f"{var}.{component}" if component is not None else var, LAYOUT_RULE, problem, value=value)
        for component, problem in layout_problems(layout)
        for value in [layout.get(component) if component is not None else layout]
    ]


GENERATED_VALUES_RULE = (
    "a list of dotted chart values paths, each part letters, digits, '-' or '_' (the path is also the "
    "key that keeps the value in the role's Secret), e.g. [postgresql.auth.password]"
)
_GENERATED_PATH = re.compile(r"[-_a-zA-Z0-9]+(\.[-_a-zA-Z0-9]+)*")


def generated_values_checks(var, paths, taken=(), taken_var=None) -> list:
    """Failing checks of values paths to generate: each a path that can be a Secret key, none inside another.

    ``taken`` are the Secret's keys given elsewhere (``taken_var``): a generated value kept under one
    of them would replace the configured value.
    """
    if not _is_list(paths):
        return [{"var": var, "value": paths, "kind": "list"}]
    checks = [
        _failing(f"{var}[{index}]", GENERATED_VALUES_RULE, None, value=path)
        for index, path in enumerate(paths)
        if not isinstance(path, str) or not _GENERATED_PATH.fullmatch(path)
    ]
    checks.extend(
        _failing(
            f"{var}[{index}]",
            f"a path that is not a key of {taken_var} (the role's Secret keeps each generated value under its path)",
            f"the generated value would replace the configured {path}",
            value=path,
        )
        for index, path in enumerate(paths)
        if path in set(taken)
    )
    named = {f"{var}[{index}]": path for index, path in enumerate(paths) if isinstance(path, str)}
    checks.extend(
        _failing(name, "a path no other generated path holds or lies inside", problem, value=named[name])
        for name, problem in overlaps(named)
    )
    return checks


def chart_values_checks(values, chart, sensitive=None) -> list:
    """Failing checks of chart values against the chart's values.schema.json files (a local chart only).

    A text value of ``sensitive`` (values merged in that are never shown) is hidden in every message.

    Raises JsonschemaMissing (an ImportError) when a schema needs checking and jsonschema is not installed.
    """
    var = "helm_release_values"
    try:
        problems = chart_values_problems(values, os.path.expanduser(str(chart)))
    except ChartValuesError as err:
        rule = "a chart whose values.schema.json files can be read"
        return [_failing("helm_release_chart_ref", rule, str(err), value=chart)]
    return [
        _failing(
            f"{var}.{problem['path']}" if problem["path"] else var,
            "what the chart's values.schema.json allows",
            masked(problem["message"], sensitive or {}),
        )
        for problem in problems
    ]


def _expanded(checks):
    """Checks of structures and paths become their failing parts.

    The kinds: image_list, hosts_entries, image_layout, generated_values, chart_values, build_context.
    """
    for check in checks:
        kind = check.get("kind")
        if kind == "image_list":
            yield from image_list_checks(check.get("value"), check.get("base", "."))
        elif kind == "hosts_entries":
            yield from hosts_entries_checks(check.get("value"))
        elif kind == "image_layout":
            yield from image_layout_checks(check["var"], check.get("value"))
        elif kind == "generated_values":
            yield from generated_values_checks(
                check["var"], check.get("value"), check.get("taken") or (), check.get("taken_var")
            )
        elif kind == "chart_values":
            yield from chart_values_checks(check.get("value"), check.get("chart"), check.get("sensitive"))
        elif kind == "build_context":
            yield from build_context_checks(check["var"], check.get("value"), check.get("base", "."))
        else:
            yield check


def input_problems(checks) -> list:
    """The message of every failing check, at most one per variable (the first that fails).

    Later checks of a variable that already failed are skipped: once a list turned
    out to be a string, a check of its items has nothing sound to say.
    """
    messages, failed = [], set()
    for check in _expanded(checks):
        if check["var"] in failed:
            continue
        message = problem_message(check)
        if message:
            failed.add(check["var"])
            messages.append(message)
    return messages


def problem_var(message: str) -> str:
    """The variable a message of input_problems names (its first word, without a colon)."""
    return str(message).split(" ", 1)[0].rstrip(":")


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def likely_typos(names, known) -> list:
    """(name, intended) for each name that is not known but one edit away from a known one."""
    known = sorted(set(known))
    known_set = set(known)
    found = []
    for name in sorted(set(names)):
        if name in known_set or name.startswith("_"):
            continue
        near = [k for k in known if edit_distance_at_most_one(name, k)]
        if near:
            found.append((name, near[0]))
    return found
