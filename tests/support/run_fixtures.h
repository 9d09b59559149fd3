// Run directories as descent's commands write them (docs/cli.md, the formats of lr_finder.json,
// sweep.json, sharpness.json and a tune directory), made from small synthetic results through the
// producers' own to_json(), for the tests of the HTML report and `descent report`.
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lr/lr_finder.h"
#include "lr/lr_suggestions.h"
#include "lr/sharpness.h"
#include "lr/sweep.h"
#include "train/history.h"

namespace descent::testing {

inline void write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << value.dump(2) << '\n';
}

// `epochs` epochs of `steps` steps at η = lr: the loss falls from 2.3 towards `floor` with a
// wobble (rises for speed < 0); accuracy and validation figures per epoch. `diverge_at` > 0: the
// loss becomes NaN at that step and the run stops there.
inline History fixture_history(int epochs, int steps, double lr, double speed, double floor = 0.05,
                               int diverge_at = 0) {
  History h;
  for (int e = 1; e <= epochs; ++e) {
    double sum = 0;
    int count = 0;
    for (int i = 1; i <= steps; ++i) {
      const std::int64_t step = (e - 1) * steps + i;
      const bool diverges = diverge_at > 0 && step == diverge_at;
      const double loss = diverges ? NAN
                                   : floor + (2.3 - floor) * std::exp(-speed * step) *
                                                 (1 + 0.1 * std::sin(step * 1.3));
      h.steps.push_back({step, e, loss, lr * (1 - 0.5 * double(step) / (epochs * steps))});
      if (diverges) {
        h.diverged = true;
        h.divergence = "step " + std::to_string(step) + ": loss nan";
        return h;
      }
      sum += loss;
      ++count;
    }
    Logs logs;
    logs.set("epoch", e);
    logs.set("loss", sum / count);
    logs.set("accuracy", 1 - 0.4 * sum / count);
    logs.set("val_loss", 1.1 * sum / count);
    logs.set("val_accuracy", 1 - 0.45 * sum / count);
    logs.set("lr", h.steps.back().lr);
    logs.set("seconds", 0.25);
    h.epochs.push_back(logs);
  }
  return h;
}

inline nlohmann::json fixture_config(const std::string& command, double lr) {
  return {{"command", command},
          {"data", {{"name", "moons"}, {"samples", 1000}}},
          {"model", "mlp:16,16"},
          {"loss", "sparse_categorical_crossentropy"},
          {"optimizer", {{"name", "sgd"}, {"lr", lr}, {"momentum", 0.9}}},
          {"epochs", 3},
          {"batch_size", 32},
          {"seed", 42}};
}

// A training run: config.json, history.json, results.json.
inline void write_train_dir(const std::filesystem::path& dir, double lr = 0.05) {
  const History h = fixture_history(3, 30, lr, 0.05);
  write_json(dir / "config.json", fixture_config("train", lr));
  write_json(dir / "history.json", h.to_json());
  write_json(dir / "results.json", {{"run_dir", dir.string()},
                                    {"diverged", false},
                                    {"final", {{"loss", h.epochs.back().get("loss").value()}}},
                                    {"test", {{"loss", 0.21}, {"accuracy", 0.93}}}});
}

// A range test: η from 1e-6 to 10 over 80 steps, the loss falling from 2.3 near η = 1e-2 and
// blowing up after 1; suggestions by the real rules.
inline LrFinderResult fixture_finder() {
  LrFinderResult r;
  double average = 0, weight = 1;
  for (int k = 0; k < 80; ++k) {
    const double lr = 1e-6 * std::pow(1e7, k / 79.0);
    const double x = std::log10(lr);
    const double loss = 0.3 + 2.0 / (1 + std::exp(3 * (x + 2))) + (x > 0 ? 3 * x * x : 0) +
                        0.05 * std::sin(k * 2.1);
    average = 0.9 * average + 0.1 * loss;
    weight *= 0.9;
    r.lr.push_back(lr);
    r.loss.push_back(loss);
    r.smoothed.push_back(average / (1 - weight));
  }
  r.stopped = "the smoothed loss exceeded 4 × its minimum at step 80";
  r.suggestions = suggest_lrs(r.lr, r.smoothed, {});
  r.suggested = r.suggestions.back();
  return r;
}

inline void write_finder_dir(const std::filesystem::path& dir) {
  const LrFinderResult r = fixture_finder();
  write_json(dir / "config.json", fixture_config("find-lr", 1e-6));
  write_json(dir / "lr_finder.json", r.to_json());
  write_json(dir / "results.json", {{"suggested", r.suggested.lr}});
}

// Four runs, one of each verdict (η = 1e-3 too low, 1e-2 good, 0.1 too high, 1 diverged).
inline SweepResult fixture_sweep() {
  SweepResult s;
  s.runs.push_back({1e-3, fixture_history(2, 30, 1e-3, 0.002), Verdict::too_low,
                    "fell 0.1 where the best fell 1.9", 1.5});
  s.runs.push_back({1e-2, fixture_history(2, 30, 1e-2, 0.08), Verdict::good, "", 1.4});
  s.runs.push_back({1e-1, fixture_history(2, 30, 1e-1, 0.2, 0.6), Verdict::too_high,
                    "ended 0.4 above its best", 1.6});
  s.runs.push_back({1.0, fixture_history(2, 30, 1.0, -0.2, 0.05, 12), Verdict::diverged,
                    "step 12: loss nan", 0.4});
  s.best_lr = 1e-2;
  return s;
}

inline void write_sweep_dir(const std::filesystem::path& dir, bool with_bound = true) {
  nlohmann::json sweep = fixture_sweep().to_json();
  if (with_bound)
    sweep["lr_bound"] = {{"lambda_max", 8.0}, {"bound", 0.25}, {"label", "2/λmax = 0.25"}};
  write_json(dir / "config.json", fixture_config("sweep", 1e-2));
  write_json(dir / "sweep.json", sweep);
  write_json(dir / "results.json", {{"best_lr", 1e-2}});
}

inline void write_sharpness_dir(const std::filesystem::path& dir) {
  SharpnessResult r;
  r.lambda_max = 8.0;
  for (int i = 1; i <= 12; ++i)
    r.estimates.push_back(8.0 * (1 - std::exp(-0.6 * i)));
  r.converged = true;
  r.samples = 1000;
  r.method = "power iteration on central differences of gradients";
  write_json(dir / "config.json", fixture_config("sharpness", 1e-2));
  write_json(dir / "sharpness.json", r.to_json(0.9));
  write_json(dir / "results.json", r.to_json(0.9));
}

// A tune directory: its config.json and results.json, and the stages find-lr/, sweep/ (without a
// bound of its own), final/ and sharpness/.
inline void write_tune_dir(const std::filesystem::path& dir) {
  write_json(dir / "config.json", fixture_config("tune", 1e-2));
  write_json(dir / "results.json",
             {{"chosen_lr", 0.01},
              {"reason", "lowest final validation loss of the sweep around the valley suggestion"},
              {"schedule", "onecycle"},
              {"test", {{"accuracy", 0.93}}}});
  write_finder_dir(dir / "find-lr");
  write_sweep_dir(dir / "sweep", false);
  write_train_dir(dir / "final", 0.01);
  write_sharpness_dir(dir / "sharpness");
}

}  // namespace descent::testing
