// Runs the descent executable as a user would, capturing its exit code and its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace descent::testing {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_descent(const std::string& arguments) {
  const std::string command = std::string(DESCENT_BINARY) + " " + arguments + " 2>&1";
  CommandResult result{-1, ""};
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr)
    result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A fresh, empty directory for one test.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("descent_cli_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

// The last line of a command's output that is a JSON object (the result of `--json`).
inline nlohmann::json last_json_line(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  nlohmann::json found;
  while (std::getline(lines, line))
    if (!line.empty() && line.front() == '{') found = nlohmann::json::parse(line);
  return found;
}

}  // namespace descent::testing
