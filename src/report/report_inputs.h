// What the HTML report finds in a run directory: the JSON files of the commands that made it.
//
//   history.json      a training run (descent train; a tune's final/)
//   lr_finder.json    a learning-rate range test (descent find-lr)
//   sweep.json        runs side by side with verdicts (descent sweep)
//   sharpness.json    λmax and the bound 2/λmax (descent sharpness)
//   config.json, results.json   the configuration and results of whichever command it was
//
// A `descent tune` directory holds the stages find-lr/, sweep/, final/ and maybe sharpness/, each
// an ordinary run directory, plus its own config.json and results.json ("chosen_lr", "reason").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent {

struct RunStage;

struct RunInputs {
  std::filesystem::path dir;
  std::optional<nlohmann::json> config, results, history, lr_finder, sweep, sharpness;
  // A tune directory's stages that hold something to show, in the order above, named by their
  // subdirectory.
  std::vector<RunStage> stages;

  // The file of `dir` that a field came from, for error messages.
  std::filesystem::path file(const std::string& name) const { return dir / name; }
  bool is_tune() const;
  // The directory's own name ("sweep-sgd" for runs/sweep-sgd/), for headings and titles.
  std::string name() const;
  // What was found, for a person: "training run, sweep" or "tune (find-lr, sweep, final)".
  std::string describe() const;
};

// One stage of a tune directory: its subdirectory's name and what it holds.
struct RunStage {
  std::string name;
  RunInputs run;
};

inline bool RunInputs::is_tune() const {
  return !stages.empty();
}

// The stage subdirectories of a tune directory, in report order.
inline const std::vector<std::string>& tune_stage_names() {
  static const std::vector<std::string> names = {"find-lr", "sweep", "final", "sharpness"};
  return names;
}

// Reads the files above that exist in `dir`. IoError when `dir` is missing, not a directory, or a
// file cannot be read; DataError naming the file when one is malformed JSON, and naming `dir` when
// it holds none of history.json, lr_finder.json, sweep.json, sharpness.json or a tune stage.
RunInputs read_run_inputs(const std::filesystem::path& dir);

}  // namespace descent
