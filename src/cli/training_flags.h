// The flags every training command shares (data, model, loss, optimizer and its hyperparameters,
// schedule, epochs, batch size, seed, threads), and the experiment they describe: the data loaded,
// the model built and compiled, the schedule ready. Commands parse; the library trains.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/data_source.h"
#include "optim/schedule/schedule.h"
#include "train/model.h"

namespace descent::cli {

struct TrainingFlags {
  DataSpec data;
  std::string model = "mlp:256,128";
  std::string loss;  // empty: chosen from the task
  std::string optimizer = "adam";
  std::optional<double> lr;
  std::optional<double> momentum, dampening, weight_decay, beta1, beta2, eps, rho, alpha;
  std::optional<double> clipnorm, clipvalue, global_clipnorm;
  bool nesterov = false, amsgrad = false, centered = false;
  std::string convention;
  std::vector<std::string> optimizer_params;  // KEY=VALUE
  std::string schedule;
  std::vector<std::string> schedule_params;  // KEY=VALUE
  std::string schedule_interval = "step";
  int epochs = 5;
  std::int64_t batch_size = 128;
  double validation_split = 0.0;
  int threads = 0;
};

void add_training_flags(CLI::App& command, TrainingFlags& flags);

// The flags as JSON (config.json's "flags") and back: `--resume` rebuilds the experiment from them.
nlohmann::json to_json(const TrainingFlags& flags);
TrainingFlags training_flags_from_json(const nlohmann::json& json);

// Everything a training command needs, built from the flags.
struct Experiment {
  LoadedData data;
  nlohmann::json model_config;
  std::unique_ptr<Model> model;
  std::shared_ptr<Schedule> schedule;
  ScheduleInterval interval = ScheduleInterval::step;
  nlohmann::json config;            // the exact configuration, as the run directory records it
  std::size_t optimizer_slots = 0;  // values the optimizer keeps per weight (memory checks)
};

// Loads the data, builds and compiles the model (weights drawn from the seed), makes the schedule.
// `lr` overrides --lr (sweeps train the same experiment at several η).
Experiment make_experiment(const TrainingFlags& flags, std::optional<double> lr = std::nullopt);
// Builds and compiles a model for data already loaded (each run of a sweep gets its own).
std::unique_ptr<Model> make_model(const TrainingFlags& flags, const nlohmann::json& model_config,
                                  const Dataset& train, std::optional<double> lr);

// "key=value" -> {"key": value}; the value is read as JSON when it parses, else as a string.
nlohmann::json parse_key_values(const std::vector<std::string>& pairs, const std::string& what);

}  // namespace descent::cli
