#include "cli/train_command.h"

#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "cli/checkpoint_flags.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/run_directory_flags.h"
#include "cli/training_flags.h"
#include "cli/training_run.h"
#include "core/error.h"
#include "core/json_integer.h"
#include "lr/sharpness_tracker.h"
#include "report/run_directory.h"
#include "report/sharpness_track_chart.h"
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
  // --track-sharpness N: λmax every N steps on the first `track_samples` training samples.
  std::optional<std::int64_t> track_every;
  std::int64_t track_samples = 1000;
};

void check_track_flags(const TrainCommand& c) {
  if (c.track_every && *c.track_every < 1)
    throw InvalidArgument(
        fmt::format("--track-sharpness must be >= 1 (optimizer steps between estimates), got {}",
                    *c.track_every));
  if (c.track_samples < 1)
    throw InvalidArgument(
        fmt::format("--track-sharpness-samples must be >= 1, got {}", c.track_samples));
}

// The tracker over the first samples of the data fit() trains on (the validation tail left out).
std::shared_ptr<SharpnessTracker> make_tracker(const TrainCommand& c, const Dataset& train) {
  Dataset data = train;
  if (c.training.validation_split > 0.0) data = split_tail(data, c.training.validation_split).first;
  std::vector<std::int64_t> first(static_cast<std::size_t>(std::min(c.track_samples, data.size())));
  std::iota(first.begin(), first.end(), std::int64_t{0});
  return std::make_shared<SharpnessTracker>(subset(data, first), *c.track_every);
}

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
  check_track_flags(c);
  if (!c.resume.empty()) {
    refuse_settings_with_resume(command);
    run = RunDirectory::existing(c.resume);
    config = read_json_file(run->file("config.json"));
    try {
      c.training = training_flags_from_json(config.at("flags"));
      c.checkpoints = checkpoint_flags_from_json(config.at("checkpoints"));
      if (config.contains("track_sharpness")) {
        c.track_every = config["track_sharpness"].at("every").get<std::int64_t>();
        c.track_samples = config["track_sharpness"].at("samples").get<std::int64_t>();
      }
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
    config = e.config;
    config["checkpoints"] = to_json(c.checkpoints);
    if (c.track_every)
      config["track_sharpness"] = {{"every", *c.track_every}, {"samples", c.track_samples}};
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
  std::shared_ptr<SharpnessTracker> tracker;
  if (c.track_every) {
    tracker = make_tracker(c, e.data.train);
    fit.callbacks.push_back(tracker);
  }
  const History history = model.fit(e.data.train, fit);
  if (tracker) {
    tracker->write_csv(run->file("sharpness_track.csv"));
    write_sharpness_track_chart(tracker->points(), stability_threshold_formula(model.optimizer()),
                                run->path());
  }
  auto [results, text] = finish_training_run(
      *run, model, config, e.model_config, history, e.data.test ? &*e.data.test : nullptr,
      c.training.batch_size, e.data.vocabulary ? &*e.data.vocabulary : nullptr);
  results["steps_trained"] = counter->steps();
  if (tracker && !tracker->points().empty()) {
    const SharpnessPoint& last = tracker->points().back();
    const std::string formula = stability_threshold_formula(model.optimizer());
    results["sharpness_track"] = {{"step", last.step},
                                  {"lambda_max", last.lambda_max},
                                  {"threshold", last.threshold},
                                  {"threshold_formula", formula},
                                  {"preconditioned", last.preconditioned},
                                  {"batch_statistics", tracker->batch_statistics()},
                                  {"estimates", tracker->points().size()}};
    text += fmt::format(
        "Sharpness at step {}: λmax{} = {:.4g}, threshold {} = {:.4g} ({} estimates in "
        "sharpness_track.csv{})\n",
        last.step, last.preconditioned ? " of P⁻¹H" : "", last.lambda_max, formula, last.threshold,
        tracker->points().size(),
        tracker->batch_statistics() ? "; batch normalization on each batch's own statistics" : "");
  }
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
  sub->add_option("--track-sharpness", command->track_every,
                  "every N optimizer steps, the exact λmax of the training loss on a fixed subset, "
                  "against the threshold 2(1+μ)/η (Adam, AdamW: λmax of P⁻¹H against "
                  "(2+2β1)/((1−β1)η)): the edge of stability (sharpness_track.csv)");
  sub->add_option("--track-sharpness-samples", command->track_samples,
                  "training samples the tracked λmax is measured on (the first N)")
      ->capture_default_str();
  add_run_directory_flags(*sub, command->out, command->overwrite);
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress bar");
  sub->callback([command, sub, &exit_code] { exit_code = run_train(*command, *sub); });
}

}  // namespace descent::cli
