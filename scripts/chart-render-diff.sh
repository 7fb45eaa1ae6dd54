#!/usr/bin/env bash
# Renders charts/todo-app as committed at REF and as in the working tree, with
# the same value combinations, and diffs the two: a template refactor must
# render the same manifests and NOTES. The PostgreSQL password of the chart's
# own Secret is masked: charts before global.secrets.postgresPassword
# generated one on every render.
#   scripts/chart-render-diff.sh [REF]     (default: main)
# Exit status 0: identical; 1: a difference (shown).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/scripts/common.sh"
ref=${1:-main}
command -v helm >/dev/null || die "helm is not on PATH: run tests/env/tools.sh (or make test-env)"
git -C "$here" rev-parse --verify --quiet "$ref^{commit}" >/dev/null || die "no such commit: $ref"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/before" "$work/values"
git -C "$here" archive "$ref" charts/todo-app | tar -x -C "$work/before"

# What the inventory passes through the helm_release role (images and the
# role's Secret added), with the in-cluster database and with an external one.
cat >"$work/values/inventory.yaml" <<'EOF'
ingress: {host: todo.local}
backend: {replicaCount: 1, image: {repository: todo-backend, tag: 3f9c2a1b7d0e}}
frontend: {replicaCount: 1, image: {repository: todo-frontend, tag: 9a8b7c6d5e4f}}
global:
  postgresql: {enabled: true}
  secrets: {existingSecret: todo-app-secrets, checksum: 0f3c1d}
EOF
sed -e 's/enabled: true/enabled: false/' -e 's/replicaCount: 1, image: {repository: todo-backend/replicaCount: 2, image: {repository: todo-backend/' \
  "$work/values/inventory.yaml" >"$work/values/inventory-external.yaml"
cat >"$work/values/serviceaccounts.yaml" <<'EOF'
backend: {serviceAccount: {create: false}, podDisruptionBudget: {enabled: true}}
frontend: {serviceAccount: {create: true, name: web-sa}}
postgresql: {serviceAccount: {create: false, name: db-sa}, image: {tag: ""}}
EOF

# name | release | helm arguments (@password@: the chart renders its own Secret
# for the in-cluster database, and needs the password where the chart takes one)
cases=(
  "default|todo|@password@"
  "inventory|todo|--values $work/values/inventory.yaml"
  "inventory-external|todo|--values $work/values/inventory-external.yaml"
  "existing-secret|todo|--set global.secrets.existingSecret=mine"
  "external-url|todo|--set global.postgresql.enabled=false --set global.secrets.databaseUrl=postgresql://u:p@db.example:5432/todo --set global.secrets.openaiApiKey=sk-x"
  "release-my-backend|my-backend|@password@"
  "release-frontend|frontend|--set ingress.enabled=false @password@"
  "release-postgresql-db|postgresql-db|--values $work/values/inventory.yaml"
  "release-todo-app|my-todo-app-prod|@password@"
  "release-53-characters|a-release-named-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|@password@"
  "name-overrides|todo|--set nameOverride=todoo @password@"
  "fullname-override|todo|--set fullnameOverride=shop @password@"
  "serviceaccounts|todo|--values $work/values/serviceaccounts.yaml @password@"
)
. "$here/tests/chart/matrix.sh"
for values in "$here"/tests/chart/values/*.yaml; do
  args="--values $values"
  chart_renders_own_secret "$values" && args+=" @password@"
  cases+=("matrix-$(basename "$values" .yaml)|todo|$args")
done

render() {
  local chart=$1 out=$2 entry name release args password=""
  mkdir -p "$out"
  grep -q '^ *postgresPassword:' "$chart/values.yaml" \
    && password="--set-string global.secrets.postgresPassword=$CHART_TEST_PASSWORD"
  for entry in "${cases[@]}"; do
    IFS='|' read -r name release args <<<"$entry"
    args=${args//@password@/$password}
    # shellcheck disable=SC2086 # args is a list of words
    helm template "$release" "$chart" --namespace todo --kube-version 1.34.0 $args >"$out/$name.yaml" 2>&1 \
      || echo "helm template failed" >>"$out/$name.yaml"
    # NOTES.txt: only an install renders it (client-side, no cluster needed).
    # shellcheck disable=SC2086
    KUBECONFIG=/nonexistent helm install "$release" "$chart" --namespace todo --dry-run=client $args 2>&1 \
      | sed -n '/^NOTES:/,$p' >"$out/$name.notes"
    sed -i -E 's/^(  POSTGRES_PASSWORD: ).*/\1(generated)/' "$out/$name.yaml"
  done
}

render "$work/before/charts/todo-app" "$work/out/$ref"
render "$here/charts/todo-app" "$work/out/working-tree"
if (cd "$work/out" && diff -ru "$ref" working-tree); then
  log "chart-render-diff: ${#cases[@]} value combinations render the same at $ref and in the working tree"
else
  log "chart-render-diff: the renders differ (above)"
  exit 1
fi
