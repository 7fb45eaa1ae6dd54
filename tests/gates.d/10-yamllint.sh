#!/usr/bin/env bash
# Every YAML file in the repository (config: .yamllint).
set -euo pipefail
yamllint --strict .
