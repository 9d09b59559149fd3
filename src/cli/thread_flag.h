// --threads: 0 means every core; more threads than cores only slow training down (they take turns),
// so such a count is capped at the cores with a warning; a count above kMaxThreads is a typo and is
// refused (thousands of OpenMP threads exhaust the stacks and crash).
#pragma once

namespace descent::cli {

inline constexpr int kMaxThreads = 1024;

// Checks `threads` (InvalidArgument below 0 or above kMaxThreads), caps it at the cores with one
// warning line on standard error, and sets it for the process.
void apply_thread_flag(int threads);

}  // namespace descent::cli
