#!/usr/bin/env bash
# Unit tests of the modules and module_utils.
set -euo pipefail
pytest tests/unit -q --junitxml="$GATE_JUNIT"
