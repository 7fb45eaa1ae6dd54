#!/usr/bin/env bash
# The collection as another team uses it (tests/consumer/README.md): built,
# installed into an empty collections directory beside only the collections
# galaxy.yml declares, and run from outside the checkout against the test
# cluster with a team's own app and chart.
set -euo pipefail
. tests/env/lib.sh
root=$(pwd)
tests/env/cluster.sh up
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "consumer: building the collection and installing it into an empty collections path"
ansible-galaxy collection build --force --output-path "$work" . >/dev/null
mkdir -p "$work/collections"
ANSIBLE_COLLECTIONS_PATH="$work/collections" \
  ansible-galaxy collection install --no-deps -p "$work/collections" "$work"/localdev-kube-*.tar.gz >/dev/null
# Galaxy is out of reach here: the declared dependencies come from the ansible
# package, linked one by one, so nothing undeclared is on the path.
for dep in $("$LOCALDEV_VENV/bin/python" -c 'import yaml; print(" ".join(yaml.safe_load(open("galaxy.yml"))["dependencies"]))'); do
  shipped=$("$LOCALDEV_VENV/bin/python" -c 'import importlib.util, sys
print(importlib.util.find_spec("ansible_collections." + sys.argv[1]).submodule_search_locations[0])' "$dep")
  mkdir -p "$work/collections/ansible_collections/${dep%%.*}"
  ln -s "$shipped" "$work/collections/ansible_collections/${dep%%.*}/${dep#*.}"
done
cp -r tests/consumer "$work/team"
cd "$work/team"

export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
extra=(-i "localhost," -e "consumer_profile=$LOCALDEV_TEST_PROFILE" -e "ansible_python_interpreter=$LOCALDEV_VENV/bin/python")
log "consumer: first run"
ansible-playbook "${extra[@]}" playbook.yml
log "consumer: second run (changed=0)"
ansible-playbook "${extra[@]}" playbook.yml | tee "$work/second.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$work/second.log" || die "the second run of the consumer playbook changed something"
ansible-playbook "${extra[@]}" teardown.yml >/dev/null
log "consumer: the installed collection built, released and verified another team's app; re-run changed=0"

# The blog: a chart that renders its own Secret from a sensitive value (a
# marker that must never show) and a generated one, image.<component> values, a NodePort made
# ClusterIP, its own health path, and a hosts file (a scratch copy of this
# machine's) that must come back byte for byte.
cd blog
export BLOG_API_TOKEN="blog-token-marker-$RANDOM$RANDOM"
cp /etc/hosts "$work/hosts" && cp /etc/hosts "$work/hosts.before"
extra+=(-e "blog_hosts_file=$work/hosts")
log "blog: first run"
ansible-playbook -v "${extra[@]}" playbook.yml > "$work/blog-first.log" || { tail -60 "$work/blog-first.log"; die "the blog's first run failed"; }
log "blog: second run (changed=0)"
ansible-playbook -v "${extra[@]}" playbook.yml > "$work/blog-second.log" || { tail -60 "$work/blog-second.log"; die "the blog's second run failed"; }
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$work/blog-second.log" || { tail -60 "$work/blog-second.log"; die "the second run of the blog playbook changed something"; }
# The generated session key (kept, as changed=0 shows) must never show either.
session_key=$(kubectl --context "$LOCALDEV_TEST_PROFILE" -n ldk-blog get secret blog-app-secrets \
  -o jsonpath='{.data.secrets\.sessionKey}' | base64 -d)
[ "${#session_key}" -eq 32 ] || die "the blog's generated session key is not kept in blog-app-secrets"
log "blog: teardown"
ansible-playbook -v "${extra[@]}" teardown.yml > "$work/blog-teardown.log" || { tail -60 "$work/blog-teardown.log"; die "the blog's teardown failed or left something behind"; }
cmp -s "$work/hosts" "$work/hosts.before" || die "the blog's teardown did not restore the hosts file byte for byte"
if grep -l -e "$BLOG_API_TOKEN" -e "$session_key" "$work"/blog-*.log; then die "a sensitive value of the blog shows in the output above"; fi
cd "$root"
log "consumer: the blog's own-Secret chart released, re-run changed=0, removed with nothing left; its token never shown"
