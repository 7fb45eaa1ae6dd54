#!/usr/bin/env bash
# ansible-lint with the production profile (config: .ansible-lint).
set -euo pipefail
ansible-lint --profile production --strict
