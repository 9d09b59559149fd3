#include "cli/train_command.h"

#include <fmt/format.h>

#include "cli/checkpoint_flags.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/training_flags.h"
#include "cli/training_run.h"
#include "core/error.h"
#include "core/json_integer.h"
#include "report/run_directory.h"
#include "train/callbacks/step_counter.h"
#include "train/checkpoint.h"

namespace descent::cli {
namespace {

struct TrainCommand {
  TrainingFlags training;
  CheckpointFlags checkpoints;
  OutputFlags output;
  std::string out;
  bool overwrite = false;
  std::string resume;
};

// Where the run stands: its newest intact checkpoint, or nothing (killed before the first one).
std::optional<LoadedCheckpoint> latest_checkpoint(const RunDirectory& run, const CheckpointFlags& f,
                                                  bool quiet) {
  std::optional<LoadedCheckpoint> loaded =
      CheckpointStore(checkpoint_dir(run.path()), f.keep).load_latest();
  if (quiet) return loaded;
  if (loaded) {
    for (const std::string& reason : loaded->damaged)
      fmt::print(stderr, "Skipping a damaged checkpoint: {}\n", reason);
    const auto& progress = loaded->state.meta.at("progress");
    if (progress.at("finished").get<bool>())
      fmt::print(stderr, "{} has finished training ({}): nothing left to train\n",
                 run.path().string(), loaded->path.filename().string());
    else
      fmt::print(
          stderr, "Resuming {} from {} (step {}, epoch {}, batch {})\n", run.path().string(),
          loaded->path.filename().string(),
          json_integer<std::int64_t>(progress.at("step"), "the checkpoint's step"),
          std::int64_t{json_integer<int>(progress.at("epoch"), "the checkpoint's epoch")} + 1,
          json_integer<std::int64_t>(progress.at("batch"), "the checkpoint's batch"));
  } else {
    fmt::print(stderr, "No checkpoint in {} yet: training {} from the beginning\n",
               checkpoint_dir(run.path()).string(), run.path().string());
  }
  return loaded;
}

int run_train(TrainCommand c, const CLI::App& command) {
  std::optional<RunDirectory> run;
  nlohmann::json config;
  if (!c.resume.empty()) {
    refuse_settings_with_resume(command);
    run = RunDirectory::existing(c.resume);
    config = read_json_file(run->file("config.json"));
    try {
      c.training = training_flags_from_json(config.at("flags"));
      c.checkpoints = checkpoint_flags_from_json(config.at("checkpoints"));
    } catch (const nlohmann::json::exception& e) {
      throw DataError(
          fmt::format("{}: not a resumable run ({})", run->file("config.json").string(), e.what()));
    }
    c.training.model = run->file("model.json").string();  // the architecture as it was saved
  }
  check_checkpoint_flags(c.checkpoints);  // before the run directory is made
  Experiment e = make_experiment(c.training);
  Model& model = *e.model;
  FitOptions fit;
  std::optional<LoadedCheckpoint> checkpoint;
  if (run) {
    apply_checkpoint_flags(c.checkpoints, run->path(), fit);
    checkpoint = latest_checkpoint(*run, c.checkpoints, c.output.quiet);
    if (checkpoint) fit.resume_from = &checkpoint->state;
  } else {
    run.emplace(c.out, "train", c.overwrite);
    apply_checkpoint_flags(c.checkpoints, run->path(), fit);
    std::filesystem::remove_all(fit.checkpoint_dir);  // an overwritten run's old checkpoints
    config = e.config;
    config["checkpoints"] = to_json(c.checkpoints);
    run->write_json("config.json", config);
    run->write_json("model.json", e.model_config);
    if (!c.output.quiet)
      fmt::print(stderr, "Training {} on {} with {} (η = {:g}); run directory {}\n",
                 c.training.model, e.data.description, model.optimizer().name(),
                 model.optimizer().lr(), run->path().string());
  }

  fit.epochs = c.training.epochs;
  fit.batch_size = c.training.batch_size;
  fit.validation_split = c.training.validation_split;
  fit.verbose = c.output.quiet ? 0 : 1;
  fit.schedule = e.schedule;
  fit.schedule_interval = e.interval;
  const auto counter = std::make_shared<StepCounter>();
  fit.callbacks.push_back(counter);
  const History history = model.fit(e.data.train, fit);
  auto [results, text] =
      finish_training_run(*run, model, config, e.model_config, history,
                          e.data.test ? &*e.data.test : nullptr, c.training.batch_size);
  results["steps_trained"] = counter->steps();
  if (checkpoint) {
    const auto step = checkpoint->state.meta.at("progress").at("step").get<std::int64_t>();
    results["resumed_from_step"] = step;
    text += fmt::format("Resumed at step {}; trained {} more steps\n", step, counter->steps());
  }
  text += fmt::format("Run directory: {}\n", run->path().string());
  print_result(c.output, results, text);
  return history.diverged ? kDiverged : kSuccess;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<TrainCommand>();
  CLI::App* sub = app.add_subcommand("train", "Train a model and write its run directory");
  add_training_flags(*sub, command->training);
  add_checkpoint_flags(*sub, command->checkpoints);
  sub->add_option("--resume", command->resume,
                  "continue the run in RUN_DIR from its last checkpoint, with its own settings");
  sub->add_option("--out", command->out, "run directory (default: runs/train-<time>)");
  sub->add_flag("--overwrite", command->overwrite, "reuse an existing, non-empty run directory");
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress bar");
  sub->callback([command, sub, &exit_code] { exit_code = run_train(*command, *sub); });
}

}  // namespace descent::cli
