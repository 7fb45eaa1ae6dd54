#!/usr/bin/env bash
# helm template of the todo-app chart with each values file of the test matrix,
# validated by kubeconform in strict mode against the Kubernetes 1.34 schemas,
# offline: the schemas are the strict ones the kubernetes-validate package
# (in the venv) ships; no schema is fetched from the network.
set -euo pipefail
. scripts/common.sh
. tests/chart/matrix.sh

chart=charts/todo-app
kube_version=1.34.0
command -v helm >/dev/null || die "chart-render: helm is not on PATH: run tests/env/tools.sh (or make test-env)"
command -v kubeconform >/dev/null || die "chart-render: kubeconform is not on PATH: run tests/env/tools.sh (or make test-env)"

schemas=$("$LOCALDEV_VENV/bin/python" -c \
  'import kubernetes_validate, pathlib; print(pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema")' \
  2>/dev/null) || die "chart-render: the kubernetes-validate package is missing from $LOCALDEV_VENV: run make venv-test"
version_dir="$schemas/v$kube_version-local-strict"
[ -f "$version_dir/deployment-apps-v1.json" ] \
  || die "chart-render: no strict schemas for Kubernetes $kube_version in $schemas: upgrade kubernetes-validate (make venv-test)"

# Those schemas share their definitions through "$ref": "/api/_definitions.json",
# relative to their "$id" (https://kubernetes.io/api/...). kubeconform resolves
# such a reference with its HTTP loader, which reads its -cache directory first
# (file name: sha256 of the URL): so the definitions file goes there.
cache="$LOCALDEV_CACHE/kubeconform/v$kube_version-local-strict"
mkdir -p "$cache"
definitions_url=https://kubernetes.io/api/_definitions.json
key=$(printf '%s' "$definitions_url" | sha256sum | cut -d' ' -f1)
ln -sfn "$version_dir/_definitions.json" "$cache/$key"

# Anything that still tries the network fails at once instead of reaching it.
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY='' https_proxy='' http_proxy='' no_proxy=''

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
shopt -s nullglob
matrix=(tests/chart/values/*.yaml)
[ ${#matrix[@]} -gt 0 ] || die "chart-render: no values files in tests/chart/values"
failed=0
documents=0
for values in "${matrix[@]}"; do
  name=$(basename "$values" .yaml)
  log "chart-render: helm template with $values"
  mapfile -t args < <(chart_matrix_args "$values")
  helm template todo "$chart" --namespace todo --kube-version "$kube_version" \
    "${args[@]}" >"$out/$name.yaml" || { failed=1; continue; }
  documents=$((documents + $(grep -c '^kind: ' "$out/$name.yaml" || true)))
done
[ "$failed" -eq 0 ] || die "chart-render: helm template failed (see above)"

# One kubeconform run over every render: each schema is compiled once.
log "chart-render: kubeconform -strict, Kubernetes $kube_version, $documents objects"
kubeconform -strict -summary -kubernetes-version "$kube_version" -cache "$cache" \
  -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
  "$out"/*.yaml | tee "$out/kubeconform.log" || failed=1
# Every rendered object must have been validated: none skipped, none missing.
grep -Eq "Valid: $documents, Invalid: 0, Errors: 0, Skipped: 0\$" "$out/kubeconform.log" \
  || { log "chart-render: expected all $documents objects valid"; failed=1; }
[ "$failed" -eq 0 ] || die "chart-render: some renders are not valid Kubernetes $kube_version objects (see above)"
log "chart-render: every values file renders valid Kubernetes $kube_version objects"
