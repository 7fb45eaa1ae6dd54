#!/usr/bin/env bash
# The WSL path on the real test cluster (tests/wsl/): site.yml and teardown.yml
# run as under WSL 2 (WSL's environment and interop handler, the C: drive at
# /mnt/c), where minikube forwards its ports to 127.0.0.1 and the deploy keeps
# `minikube tunnel` running. Everything but WSL itself is real: minikube, the
# ingress controller, the app, the resolver reading /etc/hosts, Chromium.
set -euo pipefail
. tests/env/lib.sh
# minikube tunnel runs `sudo ssh` for ports 80 and 443 (as root too).
apt_install sudo
tests/env/cluster.sh up
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/c/Windows/System32/drivers/etc"
# A Windows hosts file as Windows ships it: CRLF, comments, no entries.
printf '%s\r\n' '# Copyright (c) 1993-2009 Microsoft Corp.' '#' \
  '# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.' '#' \
  '# localhost name resolution is handled within DNS itself.' '#	127.0.0.1       localhost' \
  '#	::1             localhost' >"$work/c/Windows/System32/drivers/etc/hosts"
tests/wsl/namespace.sh "$work" tests/wsl/scenario.sh "$work"
