#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install linkcheck with its dev tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "error: linkcheck needs Python 3.11 or newer on PATH (or set PYTHON=/path/to/python)" >&2
  exit 1
fi
# A stamp keeps re-runs fast and silent: install only when .venv is new or pyproject.toml changed.
stamp=.venv/.linkcheck-installed
if [ -f "$stamp" ] && [ -x .venv/bin/python ] && [ ! pyproject.toml -nt "$stamp" ]; then
  exit 0
fi
# pip stays quiet (its errors still show); these lines say why the wait, on stderr.
if [ -f "$stamp" ]; then
  echo "Updating .venv: pyproject.toml changed, reinstalling linkcheck and its dev tools..." >&2
else
  echo "Setting up .venv: installing linkcheck and its dev tools (first run, about a minute)..." >&2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -m pip install --quiet --upgrade pip ||
   ! .venv/bin/python -m pip install --quiet -e '.[dev]'; then
  echo "error: installing into .venv failed (pip's messages above); fix that and re-run" >&2
  exit 1
fi
touch "$stamp"
echo "done: .venv is ready" >&2
