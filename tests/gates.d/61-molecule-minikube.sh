#!/usr/bin/env bash
# Molecule scenario `minikube`: the minikube role on localhost against the fake
# minikube CLI (tests/fakes/minikube) and a real Docker daemon on TCP + TLS
# (tests/env/tls-dockerd.sh): converge, idempotence, drift, check mode, verify.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/common.sh
export PATH="$LOCALDEV_VENV/bin:$LOCALDEV_BIN:$PATH"

command -v molecule >/dev/null 2>&1 || die "molecule not found: run make venv-test (scripts/venv.sh requirements.txt requirements-test.txt)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers: run tests/env/docker.sh"
command -v openssl >/dev/null 2>&1 || die "openssl not found: apt-get install openssl"
[ -x tests/fakes/minikube/minikube ] || die "tests/fakes/minikube/minikube is missing or not executable"

export LOCALDEV_CACHE
# The scenario puts this first on PATH and uses this MINIKUBE_HOME (molecule.yml).
export LOCALDEV_MINIKUBE_PATH="$PWD/tests/fakes/minikube"
export LOCALDEV_MINIKUBE_HOME="$LOCALDEV_CACHE/tls-dockerd"
# The scenario's own output stays out of the checkout.
export MOLECULE_EPHEMERAL_DIRECTORY="${MOLECULE_EPHEMERAL_DIRECTORY:-$LOCALDEV_CACHE/molecule/minikube}"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-0}"
exec molecule test -s minikube
