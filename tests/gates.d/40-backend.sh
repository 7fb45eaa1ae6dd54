#!/usr/bin/env bash
# Backend app tests (apps/backend/tests/app): pytest against a real PostgreSQL
# (tests/env/postgres.sh), SQLite, and the fake OpenAI server (tests/fakes/openai),
# in the app's own Python 3.11 venv (apps/backend/scripts/test-venv.sh, cached).
set -euo pipefail
. scripts/common.sh

dsn_file="$LOCALDEV_CACHE/postgres/dsn"
[ -s "$dsn_file" ] || die "backend: no test PostgreSQL ($dsn_file missing): run tests/env/postgres.sh (or make test-env)"
dsn=$(cat "$dsn_file")
command -v pg_isready >/dev/null || die "backend: pg_isready missing: run tests/env/postgres.sh"
pg_isready -q -d "$dsn" || die "backend: PostgreSQL of $dsn_file does not answer: run tests/env/postgres.sh (it starts the cluster)"

venv=$(apps/backend/scripts/test-venv.sh)
cd apps/backend
BACKEND_TEST_DATABASE_URL="$dsn" exec "$venv/bin/python" -m pytest -p no:cacheprovider \
  ${GATE_JUNIT:+--junitxml="$GATE_JUNIT"} "$@"
