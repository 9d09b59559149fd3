#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer) in
# build-asan, the asan-ubsan preset's tree, whose instrumented layers scripts/sanitize.sh asan
# tests too (one build serves both), and runs each for SECONDS_PER_TARGET (default 60) over a
# scratch copy of its seed corpus (fuzz/corpus stays as committed). Prints one summary line per target and exits non-zero
# if any target reports a finding (crash, sanitizer report, leak, timeout, out-of-memory); the
# input that triggered it is kept in build-asan/findings/. A target that ran fewer than
# MIN_EXEC_PER_SECOND (default 300) times its seconds also fails: a fuzzer that stalls or exits at
# once tests nothing. Installs nothing (scripts/setup.sh does). See docs/fuzzing.md.
set -euo pipefail
seconds=${1:-60}
min_runs=$((seconds * ${MIN_EXEC_PER_SECOND:-300}))
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
targets=(fuzz_idx fuzz_csv fuzz_npy fuzz_model_json fuzz_weights_file fuzz_checkpoint)

(cd "$root" && cmake --preset asan-ubsan >/dev/null &&
  cmake --build --preset asan-ubsan --target fuzzers -j "$(nproc)")

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/findings"
export OMP_NUM_THREADS=1
failed=0
summary=()
for target in "${targets[@]}"; do
  cp -r "$root/fuzz/corpus/$target" "$scratch/$target"
  options=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
           -artifact_prefix="$build/findings/$target-")
  if [[ -f "$root/fuzz/dict/$target.dict" ]]; then options+=(-dict="$root/fuzz/dict/$target.dict"); fi
  log=$scratch/$target.log
  echo "== $target: ${seconds}s"
  if "$build/fuzz/$target" "${options[@]}" "$scratch/$target" >"$log" 2>&1; then
    verdict=ok
  else
    verdict=FINDING
    failed=1
    tail -n 60 "$log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [[ $verdict == ok && ! ${runs:-0} -ge $min_runs ]]; then
    verdict=TOO-FEW
    failed=1
    echo "$target ran ${runs:-no} executions, fewer than the $min_runs required" >&2
    tail -n 20 "$log"
  fi
  summary+=("$(printf '%-18s %-7s %12s executions %8s exec/s' "$target" "$verdict" "${runs:-?}" \
    "${speed:-?}")")
done
printf '%s\n' "${summary[@]}"
exit "$failed"
