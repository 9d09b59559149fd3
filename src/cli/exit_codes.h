// Exit codes of the descent command (documented in docs/cli.md).
#pragma once

namespace descent::cli {

enum ExitCode : int {
  kSuccess = 0,
  kInternalError = 1,  // a bug: please report it
  kUsageError = 2,  // unknown flag or subcommand, invalid value (η <= 0, unknown optimizer, ...)
  kDataError =
      3,  // malformed input: corrupt IDX, ragged CSV, label out of range, NaN, bad model file
  kIoError = 4,   // a file that cannot be opened, read or written
  kDiverged = 5,  // training stopped because the loss became NaN or infinite
};

}  // namespace descent::cli
