#include "cli/train_command.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/training_flags.h"
#include "report/run_directory.h"
#include "report/training_charts.h"
#include "train/weights_file.h"

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

  nlohmann::json results = {{"run_dir", run.path().string()}, {"diverged", history.diverged}};
  if (!history.epochs.empty())
    for (const auto& [name, value] : history.epochs.back().items())
      results["final"][name] = json_number(value);
  std::string text;
  if (history.diverged) {
    results["divergence"] = history.divergence;
    text += fmt::format("Training diverged: {}\n", history.divergence);
  } else if (!history.epochs.empty()) {
    const Logs& last = history.epochs.back();
    text += fmt::format("Final training loss {:.4f}", last.get("loss").value_or(NAN));
    for (const auto& [name, value] : last.items())
      if (name != "loss" && name != "epoch" && name != "seconds" && name != "lr")
        text += fmt::format(", {} {:.4f}", name, value);
    text += "\n";
  }
  if (e.data.test && !history.diverged) {
    const auto test = model.evaluate(*e.data.test, c.training.batch_size);
    for (const auto& [name, value] : test)
      results["test"][name] = json_number(value);
    if (const auto it = test.find("accuracy"); it != test.end())
      text += fmt::format("Test accuracy: {:.2f}% (loss {:.4f})\n", 100.0 * it->second,
                          test.at("loss"));
    else
      text += fmt::format("Test loss: {:.4f}\n", test.at("loss"));
  }

  run.write_json("config.json", e.config);
  run.write_json("model.json", e.model_config);
  run.write_json("history.json", history.to_json());
  history.write_epochs_csv(run.file("history.csv"));
  history.write_steps_csv(run.file("steps.csv"));
  StateDict weights = model.weights();
  weights.meta = {{"model", e.model_config}};
  write_weights_file(run.file("weights.bin"), weights);
  write_training_charts(history, run.path());
  run.write_json("results.json", results);

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
