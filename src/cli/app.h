// The descent command line: subcommands, flag parsing, and the mapping of errors to exit codes.
#pragma once

namespace descent::cli {

// Runs the command line; returns the process exit code (cli/exit_codes.h).
int run(int argc, char** argv);

}  // namespace descent::cli
