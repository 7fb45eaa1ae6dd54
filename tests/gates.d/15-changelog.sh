#!/usr/bin/env bash
# Changelog fragments are valid, and CHANGELOG.md is what antsibull-changelog
# generates from changelogs/ (nobody edits it by hand): scripts/changelog.sh.
set -euo pipefail
scripts/changelog.sh --check
