#!/usr/bin/env bash
# Molecule scenario `toolchain`: the toolchain role on localhost in a scratch
# HOME and PATH, downloading minikube, kubectl and helm from
# a python http.server on 127.0.0.1 (the real binaries tests/env provisioned, in
# the official layouts with checksum files): nothing installed -> all three installed and
# verified; second run changed=0 and no download; good copies on PATH used; an
# old kubectl on PATH -> pinned copy beside it; tampered files, a wrong pinned
# checksum and wrong-version releases -> failure, nothing installed;
# toolchain_install false -> clear error; check mode downloads nothing; docker
# missing or its daemon down -> instructions.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/common.sh
export PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH"

command -v molecule >/dev/null 2>&1 || die "molecule not found: run make venv-test (scripts/venv.sh requirements.txt requirements-test.txt)"
command -v docker >/dev/null 2>&1 || die "the docker CLI is not on PATH: run tests/env/docker.sh"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: run tests/env/docker.sh"
for tool in tar gzip which; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: apt-get install tar gzip debianutils"
done

# The real binaries the scenario publishes, and an old kubectl (tests/env/tools.sh).
for tool in minikube kubectl helm; do
  [ -x "$LOCALDEV_BIN/$tool" ] || die "$LOCALDEV_BIN/$tool is missing: run tests/env/setup.sh"
done
export LOCALDEV_OLD_KUBECTL="$LOCALDEV_CACHE/old-kubectl/kubectl"
[ -x "$LOCALDEV_OLD_KUBECTL" ] || die "$LOCALDEV_OLD_KUBECTL is missing: run tests/env/tools.sh"

# The scenario's own output (release trees, scratch homes, server log) stays out of the checkout.
export MOLECULE_EPHEMERAL_DIRECTORY="${MOLECULE_EPHEMERAL_DIRECTORY:-$LOCALDEV_CACHE/molecule/toolchain}"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
exec molecule test -s toolchain
