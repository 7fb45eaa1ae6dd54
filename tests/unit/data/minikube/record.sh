#!/usr/bin/env bash
# Records the minikube outputs the unit tests read, from the real minikube
# binary and the test cluster's profile (tests/env/cluster.sh up first):
#   tests/unit/data/minikube/record.sh running   outputs of a running profile
#   tests/unit/data/minikube/record.sh stopped   outputs of a stopped one (stop it first)
# Each file holds stdout (or stderr, .stderr) of one command exactly as minikube
# printed it with stdout not a terminal; exit codes are in the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/env/lib.sh
. "$here/../../../env/lib.sh"
mk() { "$LOCALDEV_BIN/minikube" "$@" </dev/null; }
profile=$LOCALDEV_TEST_PROFILE
absent=localdev-no-such-profile
rec() { local file=$1; shift; mk "$@" >"$here/$file" 2>/dev/null || true; log "recorded $file: minikube $*"; }

case "${1:-}" in
  running)
    rec version.json version -o json
    rec version.txt version
    rec status_running.json -p "$profile" status -o json
    rec ip.stdout -p "$profile" ip
    rec addons_list.json -p "$profile" addons list -o json
    rec image_ls.json -p "$profile" image ls --format json
    rec docker_env.json -p "$profile" docker-env --shell none -o json
    rec docker_env_none_text.stdout -p "$profile" docker-env --shell none
    rec docker_env_bash.stdout -p "$profile" docker-env --shell bash
    rec profile_list_light.json profile list -o json -l
    rec status_not_found.stdout -p "$absent" status -o json
    rec ip_not_found.stdout -p "$absent" ip
    rec docker_env_not_found.stdout -p "$absent" docker-env --shell none -o json
    rec addons_list_no_profile.json -p "$absent" addons list -o json
    ;;
  stopped)
    rec status_stopped.json -p "$profile" status -o json
    rec ip_stopped.stdout -p "$profile" ip
    rec docker_env_stopped.stdout -p "$profile" docker-env --shell none -o json
    ;;
  *) echo "usage: $0 running|stopped" >&2; exit 2 ;;
esac
