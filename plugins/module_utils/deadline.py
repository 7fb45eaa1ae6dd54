# -*- coding: utf-8 -*-
# Copyright (c) localdev.kube maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Commands with a deadline, for modules that run several side by side.

AnsibleModule.run_command has no timeout: a Docker daemon that accepts the
connection and never answers (Docker Desktop starting up, or stuck) would hold
the run forever. Here the command is killed after a deadline instead, and
every failure is raised, never reported with fail_json from a worker thread.
"""

from __future__ import annotations

import threading


class CommandTimeout(Exception):
    """The command was killed at its deadline."""

    def __init__(self, argv, seconds):
        super().__init__(f"{' '.join(argv)} did not finish within {seconds} s")
        self.argv = argv
        self.seconds = seconds


def run_with_deadline(module, argv, seconds, **kwargs):
    """(rc, stdout, stderr) of ``module.run_command(argv, **kwargs)``, killed after ``seconds``.

    Raises CommandTimeout when it was killed, OSError when it could not start.
    """
    fired = threading.Event()
    timers = []

    def arm(process):
        def kill():
            fired.set()
            process.kill()

        timer = threading.Timer(seconds, kill)
        timer.daemon = True
        timer.start()
        timers.append(timer)

    try:
        rc, out, err = module.run_command(argv, handle_exceptions=False, before_communicate_callback=arm, **kwargs)
    finally:
        for timer in timers:
            timer.cancel()
    if fired.is_set():
        raise CommandTimeout(argv, seconds)
    return rc, out, err
