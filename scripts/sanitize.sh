#!/usr/bin/env bash
# Builds descent with sanitizers and runs its tests under them; exits non-zero on any report.
#   scripts/sanitize.sh asan  AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer (Clang),
#                             the whole suite (build-asan/)
#   scripts/sanitize.sh asan-quick  the same, layers core to train only (labels and targets)
#   scripts/sanitize.sh tsan  ThreadSanitizer (Clang, LLVM's OpenMP), the tests that run threads:
#                             labels core, loss, optim and lr (build-tsan/)
#   scripts/sanitize.sh tsan-quick  the same, layer core only (the kernels' parallel loops)
# Further arguments go to ctest, e.g. `scripts/sanitize.sh asan -L 'core|data'` (docs/sanitizers.md).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
shift $(($# > 0 ? 1 : 0))
case $kind in
  asan) preset=asan-ubsan dir=build-asan targets=(all) selection=() ;;
  # The layers up to train: every parser (IDX, CSV, NPY, model JSON, weights and checkpoints)
  # without the costly report and cli builds; for a CI with little time.
  asan-quick)
    preset=asan-ubsan dir=build-asan
    targets=(test_core test_data test_nn test_loss test_optim test_train)
    selection=(-L '^(core|data|nn|loss|optim|train)$')
    ;;
  # parallel_for's loops (core, loss, optim) and the parallel sweep (lr) run on several threads.
  tsan)
    preset=tsan dir=build-tsan targets=(test_core test_loss test_optim test_lr)
    selection=(-L '^(core|loss|optim|lr)$')
    ;;
  # The kernels' loops alone (layer core), for a CI with little time.
  tsan-quick) preset=tsan dir=build-tsan targets=(test_core) selection=(-L '^core$') ;;
  *) echo "usage: $0 asan|asan-quick|tsan|tsan-quick [ctest arguments]" >&2; exit 2 ;;
esac

# TSan's programs run without address-space randomization: TSan (LLVM 14) puts its shadow memory
# at fixed addresses, and randomized mappings can break it before main. Once in CI a test program
# died so, in the OpenMP runtime's start-up during test discovery (not reproduced in 260 starts).
# Later LLVMs re-execute themselves without randomization for this reason.
no_aslr=()
[[ "$kind" == tsan* ]] && no_aslr=(setarch "$(uname -m)" -R)

timed() {  # runs a phase, prints its wall time, returns its status
  local start=$SECONDS status=0
  "${@:2}" || status=$?
  echo "sanitize.sh: $1 took $((SECONDS - start)) s"
  return "$status"
}
timed "configure+build" "${no_aslr[@]}" bash -c "cmake --preset $preset >/dev/null &&
  cmake --build --preset $preset -j$(nproc) --target ${targets[*]}"

# Reports go to files, not only to a test's output: a CLI test that expects `descent` to fail would
# otherwise pass on a sanitizer's abort. Temporary files stay in this build (tests use fixed names).
reports=$PWD/$dir/sanitizer-reports
rm -rf "$reports" "$dir/tmp"
mkdir -p "$reports" "$dir/tmp"
export TMPDIR=$PWD/$dir/tmp
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
# ignore_noninstrumented_modules: the OpenMP runtime and OpenBLAS are not built with TSan; Archer
# (LLVM's OpenMP tool, loaded by libomp) tells TSan about their synchronization instead.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:log_path=$reports/tsan"

status=0
# --no-tests=error: a label or filter that matches nothing fails instead of passing empty.
timed "tests" "${no_aslr[@]}" ctest --test-dir "$dir" --output-on-failure --no-tests=error \
  -j"$(nproc)" --timeout 1200 "${selection[@]}" "$@" ||
  status=$?
if compgen -G "$reports/*" >/dev/null; then
  cat "$reports"/*
  echo "sanitize.sh: $(ls "$reports" | wc -l) sanitizer report(s) in $reports" >&2
  exit 1
fi
[ "$status" -eq 0 ] && echo "sanitize.sh: $kind: no sanitizer reports, all tests passed"
exit "$status"
