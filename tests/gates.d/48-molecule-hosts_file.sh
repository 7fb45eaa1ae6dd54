#!/usr/bin/env bash
# Molecule scenario `hosts_file`: the hosts_file role and the hosts_entry module
# in a real container whose /etc/hosts is a bind mount (converge, idempotence,
# verify: check mode, IP change, teardown), plus the WSL path on a CRLF Windows
# hosts file, writable and not.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/common.sh
export PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH"

image=localdev-kube/molecule-debian:bookworm
command -v molecule >/dev/null 2>&1 || die "molecule not found: run make venv-test (scripts/venv.sh requirements.txt requirements-test.txt)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: run tests/env/docker.sh"
docker image inspect "$image" >/dev/null 2>&1 \
  || die "image $image is missing: build it with tests/env/base-images.sh (tests/env/setup.sh runs it)"

# The scenario's own output stays out of the checkout.
export MOLECULE_EPHEMERAL_DIRECTORY="${MOLECULE_EPHEMERAL_DIRECTORY:-$LOCALDEV_CACHE/molecule/hosts_file}"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
exec molecule test -s hosts_file
