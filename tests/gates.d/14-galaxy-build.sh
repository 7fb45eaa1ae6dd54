#!/usr/bin/env bash
# The collection builds, and its tarball carries no apps, caches or virtualenvs.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ansible-galaxy collection build --force --output-path "$out" .
tarball=$(ls "$out"/localdev-kube-*.tar.gz)
listing=$(tar -tzf "$tarball")
for part in MANIFEST.json FILES.json plugins/modules/hosts_entry.py roles/helm_release/tasks/main.yml charts/todo-app/Chart.yaml playbooks/site.yml; do
  grep -qx "$part" <<<"$listing" \
    || { echo "missing from the tarball: $part"; exit 1; }
done
if grep -E '^(apps/|collections/|tests/output/|\.venv/|\.ansible/)|node_modules/|__pycache__/' <<<"$listing"; then
  echo "the tarball carries files that belong out of it (above)"; exit 1
fi
echo "collection tarball ok: $(basename "$tarball"), $(wc -l <<<"$listing") entries"
