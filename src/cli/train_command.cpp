#include "cli/train_command.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/training_flags.h"
#include "cli/training_run.h"
#include "report/run_directory.h"

namespace descent::cli {
namespace {

struct TrainCommand {
  TrainingFlags training;
  OutputFlags output;
  std::string out;
  bool overwrite = false;
};

int run_train(const TrainCommand& c) {
  Experiment e = make_experiment(c.training);
  RunDirectory run(c.out, "train", c.overwrite);
  Model& model = *e.model;
  if (!c.output.quiet)
    fmt::print(stderr, "Training {} on {} with {} (η = {:g}); run directory {}\n", c.training.model,
               e.data.description, model.optimizer().name(), model.optimizer().lr(),
               run.path().string());

  FitOptions fit;
  fit.epochs = c.training.epochs;
  fit.batch_size = c.training.batch_size;
  fit.validation_split = c.training.validation_split;
  fit.verbose = c.output.quiet ? 0 : 1;
  fit.schedule = e.schedule;
  fit.schedule_interval = e.interval;
  const History history = model.fit(e.data.train, fit);
  auto [results, text] =
      finish_training_run(run, model, e.config, e.model_config, history,
                          e.data.test ? &*e.data.test : nullptr, c.training.batch_size);
  text += fmt::format("Run directory: {}\n", run.path().string());
  print_result(c.output, results, text);
  return history.diverged ? kDiverged : kSuccess;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<TrainCommand>();
  CLI::App* sub = app.add_subcommand("train", "Train a model and write its run directory");
  add_training_flags(*sub, command->training);
  sub->add_option("--out", command->out, "run directory (default: runs/train-<time>)");
  sub->add_flag("--overwrite", command->overwrite, "reuse an existing, non-empty run directory");
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress bar");
  sub->callback([command, &exit_code] { exit_code = run_train(*command); });
}

}  // namespace descent::cli
