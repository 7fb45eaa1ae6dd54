# Copyright: localdev.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter writing the elevated PowerShell command for a Windows hosts file change WSL could not make."""

from __future__ import annotations

DOCUMENTATION = r"""
name: windows_hosts_change
short_description: The Windows path and the elevated PowerShell command that add and remove hosts lines
version_added: 0.1.0
description:
  - "Takes the Windows hosts file's path as WSL sees it (C(/mnt/c/Windows/...)) and returns what the
    hosts_file role tells a user whose Windows hosts file needs Administrator: the path as Windows names it,
    the lines, and one command to paste into PowerShell. It starts an elevated C(powershell.exe) that
    removes the lines in O(remove) (exact, case-sensitive match) and appends the lines in O(add)."
  - "Returns an empty mapping when there is nothing to add or remove."
options:
  _input:
    description: The Windows hosts file's path under WSL.
    type: str
    required: true
  add:
    description: Lines to append.
    type: list
    elements: str
    default: []
  remove:
    description: Lines to remove.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The command for the lines the role could not write
  ansible.builtin.set_fact:
    pending: >-
      {{ '/mnt/c/Windows/System32/drivers/etc/hosts'
         | localdev.kube.windows_hosts_change(add=['127.0.0.1 app.local']) }}
"""

RETURN = r"""
_value:
  description: "C(path) (the Windows path), C(add), C(remove) and C(command); empty when nothing changes."
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError


def windows_path(wsl_path):
    """/mnt/c/Windows/System32/... -> c:\\Windows\\System32\\..."""
    return re.sub(r"^/mnt/([A-Za-z])/", r"\1:/", wsl_path).replace("/", "\\")


def ps_literal(text):
    """A PowerShell single-quoted string ('' stands for ')."""
    return "'" + text.replace("'", "''") + "'"


def windows_hosts_change(wsl_path, add=None, remove=None):
    add, remove = list(add or []), list(remove or [])
    if not isinstance(wsl_path, str) or not all(isinstance(line, str) for line in add + remove):
        raise AnsibleFilterError("windows_hosts_change expects a path and lists of lines (strings)")
    if not add and not remove:
        return {}
    path = windows_path(wsl_path)
    script = f"$f={ps_literal(path)}; "
    if remove:
        script += (
            f"$old=@({','.join(ps_literal(line) for line in remove)}); "
            "(@(Get-Content -LiteralPath $f) | Where-Object { $old -cnotcontains $_ }) | Set-Content -LiteralPath $f; "
        )
    if add:
        script += f"Add-Content -LiteralPath $f -Value {','.join(ps_literal(line) for line in add)}"
    # Start-Process takes the script in a single-quoted string (' doubled again)
    # that it hands to -Command "..." (" as \").
    inner = script.strip().replace("'", "''").replace('"', '\\"')
    command = f"Start-Process powershell.exe -Verb RunAs -ArgumentList '-NoProfile -Command \"{inner}\"'"
    return {"path": path, "add": add, "remove": remove, "command": command}


class FilterModule:
    def filters(self):
        return {"windows_hosts_change": windows_hosts_change}
