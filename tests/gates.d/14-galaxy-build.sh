#!/usr/bin/env bash
# The collection builds, and its tarball carries only the collection: no apps,
# tests, tooling, caches or virtualenvs.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ansible-galaxy collection build --force --output-path "$out" .
tarball=$(ls "$out"/localdev-kube-*.tar.gz)
listing=$(tar -tzf "$tarball")
for part in MANIFEST.json FILES.json CHANGELOG.md changelogs/changelog.yaml plugins/modules/hosts_entry.py roles/helm_release/tasks/main.yml charts/todo-app/Chart.yaml playbooks/site.yml; do
  grep -qx "$part" <<<"$listing" \
    || { echo "missing from the tarball: $part"; exit 1; }
done
# Only the collection's content: what galaxy.yml's build_ignore keeps out
# (the checkout's tests, benchmarks, scripts, inventory, tooling, changelog
# fragments) stays out.
allowed='^(MANIFEST\.json|FILES\.json|README\.md|LICENSE|CHANGELOG\.md|requirements\.txt|requirements\.yml|changelogs/|changelogs/(changelog|config)\.yaml|(meta|roles|plugins|playbooks|charts|docs)/.*)$'
if grep -Ev "$allowed" <<<"$listing"; then
  echo "the tarball carries files that belong out of it (above)"; exit 1
fi
if grep -E 'node_modules/|__pycache__/|\.pyc$' <<<"$listing"; then
  echo "the tarball carries build leftovers (above)"; exit 1
fi
echo "collection tarball ok: $(basename "$tarball"), $(wc -l <<<"$listing") entries"
