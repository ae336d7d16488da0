#!/usr/bin/env bash
# The second command: set up, then lint, type-check, validate the template and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SAM_CLI_TELEMETRY=0 PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"; ruff check functions tests benchmarks
echo "== mypy"; mypy
echo "== sam validate --lint"; sam validate --lint --template template.yaml
echo "== cfn-lint"; cfn-lint template.yaml
# Proves the functions build for Lambda (python3.13, arm64 wheels) into a temp dir.
echo "== sam build"; bash scripts/sam_build.sh
echo "== pytest"
# pytest exits 5 when it collected nothing: that must fail the run, and it does under set -e.
pytest "$@"
