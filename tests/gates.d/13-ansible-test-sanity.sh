#!/usr/bin/env bash
# ansible-test sanity on the collection, from a temporary
# ansible_collections/localdev/kube tree (ansible-test insists on that path),
# with local interpreters in ansible-test's own virtualenvs (no containers).
set -euo pipefail
root=$(pwd)
. scripts/common.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/localdev/kube"
mkdir -p "$dest"
# Tracked and new files, as git sees them; apps/ is not part of the collection.
git ls-files -z --cached --others --exclude-standard -- . ':!apps' ':!collections' \
  | (cd "$root" && xargs -0 cp --parents -t "$dest")
cd "$dest"
python=$("$LOCALDEV_VENV/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
ansible-test sanity --venv --python "$python" --color no
