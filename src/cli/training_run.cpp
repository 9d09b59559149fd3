#include "cli/training_run.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/output.h"
#include "report/training_charts.h"
#include "train/weights_file.h"

namespace descent::cli {
namespace {

// results' "final" or "test" figures with the bits per character of each loss beside them.
void add_bits_per_character(nlohmann::json& figures) {
  constexpr std::pair<const char*, const char*> kBitsOf[] = {
      {"loss", "bits_per_character"}, {"val_loss", "val_bits_per_character"}};
  for (const auto& [loss, bits] : kBitsOf)
    if (figures.contains(loss) && figures[loss].is_number())
      figures[bits] = json_number(bits_per_character(figures[loss].get<double>()));
}

}  // namespace

TrainingOutcome finish_training_run(const RunDirectory& run, Model& model,
                                    const nlohmann::json& config,
                                    const nlohmann::json& model_config, const History& history,
                                    const Dataset* test, std::int64_t batch_size,
                                    const Vocabulary* vocabulary) {
  TrainingOutcome out;
  nlohmann::json& results = out.results;
  std::string& text = out.text;
  results = {{"run_dir", run.path().string()}, {"diverged", history.diverged}};
  if (!history.epochs.empty())
    for (const auto& [name, value] : history.epochs.back().items())
      results["final"][name] = json_number(value);
  if (!history.recoveries.empty()) {
    results["recoveries"] = history.to_json()["recoveries"];
    for (const Recovery& r : history.recoveries)
      text += fmt::format(
          "Rolled back at step {} ({}): restored step {}, η {:g} -> {:g}, batch {} of epoch {} "
          "skipped\n",
          r.step, r.reason, r.restored_step, r.lr_before, r.lr_after, r.batch, r.epoch);
  }
  if (history.diverged) {
    results["divergence"] = history.divergence;
    text += fmt::format("Training diverged: {}\n", history.divergence);
  } else if (!history.epochs.empty()) {
    const Logs& last = history.epochs.back();
    text += fmt::format("Final training loss {:.4f}", last.get("loss").value_or(NAN));
    if (vocabulary)
      text += fmt::format(" ({:.3f} bits per character)",
                          bits_per_character(last.get("loss").value_or(NAN)));
    for (const auto& [name, value] : last.items())
      if (name != "loss" && name != "epoch" && name != "seconds" && name != "lr")
        text += fmt::format(", {} {:.4f}", name, value);
    text += "\n";
  }
  if (test != nullptr && !history.diverged) {
    const auto figures = model.evaluate(*test, batch_size);
    for (const auto& [name, value] : figures)
      results["test"][name] = json_number(value);
    if (vocabulary)
      text +=
          fmt::format("Held-out text: loss {:.4f}, {:.3f} bits per character, accuracy {:.2f}%\n",
                      figures.at("loss"), bits_per_character(figures.at("loss")),
                      100.0 * figures.at("accuracy"));
    else if (const auto it = figures.find("accuracy"); it != figures.end())
      text += fmt::format("Test accuracy: {:.2f}% (loss {:.4f})\n", 100.0 * it->second,
                          figures.at("loss"));
    else
      text += fmt::format("Test loss: {:.4f}\n", figures.at("loss"));
  }

  if (vocabulary) {
    if (results.contains("final")) add_bits_per_character(results["final"]);
    if (results.contains("test")) add_bits_per_character(results["test"]);
    run.write_json("vocab.json", vocabulary->to_json());
  }
  run.write_json("config.json", config);
  run.write_json("model.json", model_config);
  run.write_json("history.json", history.to_json());
  history.write_epochs_csv(run.file("history.csv"));
  history.write_steps_csv(run.file("steps.csv"));
  StateDict weights = model.weights();
  weights.meta = {{"model", model_config}};
  write_weights_file(run.file("weights.bin"), weights);
  write_training_charts(history, run.path());
  run.write_json("results.json", results);
  return out;
}

}  // namespace descent::cli
