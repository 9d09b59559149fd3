#include "cli/app.h"

#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include "cli/evaluate_command.h"
#include "cli/exit_codes.h"
#include "cli/find_lr_command.h"
#include "cli/generate_command.h"
#include "cli/predict_command.h"
#include "cli/report_command.h"
#include "cli/sharpness_command.h"
#include "cli/sweep_command.h"
#include "cli/train_command.h"
#include "cli/tune_command.h"
#include "cli/valley_command.h"
#include "core/error.h"
#include "core/parallel.h"

namespace descent::cli {
namespace {

int fail(int code, const std::string& message) {
  fmt::print(stderr, "descent: error: {}\n", message);
  return code;
}

// A path as an error shows it: a 5,000-character one would bury the reason.
std::string shown_path(const std::filesystem::path& path) {
  constexpr std::size_t kShown = 80;
  const std::string text = path.string();
  return text.size() <= kShown ? text : text.substr(0, kShown) + "...";
}

}  // namespace

int run(int argc, char** argv) {
  // Training flushes subnormal numbers to zero (core/parallel.h); flags are checked the same way
  // from the start, so that --start 4.9e-324 is refused up front, not as 0 once a run has begun.
  enable_flush_denormals();
  CLI::App app("descent: train neural networks fast, and see what the learning rate does",
               "descent");
  app.require_subcommand(1);
  app.set_version_flag("--version", "descent 0.1.0");
  int exit_code = kSuccess;
  add_train_command(app, exit_code);
  add_evaluate_command(app, exit_code);
  add_predict_command(app, exit_code);
  add_generate_command(app, exit_code);
  add_find_lr_command(app, exit_code);
  add_sweep_command(app, exit_code);
  add_tune_command(app, exit_code);
  add_sharpness_command(app, exit_code);
  add_valley_command(app, exit_code);
  add_report_command(app, exit_code);
  try {
    if (argc > 1 && argv[1][0] != '-') {
      bool known = false;
      std::vector<std::string> names;
      for (const CLI::App* sub : app.get_subcommands({})) {
        known = known || sub->get_name() == argv[1];
        names.push_back(sub->get_name());
      }
      if (!known)
        return fail(kUsageError, fmt::format("unknown command '{}' (known: {}; see --help)",
                                             argv[1], fmt::join(names, ", ")));
    }
    app.parse(argc, argv);
    return exit_code;
  } catch (const CLI::CallForHelp&) {
    return app.exit(CLI::CallForHelp());
  } catch (const CLI::CallForAllHelp&) {
    return app.exit(CLI::CallForAllHelp());
  } catch (const CLI::CallForVersion&) {
    fmt::print("descent 0.1.0\n");
    return kSuccess;
  } catch (const CLI::ParseError& e) {
    return fail(kUsageError, std::string(e.what()) + " (see --help)");
  } catch (const InvalidArgument& e) {
    return fail(kUsageError, e.what());
  } catch (const DataError& e) {
    return fail(kDataError, e.what());
  } catch (const IoError& e) {
    return fail(kIoError, e.what());
  } catch (const Diverged& e) {
    return fail(kDiverged, e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the system refuses (too long, a component not a directory, no permission).
    return fail(kIoError, fmt::format("{}: {}", shown_path(e.path1()), e.code().message()));
  } catch (const std::bad_alloc&) {
    return fail(kInternalError, "out of memory");
  } catch (const std::exception& e) {
    return fail(kInternalError, fmt::format("internal error: {}", e.what()));
  }
}

}  // namespace descent::cli
