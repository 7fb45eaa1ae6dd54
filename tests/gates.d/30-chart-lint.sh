#!/usr/bin/env bash
# helm lint --strict on the todo-app chart, with each values file of the test
# matrix, and on each of its subcharts on its own. The components' templates
# call the common library: inside todo-app its sibling charts/common provides
# it; on its own a component needs `helm dependency build` first (a file://
# dependency, offline), done in a copy so the checkout never holds built
# dependencies.
set -euo pipefail
. scripts/common.sh
. tests/chart/matrix.sh

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

# With its defaults the chart asks for the PostgreSQL password (a lint error),
# so that run gets one too.
lint "$chart" --set-string "global.secrets.postgresPassword=$CHART_TEST_PASSWORD"
for values in "${matrix[@]}"; do
  mapfile -t args < <(chart_matrix_args "$values")
  lint "$chart" --namespace todo "${args[@]}"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The copy keeps the layout, so file://../common still resolves.
cp -r "$chart/charts" "$work/"
for sub in "$work"/charts/*/; do
  sub=${sub%/}
  if grep -q '^dependencies:' "$sub/Chart.yaml"; then
    log "helm dependency build $(basename "$sub") (in a copy)"
    helm dependency build "$sub" >/dev/null || { failed=1; continue; }
  fi
  lint "$sub"
done
[ "$failed" -eq 0 ] || die "chart-lint: helm lint reported errors (see above)"
