#include "cli/run_directory_flags.h"

#include <fmt/format.h>

namespace descent::cli {

void add_run_directory_flags(CLI::App& command, std::string& out, bool& overwrite) {
  command.add_option("--out", out,
                     fmt::format("run directory (default: runs/{}-<time>)", command.get_name()));
  command.add_flag("--overwrite", overwrite,
                   "replace an existing run directory: its earlier contents are removed");
}

}  // namespace descent::cli
