#!/usr/bin/env bash
# ansible-test sanity on the collection, from a temporary
# ansible_collections/localdev/kube tree (ansible-test insists on that path).
# It runs with --local from a virtualenv of its own (cached), so its
# requirements never clash with ansible-lint's. ansible-test downloads a pip
# bootstrap script from outside the package registries: tests/env/
# ansible-test-get-pip.py stands in for it (see that file).
set -euo pipefail
root=$(pwd)
. scripts/common.sh
venv="$LOCALDEV_CACHE/sanity-venv"
core=$("$LOCALDEV_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("ansible-core"))')
if [ ! -e "$venv/.ansible-core-$core" ]; then
  rm -rf "$venv"
  "$LOCALDEV_VENV/bin/python" -m venv "$venv"
  "$venv/bin/pip" install --quiet "ansible-core==$core"
  touch "$venv/.ansible-core-$core"
fi
pip_version=$("$venv/bin/python" - <<'PY'
import re, ansible_test._internal.python_requirements as r, inspect
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(r)).group(1))
PY
)
mkdir -p ~/.ansible/test/cache
cp tests/env/ansible-test-get-pip.py ~/.ansible/test/cache/"get_pip_${pip_version//./_}.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/localdev/kube"
mkdir -p "$dest"
# Tracked and new files, as git sees them; apps/ is not part of the collection.
git ls-files -z --cached --others --exclude-standard -- . ':!apps' ':!collections' \
    ':!charts/todo-app/templates' ':!charts/todo-app/charts/*/templates/*' \
    ':!tests/consumer/chart/templates' ':!tests/consumer/blog/chart/templates' \
  | (cd "$root" && xargs -0 cp --parents -t "$dest")
# The declared dependency whose module_utils a module imports, beside it (the
# import test loads modules with only this tree on the collection path).
deps=$("$LOCALDEV_VENV/bin/python" -c 'import ansible_collections.community.docker as m; print(list(m.__path__)[0])')
mkdir -p "$work/ansible_collections/community"
ln -s "$deps" "$work/ansible_collections/community/docker"
cd "$dest"
python=$("$venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PATH="$venv/bin:$PATH" ansible-test sanity --local --requirements --python "$python" --color no
