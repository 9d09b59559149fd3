#include "cli/thread_flag.h"

#include <cstdio>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent::cli {

void apply_thread_flag(int threads) {
  if (threads < 0 || threads > kMaxThreads)
    throw InvalidArgument(
        fmt::format("--threads must be in [0, {}] (0: all cores), got {}", kMaxThreads, threads));
  const int cores = available_cores();
  if (threads > cores) {
    static bool warned = false;  // tune sets up three experiments: one warning is enough
    if (!warned)
      fmt::print(stderr, "descent: warning: --threads {} is more than the {} cores; using {}\n",
                 threads, cores, cores);
    warned = true;
    threads = cores;
  }
  set_num_threads(threads);
}

}  // namespace descent::cli
