# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which of the three platforms this is: native Linux, macOS or WSL.

Install instructions, the ingress address and the hosts files differ between
them. The modules platform_info (the decision alone) and toolchain_info (with
the tools, in the same run) both answer with :func:`detect`.
"""

from __future__ import annotations

import os
import platform

# Registered by WSL for running Windows executables; also with custom WSL kernels.
WSL_INTEROP_FILES = ("/proc/sys/fs/binfmt_misc/WSLInterop", "/proc/sys/fs/binfmt_misc/WSLInterop-late")


def is_wsl(kernel_release, proc_version="", interop=False):
    """True on Windows Subsystem for Linux.

    interop: whether WSL's handler for Windows executables is registered (one of
    WSL_INTEROP_FILES exists), which also holds for custom WSL kernels; else its
    kernels name Microsoft or WSL in their release.
    """
    if interop:
        return True
    text = "%s %s" % (kernel_release or "", proc_version or "")
    return "microsoft" in text.lower() or "wsl" in text.lower()


def host_platform(system, wsl):
    """The platform word later roles decide by: 'macos', 'wsl' or 'linux'.

    Install instructions, the ingress address and the hosts files differ
    between these three; any other Unix is treated like native Linux.
    """
    if (system or "").strip().lower() == "darwin":
        return "macos"
    return "wsl" if wsl else "linux"


def _proc_version():
    try:
        with open("/proc/version") as handle:
            return handle.read()
    except OSError:
        return ""


def detect():
    """This host: system and machine (Python's platform module), wsl, and platform (macos, wsl or linux)."""
    system = platform.system()
    wsl = system == "Linux" and is_wsl(
        platform.release(), _proc_version(), any(os.path.exists(path) for path in WSL_INTEROP_FILES)
    )
    return {"system": system, "machine": platform.machine(), "wsl": wsl, "platform": host_platform(system, wsl)}
