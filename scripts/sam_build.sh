#!/usr/bin/env bash
# Build the Lambda artifacts with `sam build` (no Docker); SAM's caches stay outside the repository.
#
#   scripts/sam_build.sh [BUILD_DIR]
#
# The functions' runtime (Globals Runtime in template.yaml, e.g. python3.13) must be on PATH:
# found on PATH, else through pyenv. Without it the build fails with a clear message (never
# passes silently). SAM's pip builder fetches manylinux aarch64 wheels for arm64 from x86_64.
# BUILD_DIR is relative to the current directory: from the project root, `.aws-sam/build` is
# where `sam deploy` (run from the project root, no --template-file) looks for the template.
# Without BUILD_DIR the artifacts go to a temporary directory that is removed at the end (a CI
# proof that the template builds); dependencies are cached across runs in
# ${LINKCHECK_SAM_CACHE:-~/.cache/linkcheck/sam} so a rebuild only copies the source.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export SAM_CLI_TELEMETRY=0
sam="${SAM:-$repo/.venv/bin/sam}"
[ -x "$sam" ] || sam="$(command -v sam || true)"
if [ -z "$sam" ]; then
  echo "error: sam (aws-sam-cli) not found: run scripts/setup.sh first" >&2
  exit 1
fi

runtime="$(sed -n 's/^ *Runtime: *\(python3\.[0-9][0-9]*\).*/\1/p' "$repo/template.yaml" | head -n1)"
if [ -z "$runtime" ]; then
  echo "error: no 'Runtime: python3.X' found in template.yaml" >&2
  exit 1
fi
version="${runtime#python}"

# `python3.13 -c` proves it runs: a pyenv shim exists on PATH even when that version is not
# active, and then it fails.
runs() { "$1" -c 'import sys' >/dev/null 2>&1; }
if ! runs "$runtime"; then
  found=""
  root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
  for candidate in "$root"/versions/"$version"*/bin/"$runtime"; do
    if [ -x "$candidate" ] && runs "$candidate"; then found="$candidate"; fi
  done
  if [ -z "$found" ]; then
    echo "error: sam build needs $runtime (the functions' runtime) on PATH; none found on" \
      "PATH or in $root/versions. Install Python $version (e.g. 'pyenv install $version')." >&2
    exit 1
  fi
  export PATH="$(dirname "$found"):$PATH"
fi
echo "sam build with $("$runtime" --version 2>&1) ($(command -v "$runtime"))"

cache="${LINKCHECK_SAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/linkcheck/sam}"
mkdir -p "$cache"
if [ $# -ge 1 ]; then
  # Relative to where the caller stands: the `cd` below must not move it into the cache.
  case "$1" in
    "") echo "error: BUILD_DIR is empty" >&2; exit 1 ;;
    /*) build_dir="$1" ;;
    *) build_dir="$PWD/$1" ;;
  esac
else
  build_dir="$(mktemp -d "${TMPDIR:-/tmp}/linkcheck-sam-build.XXXXXX")"
  trap 'rm -rf "$build_dir"' EXIT
fi

# SAM keeps cached dependencies in ./.aws-sam/deps of the working directory: run it from the
# cache directory so the repository stays clean.
cd "$cache"
"$sam" build --template-file "$repo/template.yaml" --build-dir "$build_dir" \
  --cache-dir "$cache/build-cache" --cached --parallel
if [ ! -f "$build_dir/template.yaml" ]; then
  echo "error: sam build left no template at $build_dir/template.yaml" >&2
  exit 1
fi

# Lambda runs the handlers only. CodeUri cannot exclude paths, so the local stack
# (linkcheck/local), the CLI (linkcheck/cli.py, linkcheck/commands) and requirements.txt are
# removed from each function's artifact here; SAM's pip builder already leaves out __pycache__
# and *.egg-info. tests/integration/test_deploy_docs.py checks the result.
for function_dir in "$build_dir"/*/; do
  [ -d "$function_dir/linkcheck" ] || continue
  rm -rf "$function_dir/linkcheck/local" "$function_dir/linkcheck/commands" \
    "$function_dir/linkcheck/cli.py" "$function_dir/requirements.txt"
done
echo "Built template: $build_dir/template.yaml"
