#!/usr/bin/env bash
# Fuzzes the descent command line for SECONDS (default 120): every subcommand and flag with values
# from fuzz/cli/values.txt, alone and in random combinations, each invocation under a memory and a
# time limit (fuzz/cli/cli_fuzz.py, docs/fuzzing.md). Builds descent first if needed. Prints the
# seed, every failure as a command that replays it, and a summary; exits non-zero on any failure.
# Extra arguments go to cli_fuzz.py (--seed N, --jobs N, --memory-mib N, --replay ARGS).
set -euo pipefail
seconds=${1:-120}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ ! -x "$root/build/descent" ]]; then
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build" --target descent -j "$(nproc)"
fi
exec python3 "$root/fuzz/cli/cli_fuzz.py" --descent "$root/build/descent" --seconds "$seconds" "$@"
