#!/usr/bin/env bash
# Installs every Debian package descent needs to build, test and train on its default data, and the
# fuzzing and sanitizer toolchain (clang, libFuzzer, LLVM's OpenMP), Python for the command-line
# fuzzer and rsync for the mutation tests. With --bench, also PyTorch (CPU) and NumPy for the
# side-by-side benchmark (bench/compare.py, docs/benchmark.md), and scikit-learn for the data sets
# of the tune-regret benchmark (bench/lr/regret.py, docs/lr-benchmark.md).
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
packages=(
  g++ cmake make pkg-config
  libopenblas-openmp-dev libdnnl-dev zlib1g-dev libcairo2-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist fortunes
  chromium
  clang libclang-rt-14-dev libomp-dev
  python3 rsync
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-torch python3-numpy python3-sklearn)
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--bench]" >&2
  exit 2
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
