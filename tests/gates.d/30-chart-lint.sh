#!/usr/bin/env bash
# helm lint --strict on the todo-app chart, with each values file of the test
# matrix, and on each of its subcharts on its own.
set -euo pipefail
. scripts/common.sh

chart=charts/todo-app
command -v helm >/dev/null || die "chart-lint: helm is not on PATH: run tests/env/tools.sh (or make test-env)"
case "$(helm version --template '{{.Version}}')" in
  v4.*) ;;
  *) die "chart-lint: $(command -v helm) is not Helm 4: run tests/env/tools.sh (it builds the pinned helm into $LOCALDEV_BIN)" ;;
esac

shopt -s nullglob
matrix=(tests/chart/values/*.yaml)
[ ${#matrix[@]} -gt 0 ] || die "chart-lint: no values files in tests/chart/values"
failed=0
lint() {
  log "helm lint --strict $*"
  helm lint --strict "$@" || failed=1
}

lint "$chart"
for values in "${matrix[@]}"; do
  lint "$chart" --namespace todo --values "$values"
done
for sub in "$chart"/charts/*/; do
  lint "${sub%/}"
done
[ "$failed" -eq 0 ] || die "chart-lint: helm lint reported errors (see above)"
