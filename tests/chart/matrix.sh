# shellcheck shell=bash
# Sourced by the chart gates and scripts/chart-render-diff.sh. Unless a values
# file of the test matrix (tests/chart/values) names an existing Secret, the
# chart renders its own and needs the PostgreSQL password, which no values
# file may hold: it comes with --set-string, as a user passes it.
CHART_TEST_PASSWORD=render-only-not-a-secret

# Succeeds when the values file leaves the chart to render its own Secret.
chart_renders_own_secret() {
  ! grep -Eq '^[[:space:]]+existingSecret:[[:space:]]*[^[:space:]"]' "$1"
}

# The helm arguments one values file of the matrix renders with, one per line.
chart_matrix_args() {
  printf '%s\n' --values "$1"
  if chart_renders_own_secret "$1"; then
    printf '%s\n' --set-string "global.secrets.postgresPassword=$CHART_TEST_PASSWORD"
  fi
}
