#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: platform_info
short_description: Tell native Linux, macOS and Windows Subsystem for Linux apart
version_added: "0.1.0"
description:
  - Says which of the three platforms a local Kubernetes set-up differs on this host is. Install
    instructions, the address the browser reaches the ingress at, and the hosts files to edit differ
    between them.
  - WSL is recognised by WSL's interop handler for Windows executables being registered
    (C(/proc/sys/fs/binfmt_misc/WSLInterop) or C(WSLInterop-late), which also holds with a custom WSL
    kernel), or by a kernel release or C(/proc/version) that names Microsoft or WSL.
  - Much less than C(ansible.builtin.setup) with C(gather_subset=min), which does not tell WSL apart.
  - M(localdev.kube.toolchain_info) returns the same answer beside the tools.
  - Read-only. It runs in check mode and never reports a change.
author:
  - localdev.kube maintainers (!UNKNOWN)
options: {}
attributes:
  check_mode:
    support: full
    description: Read-only.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
seealso:
  - module: localdev.kube.toolchain_info
"""

EXAMPLES = r"""
- name: Find out whether this is Linux, macOS or WSL
  localdev.kube.platform_info:
  register: host

- name: Edit the Windows hosts file too under WSL
  ansible.builtin.debug:
    msg: The browser runs on Windows.
  when: host.platform == 'wsl'
"""

RETURN = r"""
platform:
  description: V(macos) on macOS, V(wsl) under Windows Subsystem for Linux, else V(linux).
  returned: always
  type: str
  sample: linux
wsl:
  description: Whether the host is Windows Subsystem for Linux.
  returned: always
  type: bool
  sample: false
system:
  description: C(platform.system()) on the host.
  returned: always
  type: str
  sample: Linux
machine:
  description: C(platform.machine()) on the host.
  returned: always
  type: str
  sample: x86_64
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.localdev.kube.plugins.module_utils.host_platform import detect


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.exit_json(changed=False, **detect())


if __name__ == "__main__":
    main()
