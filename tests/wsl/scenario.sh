#!/usr/bin/env bash
# The WSL scenario, run by tests/gates.d/73-wsl.sh inside tests/wsl/namespace.sh:
# the whole site.yml as under WSL, on the real test cluster, then teardown.yml.
# Usage: scenario.sh DIR (the namespace's directory; logs go there too)
set -euo pipefail
. tests/env/lib.sh
dir=$1
win=/mnt/c/Windows/System32/drivers/etc/hosts
minikube_home=${MINIKUBE_HOME:-$HOME}
[ "$(basename "$minikube_home")" = .minikube ] || minikube_home="$minikube_home/.minikube"
record="$minikube_home/profiles/$LOCALDEV_TEST_PROFILE/localdev-tunnel.json"
extra=(-i inventory/hosts.yml -e "@$LOCALDEV_TEST_DIR/cluster-vars.yml" -e toolchain_install=false
       -e "ansible_python_interpreter=$LOCALDEV_VENV/bin/python" -e images_keep=2 -e helm_release_timeout=240
       -e todo_openai_api_key= -e todo_database_url=)
runs=0

# One site.yml run; its log is DIR/site-N.log. Prints the recap's changed count.
site() {
  runs=$((runs + 1))
  local logfile="$dir/site-$runs.log"
  ansible-playbook "${extra[@]}" playbooks/site.yml >"$logfile" 2>&1 || { tail -80 "$logfile" >&2; die "wsl: site.yml run $runs failed"; }
  grep -Eo 'localhost +: ok=[0-9]+ +changed=[0-9]+' "$logfile" | grep -Eo '[0-9]+$'
}
status() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$1" || true; }
tunnel_pid() { "$LOCALDEV_VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$record"; }
stop_tunnel() { [ -f "$record" ] && kill -KILL -- "-$(tunnel_pid)" 2>/dev/null || true; }
# A failed scenario leaves no tunnel behind (teardown.yml stops it otherwise).
trap 'rc=$?; [ "$rc" -eq 0 ] || stop_tunnel' EXIT

[ -n "${WSL_DISTRO_NAME:-}" ] && [ -e /proc/sys/fs/binfmt_misc/WSLInterop ] || die "wsl: not inside tests/wsl/namespace.sh"
cp /etc/hosts "$dir/hosts.before"
cp "$win" "$dir/windows-hosts.before"

log "wsl: minikube sees WSL: its Docker endpoint is forwarded to 127.0.0.1"
minikube -p "$LOCALDEV_TEST_PROFILE" docker-env | grep -q 'DOCKER_HOST="tcp://127.0.0.1:' \
  || die "wsl: minikube docker-env does not hand out 127.0.0.1 under WSL_DISTRO_NAME"

log "wsl: first run, the Windows hosts file read-only (it needs Administrator)"
chattr +i "$win"
site >/dev/null
chattr -i "$win"
grep -q 'Paste this into a PowerShell window' "$dir/site-1.log" || die "wsl: no PowerShell command for the read-only Windows hosts file"
grep -q 'localdev.kube' "$win" && die "wsl: the read-only Windows hosts file was written"
grep -Eq '^127\.0\.0\.1[[:space:]]+todo\.local( |$)' /etc/hosts || die "wsl: /etc/hosts does not map todo.local to 127.0.0.1"
grep -q 'Tunnel | minikube tunnel started' "$dir/site-1.log" || die "wsl: the run did not keep a tunnel"
grep -q 'run this in another terminal\|Run this in another terminal' "$dir/site-1.log" && die "wsl: the run still tells the user to run minikube tunnel"
grep -q 'minikube tunnel serves it on 127.0.0.1 from the background' "$dir/site-1.log" || die "wsl: the summary does not say the tunnel serves the app"
pid=$(tunnel_pid)
kill -0 "$pid" || die "wsl: the tunnel recorded in $record does not run"

log "wsl: second run adds the Windows entry"
changed=$(site)
[ "$changed" -gt 0 ] || die "wsl: the second run changed nothing"
grep -Eq $'^127\\.0\\.0\\.1[[:space:]]+todo\\.local .*\r$' "$win" || die "wsl: the Windows hosts file has no CRLF entry for todo.local"

log "wsl: third run (changed=0, the same tunnel)"
changed=$(site)
[ "$changed" -eq 0 ] || die "wsl: the third run changed $changed"
[ "$(tunnel_pid)" = "$pid" ] || die "wsl: a healthy tunnel was replaced"

log "wsl: the app through the tunnel, by name"
[ "$(status http://todo.local/)" = 200 ] || die "wsl: http://todo.local/ did not answer 200 through the tunnel"
[ "$(status http://todo.local/api/health)" = 200 ] || die "wsl: http://todo.local/api/health did not answer 200"
apps/frontend/scripts/npm-ci.sh >&2
(cd apps/frontend && E2E_BASE_URL=http://todo.local E2E_BACKEND_URL=http://todo.local E2E_OUTPUT_DIR="$dir/e2e" \
  NEXT_TELEMETRY_DISABLED=1 npx --no-install vitest run --config vitest.e2e.config.mts) >"$dir/e2e.log" 2>&1 \
  || { tail -60 "$dir/e2e.log" >&2; die "wsl: the browser test at http://todo.local/ failed"; }

log "wsl: the tunnel dies; the next run starts it again, the one after changes nothing"
kill -KILL -- "-$pid"
sleep 1
[ "$(status http://todo.local/)" = 000 ] || die "wsl: something still answers on 127.0.0.1:80 with the tunnel killed"
changed=$(site)
[ "$changed" -gt 0 ] || die "wsl: the run after the tunnel died changed nothing"
[ "$(tunnel_pid)" != "$pid" ] || die "wsl: the dead tunnel was not started again"
[ "$(status http://todo.local/api/health)" = 200 ] || die "wsl: the restarted tunnel does not serve the app"
changed=$(site)
[ "$changed" -eq 0 ] || die "wsl: the run after the restart changed $changed"

log "wsl: teardown stops the tunnel and restores both hosts files"
pid=$(tunnel_pid)
ansible-playbook "${extra[@]}" playbooks/teardown.yml >"$dir/teardown.log" 2>&1 || { tail -60 "$dir/teardown.log" >&2; die "wsl: teardown failed"; }
! kill -0 "$pid" 2>/dev/null || die "wsl: teardown left the tunnel running"
[ ! -e "$record" ] || die "wsl: teardown left the tunnel's record"
cmp -s /etc/hosts "$dir/hosts.before" || die "wsl: /etc/hosts is not byte for byte as before"
cmp -s "$win" "$dir/windows-hosts.before" || die "wsl: the Windows hosts file is not byte for byte as before"
log "wsl: site.yml under WSL: tunnel kept, both hosts files, verify and browser through 127.0.0.1; teardown restored all"
