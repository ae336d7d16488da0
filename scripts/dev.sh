#!/usr/bin/env bash
# The first command: set up, then run the whole system locally on moto (no AWS, no Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/linkcheck dev "$@"
