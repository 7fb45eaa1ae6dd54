#!/usr/bin/env bash
# Writes CHANGELOG.md with antsibull-changelog from changelogs/: the released
# versions (changelogs/changelog.yaml) and, while changelogs/fragments/ holds
# entries, the next release as it stands, under the version
# "<galaxy.yml's version>-unreleased". That entry comes from an
# `antsibull-changelog release` in a scratch copy: the checkout's changelogs/
# is never changed here (a real release is cut by hand, see README.md).
# With --check, writes nothing and fails when the fragments are invalid or
# CHANGELOG.md differs from what it would write.
#   scripts/changelog.sh [--check]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/common.sh
. "$here/scripts/common.sh"

check=false
case "${1:-}" in
  --check) check=true ;;
  '') ;;
  *) die "usage: scripts/changelog.sh [--check]" ;;
esac
# antsibull-changelog runs ansible-doc to list the collection's plugins.
export PATH="$LOCALDEV_VENV/bin:$PATH"
command -v antsibull-changelog >/dev/null \
  || die "antsibull-changelog is missing: scripts/venv.sh requirements.txt requirements-test.txt"
cd "$here"

antsibull-changelog lint
antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml

read -r version released fragments < <(python - <<'PY'
from pathlib import Path

import yaml

version = str(yaml.safe_load(Path("galaxy.yml").read_text())["version"])
releases = yaml.safe_load(Path("changelogs/changelog.yaml").read_text()).get("releases") or {}
fragments = [
    p for p in Path("changelogs/fragments").glob("*.y*ml") if not p.name.startswith(".")
]
print(version, "yes" if version in releases else "no", len(fragments))
PY
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What antsibull-changelog reads: the settings, the history, the fragments and
# the plugins' and roles' documentation (tracked and new files, as git sees
# them, that are there: a release deletes the fragments).
git ls-files -z --cached --others --exclude-standard -- galaxy.yml meta changelogs plugins roles \
  | while IFS= read -r -d '' file; do [ ! -e "$file" ] || printf '%s\0' "$file"; done \
  | xargs -0 cp --parents -t "$work"
if [ "$fragments" -gt 0 ]; then
  [ "$released" = no ] || die "galaxy.yml's version $version is released already \
(changelogs/changelog.yaml): raise it for the entries in changelogs/fragments/"
  # The date is not shown in CHANGELOG.md; a fixed one keeps the output stable.
  (cd "$work" && antsibull-changelog release --version "$version-unreleased" --date 1970-01-01) \
    >"$work/antsibull.log" 2>&1 || { cat "$work/antsibull.log"; exit 1; }
else
  (cd "$work" && antsibull-changelog generate) >"$work/antsibull.log" 2>&1 \
    || { cat "$work/antsibull.log"; exit 1; }
fi

if ! $check; then
  cp "$work/CHANGELOG.md" CHANGELOG.md
  log "wrote CHANGELOG.md ($fragments fragments)"
elif ! diff -u CHANGELOG.md "$work/CHANGELOG.md"; then
  echo "CHANGELOG.md is not what antsibull-changelog generates (diff above): it is never edited by hand;"
  echo "add a fragment under changelogs/fragments/ and run scripts/changelog.sh (make changelog)."
  exit 1
else
  echo "changelog ok: fragments valid, CHANGELOG.md generated ($fragments fragments, version $version)"
fi
