# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter turning failed community.docker.docker_image builds into a message a user can act on."""

from __future__ import annotations

DOCUMENTATION = r"""
name: build_failure
short_description: Which image build failed, at which Dockerfile step, with the end of its output
version_added: 0.1.0
description:
  - "Takes the failed results of a C(community.docker.docker_image) loop over the images role's build
    items (each with C(msg), and C(item) the pair of the C(images_list) entry and its hash, which holds
    C(tag)) and returns
    one message: per image its name, reference and context, the failing C(Step N/M), what Docker said and
    the last O(lines) lines of the build log, which the module puts into its message as a Python list."
options:
  _input:
    description: The failed loop results (or a single failed result).
    type: list
    elements: dict
    required: true
  lines:
    description: How many of the last build log lines to show per image.
    type: int
    default: 40
"""

EXAMPLES = r"""
- name: Show which build failed
  ansible.builtin.fail:
    msg: >-
      {{ ansible_failed_result.results | selectattr('failed', 'defined') | selectattr('failed')
         | localdev.kube.build_failure }}
"""

RETURN = r"""
_value:
  description: The message, one paragraph per failed image.
  type: str
"""

import ast
import re

from ansible.errors import AnsibleFilterError

LOGS = ", logs: ["
# One Python string literal, single- or double-quoted (the fallback for a log list cut short).
QUOTED = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
STEP = re.compile(r"^Step [0-9]+/[0-9]+ :")


def log_lines(tail):
    """The build log lines from what follows ', logs: [' in the module's message."""
    try:
        raw = ast.literal_eval("[" + tail)
    except (SyntaxError, ValueError):
        raw = []
        for literal in QUOTED.findall(tail):
            try:
                raw.append(ast.literal_eval(literal))
            except (SyntaxError, ValueError):
                continue
    lines = []
    for chunk in raw:
        for line in str(chunk).splitlines():
            line = ANSI.sub("", line).strip()
            if line:
                lines.append(line)
    return lines


def describe(result, keep):
    said, sep, tail = str(result.get("msg", "")).partition(LOGS)
    lines = log_lines(tail) if sep else []
    # The loop item: the images_list entry and its hash (with tag).
    image, hashed = [*(result.get("item") or []), {}, {}][:2]
    ref = f"{image.get('repository', '?')}:{hashed.get('tag', '?')}"
    out = [
        f"localdev.kube.images: building {image.get('name', 'an image')} ({ref}) failed; "
        f"context {image.get('context', '?')}."
    ]
    steps = [line for line in lines if STEP.match(line)]
    if steps:
        out.append(f"Failing step: {steps[-1]}")
    out.append(f"Docker said: {said}")
    if lines:
        shown = lines[-keep:] if keep > 0 else []
        out.append(f"Build output (last {len(shown)} of {len(lines)} lines):")
        out.extend(f"  | {line}" for line in shown)
    return "\n".join(out) + "\n"


def build_failure(results, lines=40):
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise AnsibleFilterError("build_failure expects the failed results of a docker_image loop (a list of dicts)")
    return "".join(describe(r, int(lines)) for r in results)


class FilterModule:
    def filters(self):
        return {"build_failure": build_failure}
