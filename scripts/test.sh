#!/usr/bin/env bash
# Builds descent with its tests and runs the whole suite through CTest; further arguments go to
# ctest (a filter that matches no test fails).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir build --output-on-failure --no-tests=error -j"$(nproc)" --timeout 600 "$@"
