#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: hosts_entry
short_description: Manage address-to-names mappings in a hosts file, touching only its own lines
version_added: 0.1.0
description:
  - Adds, replaces or removes mappings (an address and one or more host names each) in a hosts file
    such as C(/etc/hosts) or, from WSL, the Windows hosts file. One (O(ip) and O(names)) or several
    (O(entries)), all in one locked read and write.
  - Every line the module writes ends with a managed-by marker comment (O(marker)). Only lines carrying
    that marker are ever changed or removed. All other content (comments, blank lines, tabs or spaces,
    aliases, line order, CRLF line endings, a missing final newline) is kept byte for byte.
  - A line the module does not manage that maps one of O(names) to another address is reported as a warning
    and left alone, unless O(force=true).
  - The file is edited under an exclusive lock (C(flock)) so that concurrent runs lose no edit. It is written
    to a temporary file in the same directory and renamed over the original, keeping mode, owner, SELinux
    context and other extended attributes such as ACLs (ansible-core's C(atomic_move)). If the new file could
    not keep the owner, SELinux context or ACL (a user other than the owner, without C(become)), the module
    fails and the file is unchanged.
  - Where a rename is impossible (C(/etc/hosts) bind-mounted into a container, a directory the user may not
    create files in, such as the Windows hosts file's when only the file was made writable), the file is
    rewritten in place, under the lock, only with O(unsafe_writes=true); otherwise the module fails and says so.
  - All options are validated before the file is read; on any error the file is unchanged.
  - "The module never escalates privileges. Use C(become: true) on the task for a file owned by root.
    When this user may read the file but not write it, the failure still says what the edit would add
    and remove (RV(added), RV(removed)), so a caller can retry as root only when there is something to
    write, or hand the change to someone who may make it."
author:
  - localdev.kube maintainers (!UNKNOWN)
options:
  path:
    description:
      - The hosts file. Symbolic links are followed; the link itself is kept.
      - A missing file is created (mode C(0644)) when a line is to be added.
    type: path
    default: /etc/hosts
  ip:
    description:
      - The IPv4 or IPv6 address the names map to.
      - Required when O(state=present).
      - With O(state=absent), only our lines for this address are considered; omit it to remove the names
        whatever address they map to (for example after the cluster that had the address is gone).
    type: str
  names:
    description:
      - Host names (RFC 1123) mapped to O(ip). Duplicates are ignored; names compare case-insensitively.
      - Required when O(state=present).
      - With O(state=absent), omitting it removes every line carrying O(marker) (for O(ip) if set).
        An empty list is an error.
    type: list
    elements: str
  entries:
    description:
      - Several mappings at once, each with the meaning of O(ip) and O(names), applied in order in one
        edit of the file (all of them or none).
      - Mutually exclusive with O(ip) and O(names).
    type: list
    elements: dict
    suboptions:
      ip:
        description: As O(ip).
        type: str
      names:
        description: As O(names).
        type: list
        elements: str
  state:
    description:
      - V(present) ensures exactly one managed line maps O(names) to O(ip).
      - V(absent) removes O(names) from the managed lines; a line left with no name is removed.
    type: str
    choices: [present, absent]
    default: present
  marker:
    description:
      - Text of the trailing comment (C(# <marker>)) that identifies the lines this module manages.
      - Use a distinct marker per tool or project so that each only ever touches its own lines.
    type: str
    default: managed by localdev.kube
  unique:
    description:
      - A name we manage maps to one address only. With V(true), our other lines carrying one of O(names)
        lose that name (the line is removed when no name remains), for example after the cluster IP changed;
        the new line takes the place of the first line it replaces.
      - Set V(false) to map the same names to several addresses (for example an IPv4 and an IPv6 address)
        with one task per address.
    type: bool
    default: true
  force:
    description:
      - Also take O(names) off lines this module does not manage when they map them to another address.
        Other names on those lines stay; a line left with no name is removed.
      - Without it such lines are only reported (warning and RV(conflicts)).
    type: bool
    default: false
  backup:
    description:
      - Before changing the file, save its previous content next to it, in a file whose name includes
        a timestamp.
    type: bool
    default: false
  lock_timeout:
    description:
      - Seconds to wait for another process to release its lock on the file before failing.
    type: int
    default: 30
  unsafe_writes:
    description:
      - Where the file cannot be replaced by a rename, rewrite it in place instead (still under the lock).
        That is the case for C(/etc/hosts) bind-mounted into a container (the rename fails with C(EBUSY))
        and for a file in a directory this user may not create files in.
      - An in-place write is not atomic. A program reading the file at that moment, or a crash, can see it
        partly written.
      - Without it such a file is left unchanged and the module fails, naming this option.
      - The same option as in ansible-core's file modules; the E(ANSIBLE_UNSAFE_WRITES) environment
        variable sets its default.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports what would be added and removed; the file is not even created.
  diff_mode:
    support: full
    description: Shows the file before and after.
  platform:
    support: full
    platforms: posix
    description: Linux (including WSL, for the Windows hosts file under C(/mnt)) and macOS.
notes:
  - "Lines written look like C(192.168.49.2 todo.local # managed by localdev.kube), using the line ending
    the file already uses (CRLF for the Windows hosts file)."
  - On a file system without C(flock) support the file is edited without the lock and a warning says so.
seealso:
  - module: ansible.builtin.lineinfile
  - module: ansible.builtin.blockinfile
"""

EXAMPLES = r"""
- name: Map todo.local to the cluster's ingress address
  localdev.kube.hosts_entry:
    ip: "{{ minikube_ip }}"
    names: [todo.local, api.todo.local]
  become: true

- name: The Windows hosts file from WSL (keeps its CRLF line endings)
  localdev.kube.hosts_entry:
    path: /mnt/c/Windows/System32/drivers/etc/hosts
    ip: 127.0.0.1
    names: [todo.local]

- name: Map a name to both an IPv4 and an IPv6 address
  localdev.kube.hosts_entry:
    entries:
      - {ip: 127.0.0.1, names: [todo.local]}
      - {ip: "::1", names: [todo.local]}
    unique: false
  become: true

- name: Take todo.local over from a hand-written line that points elsewhere
  localdev.kube.hosts_entry:
    ip: 192.168.49.2
    names: [todo.local]
    force: true
    backup: true
  become: true

- name: Inside a container, where Docker bind-mounts /etc/hosts and a rename over it fails
  localdev.kube.hosts_entry:
    ip: 10.1.2.3
    names: [db.todo.local]
    unsafe_writes: true

- name: Remove our mapping for todo.local, whatever address it points to
  localdev.kube.hosts_entry:
    names: [todo.local]
    state: absent
  become: true

- name: Remove every line this collection added
  localdev.kube.hosts_entry:
    state: absent
  become: true
"""

RETURN = r"""
path:
  description: The file edited (symbolic links resolved).
  returned: always
  type: str
  sample: /etc/hosts
added:
  description:
    - Lines added (or, in check mode, that would be added), without line endings.
    - On a failure for lack of permission (RV(denied)), the lines the edit would have added.
  returned: always, and a failure for lack of permission except V(reading)
  type: list
  elements: str
  sample: ["192.168.49.2 todo.local # managed by localdev.kube"]
removed:
  description:
    - Lines removed (or that would be removed), without line endings.
    - A line that only lost some names appears here and, as rewritten, in RV(added).
    - On a failure for lack of permission (RV(denied)), the lines the edit would have removed.
  returned: always, and a failure for lack of permission except V(reading)
  type: list
  elements: str
  sample: ["192.168.49.5 todo.local # managed by localdev.kube"]
conflicts:
  description: Lines not managed by this module that map one of O(names) to another address, left unchanged.
  returned: always
  type: list
  elements: str
  sample: ["10.0.0.7 todo.local"]
backup_file:
  description: The backup of the previous content.
  returned: changed and O(backup=true) and the file existed
  type: str
  sample: /etc/hosts.4242.2025-01-31@12:00:00~
writable:
  description:
    - Whether this user can make the edit without escalation. For a file that exists, this user owns it and may
      write it and its directory (or only the file, with O(unsafe_writes=true)); for a missing file, this user
      may write its directory; root always can.
    - A caller can decide C(become) by it from a check-mode run.
  returned: success, and a failure for lack of permission
  type: bool
  sample: false
denied:
  description: On a failure for lack of permission, what was refused (V(reading), V(creating), V(writing) ...).
  returned: failed for lack of permission
  type: str
  sample: reading
method:
  description:
    - How the file was written, V(rename) (atomic) or V(in-place) (under the lock, where a rename is impossible
      and O(unsafe_writes=true)).
    - Null when nothing was written.
  returned: always
  type: str
  sample: rename
"""

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file import (
    EditResult,
    HostsFileError,
    ValidationError,
    validate_ip,
    validate_marker,
    validate_names,
)
from ansible_collections.localdev.kube.plugins.module_utils.hosts_file_io import (
    LockTimeoutError,
    PermissionDeniedError,
    RenameImpossibleError,
    edit_hosts_file,
)


def _writable(path, unsafe_writes):
    """Whether this user can make the edit without root: create the file, or replace or rewrite it as its owner.

    A write renames a new file over the old one, so it needs the directory
    too (or unsafe_writes, for an in-place write), and keeping the file's
    owner needs the owner (or root).
    """
    euid = os.geteuid()
    directory = os.path.dirname(path) or "."
    if euid == 0:
        return True
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return os.access(directory, os.W_OK)
    except OSError:
        return False
    return st.st_uid == euid and os.access(path, os.W_OK) and (unsafe_writes or os.access(directory, os.W_OK))


def _mappings(params):
    """The validated (ip, names) pairs, from entries or from ip and names; fails before the file is read."""
    state = params["state"]
    given = params["entries"] if params["entries"] is not None else [{"ip": params["ip"], "names": params["names"]}]
    if not given:
        raise ValidationError("entries", "must list at least one mapping")
    mappings = []
    for index, entry in enumerate(given):
        prefix = f"entries[{index}]." if params["entries"] is not None else ""
        for key in ("ip", "names"):
            if state == "present" and entry[key] is None:
                raise ValidationError(f"{prefix}{key}", "required with state=present")
        ip = validate_ip(entry["ip"], option=f"{prefix}ip") if entry["ip"] is not None else None
        names = validate_names(entry["names"], option=f"{prefix}names") if entry["names"] is not None else None
        mappings.append((ip, names))
    return mappings


def _fail_denied(module, err):
    planned = getattr(err, "outcome", None)
    readable = planned is not None and err.action != "reading"
    module.fail_json(
        msg=(
            f"Permission denied: {err}. Nothing was changed. Run the task with 'become: true' (the module "
            f"does not escalate by itself), or give this user write access to {err.path}."
        ),
        path=err.path,
        denied=err.action,
        writable=False,
        **({"added": planned.result.added, "removed": planned.result.removed} if readable else {}),
    )


def run(module):
    params = module.params
    path = params["path"]
    state = params["state"]
    try:
        marker = validate_marker(params["marker"])
        mappings = _mappings(params)
    except ValidationError as err:
        module.fail_json(msg=f"{err}; {path} was not changed", option=err.option)
    if params["lock_timeout"] < 0:
        module.fail_json(msg=f"lock_timeout: must be 0 or more seconds; {path} was not changed", option="lock_timeout")
    conflicts = []  # (names, (line number, text)) of the last edit

    def edit(hosts):
        combined = EditResult()
        conflicts.clear()
        for ip, names in mappings:
            if state == "present":
                one = hosts.ensure_present(ip, names, marker=marker, unique=params["unique"], force=params["force"])
            else:
                one = hosts.ensure_absent(names=names, ip=ip, marker=marker)
            combined.added.extend(one.added)
            combined.removed.extend(one.removed)
            combined.conflicts.extend(one.conflicts)
            conflicts.extend((names, conflict) for conflict in one.conflicts)
        return combined

    try:
        outcome = edit_hosts_file(
            module,
            path,
            edit,
            backup=params["backup"],
            lock_timeout=float(params["lock_timeout"]),
            unsafe_writes=params["unsafe_writes"],
        )
    except PermissionDeniedError as err:
        _fail_denied(module, err)
    except RenameImpossibleError as err:
        module.fail_json(
            msg=(
                f"{err}. Nothing was changed. A file that cannot be renamed over is often a mount point, such as "
                "/etc/hosts bind-mounted into a container. Set unsafe_writes: true to let the module rewrite it "
                "in place (under its lock, but not atomically)."
            ),
            path=err.path,
            option="unsafe_writes",
        )
    except LockTimeoutError as err:
        module.fail_json(msg=f"{path}: {err}; another process is editing it. Nothing was changed.", path=path)
    except HostsFileError as err:
        module.fail_json(msg=f"{err}; nothing was changed", path=path)
    except OSError as err:
        module.fail_json(msg=f"Cannot edit {path}: {err}", path=path)

    for warning in outcome.warnings:
        module.warn(warning)
    for names, (lineno, text) in conflicts:
        module.warn(
            f"line {lineno} of {outcome.path} maps {', '.join(names)} (or one of them) to another address and is "
            f"not managed by this module (no '# {marker}'): {text!r}. It was left unchanged and may shadow our "
            "line; set force: true to take the name(s) off it."
        )

    result = {
        "changed": outcome.changed,
        "path": outcome.path,
        "added": outcome.result.added,
        "removed": outcome.result.removed,
        "conflicts": [text for _lineno, text in outcome.result.conflicts],
        "method": outcome.method,
        "writable": _writable(outcome.path, params["unsafe_writes"]),
    }
    if outcome.backup_file:
        result["backup_file"] = outcome.backup_file
    if module._diff:
        result["diff"] = {
            "before_header": outcome.path,
            "after_header": outcome.path,
            "before": outcome.before.decode("utf-8", "replace"),
            "after": outcome.after.decode("utf-8", "replace"),
        }
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "default": "/etc/hosts"},
            "ip": {"type": "str"},
            "names": {"type": "list", "elements": "str"},
            "entries": {
                "type": "list",
                "elements": "dict",
                "options": {"ip": {"type": "str"}, "names": {"type": "list", "elements": "str"}},
            },
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "marker": {"type": "str", "default": "managed by localdev.kube"},
            "unique": {"type": "bool", "default": True},
            "force": {"type": "bool", "default": False},
            "backup": {"type": "bool", "default": False},
            "lock_timeout": {"type": "int", "default": 30},
            # Declared as ansible-core declares it for its file modules, without their other options.
            "unsafe_writes": {"type": "bool", "default": False, "fallback": (env_fallback, ["ANSIBLE_UNSAFE_WRITES"])},
        },
        mutually_exclusive=[("entries", "ip"), ("entries", "names")],
        supports_check_mode=True,
    )
    run(module)


if __name__ == "__main__":
    main()
