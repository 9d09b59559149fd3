#!/usr/bin/env bash
# Builds descent with its tests and runs the whole suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600
