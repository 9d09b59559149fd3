#!/usr/bin/env bash
# Installs every Debian package descent needs to build, test and train on its default data.
# Idempotent: apt-get skips what is already installed.
set -euo pipefail
packages=(
  g++ cmake make pkg-config
  libopenblas-openmp-dev zlib1g-dev libcairo2-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dataset-fashion-mnist
  chromium
  clang libclang-rt-14-dev libomp-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
