#!/usr/bin/env bash
# Python style and common bugs (config: pyproject.toml).
set -euo pipefail
ruff check .
ruff format --check --diff .
